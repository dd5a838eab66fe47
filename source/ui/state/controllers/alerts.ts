/**
 * The alert banner's controller (when the alerts have focus): the arrows step through the open
 * alerts, Enter opens the day detail of the alert's day (moving the grid's cursor there and giving
 * it focus). An alert without a day leaves Enter to the main screen (the selected day's detail).
 */
import { openAlerts, shownAlert } from '../selectors.js';
import { FOLLOW, result, type KeyController } from '../types.js';
import { openDetail } from './day-detail.js';

/** The alerts' arrows and Enter (see the file header); every other action passes on. */
export const alertsController: KeyController = {
  name: 'alerts',
  handle(state, action) {
    if (action === 'up' || action === 'down' || action === 'left' || action === 'right') {
      const n = openAlerts(state).length;
      if (n === 0) return result(state);
      const sign = action === 'up' || action === 'left' ? -1 : 1;
      return result({
        ...state,
        alertIndex: Math.max(0, Math.min(n - 1, state.alertIndex + sign)),
      });
    }
    if (action === 'detail') {
      const a = shownAlert(state);
      if (a?.date)
        return result(
          openDetail({ ...state, cursor: a.date, focus: 'grid', scroll: FOLLOW }, a.date),
        );
    }
    return null;
  },
};
