/**
 * Schema migrations 4 and 5 (issue 13.2: a small store): daily_raw moves into a compact table (day
 * numbers, symbol ids, prices in ten-thousandths, WITHOUT ROWID) and universe_day into universe
 * spans, both behind views with the old columns. Checked on a store written by the gapctl of schema 3:
 * test/fixtures/store-v3/scanner-v3.db.gz was made by the build of main at commit 285350e
 * (`SIM_TICKERS=120 gapctl scan-range --market sim:7 --start 2024-03-04 --end 2024-03-08`, then
 * `gapctl validate --date 2024-03-06`), plus four hand-written edge rows in its v3 tables: a bar
 * whose prices are not whole ten-thousandths (0.123456, 1e-7), a high of 1e12, a fractional volume,
 * no vwap, another provider than its day's; a bar of a day without a daily_raw_days row; a delisted
 * inactive universe member; a universe member without type or exchange.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { Store } from '../../source/store/store.js';
import { SCHEMA_VERSION } from '../../source/store/db.js';
import { dateOfDay, dayOf, encodePrice } from '../../source/store/compact.js';
import { tempDir } from '../helpers/paths.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/store-v3/scanner-v3.db.gz');

/** The schema-3 fixture, unpacked to a fresh folder. */
function v3Store(): string {
  const path = join(tempDir(), 'scanner.db');
  writeFileSync(path, gunzipSync(readFileSync(FIXTURE)));
  return path;
}

type Row = Record<string, unknown>;

/** Every row of every table and view named, in a stable order, with each value's SQLite type. */
function dump(path: string, names: readonly string[]): Record<string, Row[]> {
  const db = new Database(path, { readonly: true });
  try {
    const out: Record<string, Row[]> = {};
    for (const n of names) {
      const cols = (db.prepare(`PRAGMA table_info(${n})`).all() as { name: string }[]).map(
        (c) => c.name,
      );
      const typed = cols.map((c) => `${c}, typeof(${c}) AS "${c}:type"`).join(', ');
      out[n] = db
        .prepare(`SELECT ${typed} FROM ${n} ORDER BY ${cols.map((_, i) => i + 1).join(', ')}`)
        .all() as Row[];
    }
    return out;
  } finally {
    db.close();
  }
}

/** Names of the user tables of a store (sqlite_* excluded). */
function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const names = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  db.close();
  return names;
}

describe('compact encodings', () => {
  it('day numbers and prices round-trip exactly', () => {
    expect(dayOf('1970-01-01')).toBe(0);
    expect(dayOf('2018-01-03')).toBe(17534);
    for (const d of ['2018-01-03', '2020-02-29', '2059-11-30', '1999-12-31'])
      expect(dateOfDay(dayOf(d))).toBe(d);
    expect(() => dayOf('2018-1-3')).toThrow(/YYYY-MM-DD/);
    expect(encodePrice(65.795)).toBe(657950n);
    expect(encodePrice(0.5646)).toBe(5646n);
    expect(encodePrice(0.49821)).toBe(0.49821); // five decimals: kept as the REAL it is
    expect(encodePrice(1e12)).toBe(1e12);
    expect(encodePrice(null)).toBeNull();
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (p)');
    const prices = [65.795, 0.5646, 0.49821, 1e-7, 0.1 + 0.2, 123456.7891, 5, 0, 1e12, 3.00015];
    for (const p of prices) db.prepare('INSERT INTO t VALUES (?)').run(encodePrice(p));
    const back = (
      db
        .prepare(
          "SELECT CASE typeof(p) WHEN 'integer' THEN p / 10000.0 ELSE p END AS v FROM t ORDER BY rowid",
        )
        .all() as { v: number }[]
    ).map((r) => r.v);
    expect(back).toEqual(prices);
    db.close();
  });
});

