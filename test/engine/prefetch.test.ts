/**
 * A backfill's next day fetched ahead (issue 13 point 3; engine/stages/prefetch.ts): while a day's
 * R1 waits on Theta, the next day's reference tickers and grouped daily are asked and held in
 * memory; nothing of the next day is stored before it runs, its outcome is the one a fresh request
 * gives, and a failed, empty or dropped prefetch is never evidence (the stage asks Polygon again).
 * Orders are read from the event stream (the index of each Polygon call in it), never from clocks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testSession } from '../helpers/session.js';
import { scanDay, type DayResult } from '../../source/engine/day.js';
import { runBackfill } from '../../source/engine/backfill.js';
import type { EngineEvent, StageName } from '../../source/contracts/events.js';
import type { Session } from '../../source/runtime/session.js';
import type { EngineContext } from '../../source/engine/context.js';

const D1 = '2018-02-05';
const D2 = '2018-02-06'; // its whole R4 window is inside the bundled sample

let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

/** A Polygon call: which, for which date, and how many events had been emitted when it was made. */
interface Call {
  what: 'tickers' | 'grouped';
  date: string;
  at: number;
}

/**
 * Records every reference-tickers and grouped-daily call of `ctx.polygon` (with the event index);
 * `fail(call)` may make a call throw (before it reaches the emulator) or return nothing.
 */
function recordPolygon(
  ctx: EngineContext,
  events: readonly EngineEvent[],
  fail: (c: Call, n: number) => 'throw' | 'empty' | null = () => null,
): Call[] {
  const calls: Call[] = [];
  const p = ctx.polygon;
  const tickers = p.referenceTickers.bind(p);
  const grouped = p.groupedDaily.bind(p);
  const n = (c: Call) => calls.filter((x) => x.what === c.what && x.date === c.date).length;
  p.referenceTickers = async (date, signal) => {
    const c: Call = { what: 'tickers', date, at: events.length };
    calls.push(c);
    const f = fail(c, n(c));
    if (f === 'throw') throw new Error('reference tickers refused (test)');
    if (f === 'empty') return [];
    return tickers(date, signal);
  };
  p.groupedDaily = async (date, signal) => {
    const c: Call = { what: 'grouped', date, at: events.length };
    calls.push(c);
    const f = fail(c, n(c));
    if (f === 'throw') throw new Error('grouped daily refused (test)');
    if (f === 'empty') return [];
    return grouped(date, signal);
  };
  return calls;
}

/** Index of a stage event of `date` (-1 when absent). */
function at(
  events: readonly EngineEvent[],
  date: string,
  stage: StageName,
  phase: 'begin' | 'end',
) {
  return events.findIndex(
    (e) => e.type === 'stage' && e.date === date && e.stage === stage && e.phase === phase,
  );
}

/**
 * What a day committed, without its timings and request counts (they differ run to run). Bars and
 * universe are listed by symbol: the store reads them in the order of its symbol ids, which follow
 * the order in which symbols were first written, and R4's window pulls land in the order their
 * answers arrive (seen differing between two runs at load 15); what is compared is the content.
 */
function committed(ctx: EngineContext, date: string) {
  const dc = { ...ctx.store.dayCompleteness(date)! } as Record<string, unknown>;
  for (const k of [
    'processing_ms',
    'stage_ms',
    'updated_at',
    'theta_requests',
    'polygon_requests',
    'theta_errors',
    'polygon_errors',
  ])
    delete dc[k];
  return {
    dc,
    hits: ctx.store.hits(date, date),
    universe: ctx.store.getUniverse(date)?.sort((a, b) => a.symbol.localeCompare(b.symbol)),
    bars: [...ctx.store.getDailyRaw(date).values()].sort((a, b) =>
      a.symbol.localeCompare(b.symbol),
    ),
  };
}

let ref: Promise<{ r: DayResult; day: ReturnType<typeof committed> }> | null = null;
/** D1 then D2 scanned in a fresh session without any prefetch: the reference outcome (once per file). */
function reference() {
  ref ??= (async () => {
    const t = await testSession({ emulator: { thetaLatencyMs: 0 } });
    try {
      await scanDay(t.session.ctx, D1);
      const r = await scanDay(t.session.ctx, D2);
      return { r, day: committed(t.session.ctx, D2) };
    } finally {
      await t.session.close();
    }
  })();
  return ref;
}

