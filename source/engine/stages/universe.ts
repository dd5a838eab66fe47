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
 * Input of UNIVERSE: `deliver`, called with the stage's output as soon as it is known (before a
 * new universe is pinned), so the stages that take the universe (filters, R1's lookups) start
 * before the pin, one long synchronous store write; `pinAfter`, settled once those have started
 * (the pin waits for it, then for the next turn of the event loop, so R1's first Theta requests
 * are in flight while it is written).
 */
export interface UniverseIn {
  deliver?: (out: UniverseOut) => void;
  /** Never rejects. */
  pinAfter?: Promise<void>;
}

/** Resolves on the timers phase of the next turn of the event loop (after pending I/O and immediates). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * UNIVERSE: from the store when pinned, else fetched (or taken from the backfill's prefetch) and
 * pinned; the pin is written after the output was delivered and `pinAfter` settled, on the next
 * turn of the event loop (the stage ends once it is written; the day's commit waits for the stage). Writes
 * dc.total_universe.
 * @throws DayFailure when Polygon fails or returns no symbol; the store's error when the pin fails.
 */
export const universeStage: Stage<UniverseIn, UniverseIn & { counts?: undefined }, UniverseOut> = {
  name: 'UNIVERSE',
  plan: (_day, input) => input,
  async run(day, { deliver, pinAfter }) {
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
    }
    const refBySymbol = new Map<string, UniverseTicker>(universe.map((u) => [u.symbol, u]));
    dc.total_universe = universe.length;
    const out = { universe, refBySymbol };
    if (!pinnedBefore) {
      deliver?.(out);
      await pinAfter;
      await nextTurn();
      // Written even when the day failed or stopped meanwhile, as when the pin came first: a pin
      // is the universe as of the date (a rerun reads it), never a result of the day.
      ctx.store.pinUniverse(date, universe);
    }
    return {
      out,
      counts: { symbols: universe.length, cached: pinnedBefore ? 1 : 0 },
    };
  },
};
