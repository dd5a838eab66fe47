/**
 * The day detail's controller (the overlay Enter opens): PgUp/PgDn scroll its log five lines (lines
 * up from the end), `f`/End goes back to the log's end. Its other keys (close, `H`, up/down for the
 * information part) are the overlays' (overlay.ts).
 */
import { result, type KeyController, type UiState } from '../types.js';

/** The state with the day detail of `date` open, scrolled to its top and its log's end. */
export function openDetail(state: UiState, date: string): UiState {
  return { ...state, overlay: { kind: 'detail', date, scroll: 0, logScroll: 0 } };
}

/** The day detail's log keys; every other action (or another overlay) passes on. */
export const dayDetailController: KeyController = {
  name: 'day-detail',
  handle(state, action) {
    const o = state.overlay;
    if (o?.kind !== 'detail') return null;
    // PgUp/PgDn scroll the detail's log (lines up from its end); f/End back to the end.
    if (action === 'page-up')
      return result({ ...state, overlay: { ...o, logScroll: o.logScroll + 5 } });
    if (action === 'page-down')
      return result({ ...state, overlay: { ...o, logScroll: Math.max(0, o.logScroll - 5) } });
    if (action === 'follow') return result({ ...state, overlay: { ...o, logScroll: 0 } });
    return null;
  },
};
