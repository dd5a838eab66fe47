/**
 * GROUPED (docs/domain.md section 4, step 2): the day's grouped daily bars (Polygon, stored in
 * daily_raw) and their coverage of the universe.
 */
import type { GroupedBar, UniverseTicker } from '../../providers/types.js';
import { loadGrouped, round2 } from './io.js';
import { DayFailure, type Stage } from './types.js';

/**
 * Input of GROUPED: the pinned universe, for the coverage figure only; a late input (a promise,
 * awaited once the bars are in), so GROUPED runs next to UNIVERSE.
 */
export interface GroupedIn {
  refBySymbol: Promise<ReadonlyMap<string, UniverseTicker>>;
}

/** The day's grouped daily bars by symbol (OTC dropped). */
export interface GroupedOut {
  bars: Map<string, GroupedBar>;
}

/**
 * GROUPED: writes dc.daily_raw_symbols and dc.coverage_pct (bars whose symbol is in the universe,
 * percent of the universe).
 * @throws DayFailure on a provider error or when the day has no bar.
 */
export const groupedStage: Stage<GroupedIn, GroupedIn & { counts?: undefined }, GroupedOut> = {
  name: 'GROUPED',
  async run(day, input) {
    const { ctx, date, dc } = day;
    const bars = await loadGrouped(ctx, date, true);
    if (bars.size === 0) throw new DayFailure(`grouped daily: no bars for trading day ${date}`);
    const refBySymbol = await input.refBySymbol;
    let inUniverse = 0;
    for (const s of bars.keys()) if (refBySymbol.has(s)) inUniverse++;
    dc.daily_raw_symbols = bars.size;
    dc.coverage_pct = round2((inUniverse / refBySymbol.size) * 100);
    return { out: { bars }, counts: { bars: bars.size, coverage_pct: dc.coverage_pct } };
  },
};
