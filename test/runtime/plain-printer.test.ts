import { describe, expect, test } from 'vitest';
import type {
  BackfillSnapshot,
  DayCell,
  ValidationProgress,
} from '../../source/contracts/events.js';
import {
  createPlainPrinter,
  plainDayLine,
  validationProgressLine,
} from '../../source/runtime/plain-printer.js';
import { CRITICAL, makeSnapshot } from '../ui/harness.js';

/** Snapshot `seq` where days before `current` are COMPLETE; `current` is the (running or just finished) day. */
function at(
  seq: number,
  current: string,
  currentStatus: DayCell['status'] = 'RUNNING',
  over: Partial<BackfillSnapshot> = {},
): BackfillSnapshot {
  const s = makeSnapshot({ seq, alerts: [] }, current);
  // A day that finishes COMPLETE here is proven (exhaustive), as the days before it.
  const days = s.days.map((d) =>
    d.date === current
      ? {
          ...d,
          status: currentStatus,
          ...(currentStatus === 'COMPLETE' ? { proof: 'exhaustive' as const } : {}),
        }
      : d,
  );
  return { ...s, days, done: days.filter((d) => d.status === 'COMPLETE').length, ...over };
}

describe('plainDayLine', () => {
  test('like the brief: status, hits with rules, done/total, duration', () => {
    const s = at(1, '2018-03-09', 'COMPLETE');
    const cell = s.days.find((d) => d.date === '2018-03-09')!;
    cell.hits = 4;
    s.current = { ...s.current!, hits: { r1: 1, r2: 1, r3: 2, r4: 1 }, startedAt: s.at - 3_200 };
    expect(plainDayLine(s, '2018-03-09')).toBe(
      '2018-03-09 COMPLETE  hits 4 (R1 1 R2 1 R3 2 R4 1)  proof exhaustive  42/64 days  3.2s',
    );
  });
  test('a day that is not the current one: no per-rule counts, duration -', () => {
    const s = at(1, '2018-03-09');
    expect(plainDayLine(s, '2018-03-01')).toBe(
      '2018-03-01 COMPLETE  hits 1  proof exhaustive  41/64 days  -',
    );
    expect(plainDayLine(s, '2018-03-08')).toContain('baseline-only 2');
  });
  test('a date outside the range is a clear error', () => {
    expect(() => plainDayLine(at(1, '2018-03-09'), '2019-01-02')).toThrow(
      'plainDayLine: 2019-01-02 is not in the backfill range 2018-01-11 -> 2018-04-10',
    );
  });
});