describe('the next day fetched ahead', () => {
  it("asks the next day's tickers and grouped daily while R1 waits on Theta, stores nothing of it, and gives the same day", async () => {
    const t = await testSession({ emulator: { thetaLatencyMs: 20 } });
    open.push(t.session);
    const ctx = t.session.ctx;
    const calls = recordPolygon(ctx, t.events);
    const r1 = await scanDay(ctx, D1, { next: D2 });
    expect(r1.status).toBe('COMPLETE');
    const ahead = calls.filter((c) => c.date === D2);
    expect(ahead.map((c) => c.what).sort()).toEqual(['grouped', 'tickers']);
    // Asked once D1's own Polygon work was done (R4 ended) and while its R1 still waited on Theta.
    for (const c of ahead) {
      expect(c.at).toBeGreaterThan(at(t.events, D1, 'R4', 'end'));
      expect(c.at).toBeLessThan(at(t.events, D1, 'R1', 'end'));
    }
    // Nothing of D2 is stored before D2 runs.
    expect(ctx.store.isUniversePinned(D2)).toBe(false);
    expect(ctx.store.dailyRawProvider(D2)).toBeNull();
    const began = t.events.length;
    const r2 = await scanDay(ctx, D2);
    // D2 took the prefetched answers: no new request for them.
    expect(calls.filter((c) => c.date === D2 && c.at >= began)).toEqual([]);
    const ref = await reference();
    expect(r2).toMatchObject({
      status: ref.r.status,
      hits: ref.r.hits,
      discoveries: ref.r.discoveries,
    });
    expect(committed(ctx, D2)).toEqual(ref.day);
  });

  it('a failed or empty prefetch is never evidence: the stage asks Polygon again and the day is the same', async () => {
    const t = await testSession({ emulator: { thetaLatencyMs: 5 } });
    open.push(t.session);
    const ctx = t.session.ctx;
    // The prefetch's grouped daily fails, its reference tickers come back empty.
    const calls = recordPolygon(ctx, t.events, (c, n) =>
      c.date !== D2 || n > 1 ? null : c.what === 'grouped' ? 'throw' : 'empty',
    );
    await scanDay(ctx, D1, { next: D2 });
    expect(calls.filter((c) => c.date === D2)).toHaveLength(2);
    const r2 = await scanDay(ctx, D2);
    // D2 asked both again itself.
    const d2 = calls.filter((c) => c.date === D2);
    expect(d2.filter((c) => c.what === 'tickers')).toHaveLength(2);
    expect(d2.filter((c) => c.what === 'grouped')).toHaveLength(2);
    const ref = await reference();
    expect(r2.status).toBe(ref.r.status);
    expect(committed(ctx, D2)).toEqual(ref.day);
  });

  it('a prefetch of another day is not taken', async () => {
    const t = await testSession({ emulator: { thetaLatencyMs: 5 } });
    open.push(t.session);
    const ctx = t.session.ctx;
    const calls = recordPolygon(ctx, t.events);
    await scanDay(ctx, '2018-02-01', { next: '2018-02-02' });
    // The run scans D2 instead: it asks Polygon itself.
    const began = t.events.length;
    await scanDay(ctx, D2);
    const own = calls.filter((c) => c.date === D2 && c.at >= began).map((c) => c.what);
    expect(own.sort()).toEqual(['grouped', 'tickers']);
  });

  it('a backfill fetches each next day of the month ahead', async () => {
    const t = await testSession({ emulator: { thetaLatencyMs: 5 } });
    open.push(t.session);
    const ctx = t.session.ctx;
    const calls = recordPolygon(ctx, t.events);
    const out = await runBackfill(ctx, { start: D1, end: D2, validate: 'none' });
    expect(out.state).toBe('DONE');
    const d2 = calls.filter((c) => c.date === D2);
    expect(d2.map((c) => c.what).sort()).toEqual(['grouped', 'tickers']);
    const d2Begin = t.events.findIndex((e) => e.type === 'day-begin' && e.date === D2);
    for (const c of d2) expect(c.at).toBeLessThan(d2Begin);
  });
});
