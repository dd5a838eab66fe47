/**
 * Shared types of a day's stages (docs/architecture.md, "The day's stages"). A stage is a module
 * with a typed input and output, run by the {@link StageRunner} of ./runner.ts, which owns the
 * stage's begin and end lines, events, failpoint, timing and cancellation. Stages never mutate one
 * another's output; what they add to the day's `day_completeness` row goes through {@link DayScope.dc}.
 */
import type { DayCompleteness, PmCacheRow } from '../../store/store.js';
import type { EngineContext } from '../context.js';
import type { StageName } from '../../contracts/events.js';

/** Begin or end counts of a stage, as logged (`key=value`) and emitted in its `stage` event. */
export type StageCounts = Record<string, number | string>;

/** R1 candidate selection of a day. */
export type R1Mode = 'prefilter' | 'exhaustive';

/**
 * What every stage of one day sees: the engine context, the day, its options and the day's
 * `day_completeness` row under construction (each field is written by exactly one stage).
 */
export interface DayScope {
  ctx: EngineContext;
  /** The trading day, `YYYY-MM-DD`. */
  date: string;
  mode: R1Mode;
  /** Bulk backfill: the miss audit takes the top 30 gainers instead of MISS_AUDIT_TOP_N. */
  bulk: boolean;
  /** Prove the day (ScanDayOptions.proof, default cfg.R1_PROOF === 'auto'). */
  proofWanted: boolean;
  /** The day's completeness row; stages fill in their own fields. */
  dc: DayCompleteness;
  /** Appends one line to `scan_<date>.log` and emits it as a `log` event. */
  log(line: string): void;
  /** Epoch ms when the day began. */
  t0: number;
}

/**
 * One stage: a name (a {@link StageName}, which is also its failpoint `stage:<name>` and its log
 * prefix), an optional pure `plan` computed from the input after the stage's pause/stop check and
 * before its begin line (its `counts` are the begin counts), and `run`, which does the work.
 */
export interface Stage<I, P extends { counts?: StageCounts }, O> {
  name: StageName;
  /** Pure and cheap; default: the input itself with no begin counts. */
  plan?(day: DayScope, input: I): P;
  /** Does the stage's work; returns its output and its end counts. @throws DayFailure, StoppedError */
  run(day: DayScope, plan: P): Promise<{ out: O; counts: StageCounts }>;
}

/** Premarket state of one symbol after R1 (from the pm_cache or Theta). */
export interface PmState {
  outcome: 'high' | 'no_trades' | 'unanswered';
  high: number | null;
  source: PmCacheRow['source'] | null;
  venue: PmCacheRow['venue'] | null;
  fromCache: boolean;
}

/** A stage failure that makes the day FAILED (provider or data problem), with a one-line reason. */
export class DayFailure extends Error {}

/** Previous close of a symbol on the day's basis (split-adjusted by `factor`). */
export interface PrevClose {
  prevClose: number;
  factor: number;
}
