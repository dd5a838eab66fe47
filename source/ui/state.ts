/**
 * The console's state machine (pure, no React): UI state reduced from snapshots, log lines, day
 * details and keys, and the ControlCommands a key sends. `step` takes the state and one event and
 * returns the next state, the commands to send, and whether the user quit (and how). The App holds
 * the state and performs the effects (hooks/use-console.ts); tests drive `step` directly.
 *
 * This file is the public face of source/ui/state/ (every import of the console's state goes
 * through it); the work is split there like lazygit's controllers (docs/console.md "State flow"):
 *
 * - types.ts: the state, events, step context and result, constants, `initialUiState`
 * - selectors.ts: pure functions from state to what panels draw, and what to load next
 * - log-view.ts: the log pane's lines, window and scrolling
 * - commands.ts: commands as sent and shown while unconfirmed (pending controls, queued work)
 * - prompts.ts: the confirm prompts' previews, the quit prompt, the filter's status cycle
 * - snapshot.ts: the reducer of engine snapshots
 * - controllers/: one controller per key scope (global, prompts, overlay, day-detail, grid,
 *   log-pane, alerts, control, main); dispatch.ts routes a key to the active scope's chain
 * - step.ts: `step`, the reducer entry
 */
export {
  LOG_KEEP,
  NO_FILTER,
  NOTES_KEEP,
  PENDING_SNAPSHOTS,
  initialUiState,
  type ConsoleNote,
  type DayFilter,
  type DetailLoad,
  type FileLog,
  type Focus,
  type HealthLoad,
  type LogMode,
  type LogScroll,
  type LogStream,
  type Overlay,
  type PendingControl,
  type PendingWork,
  type Prompt,
  type StepContext,
  type StepResult,
  type UiEvent,
  type UiState,
} from './state/types.js';
export {
  activeScope,
  cellOf,
  cursorDate,
  dayElapsedMs,
  detailKey,
  displayState,
  engineBusy,
  filterIsEmpty,
  filterLabel,
  openAlerts,
  selectedRange,
  shownAlert,
  shownSnapshot,
  shownWork,
  showsPaused,
  visibleDays,
  wantedDetail,
  wantedHealth,
} from './state/selectors.js';
export {
  logLinesOf,
  logPaneDate,
  logWindow,
  newTailLines,
  panelLog,
  wantedLog,
  type PanelLog,
} from './state/log-view.js';
export { describeCommand, workLabel } from './state/commands.js';
export {
  dayRuns,
  exportPrompt,
  formatRuns,
  validateRangePrompt,
  type DayRun,
} from './state/prompts.js';
export { sameValue, shareUnchanged, validationAlert, validationNote } from './state/snapshot.js';
export { step } from './state/step.js';
