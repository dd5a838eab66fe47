/**
 * The store's memory is bounded by settings (issue 13 point 1): the grouped-daily bar cache keeps
 * at most STORE_BAR_CACHE_DAYS days, and the connection's SQLite page cache is SQLITE_CACHE_MB.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store, RAW_CACHE_DAYS } from '../../source/store/store.js';
import { loadConfig } from '../../source/config/index.js';
import { tempDir } from '../helpers/paths.js';
import { testSession } from '../helpers/session.js';

const bar = (symbol: string, close: number) => ({
  symbol,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1000,
  vwap: close,
  transactions: 10,
  otc: false,
});

const DATES = Array.from({ length: 12 }, (_, i) => `2024-03-${String(i + 1).padStart(2, '0')}`);

describe('store caches bounded by settings', () => {
  it('the bar cache holds at most STORE_BAR_CACHE_DAYS days and reads back what was stored', () => {
    const store = Store.open(join(tempDir(), 's.db'), { barCacheDays: 3 });
    try {
      for (const [i, d] of DATES.entries()) store.putDailyRaw(d, [bar('AAA', 10 + i)], 'test');
      for (const d of DATES) store.getDailyRaw(d);
      expect(store.barCacheSize).toBe(3);
      // Evicted days are read again from SQLite, the same bars.
      expect(store.getDailyRaw(DATES[0]!).get('AAA')!.close).toBe(10);
      expect(store.barCacheSize).toBe(3);
    } finally {
      store.close();
    }
  });

  it('the cache holds days compactly: each read is a fresh map, nulls and values kept exactly', () => {
    const store = Store.open(join(tempDir(), 's.db'), { barCacheDays: 3 });
    try {
      const odd = { ...bar('BBB', 12.34), volume: 1234.5, vwap: null, transactions: null };
      store.putDailyRaw(DATES[0]!, [bar('AAA', 10), odd], 'test');
      const fromSql = store.getDailyRaw(DATES[0]!);
      expect(store.barCacheSize).toBe(1);
      // A caller changing its map or bars changes nothing the store holds (before, the cached map
      // of bar objects was handed out: ~300 bytes a bar kept for every cached day).
      fromSql.get('AAA')!.close = 99;
      fromSql.delete('BBB');
      const fromCache = store.getDailyRaw(DATES[0]!);
      expect(fromCache).not.toBe(fromSql);
      expect([...fromCache.values()]).toEqual([bar('AAA', 10), odd]);
      expect(store.getBar(DATES[0]!, 'BBB')).toEqual({
        open: 12.34,
        high: 12.34,
        low: 12.34,
        close: 12.34,
        volume: 1234.5,
        vwap: null,
        transactions: null,
      });
      expect(store.getBar(DATES[0]!, 'ZZZ')).toBeNull();
      expect(store.getBar(DATES[1]!, 'AAA')).toBeNull();
    } finally {
      store.close();
    }
  });

  it('defaults: STORE_BAR_CACHE_DAYS 10, SQLITE_CACHE_MB 2', () => {
    const cfg = loadConfig({}, {});
    expect(cfg.STORE_BAR_CACHE_DAYS).toBe(RAW_CACHE_DAYS);
    expect(cfg.SQLITE_CACHE_MB).toBe(2);
    expect(() => loadConfig({}, { STORE_BAR_CACHE_DAYS: '0' })).toThrow(/STORE_BAR_CACHE_DAYS/);
    expect(() => loadConfig({}, { SQLITE_CACHE_MB: 'lots' })).toThrow(/SQLITE_CACHE_MB/);
  });

  it("a session's store takes both settings", async () => {
    const t = await testSession({
      market: 'sim:7',
      env: { SIM_TICKERS: '300', STORE_BAR_CACHE_DAYS: '2', SQLITE_CACHE_MB: '3' },
    });
    try {
      const store = t.session.ctx.store;
      expect(store.db.pragma('cache_size', { simple: true })).toBe(-3072);
      for (const [i, d] of DATES.entries()) store.putDailyRaw(d, [bar('AAA', 10 + i)], 'test');
      for (const d of DATES) store.getDailyRaw(d);
      expect(store.barCacheSize).toBe(2);
    } finally {
      await t.session.close();
    }
  });
});
