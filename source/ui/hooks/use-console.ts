/**
 * The console controller: holds the {@link UiState}, feeds it snapshots from the source and keys
 * from the App, sends the commands {@link step} returns, follows (or reads) the selected day's log
 * through the source, loads the day detail of the detail overlay, asks the host for the health
 * checks of the health overlay, rings the bell on a new CRITICAL
 * alert, and reports quitting exactly once.
 */
import type { Key } from 'ink';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { matchKey } from '../keymap.js';
import type { BackfillSnapshot } from '../../contracts/events.js';
import {
  activeScope,
  initialUiState,
  step,
  wantedDetail,
  wantedHealth,
  wantedLog,
  type LogMode,
  type StepContext,
  type UiEvent,
  type UiState,
} from '../state.js';
import type { ConsoleSource, QuitChoice } from '../types.js';

/** Lines asked from `readLog` for a day's log. */
export const DAY_LOG_LINES = 500;

/** Options of {@link useConsole}. */
export interface UseConsoleOptions {
  onQuit: (choice: QuitChoice) => void;
  /** Called once per new unacknowledged CRITICAL alert (not for those in the first snapshot). */
  onCriticalAlert?: () => void;
  /** Called on every key press, before it is handled (ui/index.ts: a real key ends the warm-up). */
  onKey?: () => void;
  /**
   * Least ms between two frames drawn for data (snapshots, log lines, day details): data arriving
   * sooner is folded into one frame at the end of the interval. A key is drawn at once, whatever
   * this says. 0 (default) draws every change at once (tests).
   */
  frameMs?: number;
  /**
   * Share of the UI thread that data frames may take, ratio 0..1 (0 = no such limit): after a data
   * frame whose render took C ms, the next one waits at least C / busyShare ms (at most
   * {@link MAX_DATA_FRAME_GAP_MS}), so a slow machine draws data less often and stays free to
   * answer keys. Keys are not limited.
   */
  busyShare?: number;
  /**
   * Input first, ms (0 = off): after a key, data frames wait this long since the end of the last key's frame.
   * While the operator types, every key's frame already shows the latest data (snapshots are
   * applied as they come, only their drawing waits), and a data frame drawn between two keys could
   * only hold the next key back behind a whole render.
   */
  keyQuietMs?: number;
  /** Clock for the frame cap, ms (default performance.now). */
  now?: () => number;
}

/** Longest wait between two data frames that {@link UseConsoleOptions.busyShare} imposes, ms. */
export const MAX_DATA_FRAME_GAP_MS = 1000;

/** What {@link dataFrameAt} needs: when the last frame ended and the last key asked for a frame, and the cap's settings. All ms. */
export interface DataFrameTiming {
  /** When the last frame was done (after Ink wrote it); -Infinity before the first. */
  lastFrameEnd: number;
  /** When the last key asked for its frame; -Infinity before the first. */
  lastKey: number;
  /** Smoothed cost of one render. */
  renderCost: number;
  frameMs: number;
  busyShare: number;
  keyQuietMs: number;
}

/**
 * The earliest time a data frame may be drawn, ms on the same clock: {@link DataFrameTiming.frameMs}
 * after the end of the last frame, or more when renders are costly (render cost / busyShare, at
 * most {@link MAX_DATA_FRAME_GAP_MS}), and not within keyQuietMs of the last key. Counted from the
 * END of the last frame: from its start, a frame slower than the gap would let the next data frame
 * start the moment it ends, leaving the UI thread no idle time for a key.
 */
export function dataFrameAt(t: DataFrameTiming): number {
  const gap =
    t.busyShare > 0
      ? Math.max(t.frameMs, Math.min(MAX_DATA_FRAME_GAP_MS, t.renderCost / t.busyShare))
      : t.frameMs;
  return Math.max(t.lastFrameEnd + gap, t.lastKey + t.keyQuietMs);
}

/** What the App gets: the state, a function that applies one event, and one that handles a key press. */
export interface ConsoleController {
  state: UiState;
  apply: (ev: UiEvent, ctx: StepContext) => void;
  /** Map an Ink key press through the keymap (in the scope of the latest state) and apply it. */
  press: (input: string, key: Key, ctx: StepContext) => void;
}

