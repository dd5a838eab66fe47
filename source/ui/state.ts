/**
 * The console's state machine (pure, no React): UI state reduced from snapshots and keys, and the
 * ControlCommands a key sends. {@link step} takes the state and one event and returns the next
 * state, the commands to send, and whether the user quit (and how). The App holds the state and
 * performs the effects; tests drive {@link step} directly.
 */
import type { AlertInfo, BackfillSnapshot, ControlCommand, DayCell, DayStatus } from '../engine/events.js';
import { ENDED_STATES, statusLabel } from './format.js';
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

/** Full-screen overlays. */
export type Overlay = { kind: 'help'; scroll: number } | { kind: 'detail'; date: string; scroll: number };

/** One-line prompts in the footer. */
export type Prompt = { kind: 'confirm'; text: string; commands: ControlCommand[] } | { kind: 'quit' } | { kind: 'filter' };

/**
 * Log lines kept for scrollback: the snapshots' `logTail` windows stitched together. `base` is the
 * absolute index of `lines[0]` (lines dropped off the front are counted, not kept).
 */
export interface LogStream {
  date: string | null;
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

/** The log of a day that is not the snapshot's log day, read from disk through `readLog`. */
export interface DayLog {
  date: string;
  lines: string[];
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
  dayLog: DayLog | null;
  /** One-line message in the footer until the next key. */
  flash: string | null;
  /** Alerts acknowledged here, hidden before the engine confirms. */
  acked: number[];
  alertIndex: number;
}

/** Events into {@link step}. `text` is a printable key that no binding of the filter prompt took. */
export type UiEvent =
  | { type: 'key'; action: ActionId }
  | { type: 'text'; input: string }
  | { type: 'snapshot'; snapshot: BackfillSnapshot }
  | { type: 'day-log'; date: string; lines: string[] };

/** Facts of the environment that steps need. */
export interface StepContext {
  readOnly: boolean;
  /** Lines the log panel shows (page size for PgUp/PgDn). */
  logPage: number;
  /** The too-small screen is up: only quitting works. */
  tooSmall: boolean;
  /** The source can read a day's log from disk (`ConsoleSource.readLog`). */
  hasReadLog: boolean;
}

/** What {@link step} returns. */
export interface StepResult {
  state: UiState;
  commands: ControlCommand[];
  quit: 'stop' | 'detach' | null;
}

/** Most log lines kept for scrollback. */
export const LOG_KEEP = 2000;

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
    dayLog: null,
    flash: null,
    acked: [],
    alertIndex: 0,
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

/** Days of the snapshot that pass the filter, in date order. */
export function visibleDays(s: UiState): DayCell[] {
  const days = s.snapshot?.days ?? [];
  const f = s.filter;
  const out = filterIsEmpty(f)
    ? [...days]
    : days.filter((d) => (f.status === null || d.status === f.status) && (!f.hasHits || d.hits > 0) && (!f.hasMisses || d.baselineOnly > 0) && d.date.startsWith(f.prefix));
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
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
  return alerts
    .filter((a) => !a.acknowledged && !s.acked.includes(a.id))
    .sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || b.id - a.id);
}

/** The alert shown in the banner, or null. */
export function shownAlert(s: UiState): AlertInfo | null {
  const open = openAlerts(s);
  if (open.length === 0) return null;
  return open[Math.min(s.alertIndex, open.length - 1)];
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
  let base = stream.base;
  if (lines.length > LOG_KEEP) {
    base += lines.length - LOG_KEEP;
    lines = lines.slice(lines.length - LOG_KEEP);
  }
  return { date: snap.logDate, base, lines };
}

/** What the log panel shows: the live stream for the log day, or the selected day's log from disk. */
export interface PanelLog {
  title: string;
  /** True for the live stream (it can follow), false for a finished day's file. */
  live: boolean;
  base: number;
  lines: string[];
  /** True while the selected day's log is being read. */
  loading: boolean;
}

