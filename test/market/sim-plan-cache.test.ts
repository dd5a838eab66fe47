/**
 * The simulated market's event-plan memo is bounded by SIM_PLAN_CACHE (issue 13 point 1). Before,
 * it was a map bounded at 300,000 entries that a 3-year backfill never reached: it grew by about
 * 25 plans (75 KB) every trading day, the JS heap's creep. An evicted plan is rebuilt identically,
 * so the market and its oracle answer the same whatever the cache size.
 */
import { describe, expect, it } from 'vitest';
import { createSimCore, DEFAULT_SIM_PLAN_CACHE } from '../../source/market/sim/index.js';
import { createSimOracle } from '../../source/market/sim/oracle.js';
import { dnOf } from '../../source/market/sim/dates.js';
import { loadConfig } from '../../source/config/index.js';

/** Trading days of 2023-01-03 .. 2023-06-30 as the simulator numbers them. */
function tradingDns(core: ReturnType<typeof createSimCore>): number[] {
  const out: number[] = [];
  for (let dn = dnOf('2023-01-03'); dn <= dnOf('2023-06-30'); dn++)
    if (core.isTrading(dn)) out.push(dn);
  return out;
}

describe('sim event-plan memo (SIM_PLAN_CACHE)', () => {
  it('holds at most SIM_PLAN_CACHE plans over half a year of days', () => {
    const core = createSimCore({ seed: 7, tickers: 2000, planCache: 64 });
    let peak = 0;
    for (const dn of tradingDns(core)) {
      core.table(dn);
      peak = Math.max(peak, core.plansCached);
    }
    expect(peak).toBeGreaterThan(32); // the memo is used
    expect(peak).toBeLessThanOrEqual(64);
  });

  it("the default (SIM_PLAN_CACHE 2048) is the generator's default too", () => {
    expect(loadConfig({}, {}).SIM_PLAN_CACHE).toBe(DEFAULT_SIM_PLAN_CACHE);
    expect(DEFAULT_SIM_PLAN_CACHE).toBe(2048);
  });

  it('a small memo answers exactly like a large one (evicted plans are rebuilt identically)', () => {
    const small = createSimOracle({ seed: 7, tickers: 2000, planCache: 16 });
    const large = createSimOracle({ seed: 7, tickers: 2000, planCache: 1_000_000 });
    for (const d of ['2023-02-01', '2023-03-15', '2023-02-02', '2023-05-31', '2023-02-01']) {
      expect(small.hits(d)).toEqual(large.hits(d));
      expect(small.events(d)).toEqual(large.events(d));
    }
  });

  it('SIM_PLAN_CACHE is a setting with a one-line error for a bad value', () => {
    expect(loadConfig({}, { SIM_PLAN_CACHE: '4096' }).SIM_PLAN_CACHE).toBe(4096);
    expect(() => loadConfig({}, { SIM_PLAN_CACHE: '0' })).toThrow(/SIM_PLAN_CACHE/);
  });
});
