/**
 * Every export of a backfill (issue 4): summary_, next_day_outcomes_ (T+1 close return, a split on
 * the next day put on the hit day's basis), the month folders, the range-level files through the
 * exported month, the 30-day QA report over qc_daily_summary, atomic writes, byte-identical
 * re-exports from the same database, and a rerun of a day replacing its rows everywhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import * as calendar from '../../source/calendar/index.js';
import { DISCOVERY_COLUMNS } from '../../source/export/discovery-csv.js';
import {
  exportBackfillMonth,
  exportRange,
  exportValidationUpdate,
  reexportDay,
} from '../../source/export/backfill-exports.js';
import { removeStaleTemps } from '../../source/export/csv-write.js';
import {
  NEXT_DAY_COLUMNS,
  nextDayBasisFactor,
  nextDayRows,
  priceCell,
} from '../../source/export/next-day-csv.js';
import { SUMMARY_COLUMNS, summaryRows } from '../../source/export/summary-csv.js';
import { nearestRank, qaReport, writeQaReport } from '../../source/export/qa-report.js';
import { exportMonths } from '../../source/export/trading-calendar.js';
import { exportCommand } from '../../source/commands/export.js';
import { writeBackfillState } from '../../source/store/state-files.js';
import type { GroupedBar } from '../../source/providers/types.js';
import type { Store } from '../../source/store/store.js';
import { completeness, hit, sampleDays, sampleStore } from './fixtures.js';

const RANGE = { start: '2018-01-03', end: '2018-02-28' };

let opened: { store: Store; dir: string } | null = null;
afterEach(() => {
  if (opened) {
    opened.store.close();
    rmSync(opened.dir, { recursive: true, force: true });
    opened = null;
  }
});

function bar(symbol: string, open: number, high: number, close: number): GroupedBar {
  return {
    symbol,
    open,
    high,
    low: Math.min(open, close),
    close,
    volume: 500_000,
    vwap: null,
    transactions: null,
    otc: false,
  };
}

/**
 * The sample store (2018-01-03: AAA..EEE, close 3.5 except BBB at 2; 2018-01-04: FFF INCOMPLETE;
 * 2018-01-05 empty), plus:
 * - 2018-01-12 (a Friday before MLK day): GGG, so its next trading day is 2018-01-16;
 * - 2018-02-01: HHH (a second month);
 * - next-day bars: 2018-01-04 for AAA, BBB, CCC, EEE (not DDD), 2018-01-05 for FFF, 2018-01-16 for GGG;
 * - a 1-for-10 reverse split of CCC executing 2018-01-04 (CCC's next day is on a 10x basis);
 * - qc_daily_summary: 2018-01-03 VALIDATED in 1000 s (an SLA breach), 2018-01-12 baseline-only 2
 *   and its audit failed.
 */
