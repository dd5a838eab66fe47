/**
 * The simulated market's day tables and reference-ticker lists are bounded by SIM_DAY_CACHE (issue
 * 13 point 1). Before, 16 day tables (~1 MB each for 11,000 tickers) and 8 reference lists
 * (~0.8 MB each) were kept although a backfill asks for the scan day and its previous day: ~20 MB
 * of the worker's memory. An evicted day is rebuilt identically, so the answers do not depend on
 * the cache size.
 */
import { describe, expect, it } from 'vitest';
import {
  createSimCore,
  createSimMarket,
  DEFAULT_SIM_DAY_CACHE,
} from '../../source/market/sim/index.js';
import { dnOf } from '../../source/market/sim/dates.js';
import { loadConfig } from '../../source/config/index.js';

/** Trading days of 2023-03-01 .. 2023-03-31 as the simulator numbers them. */
function tradingDns(core: ReturnType<typeof createSimCore>): number[] {
  const out: number[] = [];
  for (let dn = dnOf('2023-03-01'); dn <= dnOf('2023-03-31'); dn++)
    if (core.isTrading(dn)) out.push(dn);
  return out;
}

describe('sim day cache (SIM_DAY_CACHE)', () => {
  it('holds at most SIM_DAY_CACHE day tables and half as many reference lists over a month of days', () => {
    const core = createSimCore({ seed: 7, tickers: 300, dayCache: 3 });
    let tables = 0;
    let refs = 0;
    for (const dn of tradingDns(core)) {
      core.table(dn);
      core.referenceTickers(dn);
      tables = Math.max(tables, core.tablesCached);
      refs = Math.max(refs, core.refListsCached);
    }
    expect(tables).toBe(3);
    expect(refs).toBe(1);
  });

  it('the default is SIM_DAY_CACHE 4, the setting of the generator, with a one-line error for a bad value', () => {
    expect(DEFAULT_SIM_DAY_CACHE).toBe(4);
    expect(loadConfig({}, {}).SIM_DAY_CACHE).toBe(DEFAULT_SIM_DAY_CACHE);
    const core = createSimCore({ seed: 7, tickers: 300 });
    for (const dn of tradingDns(core)) core.table(dn);
    expect(core.tablesCached).toBe(4);
    expect(loadConfig({}, { SIM_DAY_CACHE: '8' }).SIM_DAY_CACHE).toBe(8);
    expect(() => loadConfig({}, { SIM_DAY_CACHE: '0' })).toThrow(/SIM_DAY_CACHE/);
    expect(() => createSimCore({ seed: 7, tickers: 300, dayCache: 0 })).toThrow(/dayCache/);
  });

  it('a one-day cache answers exactly like a large one (evicted days are rebuilt identically)', async () => {
    const small = createSimMarket({ seed: 7, tickers: 300, dayCache: 1 });
    const large = createSimMarket({ seed: 7, tickers: 300, dayCache: 64 });
    for (const d of ['2023-03-01', '2023-03-02', '2023-03-01', '2023-03-15', '2023-03-02']) {
      expect(await small.groupedDaily(d)).toEqual(await large.groupedDaily(d));
      expect(await small.referenceTickers(d)).toEqual(await large.referenceTickers(d));
    }
  });
});
