/**
 * The log pane's controllers. When the log pane has focus, up/down scroll it a line (left/right do
 * nothing); from any focus on the main screen PgUp/PgDn scroll it a page (its height less one line,
 * at least one) and `f`/End follows its end again. The scrolling itself is log-view.ts `scrollLog`.
 */
import { scrollLog } from '../log-view.js';
import { FOLLOW, result, type KeyController } from '../types.js';

/** The arrows while the log pane has focus; every other action passes on. */
export const logPaneController: KeyController = {
  name: 'log-pane',
  handle(state, action, ctx) {
    if (action === 'up') return result(scrollLog(state, -1, ctx));
    if (action === 'down') return result(scrollLog(state, 1, ctx));
    if (action === 'left' || action === 'right') return result(state);
    return null;
  },
};

/** Page keys and follow of the log pane, whatever has focus; every other action passes on. */
export const logPagingController: KeyController = {
  name: 'log-paging',
  handle(state, action, ctx) {
    if (action === 'page-up') return result(scrollLog(state, -Math.max(1, ctx.logPage - 1), ctx));
    if (action === 'page-down') return result(scrollLog(state, Math.max(1, ctx.logPage - 1), ctx));
    if (action === 'follow') return result({ ...state, scroll: FOLLOW });
    return null;
  },
};
