/**
 * The reducer of engine snapshots: a snapshot from the worker (a fresh copy each time) is merged
 * into the UI state keeping the identity of every unchanged part, its log tail is stitched into the
 * stream, pending controls and work settle, ended validations become log-pane notes and console
 * alerts, and the current day's clock stops with the backfill. It also says whether anything on
 * screen changed (`visible`), so the console can skip a frame.
 */
import type {
  AlertInfo,
  BackfillSnapshot,
  BackfillState,
  ValidationOutcome,
} from '../../contracts/events.js';
import { ENDED_BACKFILL_STATES } from '../../contracts/states.js';
import { settlePending, settleWork } from './commands.js';
import { appendStream } from './log-view.js';
import { dayClockRuns } from './selectors.js';
import { NOTES_KEEP, result, type ConsoleNote, type StepResult, type UiState } from './types.js';

/** Backfill states in which nothing scans any more (the ended states): the current day's clock stops. */
const CLOCK_STOPPED: ReadonlySet<BackfillState> = ENDED_BACKFILL_STATES;

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
    if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
      return false;
  }
  return true;
}

/**
 * `next` with every top-level field that equals `prev`'s replaced by `prev`'s object (a snapshot
 * crosses the thread boundary as a fresh copy): unchanged days, alerts or metrics keep their
 * identity, so selectors and components memoised on them do no work. `changed` is false when only
 * `seq` and `at` differ.
 */
export function shareUnchanged(
  prev: BackfillSnapshot,
  next: BackfillSnapshot,
): { snapshot: BackfillSnapshot; changed: boolean } {
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

/** The log pane's line of an ended validation. */
export function validationNote(v: ValidationOutcome): ConsoleNote {
  if (v.stopped)
    return { date: v.date, text: `[validate] ${v.date} STOPPED: ${v.message}`, tone: 'warn' };
  if (v.passed)
    return { date: v.date, text: `[validate] ${v.date} PASS: ${v.message}`, tone: 'ok' };
  return {
    date: v.date,
    text: `[validate] ${v.date} FAIL gate ${v.gate ?? '?'}: ${v.message}`,
    tone: 'bad',
  };
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

/**
 * The state after snapshot `incoming` (see the file header). `visible` is false when the new state
 * draws like the old one: only `seq` moved, and `at` too while no clock is drawn.
 */
export function snapshotStep(state: UiState, incoming: BackfillSnapshot): StepResult {
  const prev = state.snapshot;
  const shared = prev ? shareUnchanged(prev, incoming) : { snapshot: incoming, changed: true };
  const snap = shared.snapshot;
  const stream =
    snap.logTail === prev?.logTail && snap.logDate === prev?.logDate
      ? state.stream
      : appendStream(state.stream, snap);
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
  const next: UiState = {
    ...state,
    snapshot: snap,
    stream,
    acked: acked.length === state.acked.length ? state.acked : acked,
    pending,
    work,
    notes,
    localAlerts,
    lastValidation,
    dayClockStop,
  };
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
