/**
 * The one set of day statuses and backfill states (docs/domain.md, day status; docs/console.md,
 * backfill states), and the named subsets callers decide on. Every module that asks "has this day
 * finished?" or "has this backfill ended?" uses these sets; none spells its own list.
 *
 * Two backfill subsets exist on purpose, because they answer different questions:
 * - {@link ENDED_BACKFILL_STATES} (DONE, HALTED, STOPPED, FAILED): the run no longer works on the
 *   range. The headless runner shuts down, the attach client stops waiting, the snapshot drops the
 *   running validation, `gapctl backfill` does not ask the engine to quit, and pause/stop have
 *   nothing to act on.
 * - {@link FINAL_BACKFILL_STATES} (DONE, STOPPED, FAILED): ended AND nothing left to decide in this
 *   console. HALTED is left out: a halted run waits for the operator (`r` resumes it once the cause
 *   is fixed), so quitting asks whether to stop the engine or detach.
 *
 * A leaf: imports nothing of ours.
 */

/** Day statuses (docs/domain.md). Only COMPLETE days count as done. */
export const DAY_STATUSES = [
  'PENDING',
  'RUNNING',
  'COMPLETE',
  'RETRY_NEEDED',
  'FAILED',
  'INCOMPLETE',
] as const;
/** Day status (docs/domain.md section 5). Only COMPLETE days count as done. */
export type DayStatus = (typeof DAY_STATUSES)[number];

/** States of a backfill run as the console shows it. */
export const BACKFILL_STATES = [
  'STARTING',
  'RUNNING',
  'PAUSING',
  'PAUSED',
  'STOPPING',
  'STOPPED',
  'DONE',
  'HALTED',
  'FAILED',
  'FOLLOWING',
] as const;
/** State of a backfill run as the console shows it. */
export type BackfillState = (typeof BACKFILL_STATES)[number];

/**
 * Statuses after which a day's scan is over for this run (its result is stored): COMPLETE,
 * RETRY_NEEDED, FAILED, INCOMPLETE. Not PENDING or RUNNING, nor a day SKIPPED by the plan. The plain
 * printer prints one line per such day; a validation can judge only such a day.
 */
export const FINISHED_DAY_STATUSES: ReadonlySet<DayStatus | 'SKIPPED'> = new Set<
  DayStatus | 'SKIPPED'
>(['COMPLETE', 'RETRY_NEEDED', 'FAILED', 'INCOMPLETE']);

/** The ended backfill states as a tuple (for schemas): DONE, HALTED, STOPPED, FAILED. */
export const ENDED_BACKFILL_STATE_LIST = ['DONE', 'HALTED', 'STOPPED', 'FAILED'] as const;
/** A backfill state in which the run no longer works on the range. */
export type EndedBackfillState = (typeof ENDED_BACKFILL_STATE_LIST)[number];

/** Backfill states after which the run no longer works on the range (see the module comment). */
export const ENDED_BACKFILL_STATES: ReadonlySet<BackfillState> = new Set<BackfillState>(
  ENDED_BACKFILL_STATE_LIST,
);

/** Ended backfill states with nothing left to resume in this console: DONE, STOPPED, FAILED (not HALTED; see the module comment). */
export const FINAL_BACKFILL_STATES: ReadonlySet<BackfillState> = new Set<BackfillState>([
  'DONE',
  'STOPPED',
  'FAILED',
]);

/** True when the run no longer works on the range (a state of {@link ENDED_BACKFILL_STATES}). */
export function backfillEnded(state: BackfillState): state is EndedBackfillState {
  return ENDED_BACKFILL_STATES.has(state);
}

/**
 * Exit code of a backfill run from its outcome's state: 0 when the range is done (DONE) or a
 * `--max-months` chunk completed (STOPPED with `chunkDone`), else 1. Here, not in the engine, so
 * that the command's main thread decides it without loading the engine (which runs in the worker).
 */
export function backfillExitCode(o: { state: string; chunkDone?: boolean }): number {
  return o.state === 'DONE' || (o.state === 'STOPPED' && o.chunkDone === true) ? 0 : 1;
}
