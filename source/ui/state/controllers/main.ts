/**
 * The main screen's controller: keys that act on the screen whatever panel has focus and send
 * nothing: Enter opens the selected day's detail, `m` marks (or clears) the start of a range, Tab
 * moves focus grid -> log -> alerts, `/` opens the filter prompt, `?` the help and `H` the health
 * overlay. The focused panel's controller (grid, log pane, alerts) is asked first.
 */
import { cursorDate } from '../selectors.js';
import { result, type Focus, type KeyController } from '../types.js';
import { openDetail } from './day-detail.js';
import { openHealth } from './overlay.js';

/** Focus order of Tab. */
const FOCUS_ORDER: readonly Focus[] = ['grid', 'log', 'alerts'];

/** The main screen's keys (see the file header); every other action passes on. */
export const mainController: KeyController = {
  name: 'main',
  handle(state, action) {
    switch (action) {
      case 'mark': {
        if (state.mark !== null) return result({ ...state, mark: null, flash: 'range cleared' });
        const cur = cursorDate(state);
        if (cur === null) return result(state);
        return result({ ...state, mark: cur, flash: `range from ${cur}: move, then V or e` });
      }
      case 'detail': {
        const cur = cursorDate(state);
        if (cur === null) return result({ ...state, flash: 'no day selected' });
        return result(openDetail(state, cur));
      }
      case 'focus':
        return result({
          ...state,
          focus: FOCUS_ORDER[(FOCUS_ORDER.indexOf(state.focus) + 1) % FOCUS_ORDER.length],
        });
      case 'filter':
        return result({ ...state, prompt: { kind: 'filter' } });
      case 'help':
        return result({ ...state, overlay: { kind: 'help', scroll: 0 } });
      case 'health':
        return openHealth(state);
      default:
        return null;
    }
  },
};
