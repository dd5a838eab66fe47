/**
 * The console state's shapes (docs/console.md "State flow"): the UI state, the events into the
 * reducer, the step context and result, and the constants the modules of source/ui/state/ share.
 * Types and a few constants only, besides {@link initialUiState} and the {@link result} helper.
 */
import type {
  AlertInfo,
  BackfillSnapshot,
  BackfillState,
  ControlCommand,
  DayDetailData,
  DayStatus,
  HealthReport,
} from '../../contracts/events.js';
import type { ActionId } from '../keymap.js';

/** A filter of the grid. Empty prefix and null status match everything. */
export interface DayFilter {
  status: DayStatus | 'SKIPPED' | null;
  hasHits: boolean;
  hasMisses: boolean;
  /** Date prefix (digits and `-`), e.g. `2018-03`. */
  prefix: string;
}

/** Which panel the arrows act on. */
export type Focus = 'grid' | 'log' | 'alerts';

/**
 * Full-screen overlays. The detail's `scroll` moves its information part (lines from the top),
 * `logScroll` its log (lines up from the end).
 */
export type Overlay =
  | { kind: 'help'; scroll: number }
  | { kind: 'detail'; date: string; scroll: number; logScroll: number }
  | { kind: 'health'; scroll: number };

/**
 * Prompts in the footer. A confirm prompt has its question (`text`, one line) and a preview
 * (`detail`: how many days, which ranges) on a second line.
 */
export type Prompt =
  | { kind: 'confirm'; text: string; detail?: string; commands: ControlCommand[] }
  | { kind: 'quit' }
  | { kind: 'filter' };

/**
 * Log lines kept for scrollback: the snapshots' `logTail` windows stitched together. `base` is the
 * absolute index of `lines[0]` (lines dropped off the front are counted, not kept).
 */
export interface LogStream {
  date: string | null;
  base: number;
  lines: string[];
}

/** A day's log file as read or followed from disk (`lines` after `base` lines dropped off the front). */
export interface FileLog {
  date: string;
  base: number;
  lines: string[];
}

/** Scroll state of the log panel. `bottom` (absolute, exclusive) is the last shown line when not following. */
export interface LogScroll {
  following: boolean;
  bottom: number;
  /** Absolute line count when following stopped ("N new lines" = total - stoppedAt). */
  stoppedAt: number;
}

/**
 * The health checks of the health overlay (`H`): request `req` (a new number per key press) is
 * "checking…" until its report or error arrives through `checkHealth`.
 */
export interface HealthLoad {
  req: number;
  report: HealthReport | null;
  error: string | null;
}

/** The day detail data of the overlay's date, as loaded through `readDayDetail`. */
export interface DetailLoad {
  date: string;
  /** Signature of the day cell when it was asked for (a changed cell asks again). */
  key: string;
  data: DayDetailData | null;
  error: string | null;
}

/**
 * A control the user sent that the engine has not confirmed yet: the header shows `label` at once
 * (docs/console.md "Keys": controls show within 250 ms) until a snapshot is in one of `want` or
 * {@link PENDING_SNAPSHOTS} snapshots went by.
 */
export interface PendingControl {
  command: 'pause' | 'resume' | 'stop';
  state: BackfillState;
  want: BackfillState[];
  /** Snapshot seq when it was sent. */
  seq: number;
}

/** The whole UI state. */
export interface UiState {
  snapshot: BackfillSnapshot | null;
  /** Selected date; null follows the current day. */
  cursor: string | null;
  focus: Focus;
  overlay: Overlay | null;
  prompt: Prompt | null;
  filter: DayFilter;
  /** Start of a marked range, or null. */
  mark: string | null;
  stream: LogStream;
  scroll: LogScroll;
  /** The selected day's log from disk (followed with `watchLog`, or read once with `readLog`). */
  fileLog: FileLog | null;
  detail: DetailLoad | null;
  /** The health overlay's checks (null before the first `H`). */
  health: HealthLoad | null;
  pending: PendingControl | null;
  /** One-line message in the footer until the next key. */
  flash: string | null;
  /** Alerts acknowledged here, hidden before the engine confirms. */
  acked: number[];
  alertIndex: number;
  /** A queued command (rerun, validate, export) the engine has not confirmed yet, shown at once; see {@link PendingWork}. */
  work: PendingWork | null;
  /** Validation outcomes seen in snapshots (newest last, at most {@link NOTES_KEEP}): the log pane's outcome lines. */
  notes: ConsoleNote[];
  /** Console alerts of failed validations (negative ids), shown in the alert banner until acknowledged here. */
  localAlerts: AlertInfo[];
  /** Number of the newest validation outcome already turned into a note (snapshot `validations[].n`). */
  lastValidation: number;
  /**
   * When the current day's clock stopped although its cell has no duration (the backfill ended,
   * halted or stopped mid-day): the first snapshot time seen in that state, for the frozen timer.
   */
  dayClockStop: { date: string; at: number } | null;
}

