/** The snapshot reducer: range totals are derived from the day cells, so a day counts once. */
import { describe, expect, it } from 'vitest';
import { initialMemo, initialSnapshot, reduce } from '../../source/runtime/snapshot.js';
import type { BackfillSnapshot, EngineEvent } from '../../source/contracts/events.js';

const meta = {
  command: 'backfill',
  start: '2018-01-03',
  end: '2018-01-04',
  market: 'replay',
  db: 'x.db',
};

function run(events: EngineEvent[]): BackfillSnapshot {
  const memo = initialMemo();
  return events.reduce((s, e) => reduce(s, e, memo, 1000), initialSnapshot(meta));
}

describe('snapshot reducer', () => {
  const plan: EngineEvent = {
    type: 'plan',
    start: '2018-01-03',
    end: '2018-01-04',
    days: [
      { date: '2018-01-03', status: 'PENDING', hits: 0 },
      { date: '2018-01-04', status: 'PENDING', hits: 0 },
    ],
    at: 0,
  };
  const end = (date: string, r3: number, durationMs = 100): EngineEvent => ({
    type: 'day-end',
    date,
    status: 'COMPLETE',
    hits: { r1: 0, r2: 0, r3, r4: 0 },
    discoveries: r3,
    durationMs,
    at: 0,
  });

  it('a day scanned in phase 0 and then skipped by the month loop counts once (regression)', () => {
    const s = run([
      plan,
      { type: 'day-begin', date: '2018-01-03', mode: 'prefilter', at: 0 },
      end('2018-01-03', 2),
      {
        type: 'day-skipped',
        date: '2018-01-03',
        status: 'COMPLETE',
        hits: 2,
        rules: { r1: 0, r2: 0, r3: 2, r4: 0 },
      },
      end('2018-01-04', 1),
    ]);
    expect(s.hits).toEqual({ r1: 0, r2: 0, r3: 3, r4: 0 });
    expect(s.done).toBe(2);
  });

  it('validation progress is in the snapshot while it runs; a stopped validation leaves the day cell as it was', () => {
    const progress: EngineEvent = {
      type: 'validate-progress',
      date: '2018-01-03',
      gate: 'BASELINE',
      gateIndex: 10,
      gates: 11,
      lookupsDone: 40,
      lookupsTotal: 400,
      unanswered: 0,
      retries: 3,
      backingOff: true,
      startedAt: 0,
      at: 500,
    };
    const running = run([plan, end('2018-01-03', 2), progress]);
    expect(running.validation).toMatchObject({
      date: '2018-01-03',
      gate: 'BASELINE',
      lookupsDone: 40,
      lookupsTotal: 400,
      retries: 3,
      backingOff: true,
    });
    const stopped = run([
      plan,
      end('2018-01-03', 2),
      progress,
      {
        type: 'validate',
        date: '2018-01-03',
        passed: false,
        stopped: true,
        baselineOnly: 0,
        message: 'validation stopped during gate BASELINE',
      },
    ]);
    expect(stopped.validation).toBeNull();
    expect(stopped.days[0]).toMatchObject({ status: 'COMPLETE', baselineOnly: 0 });
    expect(stopped.days[0]!.reason).toBeUndefined();
    expect(stopped.done).toBe(1);
    const failed = run([
      plan,
      end('2018-01-03', 2),
      progress,
      {
        type: 'validate',
        date: '2018-01-03',
        passed: false,
        gate: 'BASELINE',
        baselineOnly: 1,
        message: 'baseline-only hits: 1',
      },
    ]);
    expect(failed.validation).toBeNull();
    expect(failed.days[0]).toMatchObject({ status: 'RETRY_NEEDED', baselineOnly: 1 });
  });

  it("a rerun replaces the day's counts instead of adding to them", () => {
    const s = run([plan, end('2018-01-03', 2), end('2018-01-03', 5)]);
    expect(s.hits.r3).toBe(5);
  });

  it('ETA comes from the moving average of day durations', () => {
    const s = run([plan, end('2018-01-03', 0)]);
    expect(s.etaMs).toBe(100);
    expect(s.daysPerMin).toBe(600);
  });

  it('stage durations come from the begin and end events', () => {
    const s = run([
      plan,
      { type: 'day-begin', date: '2018-01-03', mode: 'prefilter', at: 0 },
      {
        type: 'stage',
        date: '2018-01-03',
        stage: 'UNIVERSE',
        phase: 'begin',
        counts: {},
        at: 1_000,
      },
      {
        type: 'stage',
        date: '2018-01-03',
        stage: 'UNIVERSE',
        phase: 'end',
        counts: { symbols: 5 },
        at: 1_250,
      },
      {
        type: 'stage',
        date: '2018-01-03',
        stage: 'GROUPED',
        phase: 'begin',
        counts: {},
        at: 1_300,
      },
    ]);
    const st = s.current!.stages;
    expect(st[0]).toMatchObject({
      name: 'UNIVERSE',
      state: 'done',
      durationMs: 250,
      counts: { symbols: 5 },
    });
    expect(st[1]).toMatchObject({ name: 'GROUPED', state: 'running', durationMs: null });
  });

  it('a failed validation sets the status the store gets: BASELINE asks for a rerun, others fail the day', () => {
    const v = (gate: string, baselineOnly = 0): EngineEvent => ({
      type: 'validate',
      date: '2018-01-03',
      passed: false,
      gate,
      baselineOnly,
      message: 'm',
    });
    const base = [plan, end('2018-01-03', 1)];
    expect(run([...base, v('BASELINE', 2)]).days[0]).toMatchObject({
      status: 'RETRY_NEEDED',
      baselineOnly: 2,
      reason: 'validate BASELINE: m',
    });
    expect(run([...base, v('CSV_SHAPE')]).days[0]).toMatchObject({ status: 'FAILED' });
    expect(run([...base, v('COMPLETENESS')]).days[0]).toMatchObject({ status: 'COMPLETE' });
    const ok = run([
      ...base,
      {
        type: 'validate',
        date: '2018-01-03',
        passed: true,
        baselineOnly: 0,
        message: 'all gates passed',
      },
    ]);
    expect(ok.days[0]).toMatchObject({ status: 'COMPLETE', baselineOnly: 0 });
    expect(run([...base, v('BASELINE', 2)]).done).toBe(0);
  });

  it('paused time is left out of the ETA', () => {
    const memo = initialMemo();
    let s = initialSnapshot(meta);
    s = reduce(s, plan, memo, 0);
    s = reduce(s, { type: 'day-begin', date: '2018-01-03', mode: 'prefilter', at: 0 }, memo, 0);
    s = reduce(s, { type: 'backfill-state', state: 'PAUSED', at: 100 }, memo, 100);
    s = reduce(s, { type: 'backfill-state', state: 'RUNNING', at: 10_100 }, memo, 10_100);
    s = reduce(s, end('2018-01-03', 0, 10_300), memo, 10_300);
    // 10.3 s of wall time, 10 s of it paused: 300 ms a day, one day left
    expect(s.etaMs).toBe(300);
    expect(s.rateHistory).toEqual([200]);
  });
});
