/**
 * On the simulated market: a real gap on a reverse split's execution day is a hit on the corrected
 * basis, flagged near_rs with its execution date; fundamentals come from Polygon ticker details as of
 * the date and float from FMP (both emulated), with data_source saying so; the CSV carries dollar
 * volume and float rotation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { testSession } from '../helpers/session.js';
import { scanDay } from '../../source/engine/day.js';
import { exportDiscoveryHits } from '../../source/export/discovery-csv.js';
import type { Session } from '../../source/runtime/session.js';
import { tempDir } from '../helpers/paths.js';
import { request } from 'undici';
import { ProviderError } from '../../source/providers/types.js';

const DAY = '2024-01-16'; // DXF: a real +55% open gap on the day a reverse split executes (sim:42)
let session: Session;

beforeAll(async () => {
  session = (await testSession({ market: 'sim:42' })).session;
  const r = await scanDay(session.ctx, DAY);
  expect(r.status).toBe('COMPLETE');
}, 120_000);
afterAll(async () => {
  await session?.close();
});

describe('split basis and fundamentals (sim:42)', () => {
  it('flags the split-day gap as near a reverse split, on the corrected basis', async () => {
    const h = session.ctx.store.hits(DAY, DAY).find((x) => x.ticker === 'DXF')!;
    expect(h).toBeDefined();
    expect(h.rules.map((r) => r.rule)).toEqual(['PM_GAP_50', 'OPEN_GAP_50']);
    expect(h.rules[1]!.value).toBeCloseTo(55.4054054, 5);
    expect(h.is_near_reverse_split).toBe(1);
    expect(h.rs_exec_date).toBe(DAY);
    expect(h.rs_days_after).toBe(0);
    expect(h.basis_factor).toBeGreaterThan(1);
    const splits = (await session.source!.splits()).filter(
      (s) => s.ticker === 'DXF' && s.executionDate === DAY,
    );
    expect(splits).toHaveLength(1);
    expect(h.basis_factor).toBeCloseTo(splits[0]!.splitFrom / splits[0]!.splitTo, 9);
    // The unadjusted bars alone would show a much larger fake gap.
    expect(h.open / (h.prev_close! / h.basis_factor) - 1).toBeGreaterThan(
      (h.rules[1]!.value / 100) * 1.5,
    );
  });

  it('fundamentals come from ticker details as of the date and FMP float, and data_source says so', async () => {
    const src = session.source!;
    for (const h of session.ctx.store.hits(DAY, DAY)) {
      const details = await src.tickerDetails(h.ticker, DAY);
      // FMP's shares-float serves the current float (no point in time): ask it as the engine did.
      const res = await request(
        `${session.emulator!.fmpUrl}/stable/shares-float?symbol=${h.ticker}&apikey=embedded`,
      );
      const float = ((await res.body.json()) as { floatShares: number }[])[0]!.floatShares;
      expect(h.shares_outstanding).toBe(
        details!.shareClassSharesOutstanding ?? details!.weightedSharesOutstanding,
      );
      expect(h.market_cap).toBeCloseTo(details!.marketCap!, 0);
      expect(h.float_shares).toBe(float);
      expect(h.data_source).toMatch(/^shares=polygon;float=fmp;dv=(vwap|close)$/);
      expect(h.dollar_volume).toBeCloseTo((h.vwap ?? h.close) * h.volume, 2);
    }
    const out = tempDir();
    const { path } = exportDiscoveryHits(session.ctx.store, DAY, DAY, out);
    const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(4);
    for (const r of rows) {
      expect(r.float_rotation).toMatch(/^\d+\.\d{2}$/);
      expect(Number(r.float_rotation)).toBeCloseTo(
        Number(r.volume) / (Number(r.float_millions) * 1e6),
        2,
      );
    }
    expect(rows.find((r) => r.ticker === 'DXF')!.near_rs).toBe('1');
  });
});

describe('a float failure keeps the Polygon fundamentals (sim:42)', () => {
  it('FMP failing after its retries: shares outstanding and market cap stay, float falls back, nothing cached', async () => {
    const { session: s2 } = await testSession({ market: 'sim:42' });
    try {
      let calls = 0;
      s2.ctx.fmp = {
        async floatShares() {
          calls++;
          throw new ProviderError(
            'fmp',
            'http',
            'fmp: HTTP 403: Legacy Endpoint: /stable/shares-float?symbol=X&apikey=REDACTED',
            403,
          );
        },
      };
      const r = await scanDay(s2.ctx, DAY);
      expect(r.status).toBe('COMPLETE');
      const hits = s2.ctx.store.hits(DAY, DAY);
      expect(hits.length).toBeGreaterThan(4);
      expect(calls).toBe(hits.length);
      for (const h of hits) {
        const details = await s2.source!.tickerDetails(h.ticker, DAY);
        expect(h.shares_outstanding).toBe(
          details!.shareClassSharesOutstanding ?? details!.weightedSharesOutstanding,
        );
        expect(h.market_cap).toBeCloseTo(details!.marketCap!, 0);
        expect(h.float_shares).toBe(h.shares_outstanding);
        expect(h.data_source).toMatch(
          /^shares=polygon;float=shares_outstanding\(fmp_error\);dv=(vwap|close)$/,
        );
        // Not cached: a rerun asks FMP again.
        expect(s2.ctx.store.getMeta(h.ticker, DAY)).toBeUndefined();
      }
    } finally {
      await s2.close();
    }
  }, 120_000);
});
