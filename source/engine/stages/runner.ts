/**
 * The stage runner of one day (docs/architecture.md, "The day's stages"). It owns what every stage
 * has in common so that no stage repeats it:
 *
 * - **cancellation and pause**: before a stage begins, the pause gate is waited on and the stop
 *   signal checked (a stop throws StoppedError; nothing of the day is committed);
 * - **failpoint** `stage:<NAME>` as the stage begins (crash tests kill there);
 * - **log and events**: `<NAME>:begin k=v ...` / `<NAME>:done k=v ...` lines in `scan_<date>.log`
 *   and `stage` events (phase begin / end; `fail` is emitted by the day for the failed stage);
 * - **timing**: each stage's wall ms from begin to end, recorded in `day_completeness.stage_ms`.
 */
import { failpoint } from '../../util/failpoint.js';
import { checkStopped, type EngineContext } from '../context.js';
import type { StageName } from '../../contracts/events.js';
import type { DayScope, Stage, StageCounts } from './types.js';

/** Waits while paused, then throws StoppedError when the stop signal aborted. */
export async function step(ctx: EngineContext): Promise<void> {
  await ctx.gate.wait(ctx.signal);
  checkStopped(ctx.signal);
}

/** ` k=v k=v` of a stage's counts (empty string for none). */
export function fmtCounts(c: StageCounts): string {
  const parts = Object.entries(c).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ' ' + parts.join(' ') : '';
}

/** Runs the stages of one day (see the module comment); one runner per day. */
export class StageRunner {
  /** Wall ms of each stage that ended, begin to end. */
  readonly stageMs: Partial<Record<StageName, number>> = {};
  /** Stages begun and not ended (a stage that threw stays here), with their begin time (epoch ms). */
  private readonly open = new Map<StageName, number>();
  /** The stage begun most recently and not ended, if any. */
  private last: StageName | null = null;

  constructor(private readonly day: DayScope) {}

  /**
   * The stage the day is in: the one begun most recently and not ended (null between stages).
   * When a stage throws, it stays current: the day's failure is attributed to it.
   */
  get current(): StageName | null {
    return this.last;
  }

  /**
   * Runs `stage` on `input`: pause/stop check, `plan`, begin (failpoint, log, event), `run`, end.
   * @returns the stage's output.
   * @throws StoppedError on stop; whatever the stage throws (DayFailure for a provider failure).
   */
  async run<I, P extends { counts?: StageCounts }, O>(stage: Stage<I, P, O>, input: I): Promise<O> {
    await step(this.day.ctx);
    const plan = stage.plan ? stage.plan(this.day, input) : (input as unknown as P);
    this.begin(stage.name, plan.counts ?? {});
    const r = await stage.run(this.day, plan);
    this.end(stage.name, r.counts);
    return r.out;
  }

  private begin(stage: StageName, counts: StageCounts): void {
    const { day } = this;
    this.open.set(stage, Date.now());
    this.last = stage;
    failpoint(`stage:${stage}`);
    day.log(`${stage}:begin${fmtCounts(counts)}`);
    day.ctx.emit({ type: 'stage', date: day.date, stage, phase: 'begin', counts, at: Date.now() });
  }

  private end(stage: StageName, counts: StageCounts): void {
    const { day } = this;
    const began = this.open.get(stage);
    if (began === undefined) return;
    this.stageMs[stage] = Date.now() - began;
    this.open.delete(stage);
    if (this.last === stage) this.last = null;
    day.log(`${stage}:done${fmtCounts(counts)}`);
    day.ctx.emit({ type: 'stage', date: day.date, stage, phase: 'end', counts, at: Date.now() });
  }
}
