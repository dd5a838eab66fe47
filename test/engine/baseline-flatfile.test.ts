/**
 * The validation baseline's premarket highs from the day's flat file (BASELINE_PM_SOURCE=flatfile,
 * issue 10 point 3): one object instead of a Polygon minute-aggregates request per symbol, with the
 * same hits as the per-symbol baseline (both read the same minute bars of the bundled real replay);
 * a broken (corrupt or truncated gzip, no `high` column), stalled (timeout) or refused (403) flat
 * file never answers: the baseline falls back to per-symbol lookups and says why.
 */
import { describe, expect, it } from 'vitest';
import { testSession } from '../helpers/session.js';
import { runBaseline } from '../../source/engine/baseline.js';

const DAY = '2018-01-04';

describe(`the baseline's second source by flat file (replay ${DAY})`, () => {
  it('reads one object for every symbol, no Polygon minute requests, and finds the same hits as the per-symbol baseline', async () => {
    const { session } = await testSession({ env: { BASELINE_PM_SOURCE: 'flatfile' } });
    try {
      const served0 = session.emulator!.stats().flatFiles.served;
      const before = session.emulator!.stats().polygon.requests;
      const flat = await runBaseline(session.ctx, DAY);
      const minuteRequests = session.emulator!.stats().polygon.requests - before;
      expect(session.emulator!.stats().flatFiles.served - served0).toBe(1);
      expect(flat.premarketFailed).toEqual([]);
      expect(flat.flatFileFallback).toBeNull();
      expect(flat.premarketRequests).toBe(0);
      expect(flat.premarketSources).toMatchObject({ polygon: 0, theta: 0 });
      expect(flat.premarketSources.flatfile).toBeGreaterThan(1000);
      // Only the grouped daily bars, splits and reference (no per-symbol minute requests).
      expect(minuteRequests).toBeLessThan(20);

      session.ctx.cfg = { ...session.ctx.cfg, BASELINE_PM_SOURCE: 'polygon' };
      const perSymbol = await runBaseline(session.ctx, DAY);
      expect(perSymbol.premarketSources.flatfile).toBe(0);
      expect(perSymbol.premarketRequests).toBe(flat.premarketSources.flatfile);
      expect(flat.hits.some((h) => h.rule === 'PM_GAP_50')).toBe(true);
      const key = (h: { symbol: string; rule: string; pct: number }) => `${h.symbol} ${h.rule} ${h.pct.toFixed(6)}`;
      expect(flat.hits.map(key)).toEqual(perSymbol.hits.map(key));
    } finally {
      await session.close();
    }
  }, 120_000);

  it('a broken, refused or stalled flat file never answers: every symbol is looked up per symbol, and the fallback says why', async () => {
    const { session } = await testSession({ env: { BASELINE_PM_SOURCE: 'flatfile', FLATFILES_RETRIES: '0', FLATFILES_TIMEOUT_SEC: '0.5' } });
    try {
      // The per-symbol lookups answer at once (the lookups themselves are tested elsewhere).
      let minuteCalls = 0;
      const ctx = session.ctx;
      ctx.polygon = { ...ctx.polygon, minuteAggs: async () => (minuteCalls++, []) };
      const cases: Array<[string, () => void, RegExp]> = [
        ['corrupt gzip', () => session.emulator!.setFlatFileFaults({ corrupt: true }), /^flat file failed: /],
        ['truncated gzip', () => session.emulator!.setFlatFileFaults({ truncate: true }), /^flat file failed: /],
        ['no high column', () => session.emulator!.setFlatFileFaults({ dropHighColumn: true }), /^flat file failed: .*high/],
        ['stalled body', () => session.emulator!.setFlatFileFaults({ hang: true }), /^flat file failed: /],
        ['refused (403)', () => (session.emulator!.setFlatFileFaults({}), session.emulator!.setFaults({ flatFilesForbidden: true })), /^flat file forbidden: /],
      ];
      for (const [name, arm, why] of cases) {
        arm();
        minuteCalls = 0;
        const b = await runBaseline(ctx, DAY);
        expect(b.flatFileFallback, name).toMatch(why);
        expect(b.premarketSources.flatfile, name).toBe(0);
        expect(b.premarketSources.polygon, name).toBeGreaterThan(1000);
        expect(minuteCalls, name).toBe(b.premarketSources.polygon);
        expect(b.premarketRequests, name).toBe(b.premarketSources.polygon);
      }
    } finally {
      await session.close();
    }
  }, 120_000);
});
