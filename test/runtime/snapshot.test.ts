/** The snapshot reducer: range totals are derived from the day cells, so a day counts once. */
import { describe, expect, it } from 'vitest';
import { initialMemo, initialSnapshot, reduce } from '../../source/runtime/snapshot.js';
import type { BackfillSnapshot, EngineEvent } from '../../source/engine/events.js';

const meta = { command: 'backfill', start: '2018-01-03', end: '2018-01-04', market: 'replay', db: 'x.db' };

function run(events: EngineEvent[]): BackfillSnapshot {
  const memo = initialMemo();
  return events.reduce((s, e) => reduce(s, e, memo, 1000), initialSnapshot(meta));
}

describe('snapshot reducer', () => {
  const plan: EngineEvent = { type: 'plan', start: '2018-01-03', end: '2018-01-04', days: [{ date: '2018-01-03', status: 'PENDING', hits: 0 }, { date: '2018-01-04', status: 'PENDING', hits: 0 }], at: 0 };
  const end = (date: string, r3: number): EngineEvent => ({ type: 'day-end', date, status: 'COMPLETE', hits: { r1: 0, r2: 0, r3, r4: 0 }, discoveries: r3, durationMs: 100, at: 0 });

  it('a day scanned in phase 0 and then skipped by the month loop counts once (regression)', () => {
    const s = run([plan, { type: 'day-begin', date: '2018-01-03', mode: 'prefilter', at: 0 }, end('2018-01-03', 2), { type: 'day-skipped', date: '2018-01-03', status: 'COMPLETE', hits: 2, rules: { r1: 0, r2: 0, r3: 2, r4: 0 } }, end('2018-01-04', 1)]);
    expect(s.hits).toEqual({ r1: 0, r2: 0, r3: 3, r4: 0 });
    expect(s.done).toBe(2);
  });

  it('a rerun replaces the day\'s counts instead of adding to them', () => {
    const s = run([plan, end('2018-01-03', 2), end('2018-01-03', 5)]);
    expect(s.hits.r3).toBe(5);
  });

  it('ETA comes from the moving average of day durations', () => {
    const s = run([plan, end('2018-01-03', 0)]);
    expect(s.etaMs).toBe(100);
    expect(s.daysPerMin).toBe(600);
  });
});
