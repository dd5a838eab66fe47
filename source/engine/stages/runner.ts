/**
 * The stage runner of one day (docs/architecture.md, "The day's stages"). It owns what every stage
 * has in common so that no stage repeats it:
 *
 * - **cancellation and pause**: before a stage begins, the pause gate is waited on and the stop
 *   signal checked (a stop throws StoppedError; nothing of the day is committed);
 * - **failpoint** `stage:<NAME>` as the stage begins (crash tests kill there);
 * - **log and events**: `<NAME>:begin k=v ...` / `<NAME>:done k=v ...` lines in `scan_<date>.log`
 *   and `stage` events (phase begin / end; `fail` is emitted by the day for the failed stage, then
 *   `abort` for each stage that failure cut short: {@link StageRunner.reportAborted});
 * - **timing**: each stage's wall ms from begin to end, recorded in `day_completeness.stage_ms`;
 * - **the stage graph**: {@link StageRunner.start} starts a stage once its input (a promise of the
 *   outputs it declares) is ready, so independent stages run at the same time (Polygon work next to
 *   Theta's R1). The first stage that fails aborts every other running stage (the day's own abort
 *   signal, {@link StageRunner.ctx}); a stop aborts them all; {@link StageRunner.settle} waits until
 *   none is running, so nothing of the day is written after it is committed or abandoned.
 */
import { setMaxListeners } from 'node:events';
import { failpoint } from '../../util/failpoint.js';
import { checkStopped, type EngineContext } from '../context.js';
import type { StageName } from '../../contracts/events.js';
import type { DayScope, Stage, StageCounts } from './types.js';

/** Waits while paused, then throws StoppedError when the stop signal aborted. */
export async function step(ctx: EngineContext): Promise<void> {
  await ctx.gate.wait(ctx.signal);
  checkStopped(ctx.signal);
}

/**
 * `p` with a no-op rejection handler attached, returned as is: awaiting it still throws. For the
 * late inputs of a stage graph (a stage that may end, or be aborted, before it awaits them).
 */
export function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** Resolves on the next turn of the event loop (after pending I/O callbacks): long synchronous work yields with it. */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
  /** The day's own abort: a stop (the outer signal) or the first failure of a stage aborts every stage. */
  private readonly abort = new AbortController();
  /** Every stage started ({@link start}), settled or not. */
  private readonly tasks: Promise<unknown>[] = [];
  /** The first error a stage threw, with the stage (null: thrown before its begin). */
  private first: { error: unknown; stage: StageName | null } | null = null;
  private readonly onOuterAbort = () => this.abort.abort();
  /**
   * The context the day's stages run with: the outer one with the day's own signal, which aborts
   * on a stop (the outer signal) or when a stage of the day failed.
   */
  readonly ctx: EngineContext;
  /** The day the stages see (its `ctx` is {@link StageRunner.ctx}). */
  readonly day: DayScope;

  /**
   * @param outer the engine context (its signal is the stop).
   * @param makeDay builds the day's scope around the day's context.
   */
  constructor(
    private readonly outer: EngineContext,
    makeDay: (ctx: EngineContext) => DayScope,
  ) {
    setMaxListeners(0, this.abort.signal);
    if (outer.signal.aborted) this.abort.abort();
    else outer.signal.addEventListener('abort', this.onOuterAbort, { once: true });
    this.ctx = { ...outer, signal: this.abort.signal };
    this.day = makeDay(this.ctx);
  }

  /**
   * The first error a stage threw and that stage (null when it was thrown before the stage began),
   * or null when none failed. Errors the day's abort caused in other stages come later.
   */
  get firstFailure(): { error: unknown; stage: StageName | null } | null {
    return this.first;
  }

  /**
   * Starts `stage` once `input` is ready (a node of the stage graph); returns its output. A rejected
   * input (an upstream stage failed) rejects the output without beginning the stage. A stage that
   * fails aborts the day's other stages. No rejection is left unhandled: {@link settle} waits for all.
   */
  start<I, P extends { counts?: StageCounts }, O>(
    stage: Stage<I, P, O>,
    input: I | Promise<I>,
  ): Promise<O> {
    const p = (async () => this.run(stage, await input))();
    p.catch(() => this.abort.abort());
    this.tasks.push(p);
    return p;
  }

  /**
   * Resolves once every started stage has settled (fulfilled or rejected), then lets go of the
   * outer stop signal. Call it once the day is over, whatever its outcome.
   */
  async settle(): Promise<void> {
    let n = -1;
    while (n < this.tasks.length) {
      n = this.tasks.length;
      await Promise.allSettled(this.tasks);
    }
    this.outer.signal.removeEventListener('abort', this.onOuterAbort);
  }

  /**
   * The stage the day is in: of the stages begun and not ended, the one begun last (null when
   * none is open). A stage that threw stays open. For the stop line (`DAY:stopped during R1`).
   */
  get current(): StageName | null {
    let last: StageName | null = null;
    for (const name of this.open.keys()) last = name;
    return last;
  }

  /**
   * After a failure, once the day has settled ({@link settle}): every stage still open (begun, not
   * ended) other than `failed` was cut short by the day's abort. Each gets a `<NAME>:aborted by=<failed>`
   * line and a `stage` event with phase `abort` and `by` (the failed stage; absent when the day
   * failed before a stage began), in stage-begin order, so the console and the plain printer never
   * show it running after the day ended. Closes them (not timed: `stageMs` keeps stages that ended);
   * returns their names. Not for a stop (the day is abandoned, not failed).
   */
  reportAborted(failed: StageName | null): StageName[] {
    const { day } = this;
    const out: StageName[] = [];
    for (const name of [...this.open.keys()]) {
      if (name === failed) continue;
      this.open.delete(name);
      out.push(name);
      day.log(`${name}:aborted${failed ? ` by=${failed}` : ''}`);
      day.ctx.emit({
        type: 'stage',
        date: day.date,
        stage: name,
        phase: 'abort',
        counts: {},
        ...(failed ? { by: failed } : {}),
        at: Date.now(),
      });
    }
    return out;
  }

  /**
   * Runs `stage` on `input`: pause/stop check, `plan`, begin (failpoint, log, event), `run`, end.
   * @returns the stage's output.
   * @throws StoppedError on stop; whatever the stage throws (DayFailure for a provider failure).
   */
  async run<I, P extends { counts?: StageCounts }, O>(stage: Stage<I, P, O>, input: I): Promise<O> {
    let begun = false;
    try {
      await step(this.day.ctx);
      const plan = stage.plan ? stage.plan(this.day, input) : (input as unknown as P);
      this.begin(stage.name, plan.counts ?? {});
      begun = true;
      const r = await stage.run(this.day, plan);
      this.end(stage.name, r.counts);
      return r.out;
    } catch (e) {
      this.first ??= { error: e, stage: begun ? stage.name : null };
      throw e;
    }
  }

  private begin(stage: StageName, counts: StageCounts): void {
    const { day } = this;
    this.open.set(stage, Date.now());
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
    day.log(`${stage}:done${fmtCounts(counts)}`);
    day.ctx.emit({ type: 'stage', date: day.date, stage, phase: 'end', counts, at: Date.now() });
  }
}