describe('createPlainPrinter', () => {
  test('one line per finished day, even when snapshots repeat or arrive stale', () => {
    const out: string[] = [];
    const p = createPlainPrinter((l) => out.push(l), { now: () => 0 });
    p.onSnapshot(at(1, '2018-03-09'));
    expect(out).toEqual([]); // days already complete before this run are not printed
    const fin = at(2, '2018-03-09', 'COMPLETE');
    p.onSnapshot(fin);
    p.onSnapshot(fin);
    p.onSnapshot(at(1, '2018-03-09')); // stale
    p.onSnapshot(at(3, '2018-03-12'));
    p.onSnapshot(at(3, '2018-03-12'));
    const fin2 = at(4, '2018-03-12', 'FAILED');
    p.onSnapshot(fin2);
    p.onSnapshot(fin2);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(
      /^2018-03-09 COMPLETE  hits 0 \(R1 9 R2 14 R3 22 R4 3\)  proof exhaustive  42\/64 days  1m12s$/,
    );
    expect(out[1]).toMatch(/^2018-03-12 FAILED  hits 0/);
  });
  test('a day that finished in the same batch as the one after it still prints (remembered view)', () => {
    const out: string[] = [];
    const p = createPlainPrinter((l) => out.push(l));
    p.onSnapshot(at(1, '2018-03-09'));
    const next = at(2, '2018-03-12'); // 03-09 now COMPLETE, current moved on
    p.onSnapshot(next);
    expect(out).toEqual([
      expect.stringMatching(
        /^2018-03-09 COMPLETE  hits 1 \(R1 9 R2 14 R3 22 R4 3\)  proof exhaustive  42\/64 days/,
      ),
    ]);
  });
  test('one line per new alert', () => {
    const out: string[] = [];
    const p = createPlainPrinter((l) => out.push(l));
    p.onSnapshot(at(1, '2018-03-09'));
    p.onSnapshot(at(2, '2018-03-09', 'RUNNING', { alerts: [CRITICAL] }));
    p.onSnapshot(at(3, '2018-03-09', 'RUNNING', { alerts: [{ ...CRITICAL, acknowledged: true }] }));
    expect(out).toEqual([
      'ALERT CRITICAL 2018-03-08 baseline_only: baseline-only hits: 2 (ABCD R1 61.2%, WXYZ R2 55.0%)  backfill halted',
    ]);
  });
  test('summary every summaryEverySec by the injected clock, and a final summary', () => {
    let t = 1_000_000;
    const out: string[] = [];
    const p = createPlainPrinter((l) => out.push(l), { summaryEverySec: 30, now: () => t });
    p.onSnapshot(at(1, '2018-03-09'));
    t += 29_999;
    p.onSnapshot(at(2, '2018-03-09'));
    expect(out.filter((l) => l.startsWith('summary'))).toHaveLength(0);
    t += 1;
    p.onSnapshot(at(3, '2018-03-09'));
    t += 10_000;
    p.onSnapshot(at(4, '2018-03-09'));
    t += 20_000;
    p.onSnapshot(at(5, '2018-03-09'));
    const sums = out.filter((l) => l.startsWith('summary'));
    expect(sums).toHaveLength(2);
    expect(sums[0]).toBe(
      'summary RUNNING  41/64 days 64%  ETA 1m12s  2.4 days/min  hits R1 9 R2 14 R3 22 R4 3  in flight 6',
    );
    p.onEnd(at(6, '2018-03-09', 'COMPLETE', { state: 'DONE' }));
    expect(out[out.length - 2]).toMatch(/^2018-03-09 COMPLETE/);
    expect(out[out.length - 1]).toBe('end DONE  42/64 days  hits R1 9 R2 14 R3 22 R4 3');
    p.onSnapshot(at(7, '2018-03-12', 'COMPLETE'));
    expect(out[out.length - 1]).toBe('end DONE  42/64 days  hits R1 9 R2 14 R3 22 R4 3');
  });
  test('JSON mode prints the same events as JSON lines', () => {
    let t = 0;
    const out: string[] = [];
    const p = createPlainPrinter((l) => out.push(l), {
      json: true,
      summaryEverySec: 1,
      now: () => t,
    });
    p.onSnapshot(at(1, '2018-03-09'));
    t = 1000;
    p.onSnapshot(at(2, '2018-03-09', 'COMPLETE', { alerts: [CRITICAL] }));
    p.onEnd(at(3, '2018-03-09', 'COMPLETE', { state: 'HALTED', reason: 'baseline' }));
    const objs = out.map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
    expect(objs.map((o) => o.type)).toEqual(['day', 'alert', 'summary', 'end']);
    expect(objs[0]).toMatchObject({
      date: '2018-03-09',
      status: 'COMPLETE',
      rules: { r1: 9, r2: 14, r3: 22, r4: 3 },
      done: 42,
      total: 64,
      durationMs: 72_000,
    });
    expect(objs[1]).toMatchObject({ id: 7, severity: 'CRITICAL', date: '2018-03-08' });
    expect(objs[3]).toMatchObject({
      state: 'HALTED',
      reason: 'baseline',
      done: 42,
      total: 64,
      hits: { r1: 9, r2: 14, r3: 22, r4: 3 },
    });
  });
  test('does not load Ink or React', async () => {
    const { readFileSync } = await import('node:fs');
    const src = readFileSync(
      new URL('../../source/runtime/plain-printer.ts', import.meta.url),
      'utf8',
    );
    expect(src).not.toMatch(/from '(ink|react)/);
    expect(src).not.toMatch(/from '\.\.\/ui\//);
  });
});

describe('validation progress lines (issue 9 point 7: progress never freezes silently)', () => {
  const prog = (
    done: number | null,
    at: number,
    over: Partial<ValidationProgress> = {},
  ): ValidationProgress => ({
    date: '2018-03-09',
    gate: 'BASELINE',
    gateIndex: 10,
    gates: 11,
    lookupsDone: done,
    lookupsTotal: done === null ? null : 1000,
    unanswered: 0,
    retries: 7,
    backingOff: true,
    startedAt: 0,
    at,
    ...over,
  });
  test('one line says the gate, lookups done/total, unanswered, retries and backoff', () => {
    expect(validationProgressLine(prog(280, 12_300))).toBe(
      '2018-03-09 validating  gate 10/11 BASELINE  lookups 280/1000 28%  unanswered 0  retries 7 (backing off)  12.3s',
    );
    expect(
      validationProgressLine(
        prog(null, 500, { gate: 'CSV_SHAPE', gateIndex: 6, backingOff: false, retries: 0 }),
      ),
    ).toBe('2018-03-09 validating  gate 6/11 CSV_SHAPE  retries 0  0.5s');
  });
  test('throttled: the first progress, each further 10% of the lookups, and every 5 s while nothing moves', () => {
    const out: string[] = [];
    let t = 0;
    const p = createPlainPrinter((l) => out.push(l), { now: () => t, summaryEverySec: 0 });
    let seq = 1;
    const feed = (v: ValidationProgress | null) =>
      p.onSnapshot(at(seq++, '2018-03-09', 'COMPLETE', { validation: v }));
    feed(null);
    feed(prog(0, 0));
    for (let d = 1; d <= 99; d++) feed(prog(d, d)); // under 10%: no new line
    expect(out.filter((l) => l.includes('validating'))).toHaveLength(1);
    feed(prog(100, 100)); // 10%
    expect(out.filter((l) => l.includes('validating'))).toHaveLength(2);
    // Stuck at 10% in backoff: one line per 5 s, never silent.
    for (t = 1000; t <= 16_000; t += 1000) feed(prog(100, t));
    expect(out.filter((l) => l.includes('validating')).length).toBe(2 + 3);
    // JSON lines carry the same fields.
    const js: string[] = [];
    const pj = createPlainPrinter((l) => js.push(l), {
      json: true,
      now: () => 0,
      summaryEverySec: 0,
    });
    pj.onSnapshot(at(1, '2018-03-09', 'COMPLETE'));
    pj.onSnapshot(at(2, '2018-03-09', 'COMPLETE', { validation: prog(500, 2000) }));
    expect(JSON.parse(js.at(-1)!)).toMatchObject({
      type: 'validate-progress',
      date: '2018-03-09',
      gate: 'BASELINE',
      lookupsDone: 500,
      lookupsTotal: 1000,
      retries: 7,
      backingOff: true,
    });
  });
});