describe('migration 4 on a store written by the schema-3 gapctl', () => {
  it('keeps every row and value: daily_raw and universe_day read back identical through their views, every other table unchanged', () => {
    const path = v3Store();
    const before = tables(path);
    expect(before).toContain('daily_raw');
    const old = dump(path, before);
    expect(old.daily_raw!.length).toBe(1001);
    expect(old.universe_day!.length).toBe(457);

    const store = Store.open(path);
    store.close();

    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const kinds = Object.fromEntries(
      (
        db
          .prepare(
            "SELECT name, type FROM sqlite_master WHERE name IN ('daily_raw', 'universe_day', 'daily_bar', 'universe_member', 'universe_span', 'symbol', 'daily_raw_symbol')",
          )
          .all() as { name: string; type: string }[]
      ).map((r) => [r.name, r.type]),
    );
    expect(kinds).toEqual({
      daily_raw: 'view',
      universe_day: 'view',
      daily_bar: 'table',
      universe_span: 'table',
      symbol: 'table',
    });
    // one span per symbol and run of pinned days with the same attributes: 455 + 2 member rows in a few spans
    const spans = (db.prepare('SELECT count(*) n FROM universe_span').get() as { n: number }).n;
    expect(spans).toBeGreaterThanOrEqual(93);
    expect(spans).toBeLessThan(200);
    // compact storage: whole ten-thousandths as INTEGER, other prices as REAL, provider only when it differs from the day's
    const enc = db
      .prepare('SELECT typeof(b.open) t, count(*) n FROM daily_bar b GROUP BY 1 ORDER BY 1')
      .all();
    expect(enc).toEqual([
      { t: 'integer', n: 1000 },
      { t: 'real', n: 1 },
    ]);
    expect(db.prepare('SELECT count(*) n FROM daily_bar WHERE provider IS NOT NULL').get()).toEqual(
      { n: 2 },
    );
    db.close();

    const now = dump(path, before);
    expect(Object.keys(now)).toEqual(before);
    for (const t of before) expect({ table: t, rows: now[t] }).toEqual({ table: t, rows: old[t] });
    // the view's values are the very doubles that were stored
    const edge = now.daily_raw!.find((r) => r.symbol === 'EDGE1')!;
    expect(edge).toMatchObject({
      date: '2024-03-08',
      open: 0.123456,
      high: 1e12,
      low: 1e-7,
      close: 2.5,
      volume: 1234.5,
      vwap: null,
      transactions: null,
      provider: 'polygon',
    });
    expect(now.daily_raw!.find((r) => r.symbol === 'EDGE2')).toMatchObject({
      date: '2024-01-02',
      open: 3.0001,
      high: 3.00015,
      close: -0.5,
      vwap: 33.33333333,
      provider: 'orphan-day',
    });
  });

  it('the migrated store reads through the Store API as the schema-3 store does, and takes new days', () => {
    const path = v3Store();
    const legacyPath = join(tempDir(), 'legacy.db');
    copyFileSync(path, legacyPath);
    // a schema-3 store opened read-only is not migrated: the Store reads its old tables
    const legacy = Store.open(legacyPath, { readonly: true });
    const days = ['2024-02-23', '2024-03-06', '2024-03-08', '2024-01-02'];
    const oldBars = days.map((d) => [...legacy.getDailyRaw(d)].sort());
    const oldUniverse = legacy.getUniverse('2024-03-08');
    const oldBar = legacy.getBar('2024-03-08', 'EDGE1');
    legacy.close();
    expect(
      new Database(legacyPath, { readonly: true }).pragma('user_version', { simple: true }),
    ).toBe(3);
    expect(oldBars[0]!.length).toBeGreaterThan(50);
    expect(oldBar).toEqual({
      open: 0.123456,
      high: 1e12,
      low: 1e-7,
      close: 2.5,
      volume: 1234.5,
      vwap: null,
      transactions: null,
    });

    const store = Store.open(path);
    expect(days.map((d) => [...store.getDailyRaw(d)].sort())).toEqual(oldBars);
    expect(store.getUniverse('2024-03-08')).toEqual(oldUniverse);
    expect(store.getUniverse('2024-03-08')!.find((u) => u.symbol === 'EDGE1')).toEqual({
      symbol: 'EDGE1',
      type: 'WARRANT',
      primaryExchange: 'XNAS',
      market: 'stocks',
      active: false,
      delistedUtc: '2024-03-09T00:00:00Z',
    });
    expect(store.getBar('2024-03-08', 'EDGE1')).toEqual(oldBar);
    expect(store.getBar('2024-03-08', 'NOPE')).toBeNull();
    expect(store.dailyRawProvider('2024-03-06')).toBe('polygon-emulated:sim:7');

    // new days after the migration: a known symbol keeps its id, a new one gets the next id
    const bar = {
      symbol: 'EDGE1',
      open: 1.5,
      high: 2.25,
      low: 1.4999,
      close: 2,
      volume: 10,
      vwap: 1.9,
      transactions: 3,
      otc: false,
    };
    store.putDailyRaw(
      '2024-03-11',
      [bar, { ...bar, symbol: 'ZZNEW', open: 7.123456 }],
      'polygon-emulated:sim:7',
    );
    expect(store.getDailyRaw('2024-03-11').get('ZZNEW')).toEqual({
      ...bar,
      symbol: 'ZZNEW',
      open: 7.123456,
      otc: false,
    });
    store.pinUniverse('2024-03-11', [
      {
        symbol: 'ZZNEW',
        type: 'CS',
        primaryExchange: 'XNYS',
        market: 'stocks',
        active: true,
        delistedUtc: null,
      },
    ]);
    expect(store.getUniverse('2024-03-11')).toEqual([
      {
        symbol: 'ZZNEW',
        type: 'CS',
        primaryExchange: 'XNYS',
        market: 'stocks',
        active: true,
        delistedUtc: null,
      },
    ]);
    const ids = store.db
      .prepare("SELECT symbol, id FROM symbol WHERE symbol IN ('EDGE1', 'ZZNEW') ORDER BY symbol")
      .all() as { symbol: string; id: number }[];
    const max = (store.db.prepare('SELECT max(id) m FROM symbol').get() as { m: number }).m;
    expect(ids[1]).toEqual({ symbol: 'ZZNEW', id: max });
    expect(
      store.db
        .prepare("SELECT * FROM daily_raw WHERE date = '2024-03-11' AND symbol = 'ZZNEW'")
        .get(),
    ).toEqual({
      date: '2024-03-11',
      symbol: 'ZZNEW',
      open: 7.123456,
      high: 2.25,
      low: 1.4999,
      close: 2,
      volume: 10,
      vwap: 1.9,
      transactions: 3,
      provider: 'polygon-emulated:sim:7',
    });
    store.close();
  });

  it('a failed write forgets the symbol ids it gave (they were rolled back)', () => {
    const store = Store.open(join(tempDir(), 'scanner.db'));
    const bar = {
      symbol: 'AAA',
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
      vwap: null,
      transactions: null,
      otc: false,
    };
    expect(() =>
      store.putDailyRaw(
        '2024-03-11',
        [bar, { ...bar, symbol: 'BBB', open: null as unknown as number }],
        'p',
      ),
    ).toThrow(/NOT NULL/);
    store.putDailyRaw(
      '2024-03-11',
      [
        { ...bar, symbol: 'CCC' },
        { ...bar, symbol: 'AAA' },
      ],
      'p',
    );
    expect(store.db.prepare('SELECT id, symbol FROM symbol ORDER BY id').all()).toEqual([
      { id: 1, symbol: 'CCC' },
      { id: 2, symbol: 'AAA' },
    ]);
    expect([...store.getDailyRaw('2024-03-11').keys()].sort()).toEqual(['AAA', 'CCC']);
    store.close();
  });

  it('a universe row of a day with no universe_days row (never written by gapctl) is kept: the day gets one', () => {
    const path = v3Store();
    const db = new Database(path);
    db.prepare(
      "INSERT INTO universe_day VALUES ('2024-03-12', 'ORPH', 'CS', 'XNYS', 1, NULL)",
    ).run();
    db.close();
    const store = Store.open(path);
    expect(store.getUniverse('2024-03-12')).toEqual([
      {
        symbol: 'ORPH',
        type: 'CS',
        primaryExchange: 'XNYS',
        market: 'stocks',
        active: true,
        delistedUtc: null,
      },
    ]);
    expect(store.db.prepare("SELECT * FROM universe_day WHERE date = '2024-03-12'").all()).toEqual([
      {
        date: '2024-03-12',
        symbol: 'ORPH',
        type: 'CS',
        primary_exchange: 'XNYS',
        active: 1,
        delisted_utc: null,
      },
    ]);
    expect(
      store.db
        .prepare("SELECT symbols, pinned_at FROM universe_days WHERE date = '2024-03-12'")
        .get(),
    ).toEqual({ symbols: 1, pinned_at: 'migration 5' });
    store.close();
  });

  it("the migration frees the old tables' pages (VACUUM when most of the file is free)", () => {
    const path = v3Store();
    // grow the v3 store so the dropped tables dominate the file
    const db = new Database(path);
    const ins = db.prepare(
      "INSERT INTO daily_raw VALUES (?, ?, 10.25, 11.5, 9.75, 11, 1000000, 10.5, 100, 'polygon-emulated:sim:7')",
    );
    const day = db.prepare(
      "INSERT INTO daily_raw_days VALUES (?, 1500, '2026-01-01T00:00:00.000Z', 'polygon-emulated:sim:7')",
    );
    db.transaction(() => {
      for (let d = 1; d <= 20; d++) {
        const date = `2023-06-${String(d).padStart(2, '0')}`;
        day.run(date);
        for (let i = 0; i < 1500; i++) ins.run(date, `S${i}`);
      }
    })();
    db.close();
    const big = statSync(path).size;
    Store.open(path).close();
    const small = statSync(path).size;
    const check = new Database(path, { readonly: true });
    expect(check.pragma('freelist_count', { simple: true })).toBe(0);
    expect((check.prepare('SELECT count(*) n FROM daily_raw').get() as { n: number }).n).toBe(
      1001 + 30_000,
    );
    check.close();
    expect(small).toBeLessThan(big * 0.4);
  });
});
