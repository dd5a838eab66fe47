/**
 * The console's state machine (pure, no React): UI state reduced from snapshots, log lines, day
 * details and keys, and the ControlCommands a key sends. {@link step} takes the state and one event
 * and returns the next state, the commands to send, and whether the user quit (and how). The App
 * holds the state and performs the effects; tests drive {@link step} directly. Selectors (the
 * functions of state that screens read) live here too, as plain functions.
 */
import type { AlertInfo, BackfillSnapshot, BackfillState, ControlCommand, DayCell, DayDetailData, DayStatus, HealthReport, ValidationOutcome } from '../contracts/events.js';
import { statusLabel } from './format.js';
import { ENDED_BACKFILL_STATE_LIST, ENDED_BACKFILL_STATES, FINAL_BACKFILL_STATES, FINISHED_DAY_STATUSES } from '../contracts/states.js';
import type { ActionId, KeyScope } from './keymap.js';

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
export type Overlay = { kind: 'help'; scroll: number } | { kind: 'detail'; date: string; scroll: number; logScroll: number } | { kind: 'health'; scroll: number };

/**
 * Prompts in the footer. A confirm prompt has its question (`text`, one line) and a preview
 * (`detail`: how many days, which ranges) on a second line.
 */
export type Prompt = { kind: 'confirm'; text: string; detail?: string; commands: ControlCommand[] } | { kind: 'quit' } | { kind: 'filter' };

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
 * (console.md: controls show within 250 ms) until a snapshot is in one of `want` or
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

/** Events into {@link step}. `text` is a printable key that no binding of the filter prompt took. */
export type UiEvent =
  | { type: 'key'; action: ActionId }
  | { type: 'text'; input: string }
  | { type: 'snapshot'; snapshot: BackfillSnapshot }
  /** Lines of a day's log file: `reset` replaces what is kept (first read), else they are appended. */
  | { type: 'log-lines'; date: string; lines: string[]; reset: boolean }
  /** A day's log read once (same as log-lines with reset). */
  | { type: 'day-log'; date: string; lines: string[] }
  | { type: 'day-detail'; date: string; key: string; data: DayDetailData | null; error: string | null }
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

/** What {@link step} returns. */
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
/** Backfill states in which nothing scans any more (the ended states): the current day's clock stops. */
const CLOCK_STOPPED: ReadonlySet<BackfillState> = ENDED_BACKFILL_STATES;

/** Following the log from its end. */
const FOLLOW: LogScroll = { following: true, bottom: 0, stoppedAt: 0 };

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

/** Which key scope is active (prompts first, then overlays, then the main screen). */
export function activeScope(s: UiState): KeyScope {
  if (s.prompt) return s.prompt.kind;
  if (s.overlay) return 'overlay';
  return 'main';
}

/** True when the filter matches nothing specific. */
export function filterIsEmpty(f: DayFilter): boolean {
  return f.status === null && !f.hasHits && !f.hasMisses && f.prefix === '';
}

/** `status=FAILED hits 2018-03` or `none`. */
export function filterLabel(f: DayFilter): string {
  if (filterIsEmpty(f)) return 'none';
  const parts: string[] = [];
  if (f.status) parts.push(`status=${statusLabel(f.status)}`);
  if (f.hasHits) parts.push('has hits');
  if (f.hasMisses) parts.push('has misses');
  if (f.prefix) parts.push(`date ${f.prefix}*`);
  return parts.join(' ');
}

function byDate(a: DayCell, b: DayCell): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
}

function passes(f: DayFilter, d: DayCell): boolean {
  return (f.status === null || d.status === f.status) && (!f.hasHits || d.hits > 0) && (!f.hasMisses || d.baselineOnly > 0) && d.date.startsWith(f.prefix);
}

const NO_DAYS: DayCell[] = [];
/** The last {@link visibleDays} answer: its inputs (by identity) and result. */
let visibleMemo: { days: readonly DayCell[]; filter: DayFilter; out: DayCell[] } | null = null;

/**
 * Days of the snapshot that pass the filter, in date order. The answer for the same days array and
 * filter object (both replaced, never changed in place) is the same array: selectors call this
 * several times a frame, and unchanged days keep their identity across snapshots.
 */
export function visibleDays(s: UiState): DayCell[] {
  const days = s.snapshot?.days ?? NO_DAYS;
  const f = s.filter;
  if (visibleMemo && visibleMemo.days === days && visibleMemo.filter === f) return visibleMemo.out;
  const out = (filterIsEmpty(f) ? [...days] : days.filter((d) => passes(f, d))).sort(byDate);
  visibleMemo = { days, filter: f, out };
  return out;
}

/**
 * The selected date: the cursor when visible, else the visible day nearest to it; with no cursor,
 * the current day, the log day, the first day not complete, or the last day. Null when no day is visible.
 */
export function cursorDate(s: UiState): string | null {
  const days = visibleDays(s);
  if (days.length === 0) return null;
  const want = s.cursor ?? s.snapshot?.current?.date ?? s.snapshot?.logDate ?? days.find((d) => d.status !== 'COMPLETE' && d.status !== 'SKIPPED')?.date ?? days[days.length - 1].date;
  return nearest(days, want);
}

