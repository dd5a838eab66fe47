/**
 * Stop aborts in-flight requests and leaves the current day absent (regression: the aborted Theta
 * request used to escape the R1 queue and crash the engine worker). Pause lets in-flight requests
 * finish and starts nothing new until resume.
 *
 * The market is the small replay dataset derived from the bundled sample (test/helpers/small-sample.ts:
 * the same days and bytes for every ticker that can hit a rule or has premarket rows, CNET included,
 * plus a thin filler): what is checked is a day's status, reason and requests under faults or a
 * stop, which no universe size changes, and a full-sample day (7,292 symbols) costs several times
 * as much to scan, prove and validate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testSession } from '../helpers/session.js';
import { smallSample } from '../helpers/small-sample.js';
import { scanDay } from '../../source/engine/day.js';
import { StoppedError } from '../../source/engine/context.js';
import type { Session } from '../../source/runtime/session.js';

/** The small replay dataset (see the file comment). */
const SMALL = `replay:${smallSample()}`;

const DAY = '2018-01-04';
let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

describe('stop and pause', () => {
  it('stop during R1 throws StoppedError and commits nothing for the day', async () => {
    const t = await testSession({
      market: SMALL,
      emulator: { thetaLatencyMs: 20 },
      env: { R1_MODE: 'exhaustive' },
    });
    open.push(t.session);
    const ctx = t.session.ctx;
    const emit = ctx.emit;
    ctx.emit = (e) => {
      emit(e);
      if (e.type === 'r1-progress' && e.done >= 5 && !t.session.controller.signal.aborted)
        t.session.controller.abort();
    };
    await expect(scanDay(ctx, DAY)).rejects.toBeInstanceOf(StoppedError);
    expect(ctx.store.dayCompleteness(DAY)).toBeUndefined();
    expect(ctx.store.hits(DAY, DAY)).toEqual([]);
  });

  it('pause lets in-flight requests finish, starts none until resume, and the day then completes', async () => {
    const t = await testSession({
      market: SMALL,
      emulator: { thetaLatencyMs: 5 },
      env: { R1_MODE: 'exhaustive' },
    });
    open.push(t.session);
    const ctx = t.session.ctx;
    let pausedAt: number | null = null;
    let resolveDrained!: (n: number) => void;
    const drained = new Promise<number>((r) => (resolveDrained = r));
    const emit = ctx.emit;
    ctx.emit = (e) => {
      emit(e);
      if (e.type === 'r1-progress' && e.done >= 20 && pausedAt === null) {
        ctx.gate.pause();
        pausedAt = e.done;
        // In-flight requests drain; the ones after them wait for resume.
        const watch = () => {
          const inFlight = ctx.theta.metrics().reduce((a, m) => a + m.inFlight, 0);
          if (inFlight === 0) resolveDrained(requests());
          else setImmediate(watch);
        };
        setImmediate(watch);
      }
    };
    const requests = () => t.session.emulator!.stats().theta.v3.requests;
    const scan = scanDay(ctx, DAY);
    const atDrain = await drained;
    // Nothing new starts while paused: the request count stays put across many event-loop turns.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(requests()).toBe(atDrain);
    ctx.gate.resume();
    const r = await scan;
    expect(r.status).toBe('COMPLETE');
    expect(requests()).toBeGreaterThan(atDrain);
  });
});
