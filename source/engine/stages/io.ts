/**
 * Provider access shared by the day's stages: the grouped daily of a day (Polygon, stored in
 * daily_raw), premarket answers (pm_cache, else Theta), the day's request counts, and the one-line
 * description of any error. Every function here honours the stop signal of the context it is given.
 */
import PQueue from 'p-queue';
import type { GroupedBar, PremarketAnswer } from '../../providers/types.js';
import { ProviderError } from '../../providers/types.js';
import type { DayCompleteness, PmCacheRow } from '../../store/store.js';
import { checkStopped, StoppedError, type EngineContext } from '../context.js';
import { errorLine } from '../../util/errors.js';
import { DayFailure, type PmState } from './types.js';
import { takePrefetched } from './prefetch.js';

/**
 * The grouped daily of `date` by symbol (Polygon `/v2/aggs/grouped/...`, unadjusted, OTC dropped):
 * from daily_raw when stored, else fetched and stored. With `required` (the scan day) a stored but
 * empty pull is fetched again. A pull the backfill's prefetch holds for `date` is taken instead of a
 * request (./prefetch.ts). With `storeAfter`, a fetched pull is stored only once that has settled
 * (the day's stages store in a fixed order, so the store gives symbol ids in the same order on
 * every run). A provider error fails the stage for every day (scan day, previous
 * day, R4 lookback): a guessed previous close or window would be a silent error.
 * @throws DayFailure (one line) on a provider error; StoppedError on stop.
 */
export async function loadGrouped(
  ctx: EngineContext,
  date: string,
  required: boolean,
  storeAfter?: Promise<unknown>,
): Promise<Map<string, GroupedBar>> {
  // A pull stored by another market (the days before a recorded market switch) is never read for
  // this market's previous close or R4 window, nor replaced: this market's bars are fetched and kept in memory.
  const storedBy = ctx.store.dailyRawProvider(date);
  const otherMarket = storedBy !== null && storedBy !== ctx.barsProvider;
  if (storedBy !== null && !otherMarket) {
    const stored = ctx.store.getDailyRaw(date);
    if (stored.size > 0 || !required) return stored;
  }
  // Fetched ahead by the previous day of a backfill (./prefetch.ts), else asked now.
  let bars = await takePrefetched(ctx, date, 'grouped');
  checkStopped(ctx.signal);
  if (!bars) {
    try {
      bars = await ctx.polygon.groupedDaily(date, ctx.signal);
    } catch (e) {
      if (ctx.signal.aborted) throw new StoppedError();
      throw new DayFailure(`grouped daily ${date}: ${describeError(e)}`);
    }
  }
  bars = bars.filter((b) => !b.otc);
  if (otherMarket) return new Map(bars.map((b) => [b.symbol, b]));
  if (storeAfter) {
    await storeAfter.catch(() => {});
    checkStopped(ctx.signal);
  }
  ctx.store.putDailyRaw(date, bars, ctx.barsProvider);
  return ctx.store.getDailyRaw(date);
}

/**
 * Premarket answers for `symbols` on `date`: from pm_cache when cached, else from Theta through
 * R1_THREAD_WORKERS scheduled lookups (each waiting for the Theta cap). New definitive answers are
 * cached. Calls `progress(done, total)` after each answer.
 * @throws StoppedError on stop.
 */
export async function fetchPremarket(
  ctx: EngineContext,
  date: string,
  symbols: readonly string[],
  progress: (done: number, total: number) => void,
): Promise<Map<string, PmState>> {
  const cache = ctx.store.getPmCache(date);
  const out = new Map<string, PmState>();
  const toFetch: string[] = [];
  for (const s of symbols) {
    const c = cache.get(s);
    if (c)
      out.set(s, {
        outcome: c.outcome,
        high: c.pmHigh,
        source: c.source,
        venue: c.venue,
        fromCache: true,
      });
    else toFetch.push(s);
  }
  let done = out.size;
  progress(done, symbols.length);
  const fresh: PmCacheRow[] = [];
  const q = new PQueue({ concurrency: ctx.cfg.R1_THREAD_WORKERS });
  let failure: unknown = null;
  for (const s of toFetch) {
    void q.add(async () => {
      await ctx.gate.wait(ctx.signal);
      if (ctx.signal.aborted || failure) return;
      let a: PremarketAnswer;
      try {
        a = await ctx.theta.premarketHigh(s, date, ctx.signal);
      } catch (e) {
        // A stop aborts in-flight requests: the day is abandoned below. Anything else is a bug
        // in the request (bad symbol or date) and fails the day after the queue drains.
        if (!ctx.signal.aborted) failure ??= e;
        return;
      }
      if (ctx.signal.aborted) return;
      out.set(s, {
        outcome: a.outcome,
        high: a.high,
        source: a.source,
        venue: a.venue,
        fromCache: false,
      });
      if (a.outcome !== 'unanswered' && a.source && a.venue) {
        fresh.push({
          symbol: s,
          source: a.source,
          venue: a.venue,
          outcome: a.outcome,
          pmHigh: a.high,
        });
      }
      done++;
      progress(done, symbols.length);
    });
  }
  await q.onIdle();
  if (fresh.length) ctx.store.putPmCache(date, fresh);
  checkStopped(ctx.signal);
  if (failure) throw failure;
  return out;
}

/**
 * Runs a provider call; a failure becomes a {@link DayFailure} `<what>: <reason>` (StoppedError
 * when the stop signal aborted it).
 */
export async function provider<T>(
  ctx: EngineContext,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (ctx.signal.aborted) throw new StoppedError();
    throw new DayFailure(`${what}: ${describeError(e)}`);
  }
}

/** Request and error totals of the Theta terminals and Polygon so far (live metrics). */
export interface RequestTotals {
  thetaRequests: number;
  thetaErrors: number;
  polygonRequests: number;
  polygonErrors: number;
}

/** Request and error totals of the Theta terminals and Polygon so far (ctx.metrics()). */
export function requestTotals(ctx: EngineContext): RequestTotals {
  const m = ctx.metrics();
  let thetaRequests = 0;
  let thetaErrors = 0;
  for (const t of m.theta) {
    thetaRequests += t.requests;
    thetaErrors += t.errors;
  }
  return {
    thetaRequests,
    thetaErrors,
    polygonRequests: m.polygon?.requests ?? 0,
    polygonErrors: m.polygon?.errors ?? 0,
  };
}

/** Writes the day's Theta and Polygon request and error counts (deltas since `before`) into `dc`. */
export function recordRequests(
  ctx: EngineContext,
  dc: DayCompleteness,
  before: RequestTotals,
): void {
  const after = requestTotals(ctx);
  dc.theta_requests = after.thetaRequests - before.thetaRequests;
  dc.theta_errors = after.thetaErrors - before.thetaErrors;
  dc.polygon_requests = after.polygonRequests - before.polygonRequests;
  dc.polygon_errors = after.polygonErrors - before.polygonErrors;
}

/** One-line, redacted message of any error; a ProviderError is prefixed with its upstream and status. */
export function describeError(e: unknown): string {
  return e instanceof ProviderError
    ? `${e.upstream} ${e.status ?? e.kind}: ${errorLine(e)}`
    : errorLine(e);
}

/** `x` rounded to two decimals. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