function nearest(days: readonly DayCell[], want: string): string {
  for (const d of days) if (d.date >= want) return d.date;
  return days[days.length - 1].date;
}

/** The grid cell of a date, or undefined. */
export function cellOf(s: UiState, date: string | null): DayCell | undefined {
  if (date === null) return undefined;
  return s.snapshot?.days.find((d) => d.date === date);
}

const SEVERITY_ORDER: Record<AlertInfo['severity'], number> = { CRITICAL: 2, WARNING: 1, INFO: 0 };

/** Unacknowledged alerts, CRITICAL first, then newest first. */
export function openAlerts(s: UiState): AlertInfo[] {
  const alerts = s.snapshot?.alerts ?? [];
  // Console alerts (failed validations, negative ids -n) come first within their severity, newest first.
  return [...s.localAlerts, ...alerts.filter((a) => !a.acknowledged && !s.acked.includes(a.id))].sort(
    (a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || Number(b.id < 0) - Number(a.id < 0) || (a.id < 0 ? a.id - b.id : b.id - a.id),
  );
}

/** The alert shown in the banner, or null. Alerts stay until acknowledged. */
export function shownAlert(s: UiState): AlertInfo | null {
  const open = openAlerts(s);
  if (open.length === 0) return null;
  return open[Math.min(s.alertIndex, open.length - 1)];
}

/**
 * The backfill state to show: the snapshot's, or at once the state a control just sent leads to
 * (`PAUSING` after p, `RUNNING` after r, `STOPPING` after s) until the engine confirms it.
 */
export function displayState(s: UiState): { state: BackfillState; pending: boolean } | null {
  const snap = s.snapshot;
  if (!snap) return null;
  if (s.pending) return { state: s.pending.state, pending: true };
  return { state: snap.state, pending: false };
}

/**
 * What the engine does besides the backfill and how many commands wait, as the header shows them:
 * the snapshot's, or at once what a command just sent leads to (`validating 2024-01-03` when the
 * engine was idle, one more queued when it was busy) until a snapshot confirms it.
 */
export function shownWork(s: UiState): { activity: string | null; queued: number } {
  const snap = s.snapshot;
  const activity = snap?.activity ?? null;
  const queued = snap?.queuedCommands ?? 0;
  const w = s.work;
  if (!w) return { activity, queued };
  return { activity: activity ?? w.activity, queued: Math.max(queued, w.queued ?? 0) };
}

/** The snapshot with {@link shownWork} applied (the same object when nothing is pending). */
export function shownSnapshot(s: UiState): BackfillSnapshot | null {
  const snap = s.snapshot;
  if (!snap || !s.work) return snap;
  const w = shownWork(s);
  if ((snap.activity ?? null) === w.activity && (snap.queuedCommands ?? 0) === w.queued) return snap;
  return { ...snap, activity: w.activity, queuedCommands: w.queued };
}

/**
 * Elapsed ms of the current day as its panel shows it, or null with no current day: its recorded
 * duration once the day has finished (the cell has a final status and `durationMs`), frozen at the
 * first snapshot of an ended, halted or stopped backfill when the day never finished, else the
 * snapshot's time since the day began (engine clock, UTC ms: the timer never counts past the day's end).
 */
export function dayElapsedMs(s: UiState): number | null {
  const snap = s.snapshot;
  const d = snap?.current;
  if (!snap || !d) return null;
  const cell = cellOf(s, d.date);
  if (cell && cell.status !== 'RUNNING' && cell.status !== 'PENDING' && cell.durationMs !== undefined) return cell.durationMs;
  const end = s.dayClockStop?.date === d.date ? Math.min(snap.at, s.dayClockStop.at) : snap.at;
  return Math.max(0, end - d.startedAt);
}

/** True when the current day's timer still runs (a day runs and its clock is not stopped). */
function dayClockRuns(s: UiState): boolean {
  const snap = s.snapshot;
  const d = snap?.current;
  if (!snap || !d) return false;
  const cell = cellOf(s, d.date);
  if (cell && cell.status !== 'RUNNING' && cell.status !== 'PENDING' && cell.durationMs !== undefined) return false;
  return s.dayClockStop?.date !== d.date;
}

/**
 * True when the running day is drawn paused (`‖`): PAUSED, or PAUSING with nothing in flight
 * (console.md: "Running" is true while any request is in flight).
 */
export function showsPaused(s: UiState): boolean {
  const d = displayState(s);
  if (!d || !s.snapshot) return false;
  return d.state === 'PAUSED' || (d.state === 'PAUSING' && s.snapshot.inFlight === 0);
}

/**
 * Lines of `tail` that are new after `prev`: the longest end of `prev` that equals the start of
 * `tail` is the overlap; no overlap means the whole tail is new. A repeated window gives [].
 */
export function newTailLines(prev: readonly string[], tail: readonly string[]): string[] {
  if (prev.length === 0) return [...tail];
  const max = Math.min(prev.length, tail.length);
  for (let k = max; k > 0; k--) {
    if (prev[prev.length - k] !== tail[0]) continue;
    let ok = true;
    for (let i = 1; i < k; i++) {
      if (prev[prev.length - k + i] !== tail[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return tail.slice(k);
  }
  return [...tail];
}

function capped(base: number, lines: string[]): { base: number; lines: string[] } {
  if (lines.length <= LOG_KEEP) return { base, lines };
  return { base: base + lines.length - LOG_KEEP, lines: lines.slice(lines.length - LOG_KEEP) };
}

function appendStream(stream: LogStream, snap: BackfillSnapshot): LogStream {
  if (snap.logDate === null) return stream;
  let lines: string[];
  if (snap.logDate !== stream.date) {
    const sep = stream.lines.length > 0 ? [`-- scan_${snap.logDate}.log --`] : [];
    lines = [...stream.lines, ...sep, ...snap.logTail];
  } else {
    const add = newTailLines(stream.lines, snap.logTail);
    if (add.length === 0) return stream;
    lines = [...stream.lines, ...add];
  }
  return { date: snap.logDate, ...capped(stream.base, lines) };
}

/**
 * The date whose log the panel shows: while scrolled up, the day being read stays (a new day
 * starting does not pull the text away); otherwise the selected day.
 */
export function logPaneDate(s: UiState): string | null {
  if (!s.scroll.following && s.fileLog) return s.fileLog.date;
  return cursorDate(s) ?? s.snapshot?.logDate ?? null;
}

/** What the log panel shows: the selected day's log file, or the live stream from snapshots. */
export interface PanelLog {
  date: string | null;
  title: string;
  /** True when new lines can arrive (it can follow), false for a file read once. */
  live: boolean;
  base: number;
  lines: string[];
  /** True while the selected day's log is being read. */
  loading: boolean;
}

/** The log the panel shows for the selected date in `mode`. */
export function panelLog(s: UiState, mode: LogMode): PanelLog {
  const logDate = s.snapshot?.logDate ?? null;
  const stream = (): PanelLog => ({ date: logDate, title: logDate ? `scan_${logDate}.log` : 'no log yet', live: true, base: s.stream.base, lines: s.stream.lines, loading: false });
  if (mode === 'stream') return stream();
  const date = logPaneDate(s);
  if (date === null) return stream();
  if (mode === 'read' && (date === logDate || s.cursor === null)) return stream();
  const loaded = s.fileLog?.date === date ? s.fileLog : null;
  return { date, title: `scan_${date}.log`, live: mode === 'watch', base: loaded?.base ?? 0, lines: loaded?.lines ?? [], loading: loaded === null };
}

/**
 * The date whose log file must be followed (`watch`) or read (`read`), or null: the day detail's
 * date while it is open, else the log panel's.
 */
export function wantedLog(s: UiState, mode: LogMode): string | null {
  if (mode === 'stream') return null;
  const logDate = s.snapshot?.logDate ?? null;
  if (s.overlay?.kind === 'detail') return mode === 'read' && s.overlay.date === logDate ? null : s.overlay.date;
  const p = panelLog(s, mode);
  return p.date !== null && (mode === 'watch' || !p.live) ? p.date : null;
}

/** The lines of `date`'s log this state has (file or stream), or null when not loaded. */
export function logLinesOf(s: UiState, date: string, mode: LogMode): string[] | null {
  if (s.fileLog?.date === date) return s.fileLog.lines;
  if (mode !== 'watch' && s.snapshot?.logDate === date) return s.stream.lines;
  return null;
}

/**
 * Visible window of the panel log for `page` lines: the lines, the count of new lines since
 * following stopped ("N new lines"), and whether it follows.
 */
export function logWindow(s: UiState, log: PanelLog, page: number): { lines: string[]; newLines: number; following: boolean } {
  const total = log.base + log.lines.length;
  const following = s.scroll.following;
  const bottom = following ? total : Math.max(log.base, Math.min(total, s.scroll.bottom));
  const end = bottom - log.base;
  const start = Math.max(0, end - page);
  return { lines: log.lines.slice(start, end), newLines: following || !log.live ? 0 : Math.max(0, total - s.scroll.stoppedAt), following };
}

/** Signature of a day cell: the detail is asked again when it changes (rerun, validation). */
export function detailKey(s: UiState, date: string): string {
  const c = cellOf(s, date);
  return c ? `${c.status}|${c.hits}|${c.baselineOnly}|${c.durationMs ?? ''}|${c.reason ?? ''}` : 'none';
}

/** The health request to run now (its `req`), or null (none asked, or its answer is in). */
export function wantedHealth(s: UiState): number | null {
  const h = s.health;
  return h && h.report === null && h.error === null ? h.req : null;
}

/** Opens the health overlay with a new request (shown "checking…" at once, in this frame). */
function openHealth(state: UiState): StepResult {
  const req = (state.health?.req ?? 0) + 1;
  return result({ ...state, overlay: { kind: 'health', scroll: 0 }, health: { req, report: null, error: null } });
}

/** The date and key of the day detail to load, or null (no detail overlay open, or it is loaded). */
export function wantedDetail(s: UiState): { date: string; key: string } | null {
  if (s.overlay?.kind !== 'detail') return null;
  const date = s.overlay.date;
  const key = detailKey(s, date);
  if (s.detail && s.detail.date === date && s.detail.key === key) return null;
  return { date, key };
}

function monthOf(date: string): string {
  return date.slice(0, 7);
}

function moveMonth(days: readonly DayCell[], from: string, delta: number): string {
  const months: string[] = [];
  for (const d of days) if (months[months.length - 1] !== monthOf(d.date)) months.push(monthOf(d.date));
  const mi = months.indexOf(monthOf(from));
  const target = months[Math.max(0, Math.min(months.length - 1, mi + delta))];
  const inFrom = days.filter((d) => monthOf(d.date) === monthOf(from));
  const idx = inFrom.findIndex((d) => d.date === from);
  const inTarget = days.filter((d) => monthOf(d.date) === target);
  return inTarget[Math.min(Math.max(0, idx), inTarget.length - 1)].date;
}

/**
 * The selection of a bulk action: the marked range (mark to cursor), or the cursor's month when
 * nothing is marked. `dates` are every day of the snapshot in it; `month` is set when it is a month.
 */
export function selectedRange(s: UiState): { start: string; end: string; dates: string[]; month: string | null } | null {
  const cur = cursorDate(s);
  if (cur === null || !s.snapshot) return null;
  let from: string;
  let to: string;
  let month: string | null = null;
  if (s.mark !== null) {
    from = s.mark < cur ? s.mark : cur;
    to = s.mark < cur ? cur : s.mark;
  } else {
    month = monthOf(cur);
    from = `${month}-01`;
    to = `${month}-31`;
  }
  const dates = s.snapshot.days
    .map((d) => d.date)
    .filter((d) => d >= from && d <= to)
    .sort();
  if (dates.length === 0) return null;
  return { start: dates[0], end: dates[dates.length - 1], dates, month };
}

/** A run of consecutive trading days of the range (consecutive in the snapshot's day list). */
export interface DayRun {
  start: string;
  end: string;
  days: number;
}

/** Splits `dates` into runs of days that follow each other in `all` (sorted trading days). */
export function dayRuns(dates: readonly string[], all: readonly string[]): DayRun[] {
  const index = new Map(all.map((d, i) => [d, i]));
  const sorted = [...dates].sort();
  const runs: DayRun[] = [];
  let prev = -2;
  for (const d of sorted) {
    const i = index.get(d) ?? -10;
    const last = runs[runs.length - 1];
    if (last && i === prev + 1) {
      last.end = d;
      last.days += 1;
    } else runs.push({ start: d, end: d, days: 1 });
    prev = i;
  }
  return runs;
}

/** `2018-03-01..2018-03-09 (7), 2018-03-12 (1), +2 more ranges` (at most `max` runs named). */
export function formatRuns(runs: readonly DayRun[], max = 3): string {
  const shown = runs.slice(0, max).map((r) => (r.start === r.end ? `${r.start} (1)` : `${r.start}..${r.end} (${r.days})`));
  if (runs.length > max) shown.push(`+${runs.length - max} more range${runs.length - max === 1 ? '' : 's'}`);
  return shown.join(', ');
}


function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The confirm prompt of `V` (validate a range): the scanned days of the selection that pass the
 * filter, with a preview of how many and in which ranges; null with a reason when there are none.
 */
export function validateRangePrompt(s: UiState): Prompt | string {
  const r = selectedRange(s);
  if (!r || !s.snapshot) return 'no days selected';
  const cells = s.snapshot.days.filter((d) => d.date >= r.start && d.date <= r.end);
  const filtered = filterIsEmpty(s.filter) ? cells : cells.filter((d) => passes(s.filter, d));
  const dates = filtered.filter((d) => FINISHED_DAY_STATUSES.has(d.status)).map((d) => d.date);
  const what = r.month ? `month ${r.month}` : `${r.start}..${r.end}`;
  if (dates.length === 0) return `nothing to validate in ${what}: no scanned day${filterIsEmpty(s.filter) ? '' : ' passes the filter'}`;
  const all = s.snapshot.days.map((d) => d.date).sort();
  const runs = dayRuns(dates, all);
  const left = filtered.length - dates.length;
  const notes = [
    `${plural(runs.length, 'range')}: ${formatRuns(runs)}`,
    left > 0 ? `${left} not scanned left out` : '',
    filterIsEmpty(s.filter) ? '' : `filter ${filterLabel(s.filter)}`,
  ].filter(Boolean);
  return {
    kind: 'confirm',
    text: `validate ${plural(dates.length, 'day')} of ${what}?`,
    detail: notes.join('  ·  '),
    commands: [{ type: 'validate-range', start: dates[0], end: dates[dates.length - 1], dates }],
  };
}

/** The confirm prompt of `e` (export the month or the marked range), with a preview of the days. */
export function exportPrompt(s: UiState): Prompt | string {
  const r = selectedRange(s);
  if (!r || !s.snapshot) return 'no days selected';
  const cells = s.snapshot.days.filter((d) => d.date >= r.start && d.date <= r.end);
  const complete = cells.filter((d) => d.status === 'COMPLETE').length;
  const notDone = cells.length - complete;
  const what = r.month ? `month ${r.month}` : 'range';
  return {
    kind: 'confirm',
    text: `export ${what} ${r.start}..${r.end} (${plural(cells.length, 'day')}, ${complete} complete)?`,
    detail: [
      `-> discovery_hits_${r.start}_${r.end}.csv + day_completeness.csv`,
      notDone > 0 ? `${notDone} not complete` : '',
    ]
      .filter(Boolean)
      .join('  ·  '),
    commands: [{ type: 'export', start: r.start, end: r.end }],
  };
}

const STATUS_CYCLE: (DayStatus | 'SKIPPED' | null)[] = [null, 'COMPLETE', 'RUNNING', 'PENDING', 'RETRY_NEEDED', 'FAILED', 'INCOMPLETE', 'SKIPPED'];

function result(state: UiState, commands: ControlCommand[] = [], quit: 'stop' | 'detach' | null = null): StepResult {
  return { state, commands, quit };
}

/** A command in words, as the footer confirms it was sent. */
export function describeCommand(cmd: ControlCommand): string {
  switch (cmd.type) {
    case 'rerun':
      return `rerun ${cmd.date}${cmd.exhaustive ? ' (exhaustive)' : ''}`;
    case 'validate':
      return `validate ${cmd.date}`;
    case 'validate-range':
      return `validate ${cmd.dates ? plural(cmd.dates.length, 'day') : 'range'} ${cmd.start} -> ${cmd.end}`;
    case 'export':
      return `export ${cmd.start} -> ${cmd.end}`;
    case 'ack':
      return `ack alert ${cmd.alertId}`;
    default:
      return cmd.type;
  }
}

/** States in which the engine's backfill loop holds it: a rerun, validation or export waits in its queue. */
const BACKFILL_BUSY: ReadonlySet<BackfillState> = new Set(['STARTING', 'RUNNING', 'PAUSING', 'PAUSED', 'STOPPING', 'FOLLOWING']);

/** True when a command sent now waits in the engine's queue (the backfill runs, or another command does). */
export function engineBusy(s: UiState): boolean {
  const snap = s.snapshot;
  if (!snap) return false;
  const shown = displayState(s)?.state ?? snap.state;
  return BACKFILL_BUSY.has(shown) || shownWork(s).activity !== null || (snap.queuedCommands ?? 0) > 0 || !!snap.validation;
}

/** What the engine does once it takes `cmd` (its activity line), as the header shows at once. */
export function workLabel(cmd: ControlCommand): string | null {
  switch (cmd.type) {
    case 'rerun':
      return `rerun ${cmd.date}${cmd.exhaustive ? ' (exhaustive)' : ''}`;
    case 'validate':
      return `validating ${cmd.date}`;
    case 'validate-range':
      return `validating ${cmd.dates ? plural(cmd.dates.length, 'day') : 'range'} ${cmd.start}..${cmd.end}`;
    case 'export':
      return `export ${cmd.start}..${cmd.end}`;
    default:
      return null;
  }
}

function sent(state: UiState, commands: ControlCommand[], note?: string): StepResult {
  const text = note ?? (commands.length === 1 ? describeCommand(commands[0]) : `${commands.length} commands`);
  // A rerun, validation or export shows at once: queued behind the busy engine, or running on the idle one.
  const labels = commands.map(workLabel).filter((l): l is string => l !== null);
  if (labels.length === 0) return result({ ...state, flash: `sent: ${text}` }, commands);
  const seq = state.snapshot?.seq ?? 0;
  if (engineBusy(state)) {
    const work: PendingWork = { queued: shownWork(state).queued + labels.length, activity: state.work?.activity ?? null, seq };
    return result({ ...state, work, flash: `${text} queued: runs when the engine is free` }, commands);
  }
  const work: PendingWork = { queued: labels.length > 1 ? labels.length - 1 : null, activity: labels[0]!, seq };
  return result({ ...state, work, flash: `sent: ${text}` }, commands);
}

function withPending(state: UiState, command: PendingControl['command']): UiState {
  const seq = state.snapshot?.seq ?? 0;
  switch (command) {
    case 'pause':
      return { ...state, pending: { command, state: 'PAUSING', want: ['PAUSING', 'PAUSED', ...ENDED_BACKFILL_STATE_LIST], seq } };
    case 'resume':
      return { ...state, pending: { command, state: 'RUNNING', want: ['RUNNING', 'STARTING', ...ENDED_BACKFILL_STATE_LIST], seq } };
    case 'stop':
      return { ...state, pending: { command, state: 'STOPPING', want: ['STOPPING', ...ENDED_BACKFILL_STATE_LIST], seq } };
  }
}

function settlePending(p: PendingControl | null, snap: BackfillSnapshot): PendingControl | null {
  if (!p) return null;
  if (p.want.includes(snap.state) && snap.seq > p.seq) return null;
  if (snap.seq >= p.seq + PENDING_SNAPSHOTS) return null;
  return p;
}

function appendFileLog(state: UiState, date: string, lines: string[], reset: boolean): UiState {
  const cur = state.fileLog;
  // Another day's file: show it from its end.
  if (!cur || cur.date !== date) return { ...state, fileLog: { date, ...capped(0, lines) }, scroll: FOLLOW };
  if (reset) {
    // The same file read again (truncated or recreated): keep the scroll inside it.
    const fileLog = { date, ...capped(0, lines) };
    const total = fileLog.base + fileLog.lines.length;
    const sc = state.scroll;
    return { ...state, fileLog, scroll: sc.following ? sc : { following: false, bottom: Math.min(sc.bottom, total), stoppedAt: Math.min(sc.stoppedAt, total) } };
  }
  if (lines.length === 0) return state;
  return { ...state, fileLog: { date, ...capped(cur.base, [...cur.lines, ...lines]) } };
}

/** Structural equality of JSON-like values (snapshots: plain objects, arrays, strings, numbers, booleans, null). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * `next` with every top-level field that equals `prev`'s replaced by `prev`'s object (a snapshot
 * crosses the thread boundary as a fresh copy): unchanged days, alerts or metrics keep their
 * identity, so selectors and components memoised on them do no work. `changed` is false when only
 * `seq` and `at` differ.
 */
export function shareUnchanged(prev: BackfillSnapshot, next: BackfillSnapshot): { snapshot: BackfillSnapshot; changed: boolean } {
  const out: Record<string, unknown> = { ...next };
  const p = prev as unknown as Record<string, unknown>;
  let changed = Object.keys(p).length !== Object.keys(out).length;
  for (const k of Object.keys(out)) {
    if (k === 'seq' || k === 'at') continue;
    const v = out[k];
    if (v === p[k]) continue;
    if (typeof v === 'object' && v !== null && sameValue(p[k], v)) out[k] = p[k];
    else changed = true;
  }
  return { snapshot: out as unknown as BackfillSnapshot, changed };
}

function settleWork(w: PendingWork | null, snap: BackfillSnapshot): PendingWork | null {
  if (!w) return null;
  if (snap.seq >= w.seq + PENDING_SNAPSHOTS) return null;
  if (w.queued !== null && (snap.queuedCommands ?? 0) >= w.queued) return null;
  if (w.activity !== null && (snap.activity || snap.validation)) return null;
  return w;
}

/** The log pane's line of an ended validation. */
export function validationNote(v: ValidationOutcome): ConsoleNote {
  if (v.stopped) return { date: v.date, text: `[validate] ${v.date} STOPPED: ${v.message}`, tone: 'warn' };
  if (v.passed) return { date: v.date, text: `[validate] ${v.date} PASS: ${v.message}`, tone: 'ok' };
  return { date: v.date, text: `[validate] ${v.date} FAIL gate ${v.gate ?? '?'}: ${v.message}`, tone: 'bad' };
}

/** The console alert of a failed validation (id -n; CRITICAL for the BASELINE gate, else WARNING). */
export function validationAlert(v: ValidationOutcome): AlertInfo {
  return {
    id: -v.n,
    at: new Date(v.at).toISOString(),
    severity: v.gate === 'BASELINE' ? 'CRITICAL' : 'WARNING',
    kind: 'validation_failed',
    date: v.date,
    message: `validation ${v.date} FAILED gate ${v.gate ?? '?'}: ${v.message}`,
    acknowledged: false,
  };
}

function snapshotStep(state: UiState, incoming: BackfillSnapshot): StepResult {
  const prev = state.snapshot;
  const shared = prev ? shareUnchanged(prev, incoming) : { snapshot: incoming, changed: true };
  const snap = shared.snapshot;
  const stream = snap.logTail === prev?.logTail && snap.logDate === prev?.logDate ? state.stream : appendStream(state.stream, snap);
  const acked = state.acked.filter((id) => snap.alerts.some((a) => a.id === id && !a.acknowledged));
  const pending = settlePending(state.pending, incoming);
  const work = settleWork(state.work, incoming);
  // Validations that ended since the last snapshot: an outcome line each, an alert for a failure.
  let { notes, localAlerts, lastValidation } = state;
  const fresh = (snap.validations ?? []).filter((v) => v.n > lastValidation);
  if (fresh.length > 0) {
    notes = [...notes, ...fresh.map(validationNote)].slice(-NOTES_KEEP);
    const failed = fresh.filter((v) => !v.passed && !v.stopped).map(validationAlert);
    if (failed.length > 0) localAlerts = [...localAlerts, ...failed];
    lastValidation = fresh[fresh.length - 1]!.n;
  }
  // The current day's clock stops with the backfill (the day's own duration, when it has one, wins).
  let dayClockStop = state.dayClockStop;
  const cur = snap.current;
  if (!cur || !CLOCK_STOPPED.has(snap.state)) dayClockStop = null;
  else if (dayClockStop?.date !== cur.date) dayClockStop = { date: cur.date, at: snap.at };
  const next: UiState = { ...state, snapshot: snap, stream, acked: acked.length === state.acked.length ? state.acked : acked, pending, work, notes, localAlerts, lastValidation, dayClockStop };
  // Nothing on screen changes: only seq moved (and the time, while no clock is drawn).
  const quiet =
    !shared.changed &&
    (snap.at === prev?.at || (!dayClockRuns(next) && !snap.nextScan)) &&
    stream === state.stream &&
    pending === state.pending &&
    work === state.work &&
    fresh.length === 0 &&
    dayClockStop === state.dayClockStop;
  return { ...result(next), visible: !quiet };
}

/** Apply one event. Never throws; unknown actions in a scope are ignored. */
export function step(state: UiState, ev: UiEvent, ctx: StepContext): StepResult {
  switch (ev.type) {
    case 'snapshot':
      return snapshotStep(state, ev.snapshot);
    case 'log-lines':
      return result(appendFileLog(state, ev.date, ev.lines, ev.reset));
    case 'day-log':
      return result(appendFileLog(state, ev.date, ev.lines, true));
    case 'day-detail':
      return result({ ...state, detail: { date: ev.date, key: ev.key, data: ev.data, error: ev.error } });
    case 'health':
      // An answer to an older request (H pressed again since) is dropped.
      if (state.health?.req !== ev.req) return result(state);
      return result({ ...state, health: { req: ev.req, report: ev.report, error: ev.report ? null : (ev.error ?? 'no health report') } });
    case 'text': {
      if (state.prompt?.kind === 'filter' && /^[0-9-]$/.test(ev.input) && state.filter.prefix.length < 10) {
        return result({ ...state, filter: { ...state.filter, prefix: state.filter.prefix + ev.input } });
      }
      return result(state);
    }
    case 'key':
      return key({ ...state, flash: null }, ev.action, ctx);
  }
}

function openQuit(state: UiState): StepResult {
  const ended = state.snapshot !== null && FINAL_BACKFILL_STATES.has(state.snapshot.state);
  if (ended) return result(state, [], 'stop');
  return result({ ...state, prompt: { kind: 'quit' }, overlay: null });
}

function key(state: UiState, action: ActionId, ctx: StepContext): StepResult {
  const scope = activeScope(state);
  if (scope === 'quit') {
    if (action === 'quit-stop') return result(state, [], 'stop');
    if (action === 'quit-detach') return result(state, [], 'detach');
    if (action === 'no') return result({ ...state, prompt: null });
    return result(state);
  }
  if (action === 'quit') {
    if (ctx.readOnly) return result(state, [], 'detach');
    return openQuit({ ...state, prompt: null });
  }
  if (scope === 'confirm' && state.prompt?.kind === 'confirm') {
    if (action === 'yes') return sent({ ...state, prompt: null, mark: null }, state.prompt.commands);
    if (action === 'no') return result({ ...state, prompt: null, flash: 'cancelled' });
    return result(state);
  }
  if (scope === 'filter') return filterKey(state, action);
  if (scope === 'overlay' && state.overlay) return overlayKey(state, state.overlay, action);
  if (ctx.tooSmall) return result(state);
  return mainKey(state, action, ctx);
}

function overlayKey(state: UiState, o: Overlay, action: ActionId): StepResult {
  if (action === 'close') return result({ ...state, overlay: null });
  // H closes the health overlay, and from another overlay opens it.
  if (action === 'health') return o.kind === 'health' ? result({ ...state, overlay: null }) : openHealth(state);
  const d = action === 'up' ? -1 : action === 'down' ? 1 : 0;
  if (d !== 0) return result({ ...state, overlay: { ...o, scroll: Math.max(0, o.scroll + d) } });
  if (o.kind === 'detail') {
    // PgUp/PgDn scroll the detail's log (lines up from its end); f/End back to the end.
    if (action === 'page-up') return result({ ...state, overlay: { ...o, logScroll: o.logScroll + 5 } });
    if (action === 'page-down') return result({ ...state, overlay: { ...o, logScroll: Math.max(0, o.logScroll - 5) } });
    if (action === 'follow') return result({ ...state, overlay: { ...o, logScroll: 0 } });
  } else {
    if (action === 'page-up') return result({ ...state, overlay: { ...o, scroll: Math.max(0, o.scroll - 10) } });
    if (action === 'page-down') return result({ ...state, overlay: { ...o, scroll: o.scroll + 10 } });
  }
  return result(state);
}

function filterKey(state: UiState, action: ActionId): StepResult {
  const f = state.filter;
  switch (action) {
    case 'filter-status': {
      const i = STATUS_CYCLE.indexOf(f.status);
      return result({ ...state, filter: { ...f, status: STATUS_CYCLE[(i + 1) % STATUS_CYCLE.length] } });
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
}

function needEngine(state: UiState, ctx: StepContext): StepResult | null {
  if (ctx.readOnly) return result({ ...state, flash: 'read-only: attached without control' });
  if (!state.snapshot) return result({ ...state, flash: 'waiting for the engine' });
  return null;
}

function scrollLog(state: UiState, delta: number, ctx: StepContext): StepResult {
  const log = panelLog(state, ctx.logMode);
  const total = log.base + log.lines.length;
  const cur = state.scroll.following ? total : state.scroll.bottom;
  const minBottom = Math.min(total, log.base + Math.max(1, ctx.logPage));
  const bottom = Math.max(minBottom, Math.min(total, cur + delta));
  if (bottom >= total && delta > 0) return result({ ...state, scroll: { following: true, bottom: total, stoppedAt: total } });
  if (bottom >= total && state.scroll.following) return result(state);
  const stoppedAt = state.scroll.following ? total : state.scroll.stoppedAt;
  return result({ ...state, scroll: { following: false, bottom, stoppedAt } });
}

function mainKey(state: UiState, action: ActionId, ctx: StepContext): StepResult {
  const snap = state.snapshot;
  const cur = cursorDate(state);
  switch (action) {
    case 'pause': {
      const blocked = needEngine(state, ctx);
      if (blocked) return blocked;
      const shown = displayState(state)!.state;
      if (shown === 'PAUSING' || shown === 'PAUSED') return result({ ...state, flash: `already ${shown.toLowerCase()}` });
      if (ENDED_BACKFILL_STATES.has(snap!.state)) {
        if (!snap!.activity) return result({ ...state, flash: `nothing to pause: the backfill is ${snap!.state}` });
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
      if (ENDED_BACKFILL_STATES.has(snap!.state) && !snap!.activity) return result({ ...state, flash: `nothing to stop: the backfill is ${snap!.state}` });
      return sent(withPending(state, 'stop'), [{ type: 'stop' }]);
    }
    case 'rerun':
    case 'rerun-exhaustive': {
      const blocked = needEngine(state, ctx);
      if (blocked) return blocked;
      if (cur === null) return result({ ...state, flash: 'no day selected' });
      const exhaustive = action === 'rerun-exhaustive';
      const cmd: ControlCommand = { type: 'rerun', date: cur, exhaustive };
      if (cellOf(state, cur)?.status === 'COMPLETE') {
        return result({
          ...state,
          prompt: { kind: 'confirm', text: `rerun ${cur}${exhaustive ? ' exhaustively' : ''}? it is COMPLETE`, detail: 'its hits are replaced by the new scan (one transaction)', commands: [cmd] },
        });
      }
      return sent(state, [cmd]);
    }
    case 'validate': {
      const blocked = needEngine(state, ctx);
      if (blocked) return blocked;
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
    case 'mark':
      if (state.mark !== null) return result({ ...state, mark: null, flash: 'range cleared' });
      if (cur === null) return result(state);
      return result({ ...state, mark: cur, flash: `range from ${cur}: move, then V or e` });
    case 'ack': {
      // A console alert (a failed validation) is acknowledged here: nothing to send.
      const local = shownAlert(state);
      if (local && local.id < 0) return result({ ...state, localAlerts: state.localAlerts.filter((x) => x.id !== local.id), alertIndex: 0, flash: `acknowledged: the ${local.date ?? ''} validation alert` });
      const blocked = needEngine(state, ctx);
      if (blocked) return blocked;
      const a = shownAlert(state);
      if (!a) return result({ ...state, flash: 'no alert to acknowledge' });
      return sent({ ...state, acked: [...state.acked, a.id], alertIndex: 0 }, [{ type: 'ack', alertId: a.id }]);
    }
    case 'up':
    case 'down':
    case 'left':
    case 'right': {
      const sign = action === 'up' || action === 'left' ? -1 : 1;
      if (state.focus === 'log') {
        if (action === 'up' || action === 'down') return scrollLog(state, sign, ctx);
        return result(state);
      }
      if (state.focus === 'alerts') {
        const n = openAlerts(state).length;
        if (n === 0) return result(state);
        return result({ ...state, alertIndex: Math.max(0, Math.min(n - 1, state.alertIndex + sign)) });
      }
      if (cur === null) return result(state);
      const days = visibleDays(state);
      let next: string;
      if (action === 'left' || action === 'right') {
        const i = days.findIndex((d) => d.date === cur);
        next = days[Math.max(0, Math.min(days.length - 1, i + sign))].date;
      } else {
        next = moveMonth(days, cur, sign);
      }
      return result({ ...state, cursor: next, scroll: FOLLOW });
    }
    case 'page-up':
      return scrollLog(state, -Math.max(1, ctx.logPage - 1), ctx);
    case 'page-down':
      return scrollLog(state, Math.max(1, ctx.logPage - 1), ctx);
    case 'detail': {
      if (state.focus === 'alerts') {
        const a = shownAlert(state);
        if (a?.date) return result({ ...state, cursor: a.date, focus: 'grid', scroll: FOLLOW, overlay: { kind: 'detail', date: a.date, scroll: 0, logScroll: 0 } });
      }
      if (cur === null) return result({ ...state, flash: 'no day selected' });
      return result({ ...state, overlay: { kind: 'detail', date: cur, scroll: 0, logScroll: 0 } });
    }
    case 'focus': {
      const order: Focus[] = ['grid', 'log', 'alerts'];
      return result({ ...state, focus: order[(order.indexOf(state.focus) + 1) % order.length] });
    }
    case 'follow':
      return result({ ...state, scroll: FOLLOW });
    case 'filter':
      return result({ ...state, prompt: { kind: 'filter' } });
    case 'help':
      return result({ ...state, overlay: { kind: 'help', scroll: 0 } });
    case 'health':
      return openHealth(state);
    default:
      return result(state);
  }
}
