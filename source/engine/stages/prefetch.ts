/**
 * The next day's Polygon inputs, fetched ahead (issue 13 point 3). A backfill knows the day it will
 * scan next; while the current day waits on Theta (R1), the next day's reference tickers and grouped
 * daily are requested, parsed and held IN MEMORY, one day ahead at most. The next day's UNIVERSE and
 * GROUPED stages take them instead of asking Polygon again, and pin and store them as they always do:
 *
 * - nothing of the next day is written to the store before that day runs (no universe pin, no
 *   daily_raw rows), so a stop, a pause or a crash leaves the store exactly as without the prefetch;
 * - a prefetch is never evidence: one that failed, was stopped, or returned nothing (no ticker, no
 *   bar) is dropped and the stage asks Polygon itself, so the day's outcome is the one a fresh
 *   request gives;
 * - it is taken once, for its own date only, by the same Polygon client; a newer prefetch replaces
 *   (and aborts) an older one;
 * - its requests are made, and counted in the request totals, while the current day runs
 *   (day_completeness.polygon_requests of the current day includes them).
 */
import { regularSessionUtc } from '../../calendar/index.js';
import type { GroupedBar, UniverseTicker } from '../../providers/types.js';
import type { EngineContext } from '../context.js';

/** A settled prefetch request: its answer, or null when it failed, was stopped or was empty. */
type Settled<T> = Promise<T | null>;

/** The inputs fetched ahead for one day. */
interface Prefetched {
  date: string;
  /** Polygon `/v3/reference/tickers` as of `date` (null: not prefetched, or the day was already pinned). */
  universe: Settled<UniverseTicker[]> | null;
  /** Polygon grouped daily of `date`, OTC included, as the client returns it (null: not prefetched). */
  grouped: Settled<GroupedBar[]> | null;
  abort: AbortController;
}

/** The prefetch of each Polygon client (one session, one client), at most one day. */
const pending = new WeakMap<object, Prefetched>();

/**
 * Starts fetching `date`'s reference tickers (unless its universe is pinned already) and grouped
 * daily (unless stored by this market already) into memory, replacing (and aborting) any earlier
 * prefetch of the same client. Only for a day whose data is final (a past trading day a backfill
 * will scan next): a day still trading would give partial bars. Never throws or rejects; honours
 * `ctx.signal` (the stop) and {@link dropPrefetch}.
 * @param ctx the engine context (its signal is the stop of the run, not of one day).
 * @param date the next day, `YYYY-MM-DD`.
 */
export function startPrefetch(ctx: EngineContext, date: string): void {
  dropPrefetch(ctx);
  // Only a day whose regular session is over (a day still trading would give partial bars).
  if (ctx.signal.aborted || regularSessionUtc(date).closeMs >= Date.now()) return;
  const abort = new AbortController();
  const onStop = () => abort.abort();
  ctx.signal.addEventListener('abort', onStop, { once: true });
  const settle = <T>(p: Promise<T>, empty: (x: T) => boolean): Settled<T> =>
    p.then(
      (x) => (abort.signal.aborted || empty(x) ? null : x),
      () => null,
    );
  const universe = ctx.store.isUniversePinned(date)
    ? null
    : settle(ctx.polygon.referenceTickers(date, abort.signal), (x) => x.length === 0);
  const grouped =
    ctx.store.dailyRawProvider(date) === ctx.barsProvider
      ? null
      : settle(ctx.polygon.groupedDaily(date, abort.signal), (x) => x.length === 0);
  const entry: Prefetched = { date, universe, grouped, abort };
  void Promise.all([universe, grouped]).then(() => ctx.signal.removeEventListener('abort', onStop));
  pending.set(ctx.polygon, entry);
}

/** Aborts and forgets the prefetch of `ctx`'s Polygon client, if any (a failed or stopped run). */
export function dropPrefetch(ctx: Pick<EngineContext, 'polygon'>): void {
  const old = pending.get(ctx.polygon);
  if (!old) return;
  pending.delete(ctx.polygon);
  old.abort.abort();
}

/**
 * Takes `date`'s prefetched `what` (once): the answer, or null when there is none for that date (or
 * it failed, was stopped or came back empty: the caller then asks Polygon itself). A prefetch of
 * another date is left alone (the day's own previous day and R4 window pulls ask for other dates).
 * Waits for a prefetch still in flight.
 */
export async function takePrefetched(
  ctx: Pick<EngineContext, 'polygon'>,
  date: string,
  what: 'universe',
): Promise<UniverseTicker[] | null>;
export async function takePrefetched(
  ctx: Pick<EngineContext, 'polygon'>,
  date: string,
  what: 'grouped',
): Promise<GroupedBar[] | null>;
export async function takePrefetched(
  ctx: Pick<EngineContext, 'polygon'>,
  date: string,
  what: 'universe' | 'grouped',
): Promise<UniverseTicker[] | GroupedBar[] | null> {
  const p = pending.get(ctx.polygon);
  if (!p || p.date !== date) return null;
  const got = p[what];
  p[what] = null;
  if (!p.universe && !p.grouped) pending.delete(ctx.polygon);
  return got ? await got : null;
}
