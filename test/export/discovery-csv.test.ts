import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  DAY_COMPLETENESS_RUN_COLUMNS,
  DISCOVERY_COLUMNS,
  discoveryRow,
  exportDayCompleteness,
  exportDiscoveryHits,
} from '../../source/export/discovery-csv.js';
import { fixedPoint, plainNumber, shareCount } from '../../source/export/format.js';
import type { Store, StoredHit } from '../../source/store/store.js';
import { sampleStore } from './fixtures.js';

const SECTION_9_HEADER =
  'hit_id,ticker,date,volume,volume_millions,dollar_volume_millions,intraday_push_pct,near_rs,rs_exec_date,rs_days_after,pm_gap_50,open_gap_50,intraday_push_50,surge_7d_300,rules_detail,shares_outstanding_millions,market_cap_millions,float_millions,dollar_volume,data_source,float_rotation,exchange,pm_high_source,pm_high_venue,rule_tags';

let opened: { store: Store; dir: string } | null = null;
function setup() {
  opened = sampleStore();
  return opened;
}
afterEach(() => {
  if (opened) {
    opened.store.close();
    rmSync(opened.dir, { recursive: true, force: true });
    opened = null;
  }
});

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
}
const byTicker = (rows: Record<string, string>[]) => new Map(rows.map((r) => [r.ticker!, r]));

describe('fixedPoint / shareCount / plainNumber', () => {
  it('prints fixed decimals, never -0, exponent notation, NaN or Infinity', () => {
    expect(fixedPoint(69.66, 1)).toBe('69.7');
    expect(fixedPoint(810, 1)).toBe('810.0');
    expect(fixedPoint(-0.04, 1)).toBe('0.0');
    expect(fixedPoint(-0, 3)).toBe('0.000');
    expect(fixedPoint(-0.4, 0)).toBe('0');
    expect(fixedPoint(-1.25, 1)).toBe('-1.3');
    expect(fixedPoint(1e21, 2)).toBe('1000000000000000000000.00');
    // Exact digits of the double, as toFixed prints below 1e21.
    expect(fixedPoint(-2.5e22, 1)).toBe('-24999999999999997902848.0');
    expect(fixedPoint(2 ** 80, 0)).toBe('1208925819614629174706176');
    expect(fixedPoint(123456789012345680000, 2)).toBe('123456789012345683968.00');
    expect(fixedPoint(NaN, 1)).toBe('');
    expect(fixedPoint(Infinity, 1)).toBe('');
    expect(fixedPoint(null, 1)).toBe('');
    expect(fixedPoint(undefined, 1)).toBe('');
    expect(() => fixedPoint(1, 21)).toThrow(RangeError);
  });
  it('keeps whole share counts whole and fractional ones to 2 decimals', () => {
    expect(shareCount(12345678)).toBe('12345678');
    expect(shareCount(1234567.5)).toBe('1234567.5');
    expect(shareCount(1234567.567)).toBe('1234567.57');
    expect(shareCount(10.001)).toBe('10');
    expect(shareCount(1e22)).toBe('10000000000000000000000');
    expect(shareCount(NaN)).toBe('');
  });
  it('plainNumber never uses an exponent', () => {
    expect(plainNumber(98.33333333333333)).toBe('98.33333333333333');
    expect(plainNumber(1.5e-7)).toBe('0.00000015');
    expect(plainNumber(-2e-9)).toBe('-0.000000002');
    expect(plainNumber(3e21)).toBe('3000000000000000000000');
    expect(plainNumber(-0)).toBe('0');
    expect(plainNumber(NaN)).toBe('');
  });
});

describe('discoveryRow', () => {
  it('gives empty cells, never null/NaN/undefined, for a hit with nothing known', () => {
    const h: StoredHit = {
      hit_id: 7,
      ticker: 'ZZZ',
      event_date: '2018-01-03',
      volume: NaN,
      prev_close: null,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      vwap: null,
      intraday_push_pct: NaN,
      pm_high: null,
      pm_high_source: null,
      pm_high_venue: null,
      exchange: null as unknown as string,
      security_type: null,
      is_near_reverse_split: 0,
      rs_exec_date: null,
      rs_days_after: null,
      basis_factor: 1,
      rs_note: null,
      shares_outstanding: null,
      market_cap: null,
      float_shares: null,
      dollar_volume: null,
      data_source: null,
      rules: [],
    };
    const row = discoveryRow(h);
    expect(Object.keys(row)).toEqual([...DISCOVERY_COLUMNS]);
    for (const [k, v] of Object.entries(row)) {
      expect(typeof v, k).toBe('string');
      expect(v, k).not.toMatch(/null|nan|undefined|infinity/i);
    }
    expect(row.volume).toBe('');
    expect(row.float_rotation).toBe('');
    expect(row.near_rs).toBe('0');
  });
  it('sorts rules R1..R4 whatever order they come in', () => {
    const base = {
      hit_id: 1,
      ticker: 'X',
      event_date: '2018-01-03',
      volume: 1e6,
      float_shares: null,
    } as unknown as StoredHit;
    const row = discoveryRow({
      ...base,
      rules: [
        { rule: 'SURGE_7D_300', value: 300 },
        { rule: 'OPEN_GAP_50', value: 50 },
        { rule: 'PM_GAP_50', value: 51 },
      ],
    });
    expect(row.rules_detail).toBe('PM_GAP_50:51.0|OPEN_GAP_50:50.0|SURGE_7D_300:300.0');
    expect(row.rule_tags).toBe('PM_GAP_50|OPEN_GAP_50|SURGE_7D_300');
    expect([row.pm_gap_50, row.open_gap_50, row.intraday_push_50, row.surge_7d_300]).toEqual([
      '1',
      '1',
      '0',
      '1',
    ]);
  });
});