/**
 * A command sent to the engine that the snapshots do not show yet: while the engine is busy it is
 * queued (`queued`: the count the header shows at once, until a snapshot reaches it), while idle it
 * runs at once (`activity`: what the header shows at once, e.g. `validating 2024-01-03`, until a
 * snapshot shows any activity). Dropped after {@link PENDING_SNAPSHOTS} snapshots at the latest.
 */
export interface PendingWork {
  queued: number | null;
  activity: string | null;
  /** Snapshot seq when it was sent. */
  seq: number;
}

/** One outcome line of the log pane (a validation that ended), as shown, and its tone. */
export interface ConsoleNote {
  date: string;
  text: string;
  tone: 'ok' | 'bad' | 'warn';
}

/** Events into `step`. `text` is a printable key that no binding of the filter prompt took. */
export type UiEvent =
  | { type: 'key'; action: ActionId }
  | { type: 'text'; input: string }
  | { type: 'snapshot'; snapshot: BackfillSnapshot }
  /** Lines of a day's log file: `reset` replaces what is kept (first read), else they are appended. */
  | { type: 'log-lines'; date: string; lines: string[]; reset: boolean }
  /** A day's log read once (same as log-lines with reset). */
  | { type: 'day-log'; date: string; lines: string[] }
  | {
      type: 'day-detail';
      date: string;
      key: string;
      data: DayDetailData | null;
      error: string | null;
    }
  /** The answer to health request `req` (a report, or why the checks could not run). */
  | { type: 'health'; req: number; report: HealthReport | null; error: string | null };

/**
 * Where the log panel's lines come from: `watch` follows every day's file (ConsoleSource.watchLog),
 * `read` streams the running day from snapshots and reads other days once (readLog), `stream` has
 * the snapshots' tail only.
 */
export type LogMode = 'watch' | 'read' | 'stream';

/** Facts of the environment that steps need. */
export interface StepContext {
  readOnly: boolean;
  /** Lines the log panel shows (page size for PgUp/PgDn). */
  logPage: number;
  /** The too-small screen is up: only quitting works. */
  tooSmall: boolean;
  logMode: LogMode;
}

/** What `step` returns. */
export interface StepResult {
  state: UiState;
  commands: ControlCommand[];
  quit: 'stop' | 'detach' | null;
  /**
   * False when the new state draws exactly like the old one (a snapshot that changed nothing on
   * screen: only its seq, or its time while no clock is shown): the controller keeps it without
   * drawing a frame. Absent means true.
   */
  visible?: boolean;
}

/** Most log lines kept for scrollback. */
export const LOG_KEEP = 2000;
/** Snapshots after which an unconfirmed control stops being shown as pending. */
export const PENDING_SNAPSHOTS = 4;
/** Validation outcome lines kept for the log pane. */
export const NOTES_KEEP = 20;

/** Following the log from its end (the scroll state after a day change or `f`). */
export const FOLLOW: LogScroll = { following: true, bottom: 0, stoppedAt: 0 };

/** An empty filter. */
export const NO_FILTER: DayFilter = { status: null, hasHits: false, hasMisses: false, prefix: '' };

/** The state before the first snapshot. */
export function initialUiState(): UiState {
  return {
    snapshot: null,
    cursor: null,
    focus: 'grid',
    overlay: null,
    prompt: null,
    filter: NO_FILTER,
    mark: null,
    stream: { date: null, base: 0, lines: [] },
    scroll: { following: true, bottom: 0, stoppedAt: 0 },
    fileLog: null,
    detail: null,
    health: null,
    pending: null,
    flash: null,
    acked: [],
    alertIndex: 0,
    work: null,
    notes: [],
    localAlerts: [],
    lastValidation: 0,
    dayClockStop: null,
  };
}

/** A {@link StepResult} of `state` with `commands` to send (none by default) and no quit unless given. */
export function result(
  state: UiState,
  commands: ControlCommand[] = [],
  quit: 'stop' | 'detach' | null = null,
): StepResult {
  return { state, commands, quit };
}

/**
 * The keys of one scope of the console, like a lazygit controller: `handle` returns the step's
 * result for an action it owns, or null to let the next controller of the dispatcher's chain try
 * (source/ui/state/dispatch.ts; an action no controller owns leaves the state as it is). Pure: it
 * reads the state and the context and never throws.
 */
export interface KeyController {
  /** Short name, for the routing tests and docs (`grid`, `log-pane`, `day-detail` ...). */
  readonly name: string;
  handle(state: UiState, action: ActionId, ctx: StepContext): StepResult | null;
}
