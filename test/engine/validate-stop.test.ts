/**
 * A stopped validation never passes and records nothing (issue 9, point 1), and validation reports
 * its progress (point 7), in the engine itself (the stop paths of the CLI, the worker and the
 * headless runner are in test/cli/validate-stop.test.ts):
 *
 * - a stop during the baseline's premarket lookups, or during an earlier gate, ends the validation
 *   as "validation stopped": no qc/diffs/baseline_hits/enhanced_audit_log/day_completeness change,
 *   no alert, no FAIL file; the day keeps its earlier validation;
 * - runBaseline rejects with StoppedError when stopped, never returning a partial baseline;
 * - an unanswered premarket lookup (both sources failed) is never "no premarket high": the
 *   baseline lists it and the validation fails BASELINE ("not a proof") instead of passing;
 * - a backfill whose spot validation was stopped ends STOPPED (not HALTED, no alert, no HELP_REQUEST);
 * - validate-progress events carry the gate, lookups done/total, unanswered lookups and retries.
 *
 * Stops are triggered on observed progress events, never on time.
 *
 * The market is the small replay dataset (test/helpers/small-sample.ts: the sample's days with every
 * ticker that can hit a rule or has premarket rows, CNET included, and a thin quiet filler, about
 * 450 of 7,292 tickers): the baseline then looks up about 180 symbols instead of 3,158, still every
 * listed symbol of the day, which is what the progress test follows from 0 to all; the stops come
 * from the events, so the number of lookups left does not matter to them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { testSession } from '../helpers/session.js';
import { smallSample } from '../helpers/small-sample.js';
import { readValidationState, seedPriorValidation } from '../helpers/validation-state.js';
import { scanDay } from '../../source/engine/day.js';
import { validateDay } from '../../source/engine/validate.js';
import { runBaseline } from '../../source/engine/baseline.js';
import { runBackfill } from '../../source/engine/backfill.js';
import { StoppedError } from '../../source/engine/context.js';
import { ProviderError } from '../../source/providers/types.js';
import type { EngineEvent, ValidationProgress } from '../../source/contracts/events.js';
import type { Session } from '../../source/runtime/session.js';

const DAY = '2018-01-04'; // CNET's real premarket gap is an R1 hit that day
const MARKET = `replay:${smallSample()}`;

let t: Awaited<ReturnType<typeof testSession>>;
let session: Session;

beforeAll(async () => {
  // The per-symbol baseline is the subject (its lookups are what the stop interrupts), not the flat file.
  t = await testSession({
    market: MARKET,
    env: { BASELINE_PM_SOURCE: 'polygon' },
    emulator: { polygonLatencyMs: 2 },
  });
  session = t.session;
  const r = await scanDay(session.ctx, DAY);
  expect(r.status).toBe('COMPLETE');
  seedPriorValidation(session.ctx.store.db, DAY);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

/** Runs `fn` with the session's events also going to `hook`; a fresh stop signal before and after. */
async function withHook<T>(hook: (e: EngineEvent) => void, fn: () => Promise<T>): Promise<T> {
  const ctx = session.ctx;
  const emit = ctx.emit;
  if (session.controller.signal.aborted) session.renewSignal();
  ctx.emit = (e) => {
    emit(e);
    hook(e);
  };
  try {
    return await fn();
  } finally {
    ctx.emit = emit;
    if (session.controller.signal.aborted) session.renewSignal();
  }
}

const stateDir = () => session.ctx.stateDir;