/** The log the panel shows for the selected date; `hasReadLog` says whether logs can be read from disk. */
export function panelLog(s: UiState, hasReadLog: boolean): PanelLog {
  const sel = cursorDate(s);
  const logDate = s.snapshot?.logDate ?? null;
  if (!hasReadLog || sel === null || sel === logDate || s.cursor === null) {
    return { title: logDate ? `scan_${logDate}.log` : 'no log yet', live: true, base: s.stream.base, lines: s.stream.lines, loading: false };
  }
  const loaded = s.dayLog?.date === sel ? s.dayLog.lines : null;
  return { title: `scan_${sel}.log`, live: false, base: 0, lines: loaded ?? [], loading: loaded === null };
}

/** Date whose log must be read from disk (log panel or detail overlay), or null. */
export function wantedDayLog(s: UiState): string | null {
  if (s.overlay?.kind === 'detail') return s.overlay.date === s.snapshot?.logDate ? null : s.overlay.date;
  const p = panelLog(s, true);
  if (p.live) return null;
  return cursorDate(s);
}

/**
 * Visible window of the panel log for `page` lines: the absolute bottom index and the count of new
 * lines since following stopped.
 */
export function logWindow(s: UiState, log: PanelLog, page: number): { lines: string[]; newLines: number; following: boolean } {
  const total = log.base + log.lines.length;
  const following = s.scroll.following;
  const bottom = following ? total : Math.max(log.base, Math.min(total, s.scroll.bottom));
  const end = bottom - log.base;
  const start = Math.max(0, end - page);
  return { lines: log.lines.slice(start, end), newLines: following || !log.live ? 0 : Math.max(0, total - s.scroll.stoppedAt), following };
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

/** The dates (in the snapshot) of the marked range, or of the cursor's month when nothing is marked. */
export function selectedRange(s: UiState): { start: string; end: string; dates: string[] } | null {
  const cur = cursorDate(s);
  if (cur === null || !s.snapshot) return null;
  let from: string;
  let to: string;
  if (s.mark !== null) {
    from = s.mark < cur ? s.mark : cur;
    to = s.mark < cur ? cur : s.mark;
  } else {
    from = `${monthOf(cur)}-01`;
    to = `${monthOf(cur)}-31`;
  }
  const dates = s.snapshot.days
    .map((d) => d.date)
    .filter((d) => d >= from && d <= to)
    .sort();
  if (dates.length === 0) return null;
  return { start: dates[0], end: dates[dates.length - 1], dates };
}

const STATUS_CYCLE: (DayStatus | 'SKIPPED' | null)[] = [null, 'COMPLETE', 'RUNNING', 'PENDING', 'RETRY_NEEDED', 'FAILED', 'INCOMPLETE', 'SKIPPED'];

function result(state: UiState, commands: ControlCommand[] = [], quit: 'stop' | 'detach' | null = null): StepResult {
  return { state, commands, quit };
}

function describe(cmd: ControlCommand): string {
  switch (cmd.type) {
    case 'rerun':
      return `rerun ${cmd.date}${cmd.exhaustive ? ' (exhaustive)' : ''}`;
    case 'validate':
      return `validate ${cmd.date}`;
    case 'export':
      return `export ${cmd.start} -> ${cmd.end}`;
    case 'ack':
      return `ack alert ${cmd.alertId}`;
    default:
      return cmd.type;
  }
}

function sent(state: UiState, commands: ControlCommand[], note?: string): StepResult {
  const text = note ?? (commands.length === 1 ? describe(commands[0]) : `${commands.length} commands`);
  return result({ ...state, flash: `sent: ${text}` }, commands);
}

/** Apply one event. Never throws; unknown actions in a scope are ignored. */
export function step(state: UiState, ev: UiEvent, ctx: StepContext): StepResult {
  switch (ev.type) {
    case 'snapshot': {
      const stream = appendStream(state.stream, ev.snapshot);
      const acked = state.acked.filter((id) => ev.snapshot.alerts.some((a) => a.id === id && !a.acknowledged));
      return result({ ...state, snapshot: ev.snapshot, stream, acked });
    }
    case 'day-log':
      return result({ ...state, dayLog: { date: ev.date, lines: ev.lines } });
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
  const ended = state.snapshot !== null && ENDED_STATES.has(state.snapshot.state);
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
    if (action === 'yes') return sent({ ...state, prompt: null }, state.prompt.commands);
    if (action === 'no') return result({ ...state, prompt: null, flash: 'cancelled' });
    return result(state);
  }
  if (scope === 'filter') return filterKey(state, action);
  if (scope === 'overlay' && state.overlay) {
    const o = state.overlay;
    if (action === 'close') return result({ ...state, overlay: null });
    // help scrolls from the top, the detail's log from the bottom
    const delta = (action === 'up' ? -1 : action === 'down' ? 1 : 0) * (o.kind === 'help' ? 1 : -1);
    if (delta !== 0) return result({ ...state, overlay: { ...o, scroll: Math.max(0, o.scroll + delta) } });
    return result(state);
  }
  if (ctx.tooSmall) return result(state);
  return mainKey(state, action, ctx);
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
  const log = panelLog(state, ctx.hasReadLog);
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
      if (snap!.state === 'PAUSING' || snap!.state === 'PAUSED') return result({ ...state, flash: `already ${snap!.state.toLowerCase()}` });
      return sent(state, [{ type: 'pause' }]);
    }
    case 'resume': {
      const blocked = needEngine(state, ctx);
      return blocked ?? sent(state, [{ type: 'resume' }]);
    }
    case 'stop': {
      const blocked = needEngine(state, ctx);
      return blocked ?? sent(state, [{ type: 'stop' }]);
    }
    case 'rerun':
    case 'rerun-exhaustive': {
      const blocked = needEngine(state, ctx);
      if (blocked) return blocked;
      if (cur === null) return result({ ...state, flash: 'no day selected' });
      const exhaustive = action === 'rerun-exhaustive';
      const cmd: ControlCommand = { type: 'rerun', date: cur, exhaustive };
      if (cellOf(state, cur)?.status === 'COMPLETE') {
        return result({ ...state, prompt: { kind: 'confirm', text: `rerun ${cur}${exhaustive ? ' exhaustively' : ''}? it is COMPLETE`, commands: [cmd] } });
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
      const r = selectedRange(state);
      if (!r) return result({ ...state, flash: 'no days selected' });
      const n = r.dates.length;
      const what = `${r.start} -> ${r.end} (${n} day${n === 1 ? '' : 's'})`;
      const commands: ControlCommand[] =
        action === 'export' ? [{ type: 'export', start: r.start, end: r.end }] : r.dates.map((date) => ({ type: 'validate', date }));
      return result({ ...state, mark: null, prompt: { kind: 'confirm', text: `${action === 'export' ? 'export' : 'validate'} ${what}?`, commands } });
    }
    case 'mark':
      if (state.mark !== null) return result({ ...state, mark: null, flash: 'range cleared' });
      if (cur === null) return result(state);
      return result({ ...state, mark: cur, flash: `range from ${cur}: move, then V or e` });
    case 'ack': {
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
      return result({ ...state, cursor: next, scroll: { following: true, bottom: 0, stoppedAt: 0 } });
    }
    case 'page-up':
      return scrollLog(state, -Math.max(1, ctx.logPage - 1), ctx);
    case 'page-down':
      return scrollLog(state, Math.max(1, ctx.logPage - 1), ctx);
    case 'detail': {
      if (state.focus === 'alerts') {
        const a = shownAlert(state);
        if (a?.date) return result({ ...state, cursor: a.date, focus: 'grid', overlay: { kind: 'detail', date: a.date, scroll: 0 } });
      }
      if (cur === null) return result({ ...state, flash: 'no day selected' });
      return result({ ...state, overlay: { kind: 'detail', date: cur, scroll: 0 } });
    }
    case 'focus': {
      const order: Focus[] = ['grid', 'log', 'alerts'];
      return result({ ...state, focus: order[(order.indexOf(state.focus) + 1) % order.length] });
    }
    case 'follow':
      return result({ ...state, scroll: { following: true, bottom: 0, stoppedAt: 0 } });
    case 'filter':
      return result({ ...state, prompt: { kind: 'filter' } });
    case 'help':
      return result({ ...state, overlay: { kind: 'help', scroll: 0 } });
    default:
      return result(state);
  }
}
