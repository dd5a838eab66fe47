/**
 * The key dispatcher: routes a key's action to the controllers of the active scope, in order, until
 * one handles it (an action none handles changes nothing). The chains, first to last:
 *
 * - quit prompt: quit-prompt (it takes every key: nothing else works while it asks)
 * - confirm / filter prompt: global (Ctrl+C), then the prompt's controller
 * - overlay: global, then day-detail (the detail's log keys), then overlay (help, health, shared keys)
 * - main screen: global, then the focused panel's (grid, log-pane or alerts), log-paging, control
 *   (keys that send commands), main (keys of the whole screen); only global while the screen is too small
 */
import { alertsController } from './controllers/alerts.js';
import { controlController } from './controllers/control.js';
import { dayDetailController } from './controllers/day-detail.js';
import { globalController } from './controllers/global.js';
import { gridController } from './controllers/grid.js';
import { logPaneController, logPagingController } from './controllers/log-pane.js';
import { mainController } from './controllers/main.js';
import { overlayController } from './controllers/overlay.js';
import {
  confirmController,
  filterController,
  quitPromptController,
} from './controllers/prompts.js';
import { activeScope } from './selectors.js';
import type { ActionId } from '../keymap.js';
import {
  result,
  type Focus,
  type KeyController,
  type StepContext,
  type StepResult,
  type UiState,
} from './types.js';

/** The controller of each panel that can have focus on the main screen. */
const FOCUSED: Readonly<Record<Focus, KeyController>> = {
  grid: gridController,
  log: logPaneController,
  alerts: alertsController,
};

/** The controllers asked for a key in `state`, first to last (see the file header). */
export function controllersFor(
  state: UiState,
  ctx: Pick<StepContext, 'tooSmall'>,
): readonly KeyController[] {
  switch (activeScope(state)) {
    case 'quit':
      return [quitPromptController];
    case 'confirm':
      return [globalController, confirmController];
    case 'filter':
      return [globalController, filterController];
    case 'overlay':
      return [globalController, dayDetailController, overlayController];
    case 'main':
      if (ctx.tooSmall) return [globalController];
      return [
        globalController,
        FOCUSED[state.focus],
        logPagingController,
        controlController,
        mainController,
      ];
  }
}

/** The result of key `action` in `state`: the first controller's answer, or the state unchanged. */
export function dispatchKey(state: UiState, action: ActionId, ctx: StepContext): StepResult {
  for (const c of controllersFor(state, ctx)) {
    const r = c.handle(state, action, ctx);
    if (r) return r;
  }
  return result(state);
}