describe('a stopped validation records nothing and never passes', () => {
  it('a stop during the baseline lookups: "validation stopped", the earlier validation state untouched', async () => {
    const before = readValidationState(session.ctx.store.db, stateDir(), DAY);
    expect(before.diffs).toMatchObject({ detail: '{"prior":true}' });
    const seen: EngineEvent[] = [];
    const r = await withHook(
      (e) => {
        seen.push(e);
        if (
          e.type === 'validate-progress' &&
          (e.lookupsDone ?? 0) >= 20 &&
          !session.controller.signal.aborted
        )
          session.controller.abort();
      },
      () => validateDay(session.ctx, DAY),
    );
    expect(r).toMatchObject({ passed: false, stopped: true, files: [] });
    expect(r.message).toMatch(
      /^validation stopped during gate BASELINE, \d+\/\d+ baseline lookups done/,
    );
    expect(readValidationState(session.ctx.store.db, stateDir(), DAY)).toEqual(before);
    const validate = seen.filter((e) => e.type === 'validate');
    expect(validate).toHaveLength(1);
    expect(validate[0]).toMatchObject({ stopped: true, passed: false });
    expect(seen.some((e) => e.type === 'alert')).toBe(false);
  });

  it('a stop during an early gate (CSV_SHAPE) is a stop too, not a gate failure', async () => {
    const before = readValidationState(session.ctx.store.db, stateDir(), DAY);
    const r = await withHook(
      (e) => {
        if (
          e.type === 'validate-progress' &&
          e.gate === 'CSV_SHAPE' &&
          !session.controller.signal.aborted
        )
          session.controller.abort();
      },
      () => validateDay(session.ctx, DAY),
    );
    expect(r).toMatchObject({ passed: false, stopped: true });
    expect(r.message).toMatch(/^validation stopped during gate (CSV_SHAPE|PM_PROVENANCE)/);
    expect(readValidationState(session.ctx.store.db, stateDir(), DAY)).toEqual(before);
  });

  it('runBaseline rejects with StoppedError when stopped: a partial baseline is never returned', async () => {
    let calls = 0;
    await withHook(
      () => {},
      async () => {
        const p = runBaseline(session.ctx, DAY, (pr) => {
          calls++;
          if (pr.done >= 10 && !session.controller.signal.aborted) session.controller.abort();
        });
        await expect(p).rejects.toBeInstanceOf(StoppedError);
      },
    );
    expect(calls).toBeGreaterThan(10);
  });

  it('a backfill whose validation was stopped ends STOPPED: no HALTED state, no alert, no HELP_REQUEST', async () => {
    const before = readValidationState(session.ctx.store.db, stateDir(), DAY);
    const o = await withHook(
      (e) => {
        if (
          e.type === 'validate-progress' &&
          (e.lookupsDone ?? 0) >= 20 &&
          !session.controller.signal.aborted
        )
          session.controller.abort();
      },
      () =>
        runBackfill(session.ctx, {
          start: DAY,
          end: DAY,
          validate: 'all',
          noResume: true,
          validateDay: async (d) => {
            const r = await validateDay(session.ctx, d);
            return {
              date: r.date,
              passed: r.passed,
              stopped: r.stopped,
              gate: r.gate,
              baselineOnly: r.baselineOnly,
              message: r.message,
            };
          },
        }),
    );
    expect(o).toMatchObject({ state: 'STOPPED', reason: 'stopped by the operator' });
    expect(readValidationState(session.ctx.store.db, stateDir(), DAY)).toEqual(before);
    expect(existsSync(join(stateDir(), 'HELP_REQUEST.md'))).toBe(false);
  });
});

describe('unanswered is never "no premarket high"; validation reports progress', () => {
  it('a lookup neither source answered fails the baseline honestly (not a proof), with progress all the way', async () => {
    const ctx = session.ctx;
    const minuteAggs = ctx.polygon.minuteAggs;
    const premarketHigh = ctx.theta.premarketHigh;
    // CNET (the day's R1 hit): Polygon refuses its minute bars and Theta cannot answer.
    ctx.polygon.minuteAggs = (s, d, sig) =>
      s === 'CNET'
        ? Promise.reject(
            new ProviderError('polygon', 'http', 'polygon: HTTP 403: not entitled', 403),
          )
        : minuteAggs.call(ctx.polygon, s, d, sig);
    ctx.theta.premarketHigh = (s, d, sig) =>
      s === 'CNET'
        ? Promise.resolve({
            symbol: s,
            date: d,
            outcome: 'unanswered',
            high: null,
            source: null,
            venue: null,
            error: 'theta: timeout',
          })
        : premarketHigh.call(ctx.theta, s, d, sig);
    const progress: ValidationProgress[] = [];
    try {
      const r = await withHook(
        (e) => {
          if (e.type === 'validate-progress') progress.push(e);
        },
        () => validateDay(ctx, DAY),
      );
      expect(r.passed).toBe(false);
      expect(r.stopped).toBeFalsy();
      expect(r.gate).toBe('BASELINE');
      expect(r.message).toMatch(
        /baseline could not fetch premarket bars for 1 symbol\(s\) \(CNET\): not a proof/,
      );
    } finally {
      ctx.polygon.minuteAggs = minuteAggs;
      ctx.theta.premarketHigh = premarketHigh;
    }
    // Progress: every gate up to BASELINE in order, then the lookups from 0 to all of them, the unanswered one counted.
    const gates = [...new Set(progress.map((p) => p.gate))];
    expect(gates).toEqual([
      'COMPLETENESS',
      'BASIS_SANITY',
      'RULE_UNIQUENESS',
      'EXCHANGE_DOMAIN',
      'MIN_VOLUME',
      'CSV_SHAPE',
      'PM_PROVENANCE',
      'R1_HEALTH',
      'RULE_TAGS',
      'BASELINE',
    ]);
    const lookups = progress.filter((p) => p.lookupsTotal !== null);
    expect(lookups[0]).toMatchObject({
      gate: 'BASELINE',
      gateIndex: 10,
      gates: 11,
      lookupsDone: 0,
      unanswered: 0,
    });
    const last = lookups.at(-1)!;
    expect(last.lookupsTotal).toBeGreaterThan(100); // every listed symbol of the day (about 180 here)
    expect(last.lookupsDone).toBe(last.lookupsTotal);
    expect(last.unanswered).toBe(1);
    for (let i = 1; i < lookups.length; i++)
      expect(lookups[i]!.lookupsDone!).toBeGreaterThanOrEqual(lookups[i - 1]!.lookupsDone!);
    expect(
      progress.every((p) => p.date === DAY && p.retries >= 0 && typeof p.backingOff === 'boolean'),
    ).toBe(true);
  });
});