function setup(): { store: Store; dir: string } {
  opened = sampleStore();
  const { store } = opened;
  store.commitDay({
    completeness: completeness('2018-01-12', { discoveries: 1, r2_hits: 1 }),
    hits: [hit({ ticker: 'GGG', close: 5, rules: [{ rule: 'OPEN_GAP_50', value: 60 }] })],
    missAudit: [],
    audit: { sampleSize: 50, misses: 1, missRateUpper95: 0.1, auditPassed: false },
  });
  store.commitDay({
    completeness: completeness('2018-02-01', { discoveries: 1, r3_hits: 1 }),
    hits: [hit({ ticker: 'HHH', close: 10, rules: [{ rule: 'INTRADAY_PUSH_50', value: 55 }] })],
    missAudit: [],
    audit: { sampleSize: 50, misses: 0, missRateUpper95: 0.06, auditPassed: true },
  });
  store.putDailyRaw(
    '2018-01-04',
    [
      bar('AAA', 3.6, 5.25, 4.2),
      bar('BBB', 2, 2.1, 1.5),
      bar('CCC', 36, 40, 38),
      bar('EEE', 3.5, 3.5, 3.5),
    ],
    'test',
  );
  store.putDailyRaw('2018-01-05', [bar('FFF', 3.5, 3.6, 3.15)], 'test');
  store.putDailyRaw('2018-01-16', [bar('GGG', 5.1, 6, 5.5)], 'test');
  store.putSplits('2018-01', [
    { symbol: 'CCC', executionDate: '2018-01-04', splitFrom: 10, splitTo: 1 },
  ]);
  store.db
    .prepare(
      "UPDATE qc_daily_summary SET status = 'VALIDATED', processing_time_seconds = 1000, baseline_only_count = 0 WHERE date = '2018-01-03'",
    )
    .run();
  store.db
    .prepare("UPDATE qc_daily_summary SET baseline_only_count = 2 WHERE date = '2018-01-12'")
    .run();
  return opened;
}

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
}
function header(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n')[0]!.split(',');
}
/** Every file under `dir` (relative path -> content). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}
const dirsOf = (root: string) => ({
  exportDir: join(root, 'exports'),
  reportsDir: join(root, 'reports'),
  stateDir: join(root, 'state'),
});

describe('next_day_outcomes', () => {
  it('gives the T+1 bar and the close return of each hit, in discovery order', () => {
    const { store } = setup();
    const rows = nextDayRows(store, calendar, RANGE.start, RANGE.end);
    expect(Object.keys(rows[0]!)).toEqual([...NEXT_DAY_COLUMNS]);
    expect(rows.map((r) => `${r.date} ${r.ticker}`)).toEqual([
      '2018-01-03 AAA',
      '2018-01-03 BBB',
      '2018-01-03 CCC',
      '2018-01-03 DDD',
      '2018-01-03 EEE',
      '2018-01-04 FFF',
      '2018-01-12 GGG',
      '2018-02-01 HHH',
    ]);
    const by = new Map(rows.map((r) => [r.ticker, r]));
    // 4.2 / 3.5 - 1 = +20.0%, 5.25 / 3.5 - 1 = +50.0%.
    expect(by.get('AAA')).toMatchObject({
      rule_tags: 'PM_GAP_50|SURGE_7D_300',
      close: '3.50',
      next_date: '2018-01-04',
      next_open: '3.60',
      next_high: '5.25',
      next_close: '4.20',
      next_day_return_pct: '20.0',
      next_day_high_pct: '50.0',
      basis_adjusted: '0',
    });
    expect(by.get('BBB')).toMatchObject({
      close: '2.00',
      next_close: '1.50',
      next_day_return_pct: '-25.0',
      next_day_high_pct: '5.0',
    });
    expect(by.get('EEE')).toMatchObject({ next_day_return_pct: '0.0', next_day_high_pct: '0.0' });
    // The next trading day of the calendar: Thu -> Fri, and Fri 2018-01-12 -> Tue 2018-01-16 over MLK day.
    expect(by.get('FFF')).toMatchObject({
      next_date: '2018-01-05',
      next_close: '3.15',
      next_day_return_pct: '-10.0',
    });
    expect(by.get('GGG')).toMatchObject({
      date: '2018-01-12',
      next_date: '2018-01-16',
      next_close: '5.50',
      next_day_return_pct: '10.0',
      next_day_high_pct: '20.0',
    });
  });

  it('puts a next-day split on the hit day basis and says so', () => {
    const { store } = setup();
    const ccc = nextDayRows(store, calendar, '2018-01-03', '2018-01-03').find(
      (r) => r.ticker === 'CCC',
    )!;
    // Raw next close 38 after a 1-for-10 reverse split = 3.80 on the hit day's basis: 3.8 / 3.5 - 1 = +8.6%.
    expect(ccc).toMatchObject({
      close: '3.50',
      next_open: '3.60',
      next_high: '4.00',
      next_close: '3.80',
      next_day_return_pct: '8.6',
      next_day_high_pct: '14.3',
      basis_adjusted: '1',
    });
    expect(
      nextDayBasisFactor(
        [{ execution_date: '2018-01-04', split_from: 10, split_to: 1 }],
        '2018-01-03',
        '2018-01-04',
      ),
    ).toBe(10);
    expect(
      nextDayBasisFactor(
        [{ execution_date: '2018-01-03', split_from: 10, split_to: 1 }],
        '2018-01-03',
        '2018-01-04',
      ),
    ).toBe(1);
    expect(
      nextDayBasisFactor(
        [{ execution_date: '2018-01-04', split_from: 1, split_to: 2 }],
        '2018-01-03',
        '2018-01-04',
      ),
    ).toBe(0.5);
  });

  it('leaves the bar cells empty when the next day is not stored (never null or NaN)', () => {
    const { store } = setup();
    const rows = nextDayRows(store, calendar, RANGE.start, RANGE.end);
    const ddd = rows.find((r) => r.ticker === 'DDD')!;
    expect(ddd).toMatchObject({
      next_date: '2018-01-04',
      next_open: '',
      next_high: '',
      next_close: '',
      next_day_return_pct: '',
      next_day_high_pct: '',
      basis_adjusted: '0',
    });
    const hhh = rows.find((r) => r.ticker === 'HHH')!;
    expect(hhh).toMatchObject({ next_date: '2018-02-02', next_close: '', next_day_return_pct: '' });
    for (const r of rows)
      for (const v of Object.values(r)) expect(v).not.toMatch(/null|NaN|undefined|Infinity|e[+-]/i);
  });

  it('prints prices with 2 to 4 decimals', () => {
    expect(priceCell(3.5)).toBe('3.50');
    expect(priceCell(12)).toBe('12.00');
    expect(priceCell(0.12345)).toBe('0.1235');
    expect(priceCell(0.0001)).toBe('0.0001');
    expect(priceCell(1.234)).toBe('1.234');
    expect(priceCell(null)).toBe('');
    expect(priceCell(Number.NaN)).toBe('');
  });
});

describe('summary', () => {
  it('has one row per month and a TOTAL, counted from the store', () => {
    const { store } = setup();
    const rows = summaryRows(store, calendar, RANGE.start, RANGE.end);
    expect(Object.keys(rows[0]!)).toEqual([...SUMMARY_COLUMNS]);
    expect(rows.map((r) => r.month)).toEqual(['2018-01', '2018-02', 'TOTAL']);
    // January from the 3rd: 20 trading days (MLK day closed); 01-03, 01-05, 01-12 COMPLETE, 01-04 INCOMPLETE.
    expect(rows[0]).toEqual({
      month: '2018-01',
      first_day: '2018-01-03',
      last_day: '2018-01-31',
      trading_days: '20',
      complete_days: '3',
      other_days: '1',
      absent_days: '16',
      hits: '7',
      r1_hits: '2',
      r2_hits: '4',
      r3_hits: '3',
      r4_hits: '3',
      validated_days: '1',
      baseline_only: '2',
      audit_passed_days: '1',
    });
    expect(rows[1]).toMatchObject({
      month: '2018-02',
      first_day: '2018-02-01',
      last_day: '2018-02-28',
      trading_days: '19',
      complete_days: '1',
      other_days: '0',
      absent_days: '18',
      hits: '1',
      r3_hits: '1',
      audit_passed_days: '1',
    });
    expect(rows[2]).toMatchObject({
      month: 'TOTAL',
      first_day: '2018-01-03',
      last_day: '2018-02-28',
      trading_days: '39',
      complete_days: '4',
      other_days: '1',
      absent_days: '34',
      hits: '8',
      r2_hits: '4',
      r3_hits: '4',
      validated_days: '1',
      baseline_only: '2',
      audit_passed_days: '2',
    });
  });

  it('a range without trading days is a lone TOTAL row of zeros', () => {
    const { store } = setup();
    expect(summaryRows(store, calendar, '2018-01-06', '2018-01-07')).toEqual([
      {
        month: 'TOTAL',
        first_day: '',
        last_day: '',
        trading_days: '0',
        complete_days: '0',
        other_days: '0',
        absent_days: '0',
        hits: '0',
        r1_hits: '0',
        r2_hits: '0',
        r3_hits: '0',
        r4_hits: '0',
        validated_days: '0',
        baseline_only: '0',
        audit_passed_days: '0',
      },
    ]);
  });
});

describe('30-day QA report', () => {
  it('covers the 30 trading days ending at the date, flags SLA breaches and lists missing days', () => {
    const { store } = setup();
    const r = qaReport(store, calendar, '2018-01-31');
    expect(r.summary.window).toHaveLength(30);
    expect(r.summary.window[29]).toBe('2018-01-31');
    expect(r.summary.window[0]).toBe('2017-12-18');
    const cols = (
      store.db.prepare('PRAGMA table_info(qc_daily_summary)').all() as { name: string }[]
    ).map((c) => c.name);
    expect(r.columns).toEqual([...cols, 'sla_breach', 'proof']);
    expect(r.rows.map((x) => x.date)).toEqual([
      '2018-01-03',
      '2018-01-04',
      '2018-01-05',
      '2018-01-12',
    ]);
    expect(r.rows[0]).toMatchObject({
      status: 'VALIDATED',
      processing_time_seconds: '1000',
      sla_breach: '1',
    });
    expect(r.rows[1]).toMatchObject({
      status: 'INCOMPLETE',
      processing_time_seconds: '1.234',
      sla_breach: '0',
      audit_passed: '1',
    });
    expect(r.summary).toMatchObject({
      covered: 4,
      complete: 3,
      statuses: { VALIDATED: 1, INCOMPLETE: 1, COMPLETE: 2 },
      hits: { r1: 2, r2: 4, r3: 3, r4: 3 },
      baselineOnly: { total: 2, days: ['2018-01-12'] },
      auditFailures: ['2018-01-12'],
      notAudited: 2,
      theta: { requests: 800, errors: 0, errorRatePct: 0 },
      processing: { days: 4, p50: 1.234, p95: 1000, max: 1000 },
      slaBreaches: [{ date: '2018-01-03', seconds: 1000 }],
    });
    expect(r.summary.missing).toHaveLength(26);
    expect(r.summary.missing).toContain('2018-01-02');
    const t = r.text;
    expect(t).toContain('window            2017-12-18 .. 2018-01-31');
    expect(t).toContain('days covered      4 of 30');
    expect(t).toMatch(/missing\s+26 days not in qc_daily_summary: 2017-12-18, /);
    expect(t).toContain('COMPLETE          3 (status COMPLETE or VALIDATED)');
    expect(t).toContain(
      'hits per rule     R1 PM_GAP_50 2, R2 OPEN_GAP_50 4, R3 INTRADAY_PUSH_50 3, R4 SURGE_7D_300 3',
    );
    expect(t).toContain('baseline-only     2 on 1 day: 2018-01-12');
    expect(t).toContain('audit failures    1 day: 2018-01-12; not audited 2');
    expect(t).toContain('theta             800 requests, 0 errors, error rate 0.00%');
    expect(t).toContain('processing time   p50 1.2 s, p95 1000.0 s, max 1000.0 s (4 days)');
    expect(t).toContain('SLA breaches      1 day over 900 s: 2018-01-03 (1000.0 s)');
    expect(t).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/); // no "generated at" time
  });

  it("shows each day's proof (issue 10): proven only on a COMPLETE day, counted and the unproven days listed", () => {
    const { store } = setup();
    store.db
      .prepare(
        "UPDATE day_completeness SET proof = 'exhaustive', proof_source = 'flatfile' WHERE date = '2018-01-03'",
      )
      .run();
    store.db
      .prepare("UPDATE day_completeness SET proof = 'baseline' WHERE date = '2018-01-12'")
      .run();
    // an INCOMPLETE day is never proven, whatever its proof column says
    store.db
      .prepare("UPDATE day_completeness SET proof = 'exhaustive' WHERE date = '2018-01-04'")
      .run();
    const r = qaReport(store, calendar, '2018-01-31');
    expect(r.rows.map((x) => [x.date, x.proof])).toEqual([
      ['2018-01-03', 'exhaustive'],
      ['2018-01-04', 'sampled'],
      ['2018-01-05', 'sampled'],
      ['2018-01-12', 'baseline'],
    ]);
    expect(r.summary.proof).toEqual({
      proven: 2,
      byProof: { exhaustive: 1, sampled: 2, baseline: 1 },
      unproven: ['2018-01-04', '2018-01-05'],
    });
    expect(r.text).toContain(
      'proof             proven 2 of 4 days (exhaustive 1, baseline 1, sampled 2); unproven 2: 2018-01-04, 2018-01-05',
    );
  });

  it('writes qa_30d_<end>.csv and .txt atomically into the reports folder', () => {
    const { store, dir } = setup();
    const reports = join(dir, 'reports');
    const files = writeQaReport(store, calendar, '2018-01-31', reports);
    expect(files.map((f) => relative(reports, f.path))).toEqual([
      'qa_30d_2018-01-31.csv',
      'qa_30d_2018-01-31.txt',
    ]);
    expect(header(files[0]!.path)).toContain('sla_breach');
    expect(readCsv(files[0]!.path)).toHaveLength(4);
    expect(readdirSync(reports).sort()).toEqual(['qa_30d_2018-01-31.csv', 'qa_30d_2018-01-31.txt']);
  });

  it('nearest-rank percentiles', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([5], 95)).toBe(5);
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 95)).toBe(4);
    expect(
      nearestRank(
        Array.from({ length: 20 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(19);
  });
});

describe('the export of a backfill month', () => {
  it('writes the month folder, the range-level files through the month end, day_completeness.csv and the QA report', () => {
    const { store, dir } = setup();
    const d = dirsOf(dir);
    const jan = exportBackfillMonth(store, calendar, d, RANGE, {
      start: '2018-01-03',
      end: '2018-01-31',
    });
    expect(jan.map((f) => relative(dir, f.path))).toEqual([
      'exports/2018-01/discovery_hits_2018-01-03_2018-01-31.csv',
      'exports/2018-01/next_day_outcomes_2018-01-03_2018-01-31.csv',
      'exports/2018-01/summary_2018-01-03_2018-01-31.csv',
      'exports/2018-01/day_completeness_2018-01-03_2018-01-31.csv',
      'exports/discovery_hits_2018-01-03_2018-02-28.csv',
      'exports/summary_2018-01-03_2018-02-28.csv',
      'exports/next_day_outcomes_2018-01-03_2018-02-28.csv',
      'exports/day_completeness.csv',
      'reports/qa_30d_2018-01-31.csv',
      'reports/qa_30d_2018-01-31.txt',
    ]);
    const ex = d.exportDir;
    expect(header(join(ex, '2018-01/discovery_hits_2018-01-03_2018-01-31.csv'))).toEqual([
      ...DISCOVERY_COLUMNS,
    ]);
    expect(
      readCsv(join(ex, '2018-01/discovery_hits_2018-01-03_2018-01-31.csv')).map((r) => r.ticker),
    ).toEqual(['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG']);
    expect(
      readCsv(join(ex, '2018-01/day_completeness_2018-01-03_2018-01-31.csv')).map((r) => r.date),
    ).toEqual(['2018-01-03', '2018-01-04', '2018-01-05', '2018-01-12']);
    expect(
      readCsv(join(ex, '2018-01/summary_2018-01-03_2018-01-31.csv')).map((r) => r.month),
    ).toEqual(['2018-01', 'TOTAL']);
    // The range files hold January only: February is not exported yet although HHH is stored.
    expect(
      readCsv(join(ex, 'discovery_hits_2018-01-03_2018-02-28.csv')).map((r) => r.ticker),
    ).not.toContain('HHH');
    expect(readCsv(join(ex, 'next_day_outcomes_2018-01-03_2018-02-28.csv'))).toHaveLength(7);
    expect(readCsv(join(ex, 'summary_2018-01-03_2018-02-28.csv')).map((r) => r.month)).toEqual([
      '2018-01',
      'TOTAL',
    ]);
    expect(readCsv(join(ex, 'day_completeness.csv')).map((r) => r.date)).toContain('2018-02-01');

    const feb = exportBackfillMonth(store, calendar, d, RANGE, {
      start: '2018-02-01',
      end: '2018-02-28',
    });
    expect(feb.map((f) => relative(dir, f.path))).toContain(
      'exports/2018-02/next_day_outcomes_2018-02-01_2018-02-28.csv',
    );
    expect(
      readCsv(join(ex, 'discovery_hits_2018-01-03_2018-02-28.csv')).map((r) => r.ticker),
    ).toContain('HHH');
    expect(readCsv(join(ex, 'summary_2018-01-03_2018-02-28.csv')).map((r) => r.month)).toEqual([
      '2018-01',
      '2018-02',
      'TOTAL',
    ]);
    expect(
      readCsv(join(ex, '2018-02/discovery_hits_2018-02-01_2018-02-28.csv')).map((r) => r.ticker),
    ).toEqual(['HHH']);

    // Atomic writes leave no temp files; nothing under exports/ carries a wall-clock time.
    const all = { ...tree(ex), ...tree(d.reportsDir) };
    expect(Object.keys(all).filter((p) => /\.tmp$|\.\d+\.\d+/.test(p))).toEqual([]);
    for (const [p, text] of Object.entries(tree(ex))) {
      expect(text, p).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
      expect(text, p).not.toMatch(/null|NaN|undefined/);
      expect(text, p).not.toContain('\r');
    }
  });

  it('is a pure function of the database: a second export (anywhere) gives the same bytes', () => {
    const { store, dir } = setup();
    const a = dirsOf(join(dir, 'a'));
    const b = dirsOf(join(dir, 'b'));
    for (const d of [a, a, b]) {
      exportBackfillMonth(store, calendar, d, RANGE, { start: '2018-01-03', end: '2018-01-31' });
      exportBackfillMonth(store, calendar, d, RANGE, { start: '2018-02-01', end: '2018-02-28' });
    }
    expect(tree(a.exportDir)).toEqual(tree(b.exportDir));
    expect(tree(a.reportsDir)).toEqual(tree(b.reportsDir));
    // A run's timings live in the store only: changing them does not change exports/.
    const before = tree(a.exportDir);
    store.db
      .prepare(
        'UPDATE day_completeness SET processing_ms = 99999, theta_requests = 1, stage_ms = ?, updated_at = ?',
      )
      .run('{}', '2030-01-01T00:00:00.000Z');
    exportBackfillMonth(store, calendar, a, RANGE, { start: '2018-02-01', end: '2018-02-28' });
    expect(tree(a.exportDir)).toEqual(before);
  });

  it('gapctl export writes the same set as a backfill that exported every month', () => {
    const { store, dir } = setup();
    const backfill = dirsOf(join(dir, 'backfill'));
    for (const m of exportMonths(calendar, RANGE.start, RANGE.end))
      exportBackfillMonth(store, calendar, backfill, RANGE, m);
    const command = dirsOf(join(dir, 'command'));
    exportRange(store, calendar, command, RANGE.start, RANGE.end);
    expect(Object.keys(tree(command.exportDir))).toHaveLength(12);
    expect(tree(command.exportDir)).toEqual(tree(backfill.exportDir));
    expect(tree(command.reportsDir)).toEqual(tree(backfill.reportsDir));
  });

  it('a rerun of a day replaces its rows everywhere', () => {
    const { store, dir } = setup();
    const d = dirsOf(dir);
    writeBackfillState(d.stateDir, {
      range: RANGE,
      status: 'DONE',
      last_completed_month: '2018-02',
      last_completed_day: '2018-02-28',
      halt_reason: null,
      halted_day: null,
      market: 'replay',
      r1_mode: 'prefilter',
    });
    for (const m of exportMonths(calendar, RANGE.start, RANGE.end))
      exportBackfillMonth(store, calendar, d, RANGE, m);
    // 2018-01-03 rescanned: only AAA is left, with another close.
    const day = sampleDays()[0]!;
    store.commitDay({
      ...day,
      completeness: { ...day.completeness, discoveries: 1, r2_hits: 0, r3_hits: 0 },
      hits: [{ ...day.hits[0]!, close: 4 }],
    });
    const files = reexportDay(store, calendar, d, '2018-01-03');
    expect(files.map((f) => relative(dir, f.path))).toEqual([
      'exports/2018-01/discovery_hits_2018-01-03_2018-01-31.csv',
      'exports/2018-01/next_day_outcomes_2018-01-03_2018-01-31.csv',
      'exports/2018-01/summary_2018-01-03_2018-01-31.csv',
      'exports/2018-01/day_completeness_2018-01-03_2018-01-31.csv',
      'exports/discovery_hits_2018-01-03_2018-02-28.csv',
      'exports/summary_2018-01-03_2018-02-28.csv',
      'exports/next_day_outcomes_2018-01-03_2018-02-28.csv',
      'exports/day_completeness.csv',
      'reports/qa_30d_2018-01-31.csv',
      'reports/qa_30d_2018-01-31.txt',
    ]);
    const ex = d.exportDir;
    const tickers = (p: string) => readCsv(join(ex, p)).map((r) => r.ticker);
    expect(tickers('2018-01/discovery_hits_2018-01-03_2018-01-31.csv')).toEqual([
      'AAA',
      'FFF',
      'GGG',
    ]);
    // The range files still run through February (what they held), with the new rows of 01-03.
    expect(tickers('discovery_hits_2018-01-03_2018-02-28.csv')).toEqual([
      'AAA',
      'FFF',
      'GGG',
      'HHH',
    ]);
    const aaa = readCsv(join(ex, 'next_day_outcomes_2018-01-03_2018-02-28.csv')).find(
      (r) => r.ticker === 'AAA',
    )!;
    expect(aaa).toMatchObject({ close: '4.00', next_close: '4.20', next_day_return_pct: '5.0' });
    expect(
      readCsv(join(ex, 'summary_2018-01-03_2018-02-28.csv')).find((r) => r.month === 'TOTAL'),
    ).toMatchObject({ hits: '4' });
    expect(
      readCsv(join(ex, 'day_completeness.csv')).find((r) => r.date === '2018-01-03'),
    ).toMatchObject({ discoveries: '1' });
    // The same bytes as a fresh export of the changed database.
    const fresh = dirsOf(join(dir, 'fresh'));
    for (const m of exportMonths(calendar, RANGE.start, RANGE.end))
      exportBackfillMonth(store, calendar, fresh, RANGE, m);
    expect(tree(ex)).toEqual(tree(fresh.exportDir));
  });

  it('a validation after the month export brings the exports to what an export after it would write', () => {
    const { store, dir } = setup();
    const late = dirsOf(join(dir, 'late'));
    const JAN = { start: '2018-01-03', end: '2018-01-31' };
    exportBackfillMonth(store, calendar, late, RANGE, JAN);
    // The backfill validates 2018-01-05 after exporting January.
    store.db
      .prepare(
        "UPDATE qc_daily_summary SET status = 'VALIDATED', baseline_only_count = 0 WHERE date = '2018-01-05'",
      )
      .run();
    const files = exportValidationUpdate(store, calendar, late, RANGE, '2018-01-05');
    expect(files.map((f) => relative(join(dir, 'late'), f.path))).toEqual([
      'exports/2018-01/summary_2018-01-03_2018-01-31.csv',
      'exports/2018-01/day_completeness_2018-01-03_2018-01-31.csv',
      'exports/summary_2018-01-03_2018-02-28.csv',
      'exports/day_completeness.csv',
      'reports/qa_30d_2018-01-31.csv',
      'reports/qa_30d_2018-01-31.txt',
    ]);
    expect(
      readCsv(join(late.exportDir, '2018-01/summary_2018-01-03_2018-01-31.csv'))[0],
    ).toMatchObject({ validated_days: '2' });
    const early = dirsOf(join(dir, 'early'));
    exportBackfillMonth(store, calendar, early, RANGE, JAN);
    expect(tree(late.exportDir)).toEqual(tree(early.exportDir));
    expect(tree(late.reportsDir)).toEqual(tree(early.reportsDir));
    expect(() => exportValidationUpdate(store, calendar, late, RANGE, '2018-03-01')).toThrow(
      /not a date of the range/,
    );
  });

  it('removes the temp copy a crash left before the rename, not one of a live writer', () => {
    const { store, dir } = setup();
    const d = dirsOf(dir);
    mkdirSync(d.exportDir, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const orphan = join(d.exportDir, `day_completeness.csv.${dead}.1700000000000.tmp`);
    const live = join(d.exportDir, `day_completeness.csv.${process.pid}.1700000000000.tmp`);
    const other = join(d.exportDir, `summary_x.csv.${dead}.1700000000000.tmp`);
    for (const p of [orphan, live, other]) writeFileSync(p, 'half');
    exportBackfillMonth(store, calendar, d, RANGE, { start: '2018-01-03', end: '2018-01-31' });
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true); // not a file this export writes
    removeStaleTemps(join(dir, 'no-such-folder', 'x.csv')); // a missing folder is fine
  });

  it('a rerun outside any backfill re-exports the whole calendar month', () => {
    const { store, dir } = setup();
    const d = dirsOf(dir);
    const files = reexportDay(store, calendar, d, '2018-01-04');
    expect(files.map((f) => relative(dir, f.path))).toEqual([
      'exports/2018-01/discovery_hits_2018-01-01_2018-01-31.csv',
      'exports/2018-01/next_day_outcomes_2018-01-01_2018-01-31.csv',
      'exports/2018-01/summary_2018-01-01_2018-01-31.csv',
      'exports/2018-01/day_completeness_2018-01-01_2018-01-31.csv',
      'exports/day_completeness.csv',
      'reports/qa_30d_2018-01-31.csv',
      'reports/qa_30d_2018-01-31.txt',
    ]);
  });

  it('rejects bad dates with one line and writes nothing', () => {
    const { store, dir } = setup();
    const d = dirsOf(dir);
    expect(() =>
      exportBackfillMonth(store, calendar, d, RANGE, { start: '2018-1-3', end: '2018-01-31' }),
    ).toThrow(/YYYY-MM-DD/);
    expect(() =>
      exportBackfillMonth(store, calendar, d, RANGE, { start: '2018-01-31', end: '2018-02-01' }),
    ).toThrow(/one month/);
    expect(() => exportRange(store, calendar, d, '2018-02-01', '2018-01-01')).toThrow(/after/);
    expect(() => reexportDay(store, calendar, d, 'yesterday')).toThrow(/YYYY-MM-DD/);
    expect(existsSync(d.exportDir)).toBe(false);
    expect(existsSync(d.reportsDir)).toBe(false);
  });

  it('the export command prints every file it wrote', async () => {
    const { store, dir } = setup();
    store.close(); // the command opens the store itself (afterEach's second close is a no-op)
    const lines: string[] = [];
    const code = await exportCommand({
      dbPath: join(dir, 'db', 'scanner.db'),
      start: '2018-01-03',
      end: '2018-01-31',
      outDir: join(dir, 'out'),
      reportsDir: join(dir, 'rep'),
      write: (l) => lines.push(l),
    });
    expect(code).toBe(0);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/out\/2018-01\/discovery_hits_2018-01-03_2018-01-31\.csv \(7 rows\)$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/rep\/qa_30d_2018-01-31\.txt \(\d+ lines\)$/),
    );
  });
});
