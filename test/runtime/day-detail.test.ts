/**
 * The day detail read from a store and the state folder (loadDayDetail), and the day's stage log
 * read once and followed with chokidar (readDayLog, followDayLog). Waits are on conditions (a
 * bounded number of event-loop turns or file-system events), never on timers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store, type DayCompleteness, type HitRow } from '../../source/store/store.js';
import {
  followDayLog,
  loadDayDetail,
  readDayLog,
  ruleShortName,
  validationOf,
} from '../../source/runtime/day-detail.js';
import { putGateResults } from '../../source/store/validation.js';
import { GATES } from '../../source/engine/validate.js';
import { watch, type FSWatcher } from 'chokidar';
import { tempDir } from '../helpers/paths.js';

const DATE = '2018-03-08';

function completeness(over: Partial<DayCompleteness> = {}): DayCompleteness {
  return {
    date: DATE,
    total_universe: 6912,
    daily_raw_symbols: 7104,
    coverage_pct: 99.8,
    discoveries: 2,
    r1_hits: 1,
    r2_hits: 1,
    r3_hits: 1,
    r4_hits: 0,
    cand_pass1: 340,
    r1_checked: 340,
    r1_unanswered: 0,
    miss_audit_sample: 20,
    miss_audit_hits: 0,
    status: 'COMPLETE',
    provider_status: 'ok',
    r1_mode: 'prefilter',
    no_prev_close: 3,
    filtered_exchange: 10,
    filtered_type: 4,
    filtered_unknown_type: 0,
    filtered_volume: 100,
    audit_sample_misses: 0,
    processing_ms: 12_345,
    theta_requests: 4134,
    theta_errors: 17,
    polygon_requests: 12,
    polygon_errors: 0,
    stage_ms: JSON.stringify({ UNIVERSE: 1200, GROUPED: 800, R1: 9100, BOGUS: 5 }),
    proof: 'sampled',
    proof_source: null,
    proof_checked: 0,
    proof_found: '',
    ...over,
  };
}

function hit(ticker: string, over: Partial<HitRow> = {}): HitRow {
  return {
    ticker,
    volume: 1_234_567,
    prevClose: 2.1,
    open: 3.32,
    high: 3.9,
    low: 3,
    close: 3.1,
    vwap: 3.4,
    intradayPushPct: 17.5,
    pmHigh: 3.62,
    pmHighSource: 'v3_trades',
    pmHighVenue: 'utp_cta',
    exchange: 'XNAS',
    securityType: 'CS',
    isNearReverseSplit: false,
    rsExecDate: null,
    rsDaysAfter: null,
    basisFactor: 1,
    rsNote: null,
    rules: [
      { rule: 'OPEN_GAP_50', value: 58.1 },
      { rule: 'PM_GAP_50', value: 72.4 },
    ],
    fundamentals: {
      sharesOutstanding: null,
      marketCap: null,
      floatShares: null,
      dollarVolume: 4_197_527.8,
      dataSource: 'test',
    },
    ...over,
  };
}

function seeded(): { dir: string; store: Store } {
  const dir = tempDir();
  const store = Store.open(join(dir, 's.db'));
  store.commitDay({
    completeness: completeness(),
    hits: [
      hit('GAPX'),
      hit('RSPL', {
        isNearReverseSplit: true,
        rsExecDate: '2018-03-05',
        rsDaysAfter: 3,
        rsNote: null,
        pmHigh: null,
        pmHighSource: null,
        pmHighVenue: null,
        rules: [{ rule: 'INTRADAY_PUSH_50', value: 64 }],
      }),
    ],
    missAudit: [
      {
        symbol: 'AAA',
        auditType: 'top_gainers',
        missedInitially: false,
        ruleTriggered: null,
        ruleValue: null,
      },
      {
        symbol: 'BBB',
        auditType: 'top_gainers',
        missedInitially: true,
        ruleTriggered: 'R3',
        ruleValue: 51,
      },
    ],
    audit: { sampleSize: 50, misses: 0, missRateUpper95: 0.06, auditPassed: true },
  });
  return { dir, store };
}

describe('loadDayDetail', () => {
  it('reads status, stage timings, counters, hits with rules, audit; no baseline or validation yet', () => {
    const { dir, store } = seeded();
    const d = loadDayDetail(store.db, join(dir, 'ps'), DATE);
    store.close();
    expect(d).toMatchObject({
      date: DATE,
      status: 'COMPLETE',
      reason: 'ok',
      r1Mode: 'prefilter',
      processingMs: 12_345,
      baseline: null,
      validation: null,
    });
    expect(d.stageMs).toEqual({ UNIVERSE: 1200, GROUPED: 800, R1: 9100 });
    expect(d.counters.map((c) => c.name)).toContain('total_universe');
    expect(d.counters.map((c) => c.name)).not.toContain('status');
    expect(d.counters.find((c) => c.name === 'theta_errors')?.value).toBe(17);
    expect(d.hits.map((h) => h.ticker)).toEqual(['GAPX', 'RSPL']);
    expect(d.hits[0]).toMatchObject({
      volume: 1_234_567,
      pmHigh: 3.62,
      pmHighSource: 'v3_trades',
      pmHighVenue: 'utp_cta',
      split: false,
      splitNote: null,
    });
    expect(d.hits[0]!.rules).toEqual([
      { rule: 'R1', code: 'PM_GAP_50', value: 72.4 },
      { rule: 'R2', code: 'OPEN_GAP_50', value: 58.1 },
    ]);
    expect(d.hits[1]).toMatchObject({
      split: true,
      splitNote: 'reverse split 2018-03-05 (+3d)',
      pmHigh: null,
    });
    expect(d.audit).toMatchObject({ sampleSize: 50, misses: 0, passed: true });
    expect(d.missAudit).toEqual({ checked: 2, missedInitially: 1, missed: ['BBB'] });
  });

  it('reads the baseline diff and the gates of a failed validation from the store (gate_results), not from FAIL_<GATE>_<date>.md', () => {
    const { dir, store } = seeded();
    const ps = join(dir, 'ps');
    mkdirSync(ps, { recursive: true });
    store.write(() => {
      store.db
        .prepare(
          'INSERT INTO diffs (date, overlap_count, discovery_only_count, baseline_only_count, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          DATE,
          2,
          0,
          1,
          JSON.stringify({ baseline_only: [{ symbol: 'ABCD', rule: 'PM_GAP_50', pct: 61.2 }] }),
          '2018-03-09T15:42:00Z',
        );
      store.db
        .prepare("UPDATE qc_daily_summary SET status = 'FAILED_BASELINE' WHERE date = ?")
        .run(DATE);
    });
    store.write(() =>
      putGateResults(store.db, DATE, [
        { gate: 'COMPLETENESS', passed: true, message: 'ok' },
        { gate: 'CSV_SHAPE', passed: true, message: 'ok' },
        { gate: 'BASELINE', passed: false, message: 'baseline-only hits: 1 (ABCD R1 61.2%)' },
      ]),
    );
    // A FAIL report that says otherwise is not what the detail shows: the store is.
    writeFileSync(
      join(ps, `FAIL_BASELINE_${DATE}.md`),
      `# FAIL BASELINE ${DATE}\n\n## Gates\n\n- FAIL COMPLETENESS: not this\n`,
    );
    const d = loadDayDetail(store.db, ps, DATE);
    expect(d.baseline).toEqual({
      overlap: 2,
      discoveryOnly: 0,
      baselineOnly: 1,
      baselineOnlyHits: [{ symbol: 'ABCD', rule: 'R1', pct: 61.2 }],
      at: '2018-03-09T15:42:00Z',
    });
    expect(d.validation).toEqual({
      status: 'FAILED_BASELINE',
      gates: [
        { gate: 'COMPLETENESS', passed: true, message: 'ok' },
        { gate: 'CSV_SHAPE', passed: true, message: 'ok' },
        { gate: 'BASELINE', passed: false, message: 'baseline-only hits: 1 (ABCD R1 61.2%)' },
      ],
    });
    store.write(() => {
      store.db.prepare("UPDATE qc_daily_summary SET status = 'VALIDATED' WHERE date = ?").run(DATE);
      putGateResults(
        store.db,
        DATE,
        GATES.map((gate) => ({ gate, passed: true, message: 'ok' })),
      );
    });
    const ok = loadDayDetail(store.db, ps, DATE);
    expect(ok.validation?.status).toBe('VALIDATED');
    expect(ok.validation?.gates.every((g) => g.passed)).toBe(true);
    expect(ok.validation?.gates.map((g) => g.gate)).toContain('AUDIT');
    store.close();
  });

  it('works on a read-only connection and gives an empty detail for a day never scanned', () => {
    const { dir, store } = seeded();
    store.close();
    const db = new Database(join(dir, 's.db'), { readonly: true });
    const d = loadDayDetail(db, join(dir, 'ps'), '2018-03-09');
    db.close();
    expect(d).toMatchObject({
      date: '2018-03-09',
      status: null,
      hits: [],
      counters: [],
      audit: null,
      baseline: null,
      validation: null,
    });
  });

  it('an unknown rule code in the store is an error naming it, never shown as R1', () => {
    const { dir, store } = seeded();
    const hitId = (
      store.db.prepare("SELECT hit_id FROM discovery_hits WHERE ticker = 'RSPL'").get() as {
        hit_id: number;
      }
    ).hit_id;
    store.write(() =>
      store.db
        .prepare("UPDATE discovery_hit_rules SET trigger_rule = 'GAP_99' WHERE hit_id = ?")
        .run(hitId),
    );
    expect(() => loadDayDetail(store.db, join(dir, 'ps'), DATE)).toThrow(
      new RegExp(`^unknown rule code "GAP_99" in discovery_hit_rules \\(hit ${hitId}, ${DATE}\\)`),
    );
    // The same for a baseline-only hit of the diffs row.
    store.write(() => {
      store.db
        .prepare(
          "UPDATE discovery_hit_rules SET trigger_rule = 'INTRADAY_PUSH_50' WHERE hit_id = ?",
        )
        .run(hitId);
      store.db
        .prepare(
          'INSERT INTO diffs (date, overlap_count, discovery_only_count, baseline_only_count, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          DATE,
          2,
          0,
          1,
          JSON.stringify({ baseline_only: [{ symbol: 'ABCD', rule: 'PM_GAP_5O', pct: 61.2 }] }),
          '2018-03-09T15:42:00Z',
        );
    });
    expect(() => loadDayDetail(store.db, join(dir, 'ps'), DATE)).toThrow(
      /^unknown rule code "PM_GAP_5O" in the baseline diff of 2018-03-08/,
    );
    expect(ruleShortName('SURGE_7D_300', 'x')).toBe('R4');
    expect(() => ruleShortName('toString', 'x')).toThrow(/unknown rule code "toString"/);
    store.close();
  });

  it('a validation without stored gate results (before schema migration 6) is derived from its status', () => {
    expect(validationOf('VALIDATED', [], null)).toEqual({
      status: 'VALIDATED',
      gates: GATES.map((gate) => ({ gate, passed: true, message: 'ok' })),
    });
    expect(
      validationOf('FAILED_AUDIT', [], 'validate AUDIT: audit sample: 1 miss(es) in 50'),
    ).toEqual({
      status: 'FAILED_AUDIT',
      gates: [{ gate: 'AUDIT', passed: false, message: 'audit sample: 1 miss(es) in 50' }],
    });
    expect(validationOf('FAILED_COMPLETENESS', [], 'ok')!.gates).toEqual([
      {
        gate: 'COMPLETENESS',
        passed: false,
        message:
          'failed (validated before gate results were stored: the other gates are not known)',
      },
    ]);
    expect(validationOf('COMPLETE', [], null)).toBeNull();
    expect(validationOf(null, [], null)).toBeNull();
  });
});

describe('day logs', () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const s of stops.splice(0)) s();
  });

  /** Resolves when `cond()` holds, checked after each follower call (file-system events), at most 100 calls. */
  function follower(stateDir: string, date: string) {
    const calls: { lines: string[]; reset: boolean }[] = [];
    let waiter: (() => void) | null = null;
    const stop = followDayLog(
      stateDir,
      date,
      (lines, reset) => {
        calls.push({ lines, reset });
        waiter?.();
      },
      { minIntervalMs: 0 },
    );
    stops.push(stop);
    const shown = () => {
      let out: string[] = [];
      for (const c of calls) out = c.reset ? [...c.lines] : [...out, ...c.lines];
      return out;
    };
    const until = (cond: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        if (cond()) return resolve();
        let n = 0;
        waiter = () => {
          if (cond()) {
            waiter = null;
            resolve();
          } else if (++n > 100) reject(new Error(`never: ${what}`));
        };
      });
    return { calls, shown, until, stop };
  }

  it('readDayLog gives the last lines, [] for a missing file', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'artifacts'));
    writeFileSync(join(dir, 'artifacts', `scan_${DATE}.log`), 'a\nb\nc\npartial');
    expect(readDayLog(dir, DATE, 2)).toEqual(['b', 'c']);
    expect(readDayLog(dir, '2018-03-09', 10)).toEqual([]);
  });

  it('followDayLog gives the tail, then appended complete lines; a truncated file starts over', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'artifacts'));
    const path = join(dir, 'artifacts', `scan_${DATE}.log`);
    writeFileSync(path, 'one\ntwo\n');
    const f = follower(dir, DATE);
    expect(f.calls[0]).toEqual({ lines: ['one', 'two'], reset: true });
    appendFileSync(path, 'three\nfou');
    await f.until(() => f.shown().includes('three'), 'appended line');
    expect(f.shown()).toEqual(['one', 'two', 'three']);
    appendFileSync(path, 'r\n');
    await f.until(() => f.shown().includes('four'), 'the rest of a partial line');
    writeFileSync(path, 'new\n');
    await f.until(() => f.shown().join() === 'new', 'restart after truncation');
    expect(f.calls[f.calls.length - 1]!.reset).toBe(true);
  });

  it("followDayLog logs the watcher's errors (each distinct message once, naming the path) and keeps following", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'artifacts'));
    const path = join(dir, 'artifacts', `scan_${DATE}.log`);
    writeFileSync(path, 'one\n');
    const logged: string[] = [];
    let watcher: FSWatcher | null = null;
    const calls: string[][] = [];
    let wake: (() => void) | null = null;
    const stop = followDayLog(
      dir,
      DATE,
      (lines) => {
        calls.push(lines);
        wake?.();
      },
      {
        minIntervalMs: 0,
        onError: (line) => logged.push(line),
        watch: (p, o) => (watcher = watch(p, o)),
      },
    );
    stops.push(stop);
    expect(watcher).not.toBeNull();
    const w = watcher as unknown as FSWatcher;
    w.emit(
      'error',
      Object.assign(new Error('EMFILE: too many open files, watch'), { code: 'EMFILE' }),
    );
    w.emit(
      'error',
      Object.assign(new Error('EMFILE: too many open files, watch'), { code: 'EMFILE' }),
    );
    w.emit('error', new Error('ENOSPC: System limit for number of file watchers reached'));
    expect(logged).toEqual([
      `file watcher error on ${path}: EMFILE: too many open files, watch`,
      `file watcher error on ${path}: ENOSPC: System limit for number of file watchers reached`,
    ]);
    // Still following.
    appendFileSync(path, 'two\n');
    await new Promise<void>((resolve, reject) => {
      let n = 0;
      const check = () => {
        if (calls.flat().includes('two')) resolve();
        else if (++n > 100) reject(new Error('never: the appended line'));
      };
      wake = check;
      check();
    });
  });

  it('followDayLog picks up a file created after it started', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'artifacts'));
    const f = follower(dir, DATE);
    expect(f.calls).toEqual([{ lines: [], reset: true }]);
    appendFileSync(join(dir, 'artifacts', `scan_${DATE}.log`), 'DAY:begin\n');
    await f.until(() => f.shown().includes('DAY:begin'), 'created file');
  });
});
