/**
 * The console's reducer entry: {@link step} takes the state and one event (a key's action, a typed
 * character, a snapshot, log lines, a day detail or health answer) and returns the next state, the
 * ControlCommands to send, and whether the user quit (and how). Keys go through the dispatcher
 * (dispatch.ts) to the controller of the active scope; snapshots through snapshot.ts.
 */
import { filterText } from './controllers/prompts.js';
import { dispatchKey } from './dispatch.js';
import { appendFileLog } from './log-view.js';
import { snapshotStep } from './snapshot.js';
import { result, type StepContext, type StepResult, type UiEvent, type UiState } from './types.js';

/** Apply one event. Never throws; unknown actions in a scope are ignored. A key clears the footer's flash first. */
export function step(state: UiState, ev: UiEvent, ctx: StepContext): StepResult {
  switch (ev.type) {
    case 'snapshot':
      return snapshotStep(state, ev.snapshot);
    case 'log-lines':
      return result(appendFileLog(state, ev.date, ev.lines, ev.reset));
    case 'day-log':
      return result(appendFileLog(state, ev.date, ev.lines, true));
    case 'day-detail':
      return result({
        ...state,
        detail: { date: ev.date, key: ev.key, data: ev.data, error: ev.error },
      });
    case 'health':
      // An answer to an older request (H pressed again since) is dropped.
      if (state.health?.req !== ev.req) return result(state);
      return result({
        ...state,
        health: {
          req: ev.req,
          report: ev.report,
          error: ev.report ? null : (ev.error ?? 'no health report'),
        },
      });
    case 'text':
      return filterText(state, ev.input);
    case 'key':
      return dispatchKey({ ...state, flash: null }, ev.action, ctx);
  }
}
