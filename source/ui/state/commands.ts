/**
 * Commands to the engine as the console sends and shows them: the words the footer confirms a
 * command with, what the header shows at once while the engine has not confirmed it (a pending
 * pause/resume/stop, a queued or running rerun, validation or export), and when a snapshot settles
 * either. The keys that send them are in controllers/control.ts.
 */
import type { BackfillSnapshot, ControlCommand } from '../../contracts/events.js';
import { ENDED_BACKFILL_STATE_LIST } from '../../contracts/states.js';
import { engineBusy, shownWork } from './selectors.js';
import {
  PENDING_SNAPSHOTS,
  result,
  type PendingControl,
  type PendingWork,
  type StepContext,
  type StepResult,
  type UiState,
} from './types.js';

/** `1 day`, `3 days`: `n` and `word`, plural when `n` is not 1. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
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

/**
 * The result of sending `commands`: the footer says so (`note`, or the command in words), and a
 * rerun, validation or export shows at once as pending work: queued behind a busy engine, or as
 * the idle engine's activity.
 */
export function sent(state: UiState, commands: ControlCommand[], note?: string): StepResult {
  const text =
    note ?? (commands.length === 1 ? describeCommand(commands[0]) : `${commands.length} commands`);
  // A rerun, validation or export shows at once: queued behind the busy engine, or running on the idle one.
  const labels = commands.map(workLabel).filter((l): l is string => l !== null);
  if (labels.length === 0) return result({ ...state, flash: `sent: ${text}` }, commands);
  const seq = state.snapshot?.seq ?? 0;
  if (engineBusy(state)) {
    const work: PendingWork = {
      queued: shownWork(state).queued + labels.length,
      activity: state.work?.activity ?? null,
      seq,
    };
    return result(
      { ...state, work, flash: `${text} queued: runs when the engine is free` },
      commands,
    );
  }
  const work: PendingWork = {
    queued: labels.length > 1 ? labels.length - 1 : null,
    activity: labels[0]!,
    seq,
  };
  return result({ ...state, work, flash: `sent: ${text}` }, commands);
}

/** The state with a just-sent pause, resume or stop pending: the state it leads to shows at once. */
export function withPending(state: UiState, command: PendingControl['command']): UiState {
  const seq = state.snapshot?.seq ?? 0;
  switch (command) {
    case 'pause':
      return {
        ...state,
        pending: {
          command,
          state: 'PAUSING',
          want: ['PAUSING', 'PAUSED', ...ENDED_BACKFILL_STATE_LIST],
          seq,
        },
      };
    case 'resume':
      return {
        ...state,
        pending: {
          command,
          state: 'RUNNING',
          want: ['RUNNING', 'STARTING', ...ENDED_BACKFILL_STATE_LIST],
          seq,
        },
      };
    case 'stop':
      return {
        ...state,
        pending: {
          command,
          state: 'STOPPING',
          want: ['STOPPING', ...ENDED_BACKFILL_STATE_LIST],
          seq,
        },
      };
  }
}

/**
 * The pending control after snapshot `snap`: null once a later snapshot is in a state it wants,
 * or {@link PENDING_SNAPSHOTS} snapshots went by; else the same object.
 */
export function settlePending(
  p: PendingControl | null,
  snap: BackfillSnapshot,
): PendingControl | null {
  if (!p) return null;
  if (p.want.includes(snap.state) && snap.seq > p.seq) return null;
  if (snap.seq >= p.seq + PENDING_SNAPSHOTS) return null;
  return p;
}

/**
 * The pending work after snapshot `snap`: null once the snapshot's queue reaches its count, or it
 * shows any activity (or validation) for work that was to run at once, or {@link PENDING_SNAPSHOTS}
 * snapshots went by; else the same object.
 */
export function settleWork(w: PendingWork | null, snap: BackfillSnapshot): PendingWork | null {
  if (!w) return null;
  if (snap.seq >= w.seq + PENDING_SNAPSHOTS) return null;
  if (w.queued !== null && (snap.queuedCommands ?? 0) >= w.queued) return null;
  if (w.activity !== null && (snap.activity || snap.validation)) return null;
  return w;
}

/**
 * Null when a command can be sent now, else the result that says why not in the footer: the
 * console is attached read-only, or no snapshot has come from the engine yet.
 */
export function needEngine(state: UiState, ctx: Pick<StepContext, 'readOnly'>): StepResult | null {
  if (ctx.readOnly) return result({ ...state, flash: 'read-only: attached without control' });
  if (!state.snapshot) return result({ ...state, flash: 'waiting for the engine' });
  return null;
}
