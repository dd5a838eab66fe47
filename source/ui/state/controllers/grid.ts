/**
 * The backfill grid's controller (when the grid has focus): left/right move the cursor one visible
 * day, up/down one month (to the same position in that month's visible days, or its last); a move
 * follows the new day's log from its end. Nothing moves while no day is visible.
 */
import type { DayCell } from '../../../contracts/events.js';
import { cursorDate, monthOf, visibleDays } from '../selectors.js';
import { FOLLOW, result, type KeyController } from '../types.js';

/** The day `delta` months from `from` among `days` (sorted), at `from`'s index within its month, clamped. */
function moveMonth(days: readonly DayCell[], from: string, delta: number): string {
  const months: string[] = [];
  for (const d of days)
    if (months[months.length - 1] !== monthOf(d.date)) months.push(monthOf(d.date));
  const mi = months.indexOf(monthOf(from));
  const target = months[Math.max(0, Math.min(months.length - 1, mi + delta))];
  const inFrom = days.filter((d) => monthOf(d.date) === monthOf(from));
  const idx = inFrom.findIndex((d) => d.date === from);
  const inTarget = days.filter((d) => monthOf(d.date) === target);
  return inTarget[Math.min(Math.max(0, idx), inTarget.length - 1)].date;
}

/** The grid's arrows (see the file header); every other action passes on. */
export const gridController: KeyController = {
  name: 'grid',
  handle(state, action) {
    if (action !== 'up' && action !== 'down' && action !== 'left' && action !== 'right')
      return null;
    const cur = cursorDate(state);
    if (cur === null) return result(state);
    const sign = action === 'up' || action === 'left' ? -1 : 1;
    const days = visibleDays(state);
    let next: string;
    if (action === 'left' || action === 'right') {
      const i = days.findIndex((d) => d.date === cur);
      next = days[Math.max(0, Math.min(days.length - 1, i + sign))].date;
    } else {
      next = moveMonth(days, cur, sign);
    }
    return result({ ...state, cursor: next, scroll: FOLLOW });
  },
};
