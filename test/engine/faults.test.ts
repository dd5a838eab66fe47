/**
 * Provider faults end in a clear day status, never a crash: a malformed Polygon body fails the day
 * (FAILED, with the reason), a Theta 429 storm and an unreachable Theta leave it INCOMPLETE (R1 not
 * proven), and a later clean run of the same day completes it.
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
import type { Session } from '../../source/runtime/session.js';

/** The small replay dataset (see the file comment). */
const SMALL = `replay:${smallSample()}`;

const DAY = '2018-01-04'; // CNET's real premarket gap is an R1 candidate that day

let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

describe('faults end in a clear day status', () => {
  it('a malformed grouped-daily body fails the day with the reason, and nothing half-written', async () => {
    const t = await testSession({ market: SMALL, emulator: { faults: { polygonMalformed: 1 } } });
    open.push(t.session);
    const r = await scanDay(t.session.ctx, DAY);
    expect(r.status).toBe('FAILED');
    expect(r.reason).toMatch(/malformed/i);
    expect(r.reason).not.toMatch(/apiKey=[^R]/);
    const dc = t.session.ctx.store.dayCompleteness(DAY)!;
    expect(dc.status).toBe('FAILED');
    expect(t.session.ctx.store.hits(DAY, DAY)).toEqual([]);
  });

  it('a malformed Polygon 200 now and then is retried like a 5xx: the day completes (issue 9 point 7)', async () => {
    const t = await testSession({ market: SMALL, emulator: { faults: { polygonMalformed: 0.2 } } });
    open.push(t.session);
    const r = await scanDay(t.session.ctx, DAY);
    expect(r.status).toBe('COMPLETE');
    const pg = t.session.ctx.metrics().polygon!;
    expect(pg.retries).toBeGreaterThan(0);
  });

  it('a Theta 429 storm leaves the day INCOMPLETE (premarket unanswered), then a clean rerun completes it', async () => {
    const t = await testSession({
      market: SMALL,
      emulator: { faults: { theta429: 1 } },
      env: { THETA_RETRIES: '2' },
    });
    open.push(t.session);
    const r = await scanDay(t.session.ctx, DAY);
    expect(r.status).toBe('INCOMPLETE');
    expect(r.reason).toMatch(/premarket unanswered/);
    const dc = t.session.ctx.store.dayCompleteness(DAY)!;
    expect(dc.r1_unanswered).toBeGreaterThan(0);
    const diag = t.session.ctx.theta.metrics().find((m) => m.upstream === 'theta_v3')!;
    expect(diag.counts.s429).toBeGreaterThan(0);
    t.session.emulator!.setFaults({});
    const again = await scanDay(t.session.ctx, DAY);
    expect(again.status).toBe('COMPLETE');
    expect(
      t.session.ctx.store
        .hits(DAY, DAY)
        .some((h) => h.ticker === 'CNET' && h.rules.some((x) => x.rule === 'PM_GAP_50')),
    ).toBe(true);
  });

  it('with ThetaData unreachable the day is INCOMPLETE, whatever else succeeded', async () => {
    const t = await testSession({
      market: SMALL,
      emulator: { faults: { thetaOutage: true } },
      env: { THETA_RETRIES: '1' },
    });
    open.push(t.session);
    const r = await scanDay(t.session.ctx, DAY);
    expect(r.status).toBe('INCOMPLETE');
    // R2/R3/R4 were still evaluated and stored, but the day does not count as done.
    expect(t.session.ctx.store.dayCompleteness(DAY)!.status).toBe('INCOMPLETE');
  });

  it('EMU_FAULTS switches faults on from the configuration; retries absorb a 30% 429 rate and the day completes', async () => {
    const t = await testSession({
      market: SMALL,
      env: { EMU_FAULTS: 'theta429=0.3,polygon5xx=0.2' },
    });
    open.push(t.session);
    const r = await scanDay(t.session.ctx, DAY);
    expect(r.status).toBe('COMPLETE');
    const v3 = t.session.ctx.theta.metrics().find((m) => m.upstream === 'theta_v3')!;
    expect(v3.counts.s429).toBeGreaterThan(0);
    expect(t.session.ctx.metrics().polygon!.counts.s5xx).toBeGreaterThan(0);
  });
});
