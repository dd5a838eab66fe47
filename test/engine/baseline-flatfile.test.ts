/**
 * The validation baseline's premarket highs from the day's flat file (BASELINE_PM_SOURCE=flatfile,
 * issue 10 point 3): one object instead of a Polygon minute-aggregates request per symbol, with the
 * same hits as the per-symbol baseline (both read the same minute bars of the bundled real replay);
 * a broken (corrupt or truncated gzip, no `high` column), stalled (timeout) or refused (403) flat
 * file never answers: the baseline falls back to per-symbol lookups and says why. With default
 * settings (BASELINE_PM_SOURCE=auto) the baseline reads the flat file when flat files are configured
 * and the per-symbol Polygon minute bars when they are not (no fallback reason then).
 *
 * The market is the small replay dataset (test/helpers/small-sample.ts: the day's movers and every
 * ticker with premarket rows, CNET included, plus a thin quiet filler; about 450 of 7,292 tickers):
 * "every symbol" is then about 180 lookups instead of 3,158, each case still looking up all of them
 * (the counts are compared with each other, and "over 1000" became "over 100"), at a fraction of
 * the cost of the eight baselines made here.
 */
import { describe, expect, it } from 'vitest';
import { testSession } from '../helpers/session.js';
import { smallSample } from '../helpers/small-sample.js';
import { runBaseline } from '../../source/engine/baseline.js';
import { scanDay } from '../../source/engine/day.js';
import { validateDay } from '../../source/engine/validate.js';

const DAY = '2018-01-04';
const MARKET = `replay:${smallSample()}`;

