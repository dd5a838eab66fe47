/** Test fixtures for the exports: a temp Store with committed days of known hits. */
import { join } from 'node:path';
import {
  Store,
  type DayCommit,
  type DayCompleteness,
  type HitRow,
} from '../../source/store/store.js';
import { tempDir } from '../helpers/paths.js';

/** A day_completeness row with every counter set. */
export function completeness(date: string, over: Partial<DayCompleteness> = {}): DayCompleteness {
  return {
    date,
    total_universe: 6000,
    daily_raw_symbols: 5900,
    coverage_pct: 98.33333333333333,
    discoveries: 0,
    r1_hits: 0,
    r2_hits: 0,
    r3_hits: 0,
    r4_hits: 0,
    cand_pass1: 120,
    r1_checked: 170,
    r1_unanswered: 0,
    miss_audit_sample: 150,
    miss_audit_hits: 0,
    status: 'COMPLETE',
    provider_status: 'ok',
    r1_mode: 'prefilter',
    no_prev_close: 3,
    filtered_exchange: 10,
    filtered_type: 20,
    filtered_unknown_type: 1,
    filtered_volume: 400,
    audit_sample_misses: 0,
    processing_ms: 1234,
    theta_requests: 200,
    theta_errors: 0,
    polygon_requests: 5,
    polygon_errors: 0,
    stage_ms: JSON.stringify({ GROUPED: 10, R1: 800 }),
    proof: 'sampled',
    proof_source: null,
    proof_checked: 0,
    proof_found: '',
    ...over,
  };
}

/** A hit with sensible defaults; override what the test is about. */
export function hit(over: Partial<HitRow> & Pick<HitRow, 'ticker' | 'rules'>): HitRow {
  return {
    volume: 2_500_000,
    prevClose: 2,
    open: 3.1,
    high: 4,
    low: 2.9,
    close: 3.5,
    vwap: 3.4,
    intradayPushPct: 29.0,
    pmHigh: null,
    pmHighSource: null,
    pmHighVenue: null,
    exchange: 'NASDAQ',
    securityType: 'CS',
    isNearReverseSplit: false,
    rsExecDate: null,
    rsDaysAfter: null,
    basisFactor: 1,
    rsNote: null,
    fundamentals: {
      sharesOutstanding: 12_345_678,
      marketCap: 43_209_873.5,
      floatShares: 9_876_543,
      dollarVolume: 8_500_000,
      dataSource: 'shares=polygon;float=fmp;dv=vwap',
    },
    ...over,
  };
}

/** The hits of 2018-01-03 (several rule combos and edge cases) and one of 2018-01-04. */
export function sampleDays(): DayCommit[] {
  const d1: HitRow[] = [
    // R1 + R4, full fundamentals, premarket provenance.
    hit({
      ticker: 'AAA',
      volume: 12_345_678,
      pmHigh: 3.39,
      pmHighSource: 'v3_trades',
      pmHighVenue: 'utp_cta',
      rules: [
        { rule: 'SURGE_7D_300', value: 810 },
        { rule: 'PM_GAP_50', value: 69.66 },
      ],
      fundamentals: {
        sharesOutstanding: 12_345_678,
        marketCap: 43_209_873.5,
        floatShares: 9_876_543,
        dollarVolume: 41_975_305.2,
        dataSource: 'shares=polygon;float=fmp;dv=vwap',
      },
    }),
    // R2 + R3 (given out of order), unknown fundamentals, vwap null, fractional volume,
    // a data_source that needs RFC 4180 quoting.
    hit({
      ticker: 'BBB',
      volume: 1_234_567.5,
      vwap: null,
      close: 2,
      intradayPushPct: 61.04,
      rules: [
        { rule: 'INTRADAY_PUSH_50', value: 61.04 },
        { rule: 'OPEN_GAP_50', value: 55.56 },
      ],
      fundamentals: {
        sharesOutstanding: null,
        marketCap: null,
        floatShares: null,
        dollarVolume: 2_469_135,
        dataSource: 'unavailable, "no details";dv=close',
      },
    }),
    // Near a reverse split, R2 only; tiny float so rounding the float changes the rotation.
    hit({
      ticker: 'CCC',
      volume: 1_000_000,
      isNearReverseSplit: true,
      rsExecDate: '2018-01-03',
      rsDaysAfter: 0,
      basisFactor: 10,
      rsNote: 'heavy runner override',
      rules: [{ rule: 'OPEN_GAP_50', value: 120.04 }],
      fundamentals: {
        sharesOutstanding: 20_000,
        marketCap: 70_000,
        floatShares: 14_499,
        dollarVolume: 3_400_000,
        dataSource: 'shares=polygon;float=fmp;dv=vwap',
      },
    }),
    // R4 only, a float that rounds to 0.000 millions, a push that rounds to -0.0.
    hit({
      ticker: 'DDD',
      volume: 150_000,
      intradayPushPct: -0.04,
      rules: [{ rule: 'SURGE_7D_300', value: 301.25 }],
      fundamentals: {
        sharesOutstanding: 400,
        marketCap: 1600,
        floatShares: 400,
        dollarVolume: 510_000,
        dataSource: 'shares=polygon;float=shares_outstanding;dv=vwap',
      },
    }),
    // All four rules.
    hit({
      ticker: 'EEE',
      volume: 30_000_000,
      pmHigh: 5,
      pmHighSource: 'v1_ohlc_1m',
      pmHighVenue: 'rth_false',
      intradayPushPct: 75,
      rules: [
        { rule: 'INTRADAY_PUSH_50', value: 75 },
        { rule: 'PM_GAP_50', value: 150 },
        { rule: 'SURGE_7D_300', value: 420 },
        { rule: 'OPEN_GAP_50', value: 90.5 },
      ],
      fundamentals: {
        sharesOutstanding: 5_000_000,
        marketCap: 25_000_000,
        floatShares: 4_000_000,
        dollarVolume: 150_000_000,
        dataSource: 'shares=polygon;float=fmp;dv=vwap',
      },
    }),
  ];
  const d2: HitRow[] = [
    hit({ ticker: 'FFF', rules: [{ rule: 'INTRADAY_PUSH_50', value: 50 }], intradayPushPct: 50 }),
  ];
  return [
    {
      completeness: completeness('2018-01-03', {
        discoveries: 5,
        r1_hits: 2,
        r2_hits: 3,
        r3_hits: 2,
        r4_hits: 3,
      }),
      hits: d1,
      missAudit: [],
      audit: null,
    },
    {
      completeness: completeness('2018-01-04', {
        discoveries: 1,
        r3_hits: 1,
        status: 'INCOMPLETE',
        r1_unanswered: 4,
      }),
      hits: d2,
      missAudit: [],
      audit: { sampleSize: 50, misses: 0, missRateUpper95: 0.06, auditPassed: true },
    },
  ];
}

/** Opens a temp store with the sample days committed (plus an empty 2018-01-05 day committed first). */
export function sampleStore(): { store: Store; dir: string } {
  const dir = tempDir('gapctl-export-');
  const store = Store.open(join(dir, 'db', 'scanner.db'));
  store.commitDay({
    completeness: completeness('2018-01-05'),
    hits: [],
    missAudit: [],
    audit: null,
  });
  for (const c of sampleDays()) store.commitDay(c);
  return { store, dir };
}
