/**
 * The store's key reads use an index (issue 13.2): EXPLAIN QUERY PLAN of every STORE_QUERIES
 * statement searches its tables through a key or an index, never by a full scan (the one walk
 * allowed: the symbol dictionary in symbol order, for a day's universe); and the compact
 * tables hold a whole-market day in few bytes (bounds the schema-3 store, about 140 bytes a bar
 * with its symbol index and 34 a universe member on the real replay, is far above).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store, STORE_QUERIES } from '../../source/store/store.js';
import type { GroupedBar, UniverseTicker } from '../../source/providers/types.js';
import { tempDir } from '../helpers/paths.js';

/** The plan's detail lines of `sql` run with `params`. */
function plan(db: Database.Database, sql: string, params: unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
    (r) => r.detail,
  );
}

const PARAMS: Record<keyof typeof STORE_QUERIES, unknown[]> = {
  universe: [17534, 17534],
  dailyBars: [17534],
  dailyBar: [17534, 'AAPL'],
  pmCache: ['2018-01-03'],
  splits: ['2018-01-01', '2018-01-31'],
  hits: ['2018-01-01', '2018-01-31'],
  hitRules: ['2018-01-01', '2018-01-31'],
  missAudit: ['2018-01-03'],
  dayStatuses: ['2018-01-01', '2018-01-31'],
};

/** A deterministic whole-market day: `n` symbols with cent-to-ten-thousandth prices and share volumes. */
function market(n: number, seed: number): { bars: GroupedBar[]; universe: UniverseTicker[] } {
  let x = seed;
  const rnd = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const bars: GroupedBar[] = [];
  const universe: UniverseTicker[] = [];
  for (let i = 0; i < n; i++) {
    const symbol = `S${String(i).padStart(4, '0')}${'ABCDE'[i % 5]}`;
    const open = Math.round((0.5 + rnd() * 150) * 1000) / 1000;
    const p = (f: number): number => Math.round(open * f * 10000) / 10000;
    bars.push({
      symbol,
      open,
      high: p(1 + rnd() * 0.1),
      low: p(1 - rnd() * 0.1),
      close: p(0.95 + rnd() * 0.1),
      volume: Math.round(rnd() * 5e6),
      vwap: null,
      transactions: null,
      otc: false,
    });
    universe.push({
      symbol,
      type: i % 7 === 0 ? 'ETF' : 'CS',
      primaryExchange: i % 2 ? 'XNAS' : 'XNYS',
      market: 'stocks',
      active: true,
      delistedUtc: null,
    });
  }
  return { bars, universe };
}

describe('store queries', () => {
  it('every key read searches by key or index (EXPLAIN QUERY PLAN), none scans a table', () => {
    const store = Store.open(join(tempDir(), 'scanner.db'));
    const { bars, universe } = market(300, 1);
    for (const d of ['2018-01-02', '2018-01-03']) {
      store.putDailyRaw(d, bars, 'polygon');
      store.pinUniverse(d, universe);
    }
    store.db.exec('ANALYZE');
    for (const [name, sql] of Object.entries(STORE_QUERIES)) {
      const lines = plan(store.db, sql, PARAMS[name as keyof typeof STORE_QUERIES]);
      // a walk of the symbol dictionary in symbol order is allowed (a day's universe holds nearly every symbol)
      expect({
        name,
        scans: lines.filter(
          (l) =>
            /^SCAN /.test(l) && !/^SCAN s USING COVERING INDEX sqlite_autoindex_symbol_1$/.test(l),
        ),
      }).toEqual({ name, scans: [] });
      expect({ name, searches: lines.some((l) => /^SEARCH .* USING /.test(l)) }).toEqual({
        name,
        searches: true,
      });
    }
    expect(plan(store.db, STORE_QUERIES.splits, PARAMS.splits).join('\n')).toMatch(
      /USING INDEX splits_execution_date/,
    );
    expect(plan(store.db, STORE_QUERIES.dailyBars, PARAMS.dailyBars).join('\n')).toMatch(
      /SEARCH b USING PRIMARY KEY \(day=\?\)/,
    );
    store.close();
  });

  it('a whole-market day takes under 45 bytes a bar and under 10 bytes a universe member (spans)', () => {
    const path = join(tempDir(), 'scanner.db');
    const store = Store.open(path);
    const days = ['2018-01-02', '2018-01-03', '2018-01-04', '2018-01-05'];
    days.forEach((d, i) => {
      const { bars, universe } = market(3000, i + 1);
      store.putDailyRaw(d, bars, 'polygon-emulated:replay:2018-01-02_2020-01-23');
      store.pinUniverse(d, universe);
    });
    const bytes = (name: string): number =>
      (
        store.db
          .prepare('SELECT coalesce(sum(pgsize), 0) b FROM dbstat WHERE name = ?')
          .get(name) as { b: number }
      ).b;
    const rows = days.length * 3000;
    const perBar = bytes('daily_bar') / rows;
    const perMember = bytes('universe_span') / rows;
    store.close();
    expect({ perBar: perBar < 45, perMember: perMember < 10 }).toEqual({
      perBar: true,
      perMember: true,
    });
  });
});
