/**
 * The filters (docs/domain.md section 3) applied to every bar of the day, counted. Not a stage of
 * its own (no events): a pure step between PREV and R2R3 whose result R1, R4 and PERSIST use.
 */
import type { Config } from '../../config/index.js';
import type { GroupedBar, UniverseTicker } from '../../providers/types.js';
import type { DayCompleteness } from '../../store/store.js';
import { filterReason, type FilterReason } from '../rules.js';

/** The filtered day. */
export interface Filtered {
  /** Symbols that pass every filter, sorted. */
  eligible: string[];
  /** Why each symbol of the day is filtered out (null: eligible). */
  filterOf: Map<string, FilterReason | null>;
}

/**
 * Filters every bar of the day by its reference ticker and volume; counts the filtered ones into
 * dc.filtered_unknown_type / filtered_exchange / filtered_type / filtered_volume.
 */
export function applyFilters(
  bars: ReadonlyMap<string, GroupedBar>,
  refBySymbol: ReadonlyMap<string, UniverseTicker>,
  cfg: Config,
  dc: DayCompleteness,
): Filtered {
  const eligible: string[] = [];
  const filterOf = new Map<string, FilterReason | null>();
  for (const [s, b] of bars) {
    const reason = filterReason(refBySymbol.get(s), b.volume, cfg);
    filterOf.set(s, reason);
    if (reason === null) eligible.push(s);
    else if (reason === 'unknown_type') dc.filtered_unknown_type++;
    else if (reason === 'exchange') dc.filtered_exchange++;
    else if (reason === 'type') dc.filtered_type++;
    else dc.filtered_volume++;
  }
  eligible.sort();
  return { eligible, filterOf };
}
