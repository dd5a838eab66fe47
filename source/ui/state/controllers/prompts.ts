/**
 * The controllers of the footer's prompts: the quit prompt (stop the backfill, detach, or no), a
 * confirm prompt (y sends its commands, n cancels) and the filter prompt (status cycle, has hits,
 * has misses, clear, a typed date prefix, backspace, Enter/ESC to close). Keys a prompt does not
 * bind do nothing while it is up.
 */
import { sent } from '../commands.js';
import { STATUS_CYCLE } from '../prompts.js';
import { NO_FILTER, result, type KeyController, type StepResult, type UiState } from '../types.js';

/** The quit prompt: `quit-stop` quits stopping the backfill, `quit-detach` leaves it running, `no` closes the prompt. */
export const quitPromptController: KeyController = {
  name: 'quit-prompt',
  handle(state, action) {
    if (action === 'quit-stop') return result(state, [], 'stop');
    if (action === 'quit-detach') return result(state, [], 'detach');
    if (action === 'no') return result({ ...state, prompt: null });
    return result(state);
  },
};

/** A confirm prompt: `yes` sends its commands (and clears the marked range), `no` cancels. */
export const confirmController: KeyController = {
  name: 'confirm',
  handle(state, action) {
    if (state.prompt?.kind !== 'confirm') return null;
    if (action === 'yes')
      return sent({ ...state, prompt: null, mark: null }, state.prompt.commands);
    if (action === 'no') return result({ ...state, prompt: null, flash: 'cancelled' });
    return result(state);
  },
};

/** The filter prompt's bindings; backspace on an empty prefix closes the prompt. */
export const filterController: KeyController = {
  name: 'filter',
  handle(state, action) {
    const f = state.filter;
    switch (action) {
      case 'filter-status': {
        const i = STATUS_CYCLE.indexOf(f.status);
        return result({
          ...state,
          filter: { ...f, status: STATUS_CYCLE[(i + 1) % STATUS_CYCLE.length] },
        });
      }
      case 'filter-hits':
        return result({ ...state, filter: { ...f, hasHits: !f.hasHits } });
      case 'filter-misses':
        return result({ ...state, filter: { ...f, hasMisses: !f.hasMisses } });
      case 'filter-clear':
        return result({ ...state, filter: NO_FILTER });
      case 'filter-erase':
        if (f.prefix === '') return result({ ...state, prompt: null });
        return result({ ...state, filter: { ...f, prefix: f.prefix.slice(0, -1) } });
      case 'apply':
      case 'close':
        return result({ ...state, prompt: null });
      default:
        return result(state);
    }
  },
};

/**
 * A printable key no binding took: while the filter prompt is up, a digit or `-` extends the date
 * prefix (at most 10 characters, `YYYY-MM-DD`); anything else changes nothing.
 */
export function filterText(state: UiState, input: string): StepResult {
  if (
    state.prompt?.kind === 'filter' &&
    /^[0-9-]$/.test(input) &&
    state.filter.prefix.length < 10
  ) {
    return result({ ...state, filter: { ...state.filter, prefix: state.filter.prefix + input } });
  }
  return result(state);
}
