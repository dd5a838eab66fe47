/**
 * UNIVERSE (docs/domain.md section 4, step 1): the day's reference tickers, pinned in the store the
 * first time (Polygon `/v3/reference/tickers` as of the date), so a rerun sees the same universe.
 */
import type { UniverseTicker } from '../../providers/types.js';
import { provider } from './io.js';
import { takePrefetched } from './prefetch.js';
import { DayFailure, type Stage } from './types.js';

/** The pinned universe of the day. */
export interface UniverseOut {
  universe: UniverseTicker[];
  /** The universe by symbol. */
  refBySymbol: Map<string, UniverseTicker>;
}

/**
 * UNIVERSE: from the store when pinned, else fetched (or taken from the backfill's prefetch) and
 * pinned. Writes dc.total_universe.
 * @throws DayFailure when Polygon fails or returns no symbol.
 */
export const universeStage: Stage<void, { counts?: undefined }, UniverseOut> = {
  name: 'UNIVERSE',
  plan: () => ({}),
  async run(day) {
    const { ctx, date, dc } = day;
    let universe = ctx.store.getUniverse(date);
    const pinnedBefore = universe !== null;
    if (!universe) {
      // Fetched ahead by the previous day of a backfill (./prefetch.ts), else asked now.
      universe =
        (await takePrefetched(ctx, date, 'universe')) ??
        (await provider(ctx, 'reference tickers', () =>
          ctx.polygon.referenceTickers(date, ctx.signal),
        ));
      if (universe.length === 0)
        throw new DayFailure(`universe: Polygon reference tickers returned no symbol for ${date}`);
      ctx.store.pinUniverse(date, universe);
    }
    const refBySymbol = new Map<string, UniverseTicker>(universe.map((u) => [u.symbol, u]));
    dc.total_universe = universe.length;
    return {
      out: { universe, refBySymbol },
      counts: { symbols: universe.length, cached: pinnedBefore ? 1 : 0 },
    };
  },
};
