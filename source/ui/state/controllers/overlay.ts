/**
 * The overlays' controller (help `?` and health `H`, and the keys every overlay shares with the day
 * detail): close, `H` to toggle the health overlay or switch to it, up/down to scroll a line,
 * PgUp/PgDn to scroll ten lines (the day detail's own page keys are in day-detail.ts).
 */
import { result, type KeyController, type StepResult, type UiState } from '../types.js';

/** Opens the health overlay with a new request (shown "checking…" at once, in this frame). */
export function openHealth(state: UiState): StepResult {
  const req = (state.health?.req ?? 0) + 1;
  return result({
    ...state,
    overlay: { kind: 'health', scroll: 0 },
    health: { req, report: null, error: null },
  });
}

/** Keys of any overlay (see the file header); with no overlay up every action passes on. */
export const overlayController: KeyController = {
  name: 'overlay',
  handle(state, action) {
    const o = state.overlay;
    if (!o) return null;
    if (action === 'close') return result({ ...state, overlay: null });
    // H closes the health overlay, and from another overlay opens it.
    if (action === 'health')
      return o.kind === 'health' ? result({ ...state, overlay: null }) : openHealth(state);
    const d = action === 'up' ? -1 : action === 'down' ? 1 : 0;
    if (d !== 0) return result({ ...state, overlay: { ...o, scroll: Math.max(0, o.scroll + d) } });
    if (o.kind !== 'detail') {
      if (action === 'page-up')
        return result({ ...state, overlay: { ...o, scroll: Math.max(0, o.scroll - 10) } });
      if (action === 'page-down')
        return result({ ...state, overlay: { ...o, scroll: o.scroll + 10 } });
    }
    return null;
  },
};
