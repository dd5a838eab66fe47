/**
 * The control controller: the main screen's keys that send a ControlCommand to the engine (the
 * keymap's `command: true` bindings), whatever panel has focus. pause/resume/stop show the state
 * they lead to at once; rerun and validate act on the selected day (a COMPLETE day's rerun asks to
 * confirm); V and e open a confirm prompt with a preview; ack acknowledges the alert on screen (a
 * console alert of a failed validation locally, without sending). Read-only or before the first
 * snapshot, the footer says why nothing was sent.
 */
import type { ControlCommand } from '../../../contracts/events.js';
import { ENDED_BACKFILL_STATES } from '../../../contracts/states.js';
import { needEngine, sent, withPending } from '../commands.js';
import { exportPrompt, validateRangePrompt } from '../prompts.js';
import { cellOf, cursorDate, displayState, shownAlert } from '../selectors.js';
import { result, type KeyController } from '../types.js';

/** The command keys (see the file header); every other action passes on. */
export const controlController: KeyController = {
  name: 'control',
  handle(state, action, ctx) {
    const snap = state.snapshot;
    switch (action) {
      case 'pause': {
        const blocked = needEngine(state, ctx);
        if (blocked) return blocked;
        const shown = displayState(state)!.state;
        if (shown === 'PAUSING' || shown === 'PAUSED')
          return result({ ...state, flash: `already ${shown.toLowerCase()}` });
        if (ENDED_BACKFILL_STATES.has(snap!.state)) {
          if (!snap!.activity)
            return result({ ...state, flash: `nothing to pause: the backfill is ${snap!.state}` });
        }
        return sent(withPending(state, 'pause'), [{ type: 'pause' }]);
      }
      case 'resume': {
        const blocked = needEngine(state, ctx);
        return blocked ?? sent(withPending(state, 'resume'), [{ type: 'resume' }]);
      }
      case 'stop': {
        const blocked = needEngine(state, ctx);
        if (blocked) return blocked;
        if (ENDED_BACKFILL_STATES.has(snap!.state) && !snap!.activity)
          return result({ ...state, flash: `nothing to stop: the backfill is ${snap!.state}` });
        return sent(withPending(state, 'stop'), [{ type: 'stop' }]);
      }
      case 'rerun':
      case 'rerun-exhaustive': {
        const blocked = needEngine(state, ctx);
        if (blocked) return blocked;
        const cur = cursorDate(state);
        if (cur === null) return result({ ...state, flash: 'no day selected' });
        const exhaustive = action === 'rerun-exhaustive';
        const cmd: ControlCommand = { type: 'rerun', date: cur, exhaustive };
        if (cellOf(state, cur)?.status === 'COMPLETE') {
          return result({
            ...state,
            prompt: {
              kind: 'confirm',
              text: `rerun ${cur}${exhaustive ? ' exhaustively' : ''}? it is COMPLETE`,
              detail: 'its hits are replaced by the new scan (one transaction)',
              commands: [cmd],
            },
          });
        }
        return sent(state, [cmd]);
      }
      case 'validate': {
        const blocked = needEngine(state, ctx);
        if (blocked) return blocked;
        const cur = cursorDate(state);
        if (cur === null) return result({ ...state, flash: 'no day selected' });
        return sent(state, [{ type: 'validate', date: cur }]);
      }
      case 'validate-range':
      case 'export': {
        const blocked = needEngine(state, ctx);
        if (blocked) return blocked;
        const p = action === 'export' ? exportPrompt(state) : validateRangePrompt(state);
        if (typeof p === 'string') return result({ ...state, flash: p });
        return result({ ...state, prompt: p });
      }
      case 'ack': {
        // A console alert (a failed validation) is acknowledged here: nothing to send.
        const local = shownAlert(state);
        if (local && local.id < 0)
          return result({
            ...state,
            localAlerts: state.localAlerts.filter((x) => x.id !== local.id),
            alertIndex: 0,
            flash: `acknowledged: the ${local.date ?? ''} validation alert`,
          });
        const blocked = needEngine(state, ctx);
        if (blocked) return blocked;
        const a = shownAlert(state);
        if (!a) return result({ ...state, flash: 'no alert to acknowledge' });
        return sent({ ...state, acked: [...state.acked, a.id], alertIndex: 0 }, [
          { type: 'ack', alertId: a.id },
        ]);
      }
      default:
        return null;
    }
  },
};