/** How a source delivers day logs: followed, read once, or only the snapshots' tail. */
export function logModeOf(source: ConsoleSource): LogMode {
  return source.watchLog ? 'watch' : source.readLog ? 'read' : 'stream';
}

/** Strip control characters (ANSI escapes, CR, tabs to spaces) from a log line so it cannot break the frame. */
export function cleanLine(line: string): string {
  return line
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\t/g, ' ')
    .replace(/[\x00-\x1f\x7f]/g, '');
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** Controller hook; see the module doc. */
export function useConsole(source: ConsoleSource, opts: UseConsoleOptions): ConsoleController {
  const ref = useRef<UiState>(initialUiState());
  const [, setVersion] = useState(0);
  const quitRef = useRef(false);
  const optsRef = useRef(opts);
  optsRef.current = opts;
  const seenCritical = useRef<Set<number> | null>(null);
  const mode = logModeOf(source);
  const dataCtx: StepContext = { readOnly: true, logPage: 1, tooSmall: false, logMode: mode };

  // Frames: a key draws at once; data draws at most once per frameMs (the rest is folded in), no
  // sooner than its last render's cost allows under busyShare, and not while keys come (keyQuietMs).
  const frameMs = opts.frameMs ?? 0;
  const busyShare = opts.busyShare ?? 0;
  const keyQuietMs = opts.keyQuietMs ?? 0;
  const nowOpt = opts.now;
  const clock = useMemo(() => nowOpt ?? (() => performance.now()), [nowOpt]);
  /** When the last frame was done (its layout effect: after Ink wrote it), ms: the gap to the next data frame counts from there. */
  const lastFrame = useRef(Number.NEGATIVE_INFINITY);
  /** When the last key asked for its frame, then when that frame was done, ms. */
  const lastKey = useRef(Number.NEGATIVE_INFINITY);
  const keyFramePending = useRef(false);
  /** Smoothed ms of one render (React render + commit + Ink's frame), measured from this hook to the layout effect. */
  const renderCost = useRef(0);
  const renderStart = clock();
  useLayoutEffect(() => {
    const end = clock();
    const took = end - renderStart;
    renderCost.current = renderCost.current === 0 ? took : renderCost.current * 0.7 + took * 0.3;
    // From the end of the frame: stamped at its start, a frame slower than the gap would let the next data frame start at once.
    lastFrame.current = end;
    if (keyFramePending.current) {
      keyFramePending.current = false;
      lastKey.current = end;
    }
  });
  const frameTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const drawNow = useCallback(() => {
    if (frameTimer.current) {
      clearTimeout(frameTimer.current);
      frameTimer.current = null;
    }
    setVersion((v) => v + 1);
  }, []);
  const drawSoon = useCallback(() => {
    if (frameTimer.current) return;
    const wait =
      dataFrameAt({
        lastFrameEnd: lastFrame.current,
        lastKey: lastKey.current,
        renderCost: renderCost.current,
        frameMs,
        busyShare,
        keyQuietMs,
      }) - clock();
    if (wait <= 0) drawNow();
    else frameTimer.current = setTimeout(drawNow, wait);
  }, [drawNow, frameMs, busyShare, keyQuietMs, clock]);
  useEffect(
    () => () => {
      if (frameTimer.current) clearTimeout(frameTimer.current);
      frameTimer.current = null;
    },
    [],
  );

  const applyAs = useCallback(
    (ev: UiEvent, ctx: StepContext, urgent: boolean) => {
      if (quitRef.current) return;
      const r = step(ref.current, ev, ctx);
      const changed = r.state !== ref.current && r.visible !== false;
      ref.current = r.state;
      for (const cmd of r.commands) source.send(cmd);
      if (r.quit) {
        quitRef.current = true;
        optsRef.current.onQuit(r.quit);
        return;
      }
      if (changed) {
        if (urgent) {
          lastKey.current = clock();
          keyFramePending.current = true;
          drawNow();
        } else drawSoon();
      }
    },
    [source, drawNow, drawSoon, clock],
  );
  const apply = useCallback(
    (ev: UiEvent, ctx: StepContext) => applyAs(ev, ctx, ev.type === 'key' || ev.type === 'text'),
    [applyAs],
  );

  const press = useCallback(
    (input: string, key: Key, ctx: StepContext) => {
      optsRef.current.onKey?.();
      const b = matchKey(activeScope(ref.current), input, key);
      if (b) applyAs({ type: 'key', action: b.action }, ctx, true);
      else if (input && !key.ctrl && !key.meta) applyAs({ type: 'text', input }, ctx, true);
    },
    [applyAs],
  );

  useEffect(() => {
    const onSnapshot = (s: BackfillSnapshot): void => {
      const critical = s.alerts
        .filter((a) => a.severity === 'CRITICAL' && !a.acknowledged)
        .map((a) => a.id);
      if (seenCritical.current === null) seenCritical.current = new Set(critical);
      else {
        let fresh = false;
        for (const id of critical) {
          if (!seenCritical.current.has(id)) {
            seenCritical.current.add(id);
            fresh = true;
          }
        }
        if (fresh) optsRef.current.onCriticalAlert?.();
      }
      apply({ type: 'snapshot', snapshot: { ...s, logTail: s.logTail.map(cleanLine) } }, dataCtx);
    };
    const first = source.current();
    if (first) onSnapshot(first);
    return source.subscribe(onSnapshot);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, apply]);

  // The selected day's log: followed (watchLog) or read once (readLog).
  const logDate = wantedLog(ref.current, mode);
  const loadedDate = ref.current.fileLog?.date ?? null;
  useEffect(() => {
    if (logDate === null) return;
    if (mode === 'watch' && source.watchLog) {
      return source.watchLog(logDate, (lines, reset) =>
        apply({ type: 'log-lines', date: logDate, lines: lines.map(cleanLine), reset }, dataCtx),
      );
    }
    if (logDate === loadedDate || !source.readLog) return;
    let live = true;
    source.readLog(logDate, DAY_LOG_LINES).then(
      (lines) => {
        if (live) apply({ type: 'day-log', date: logDate, lines: lines.map(cleanLine) }, dataCtx);
      },
      (err: unknown) => {
        if (live)
          apply(
            { type: 'day-log', date: logDate, lines: [`(log unavailable: ${message(err)})`] },
            dataCtx,
          );
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [logDate, mode === 'watch' ? null : loadedDate, source, apply]);

  // The detail overlay's stored data, asked again when the day's cell changes.
  const want = source.readDayDetail ? wantedDetail(ref.current) : null;
  const wantDate = want?.date ?? null;
  const wantKey = want?.key ?? null;
  useEffect(() => {
    if (wantDate === null || wantKey === null || !source.readDayDetail) return;
    let live = true;
    source.readDayDetail(wantDate).then(
      (data) => {
        if (live)
          apply({ type: 'day-detail', date: wantDate, key: wantKey, data, error: null }, dataCtx);
      },
      (err: unknown) => {
        if (live)
          apply(
            { type: 'day-detail', date: wantDate, key: wantKey, data: null, error: message(err) },
            dataCtx,
          );
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wantDate, wantKey, source, apply]);

  // The health overlay's checks: run by the host (checkHealth) once per request.
  const healthReq = wantedHealth(ref.current);
  useEffect(() => {
    if (healthReq === null) return;
    if (!source.checkHealth) {
      apply(
        {
          type: 'health',
          req: healthReq,
          report: null,
          error: 'health checks are not available in this console (run gapctl health)',
        },
        dataCtx,
      );
      return;
    }
    // The answer is applied even after the overlay closed: a late one for an older request is dropped by step().
    source.checkHealth().then(
      (report) => apply({ type: 'health', req: healthReq, report, error: null }, dataCtx),
      (err: unknown) =>
        apply({ type: 'health', req: healthReq, report: null, error: message(err) }, dataCtx),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [healthReq, source, apply]);

  return { state: ref.current, apply, press };
}