describe(`the baseline's second source by flat file (replay ${DAY})`, () => {
  it('reads one object for every symbol, no Polygon minute requests, and finds the same hits as the per-symbol baseline', async () => {
    const { session } = await testSession({
      market: MARKET,
      env: { BASELINE_PM_SOURCE: 'flatfile' },
    });
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
      expect(flat.premarketSources.flatfile).toBeGreaterThan(100);
      // Only the grouped daily bars, splits and reference (no per-symbol minute requests).
      expect(minuteRequests).toBeLessThan(20);

      session.ctx.cfg = { ...session.ctx.cfg, BASELINE_PM_SOURCE: 'polygon' };
      const perSymbol = await runBaseline(session.ctx, DAY);
      expect(perSymbol.premarketSources.flatfile).toBe(0);
      expect(perSymbol.premarketRequests).toBe(flat.premarketSources.flatfile);
      expect(flat.hits.some((h) => h.rule === 'PM_GAP_50')).toBe(true);
      const key = (h: { symbol: string; rule: string; pct: number }) =>
        `${h.symbol} ${h.rule} ${h.pct.toFixed(6)}`;
      expect(flat.hits.map(key)).toEqual(perSymbol.hits.map(key));
    } finally {
      await session.close();
    }
  }, 120_000);

  it('a broken, refused or stalled flat file never answers: every symbol is looked up per symbol, and the fallback says why', async () => {
    // Two sessions: only the stalled body needs a short flat-file timeout (0.5 s, so the test does
    // not wait a minute); the other faults get a generous one, so that on a busy machine a slow
    // answer is not mistaken for a stall and each case fails for its own reason.
    type Arm = (s: Awaited<ReturnType<typeof testSession>>['session']) => void;
    const groups: Array<{ timeout: string; cases: Array<[string, Arm, RegExp]> }> = [
      {
        timeout: '60',
        cases: [
          [
            'corrupt gzip',
            (s) => s.emulator!.setFlatFileFaults({ corrupt: true }),
            /^flat file failed: /,
          ],
          [
            'truncated gzip',
            (s) => s.emulator!.setFlatFileFaults({ truncate: true }),
            /^flat file failed: /,
          ],
          [
            'no high column',
            (s) => s.emulator!.setFlatFileFaults({ dropHighColumn: true }),
            /^flat file failed: .*high/,
          ],
          [
            'refused (403)',
            (s) => (
              s.emulator!.setFlatFileFaults({}),
              s.emulator!.setFaults({ flatFilesForbidden: true })
            ),
            /^flat file forbidden: /,
          ],
        ],
      },
      {
        timeout: '0.5',
        cases: [
          [
            'stalled body',
            (s) => s.emulator!.setFlatFileFaults({ hang: true }),
            /^flat file failed: /,
          ],
        ],
      },
    ];
    for (const { timeout, cases } of groups) {
      const { session } = await testSession({
        market: MARKET,
        env: {
          BASELINE_PM_SOURCE: 'flatfile',
          FLATFILES_RETRIES: '0',
          FLATFILES_TIMEOUT_SEC: timeout,
        },
      });
      try {
        // The per-symbol lookups answer at once (the lookups themselves are tested elsewhere).
        let minuteCalls = 0;
        const ctx = session.ctx;
        ctx.polygon = { ...ctx.polygon, minuteAggs: async () => (minuteCalls++, []) };
        for (const [name, arm, why] of cases) {
          arm(session);
          minuteCalls = 0;
          const b = await runBaseline(ctx, DAY);
          expect(b.flatFileFallback, name).toMatch(why);
          expect(b.premarketSources.flatfile, name).toBe(0);
          expect(b.premarketSources.polygon, name).toBeGreaterThan(100);
          expect(minuteCalls, name).toBe(b.premarketSources.polygon);
          expect(b.premarketRequests, name).toBe(b.premarketSources.polygon);
        }
      } finally {
        await session.close();
      }
    }
  }, 120_000);

  it('by default (auto) a validation reads the flat file when flat files are configured, and per-symbol Polygon minute bars when not', async () => {
    const { session } = await testSession({ market: MARKET });
    try {
      const ctx = session.ctx;
      expect(ctx.cfg.BASELINE_PM_SOURCE).toBe('auto');
      expect(ctx.flatFiles).toBeTruthy();
      expect((await scanDay(ctx, DAY)).status).toBe('COMPLETE');
      const served0 = session.emulator!.stats().flatFiles.served;
      let minuteCalls = 0;
      const minuteAggs = ctx.polygon.minuteAggs;
      ctx.polygon.minuteAggs = (s, d, sig) => (
        minuteCalls++,
        minuteAggs.call(ctx.polygon, s, d, sig)
      );
      const r = await validateDay(ctx, DAY);
      expect(r.passed).toBe(true);
      const detail = JSON.parse(
        (
          ctx.store.db.prepare('SELECT detail FROM diffs WHERE date = ?').get(DAY) as {
            detail: string;
          }
        ).detail,
      );
      expect(detail.premarket_sources.flatfile).toBeGreaterThan(100);
      expect(detail.premarket_sources).toMatchObject({ polygon: 0, theta: 0 });
      expect(detail.premarket_requests).toBe(0);
      expect(detail.flatfile_fallback).toBeNull();
      expect(minuteCalls).toBe(0);
      // The day's file was read (or, with the proof having read it during the scan, from its cache).
      expect(session.emulator!.stats().flatFiles.served - served0).toBeLessThanOrEqual(1);

      // Without flat files configured: the per-symbol Polygon baseline, by choice (no fallback reason).
      ctx.flatFiles = null;
      const perSymbol = await runBaseline(ctx, DAY);
      expect(perSymbol.flatFileFallback).toBeNull();
      expect(perSymbol.premarketSources.flatfile).toBe(0);
      expect(perSymbol.premarketSources.polygon).toBeGreaterThan(100);
      expect(perSymbol.premarketRequests).toBe(perSymbol.premarketSources.polygon);
      expect(minuteCalls).toBe(perSymbol.premarketRequests);
      expect(perSymbol.premarketSources.polygon).toBe(detail.premarket_sources.flatfile);

      // flatfile asked for explicitly without flat files configured: per symbol, and the reason recorded.
      ctx.cfg = { ...ctx.cfg, BASELINE_PM_SOURCE: 'flatfile' };
      ctx.polygon.minuteAggs = async () => [];
      const asked = await runBaseline(ctx, DAY);
      expect(asked.flatFileFallback).toBe('flat files are not configured');
      expect(asked.premarketSources.flatfile).toBe(0);
    } finally {
      await session.close();
    }
  }, 120_000);
});
