/**
 * The global controller: the one action that works in every scope but the quit prompt itself,
 * `quit` (Ctrl+C everywhere, `q` on the main screen): detach at once when attached read-only, quit at once when the backfill has ended,
 * else open the quit prompt over whatever prompt or overlay is up.
 */
import { openQuit } from '../prompts.js';
import { result, type KeyController } from '../types.js';

/** `quit` from any scope (see the file header); every other action passes on. */
export const globalController: KeyController = {
  name: 'global',
  handle(state, action, ctx) {
    if (action !== 'quit') return null;
    if (ctx.readOnly) return result(state, [], 'detach');
    return openQuit({ ...state, prompt: null });
  },
};
