/**
 * The log view: the lines the log pane keeps (the snapshots' tail windows stitched into a stream,
 * a day's file as read or followed from disk, both capped at {@link LOG_KEEP}), which log the pane
 * shows for the selected day, the window of it on screen, and scrolling (following at the end, "N
 * new lines" when scrolled up). Pure functions; the log pane's keys are in controllers/log-pane.ts.
 */
import type { BackfillSnapshot } from '../../contracts/events.js';
import { cursorDate } from './selectors.js';
import {
  FOLLOW,
  LOG_KEEP,
  type LogMode,
  type LogStream,
  type StepContext,
  type UiState,
} from './types.js';

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

/**
 * The stream with a snapshot's `logTail` appended: its new lines, or a `-- scan_<date>.log --`
 * separator and the whole tail when the log's day changed. The same object when nothing is new.
 */
export function appendStream(stream: LogStream, snap: BackfillSnapshot): LogStream {
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
 * The state with lines of `date`'s log file kept: another day's file replaces what is kept and
 * follows from its end; `reset` (the same file read again, truncated or recreated) replaces the
 * lines but keeps the scroll inside them; else the lines are appended. The same state when nothing is new.
 */
export function appendFileLog(
  state: UiState,
  date: string,
  lines: string[],
  reset: boolean,
): UiState {
  const cur = state.fileLog;
  // Another day's file: show it from its end.
  if (!cur || cur.date !== date)
    return { ...state, fileLog: { date, ...capped(0, lines) }, scroll: FOLLOW };
  if (reset) {
    // The same file read again (truncated or recreated): keep the scroll inside it.
    const fileLog = { date, ...capped(0, lines) };
    const total = fileLog.base + fileLog.lines.length;
    const sc = state.scroll;
    return {
      ...state,
      fileLog,
      scroll: sc.following
        ? sc
        : {
            following: false,
            bottom: Math.min(sc.bottom, total),
            stoppedAt: Math.min(sc.stoppedAt, total),
          },
    };
  }
  if (lines.length === 0) return state;
  return { ...state, fileLog: { date, ...capped(cur.base, [...cur.lines, ...lines]) } };
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
  const stream = (): PanelLog => ({
    date: logDate,
    title: logDate ? `scan_${logDate}.log` : 'no log yet',
    live: true,
    base: s.stream.base,
    lines: s.stream.lines,
    loading: false,
  });
  if (mode === 'stream') return stream();
  const date = logPaneDate(s);
  if (date === null) return stream();
  if (mode === 'read' && (date === logDate || s.cursor === null)) return stream();
  const loaded = s.fileLog?.date === date ? s.fileLog : null;
  return {
    date,
    title: `scan_${date}.log`,
    live: mode === 'watch',
    base: loaded?.base ?? 0,
    lines: loaded?.lines ?? [],
    loading: loaded === null,
  };
}

/**
 * The date whose log file must be followed (`watch`) or read (`read`), or null: the day detail's
 * date while it is open, else the log panel's.
 */
export function wantedLog(s: UiState, mode: LogMode): string | null {
  if (mode === 'stream') return null;
  const logDate = s.snapshot?.logDate ?? null;
  if (s.overlay?.kind === 'detail')
    return mode === 'read' && s.overlay.date === logDate ? null : s.overlay.date;
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
export function logWindow(
  s: UiState,
  log: PanelLog,
  page: number,
): { lines: string[]; newLines: number; following: boolean } {
  const total = log.base + log.lines.length;
  const following = s.scroll.following;
  const bottom = following ? total : Math.max(log.base, Math.min(total, s.scroll.bottom));
  const end = bottom - log.base;
  const start = Math.max(0, end - page);
  return {
    lines: log.lines.slice(start, end),
    newLines: following || !log.live ? 0 : Math.max(0, total - s.scroll.stoppedAt),
    following,
  };
}

/**
 * The state with the log pane scrolled by `delta` lines (negative: up), never above its first page:
 * reaching the end while moving down follows again; moving up from following stops at the line
 * count then (for "N new lines"). The same state when it follows and cannot move.
 */
export function scrollLog(
  state: UiState,
  delta: number,
  ctx: Pick<StepContext, 'logMode' | 'logPage'>,
): UiState {
  const log = panelLog(state, ctx.logMode);
  const total = log.base + log.lines.length;
  const cur = state.scroll.following ? total : state.scroll.bottom;
  const minBottom = Math.min(total, log.base + Math.max(1, ctx.logPage));
  const bottom = Math.max(minBottom, Math.min(total, cur + delta));
  if (bottom >= total && delta > 0)
    return { ...state, scroll: { following: true, bottom: total, stoppedAt: total } };
  if (bottom >= total && state.scroll.following) return state;
  const stoppedAt = state.scroll.following ? total : state.scroll.stoppedAt;
  return { ...state, scroll: { following: false, bottom, stoppedAt } };
}
