/**
 * Zero-miss on the simulated market (domain.md section 12), over 33 trading days served over HTTP
 * (2024-02-12 .. 2024-03-28, a universe of SIM_TICKERS=2000 symbols: every kind of planted event
 * occurs in it, two premarket fades under the prefilter included; the default 11,000-symbol market
 * is checked by its oracle alone, as the size proves nothing about the engine: its 5-40 true hits
 * on each of the 61 days 2024-01-02 .. 2024-03-28 are asserted in test/market/sim-oracle.test.ts,
 * which computes that oracle anyway and proves it is this market's (the two calendars agree); the
 * same 11,000-symbol oracle computed here again cost about 11 s of CPU):
 * - exhaustive mode reports exactly what the oracle lists (no miss; no split artifact, derivative,
 *   OTC or sub-volume symbol reported), rule values included;
 * - prefilter mode misses only premarket fades under the prefilter, and each such miss is caught by
 *   `gapctl validate` as a CRITICAL baseline-only hit with a non-zero exit; an exhaustive rerun of
 *   those days clears them (validate exits 0): test/engine/sim-zero-miss-prefilter.test.ts, a file
 *   of its own so that the two modes run in parallel.
 * The oracle is read only here: the engine sees the market through HTTP alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSession } from '../helpers/session.js';
import { scanDay } from '../../source/engine/day.js';
import type { Session } from '../../source/runtime/session.js';
import type { Config } from '../../source/config/index.js';
import { DAYS, keysOf, SEED, storedKeys, TICKERS, truth } from './sim-zero-miss.shared.js';

let exhaustive: { session: Session; cfg: Config; dir: string };

beforeAll(async () => {
  exhaustive = await testSession({
    market: `sim:${SEED}`,
    env: { SIM_TICKERS: String(TICKERS), R1_MODE: 'exhaustive', R1_THREAD_WORKERS: '32' },
  });
}, 60_000);

afterAll(async () => {
  await exhaustive?.session.close();
});

describe(`simulated market sim:${SEED} (SIM_TICKERS=${TICKERS}), ${DAYS.length} trading days`, () => {
  it('the scanned market has over 30 days, 100 true hits and every kind of planted event, two fades under the prefilter included', () => {
    expect(DAYS.length).toBeGreaterThanOrEqual(30);
    const all = DAYS.flatMap((d) => truth.get(d)!);
    expect(all.length).toBeGreaterThanOrEqual(100);
    const kinds = new Set(all.map((h) => h.kind));
    for (const k of [
      'gap',
      'push',
      'surge',
      'pm_fade',
      'pm_fade_under_prefilter',
      'split_real_gap',
      'gap_followon',
      'push_followon',
    ])
      expect(kinds, k).toContain(k);
    expect(
      new Set(all.filter((h) => h.kind === 'pm_fade_under_prefilter').map((h) => h.ticker)).size,
    ).toBeGreaterThanOrEqual(2);
  });

  it('exhaustive mode reports exactly the oracle hits, values included, and every day is COMPLETE', async () => {
    const problems: string[] = [];
    for (const d of DAYS) {
      const r = await scanDay(exhaustive.session.ctx, d);
      if (r.status !== 'COMPLETE') problems.push(`${d} ${r.status} ${r.reason}`);
      const want = keysOf(truth.get(d)!);
      const got = storedKeys(exhaustive.session, d);
      for (const k of want) if (!got.has(k)) problems.push(`${d} MISSED ${k}`);
      for (const k of got) if (!want.has(k)) problems.push(`${d} EXTRA ${k}`);
      const values = new Map(
        truth
          .get(d)!
          .flatMap((h) => h.rules.map((r) => [`${h.ticker}|${r.code}`, r.value] as const)),
      );
      for (const h of exhaustive.session.ctx.store.hits(d, d)) {
        for (const r of h.rules) {
          const v = values.get(`${h.ticker}|${r.rule}`);
          if (v !== undefined && Math.abs(v - r.value) > 1e-6)
            problems.push(`${d} ${h.ticker} ${r.rule} ${r.value} != oracle ${v}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 480_000);
});