describe('exportDiscoveryHits', () => {
  it('writes the exact section-9 header, LF line endings and one row per hit of the range', () => {
    const { store, dir } = setup();
    const out = join(dir, 'exports');
    const res = exportDiscoveryHits(store, '2018-01-03', '2018-01-04', out);
    expect(res.path).toBe(join(out, 'discovery_hits_2018-01-03_2018-01-04.csv'));
    expect(res.rows).toBe(6);
    const text = readFileSync(res.path, 'utf8');
    expect(text.split('\n')[0]).toBe(SECTION_9_HEADER);
    expect(DISCOVERY_COLUMNS.join(',')).toBe(SECTION_9_HEADER);
    expect(text).not.toContain('\r');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/null|NaN|undefined|Infinity|e\+\d/);
    const rows = readCsv(res.path);
    expect(rows.map((r) => `${r.date} ${r.ticker}`)).toEqual([
      '2018-01-03 AAA',
      '2018-01-03 BBB',
      '2018-01-03 CCC',
      '2018-01-03 DDD',
      '2018-01-03 EEE',
      '2018-01-04 FFF',
    ]);
    // The range filters by event date.
    const one = exportDiscoveryHits(store, '2018-01-04', '2018-01-04', out);
    expect(one.rows).toBe(1);
    expect(readCsv(one.path).map((r) => r.ticker)).toEqual(['FFF']);
  });

  it('formats every column as section 9 says', () => {
    const { store, dir } = setup();
    const rows = byTicker(
      readCsv(exportDiscoveryHits(store, '2018-01-03', '2018-01-04', dir).path),
    );
    const aaa = rows.get('AAA')!;
    expect(aaa).toMatchObject({
      ticker: 'AAA',
      date: '2018-01-03',
      volume: '12345678',
      volume_millions: '12.3',
      dollar_volume_millions: '42.0',
      intraday_push_pct: '29.0',
      near_rs: '0',
      rs_exec_date: '',
      rs_days_after: '',
      pm_gap_50: '1',
      open_gap_50: '0',
      intraday_push_50: '0',
      surge_7d_300: '1',
      rules_detail: 'PM_GAP_50:69.7|SURGE_7D_300:810.0',
      shares_outstanding_millions: '12.346',
      market_cap_millions: '43.210',
      float_millions: '9.877',
      dollar_volume: '41975305.20',
      data_source: 'shares=polygon;float=fmp;dv=vwap',
      float_rotation: '1.25',
      exchange: 'NASDAQ',
      pm_high_source: 'v3_trades',
      pm_high_venue: 'utp_cta',
      rule_tags: 'PM_GAP_50|SURGE_7D_300',
    });
    expect(aaa.hit_id).toMatch(/^\d+$/);
  });

  it('leaves unknown fundamentals empty and quotes text per RFC 4180 (vwap null, fractional volume)', () => {
    const { store, dir } = setup();
    const path = exportDiscoveryHits(store, '2018-01-03', '2018-01-03', dir).path;
    const bbb = byTicker(readCsv(path)).get('BBB')!;
    expect(bbb).toMatchObject({
      volume: '1234567.5',
      volume_millions: '1.2',
      dollar_volume: '2469135.00',
      dollar_volume_millions: '2.5',
      intraday_push_pct: '61.0',
      shares_outstanding_millions: '',
      market_cap_millions: '',
      float_millions: '',
      float_rotation: '',
      pm_high_source: '',
      pm_high_venue: '',
      rules_detail: 'OPEN_GAP_50:55.6|INTRADAY_PUSH_50:61.0',
      rule_tags: 'OPEN_GAP_50|INTRADAY_PUSH_50',
      data_source: 'unavailable, "no details";dv=close',
    });
    expect(readFileSync(path, 'utf8')).toContain('"unavailable, ""no details"";dv=close"');
  });

  it('marks the near-reverse-split hit and computes float_rotation from the rounded float', () => {
    const { store, dir } = setup();
    const rows = byTicker(
      readCsv(exportDiscoveryHits(store, '2018-01-03', '2018-01-03', dir).path),
    );
    const ccc = rows.get('CCC')!;
    expect(ccc).toMatchObject({
      near_rs: '1',
      rs_exec_date: '2018-01-03',
      rs_days_after: '0',
      float_millions: '0.014',
      shares_outstanding_millions: '0.020',
      market_cap_millions: '0.070',
    });
    // 1,000,000 / (0.014 x 1e6) = 71.43; from the raw float 14,499 it would be 68.97.
    expect(ccc.float_rotation).toBe('71.43');
    const ddd = rows.get('DDD')!;
    expect(ddd.float_millions).toBe('0.000');
    expect(ddd.float_rotation).toBe('');
    expect(ddd.intraday_push_pct).toBe('0.0');
    const eee = rows.get('EEE')!;
    expect(eee.rules_detail).toBe(
      'PM_GAP_50:150.0|OPEN_GAP_50:90.5|INTRADAY_PUSH_50:75.0|SURGE_7D_300:420.0',
    );
    expect(eee.rule_tags).toBe('PM_GAP_50|OPEN_GAP_50|INTRADAY_PUSH_50|SURGE_7D_300');
    expect([eee.pm_gap_50, eee.open_gap_50, eee.intraday_push_50, eee.surge_7d_300]).toEqual([
      '1',
      '1',
      '1',
      '1',
    ]);
    expect(eee.float_rotation).toBe('7.50');
  });

  it('writes atomically: replaces an existing file whole and leaves no temp file', () => {
    const { store, dir } = setup();
    const out = join(dir, 'exports');
    mkdirSync(out, { recursive: true });
    const target = join(out, 'discovery_hits_2018-01-04_2018-01-04.csv');
    writeFileSync(target, 'stale,' + 'x'.repeat(20_000) + '\n');
    const res = exportDiscoveryHits(store, '2018-01-04', '2018-01-04', out);
    const text = readFileSync(target, 'utf8');
    expect(text).not.toContain('stale');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(readdirSync(out)).toEqual(['discovery_hits_2018-01-04_2018-01-04.csv']);
    expect(res.rows).toBe(1);
  });

  it('writes just the header for an empty range', () => {
    const { store, dir } = setup();
    const res = exportDiscoveryHits(store, '2019-01-02', '2019-01-31', dir);
    expect(res.rows).toBe(0);
    expect(readFileSync(res.path, 'utf8')).toBe(SECTION_9_HEADER + '\n');
  });

  it('rejects bad dates with a one-line error and writes nothing', () => {
    const { store, dir } = setup();
    const out = join(dir, 'none');
    expect(() => exportDiscoveryHits(store, '2018-1-3', '2018-01-04', out)).toThrow(/YYYY-MM-DD/);
    expect(() => exportDiscoveryHits(store, '2018-01-05', '2018-01-04', out)).toThrow(/after/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('exportDayCompleteness', () => {
  it('writes one row per day, ordered by date, with every column of the table but the run columns (times, durations, request counts)', () => {
    const { store, dir } = setup();
    const res = exportDayCompleteness(store, join(dir, 'exports'));
    expect(res.path).toBe(join(dir, 'exports', 'day_completeness.csv'));
    expect(res.rows).toBe(3);
    const text = readFileSync(res.path, 'utf8');
    expect(text).not.toContain('\r');
    const header = text.split('\n')[0]!.split(',');
    const cols = (
      store.db.prepare('PRAGMA table_info(day_completeness)').all() as { name: string }[]
    ).map((c) => c.name);
    expect(header).toEqual(cols.filter((c) => !DAY_COMPLETENESS_RUN_COLUMNS.includes(c)));
    for (const c of [
      'processing_ms',
      'stage_ms',
      'theta_requests',
      'theta_errors',
      'polygon_requests',
      'polygon_errors',
      'updated_at',
    ])
      expect(header).not.toContain(c);
    expect(header).toContain('r1_mode');
    expect(header.slice(0, 4)).toEqual([
      'date',
      'total_universe',
      'daily_raw_symbols',
      'coverage_pct',
    ]);
    const rows = readCsv(res.path);
    expect(rows.map((r) => r.date)).toEqual(['2018-01-03', '2018-01-04', '2018-01-05']);
    expect(rows[0]).toMatchObject({
      status: 'COMPLETE',
      discoveries: '5',
      r1_hits: '2',
      r4_hits: '3',
      coverage_pct: '98.33333333333333',
    });
    expect(rows[1]).toMatchObject({ status: 'INCOMPLETE', r1_unanswered: '4' });
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/); // no wall-clock time
    expect(text).not.toMatch(/null|NaN|undefined/);
    expect(readdirSync(join(dir, 'exports'))).toEqual(['day_completeness.csv']);
  });

  it('prints NULL counters as empty cells', () => {
    const { store, dir } = setup();
    store.db
      .prepare(
        'UPDATE day_completeness SET provider_status = NULL, cand_pass1 = NULL WHERE date = ?',
      )
      .run('2018-01-05');
    const rows = readCsv(exportDayCompleteness(store, dir).path);
    expect(rows[2]).toMatchObject({ date: '2018-01-05', provider_status: '', cand_pass1: '' });
  });
});
