/**
 * Selectors: pure functions from the UI state to what the panels draw (the visible days, the
 * selected date, the alert on screen, the backfill state as shown, the current day's clock) and to
 * what the console must load next (a day detail, a health report). No state changes here; the log
 * panel's selectors are in log-view.ts.
 */
import type {
  AlertInfo,
  BackfillSnapshot,
  BackfillState,
  DayCell,
} from '../../contracts/events.js';
import { statusLabel } from '../format.js';
import type { KeyScope } from '../keymap.js';
import type { DayFilter, UiState } from './types.js';

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

/** True when day cell `d` passes filter `f` (status, has hits, has baseline-only misses, date prefix). */
export function passes(f: DayFilter, d: DayCell): boolean {
  return (
    (f.status === null || d.status === f.status) &&
    (!f.hasHits || d.hits > 0) &&
    (!f.hasMisses || d.baselineOnly > 0) &&
    d.date.startsWith(f.prefix)
  );
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
  const want =
    s.cursor ??
    s.snapshot?.current?.date ??
    s.snapshot?.logDate ??
    days.find((d) => d.status !== 'COMPLETE' && d.status !== 'SKIPPED')?.date ??
    days[days.length - 1].date;
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
  return [
    ...s.localAlerts,
    ...alerts.filter((a) => !a.acknowledged && !s.acked.includes(a.id)),
  ].sort(
    (a, b) =>
      SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
      Number(b.id < 0) - Number(a.id < 0) ||
      (a.id < 0 ? a.id - b.id : b.id - a.id),
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
  if ((snap.activity ?? null) === w.activity && (snap.queuedCommands ?? 0) === w.queued)
    return snap;
  return { ...snap, activity: w.activity, queuedCommands: w.queued };
}

/** The recorded duration (ms) of `date` once its cell has a final status and one, else null. */
function finishedDuration(s: UiState, date: string): number | null {
  const cell = cellOf(s, date);
  return cell &&
    cell.status !== 'RUNNING' &&
    cell.status !== 'PENDING' &&
    cell.durationMs !== undefined
    ? cell.durationMs
    : null;
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
  const finished = finishedDuration(s, d.date);
  if (finished !== null) return finished;
  const end = s.dayClockStop?.date === d.date ? Math.min(snap.at, s.dayClockStop.at) : snap.at;
  return Math.max(0, end - d.startedAt);
}

/** True when the current day's timer still runs (a day runs and its clock is not stopped). */
export function dayClockRuns(s: UiState): boolean {
  const snap = s.snapshot;
  const d = snap?.current;
  if (!snap || !d) return false;
  if (finishedDuration(s, d.date) !== null) return false;
  return s.dayClockStop?.date !== d.date;
}

/**
 * True when the running day is drawn paused (`‖`): PAUSED, or PAUSING with nothing in flight
 * (docs/console.md "Glyphs": a day is running while any request is in flight).
 */
export function showsPaused(s: UiState): boolean {
  const d = displayState(s);
  if (!d || !s.snapshot) return false;
  return d.state === 'PAUSED' || (d.state === 'PAUSING' && s.snapshot.inFlight === 0);
}

/** States in which the engine's backfill loop holds it: a rerun, validation or export waits in its queue. */
const BACKFILL_BUSY: ReadonlySet<BackfillState> = new Set([
  'STARTING',
  'RUNNING',
  'PAUSING',
  'PAUSED',
  'STOPPING',
  'FOLLOWING',
]);

/** True when a command sent now waits in the engine's queue (the backfill runs, or another command does). */
export function engineBusy(s: UiState): boolean {
  const snap = s.snapshot;
  if (!snap) return false;
  const shown = displayState(s)?.state ?? snap.state;
  return (
    BACKFILL_BUSY.has(shown) ||
    shownWork(s).activity !== null ||
    (snap.queuedCommands ?? 0) > 0 ||
    !!snap.validation
  );
}

/** Signature of a day cell: the detail is asked again when it changes (rerun, validation). */
export function detailKey(s: UiState, date: string): string {
  const c = cellOf(s, date);
  return c
    ? `${c.status}|${c.hits}|${c.baselineOnly}|${c.durationMs ?? ''}|${c.reason ?? ''}`
    : 'none';
}

/** The health request to run now (its `req`), or null (none asked, or its answer is in). */
export function wantedHealth(s: UiState): number | null {
  const h = s.health;
  return h && h.report === null && h.error === null ? h.req : null;
}

/** The date and key of the day detail to load, or null (no detail overlay open, or it is loaded). */
export function wantedDetail(s: UiState): { date: string; key: string } | null {
  if (s.overlay?.kind !== 'detail') return null;
  const date = s.overlay.date;
  const key = detailKey(s, date);
  if (s.detail && s.detail.date === date && s.detail.key === key) return null;
  return { date, key };
}

/** The month (`YYYY-MM`) of an ISO date. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/**
 * The selection of a bulk action: the marked range (mark to cursor), or the cursor's month when
 * nothing is marked. `dates` are every day of the snapshot in it; `month` is set when it is a month.
 */
export function selectedRange(
  s: UiState,
): { start: string; end: string; dates: string[]; month: string | null } | null {
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
