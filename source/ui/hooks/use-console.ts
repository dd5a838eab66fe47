/**
 * The console controller: holds the {@link UiState}, feeds it snapshots from the source and keys
 * from the App, sends the commands {@link step} returns, reads day logs through `readLog`, rings
 * the bell on a new CRITICAL alert, and reports quitting exactly once.
 */
import type { Key } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { matchKey } from '../keymap.js';
import type { BackfillSnapshot } from '../../engine/events.js';
import { activeScope, initialUiState, step, wantedDayLog, type StepContext, type UiEvent, type UiState } from '../state.js';
import type { ConsoleSource, QuitChoice } from '../types.js';

/** Lines asked from `readLog` for a day's log. */
export const DAY_LOG_LINES = 500;

/** Options of {@link useConsole}. */
export interface UseConsoleOptions {
  onQuit: (choice: QuitChoice) => void;
  /** Called once per new unacknowledged CRITICAL alert (not for those in the first snapshot). */
  onCriticalAlert?: () => void;
}

/** What the App gets: the state, a function that applies one event, and one that handles a key press. */
export interface ConsoleController {
  state: UiState;
  apply: (ev: UiEvent, ctx: StepContext) => void;
  /** Map an Ink key press through the keymap (in the scope of the latest state) and apply it. */
  press: (input: string, key: Key, ctx: StepContext) => void;
}

const SNAPSHOT_CTX: StepContext = { readOnly: true, logPage: 1, tooSmall: false, hasReadLog: false };

/** Strip control characters (ANSI escapes, CR, tabs to spaces) from a log line so it cannot break the frame. */
export function cleanLine(line: string): string {
  return line
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\t/g, ' ')
    .replace(/[\x00-\x1f\x7f]/g, '');
}

/** Controller hook; see the module doc. */
export function useConsole(source: ConsoleSource, opts: UseConsoleOptions): ConsoleController {
  const ref = useRef<UiState>(initialUiState());
  const [, setVersion] = useState(0);
  const quitRef = useRef(false);
  const optsRef = useRef(opts);
  optsRef.current = opts;
  const seenCritical = useRef<Set<number> | null>(null);

  const apply = useCallback(
    (ev: UiEvent, ctx: StepContext) => {
      if (quitRef.current) return;
      const r = step(ref.current, ev, ctx);
      ref.current = r.state;
      for (const cmd of r.commands) source.send(cmd);
      if (r.quit) {
        quitRef.current = true;
        optsRef.current.onQuit(r.quit);
        return;
      }
      setVersion((v) => v + 1);
    },
    [source],
  );

  const press = useCallback(
    (input: string, key: Key, ctx: StepContext) => {
      const b = matchKey(activeScope(ref.current), input, key);
      if (b) apply({ type: 'key', action: b.action }, ctx);
      else if (input && !key.ctrl && !key.meta) apply({ type: 'text', input }, ctx);
    },
    [apply],
  );

  useEffect(() => {
    const onSnapshot = (s: BackfillSnapshot): void => {
      const critical = s.alerts.filter((a) => a.severity === 'CRITICAL' && !a.acknowledged).map((a) => a.id);
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
      apply({ type: 'snapshot', snapshot: { ...s, logTail: s.logTail.map(cleanLine) } }, SNAPSHOT_CTX);
    };
    const first = source.current();
    if (first) onSnapshot(first);
    return source.subscribe(onSnapshot);
  }, [source, apply]);

  const wanted = source.readLog ? wantedDayLog(ref.current) : null;
  const loadedDate = ref.current.dayLog?.date ?? null;
  useEffect(() => {
    if (wanted === null || wanted === loadedDate || !source.readLog) return;
    let live = true;
    source.readLog(wanted, DAY_LOG_LINES).then(
      (lines) => {
        if (live) apply({ type: 'day-log', date: wanted, lines: lines.map(cleanLine) }, SNAPSHOT_CTX);
      },
      (err: unknown) => {
        if (live) apply({ type: 'day-log', date: wanted, lines: [`(log unavailable: ${err instanceof Error ? err.message : String(err)})`] }, SNAPSHOT_CTX);
      },
    );
    return () => {
      live = false;
    };
  }, [wanted, loadedDate, source, apply]);

  return { state: ref.current, apply, press };
}
