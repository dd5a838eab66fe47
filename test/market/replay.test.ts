/**
 * The bundled real sample db/market/2018q1 and its loader, checked against the raw real data in
 * ../shared/data (read-only, next to the repository).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_REPLAY_DIR,
  openReplay,
  type PremarketEvent,
  type ReplayMarket,
} from '../../source/market/replay/index.js';
import { securityTypeFromTicker } from '../../source/market/ticker-conventions.js';
import { NQB_EXCHANGE_CODES } from '../../source/market/types.js';
import { HAVE_SHARED, NO_SHARED } from '../helpers/paths.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(repoRoot, '..', 'shared', 'data');
const stooqDays = path.join(shared, 'stooq-us-daily-2018-2020', 'days');
const premarketCsv = path.join(
  shared,
  'polygon-premarket-gappers-2015-2018',
  'gappers_premarket_5min.csv',
);

/** Raw stooq rows of a day: ticker → [open, high, low, close, volume] as numbers, in file order. */
const rawCache = new Map<
  string,
  { ticker: string; exchange: string; kind: string; v: number[] }[]
>();
function rawStooq(date: string): { ticker: string; exchange: string; kind: string; v: number[] }[] {
  const hit = rawCache.get(date);
  if (hit) return hit;
  const rows = readRawStooq(date);
  rawCache.set(date, rows);
  return rows;
}
function readRawStooq(
  date: string,
): { ticker: string; exchange: string; kind: string; v: number[] }[] {
  const text = gunzipSync(fs.readFileSync(path.join(stooqDays, `${date}.csv.gz`))).toString('utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const f = l.split(',');
      return { ticker: f[0], exchange: f[1], kind: f[2], v: f.slice(3).map(Number) };
    });
}

/** Every test here compares the sample with ../shared/data: skipped (one line) when it is absent. */
const describeShared = describe.skipIf(!HAVE_SHARED);
const title = (t: string): string => (HAVE_SHARED ? t : `${t} ${NO_SHARED}`);

const stooqDatesInSpan = (HAVE_SHARED ? fs.readdirSync(stooqDays) : [])
  .map((f) => f.slice(0, 10))
  .filter((d) => d >= '2018-01-02' && d <= '2018-04-10')
  .sort();

let market: ReplayMarket;
let events: PremarketEvent[];
let fileRows: Map<string, Record<string, string>>;

beforeAll(async () => {
  if (!HAVE_SHARED) return;
  market = await openReplay(DEFAULT_REPLAY_DIR);
  events = JSON.parse(
    fs.readFileSync(path.join(DEFAULT_REPLAY_DIR, 'premarket_events.json'), 'utf8'),
  ) as PremarketEvent[];
  const rows = parse(fs.readFileSync(premarketCsv), { columns: true }) as Record<string, string>[];
  fileRows = new Map(rows.map((r) => [`${r.date} ${r.ticker}`, r]));
});

describeShared(title('bundled sample db/market/2018q1'), () => {
  it('sits at DEFAULT_REPLAY_DIR and is named replay:2018q1', () => {
    expect(DEFAULT_REPLAY_DIR).toBe(path.join(repoRoot, 'db', 'market', '2018q1'));
    expect(market.name).toBe('replay:2018q1');
    expect(market.span).toEqual({ start: '2018-01-02', end: '2018-04-10' });
  });

  it('lists exactly the 68 stooq trading days of 2018-01-02..2018-04-10', () => {
    expect(stooqDatesInSpan).toHaveLength(68);
    expect(market.manifest.tradingDays).toEqual(stooqDatesInSpan);
    expect(market.tradingDays).toEqual(stooqDatesInSpan);
    expect(market.manifest.counts.tradingDays).toBe(68);
    expect(market.tradingDays).not.toContain('2018-03-30'); // Good Friday
  });

  it('cites both sources with repository, commit and path as the data README gives them', () => {
    expect(
      market.manifest.sources.map(({ repository, commit, path: p, licence }) => ({
        repository,
        commit,
        p,
        licence,
      })),
    ).toEqual([
      {
        repository: 'minavyoussef/be-mil',
        commit: 'f28c3fe6504491f0c5087c365ef23e87342a856c',
        p: 'data/daily/us',
        licence: 'no licence stated',
      },
      {
        repository: 'hanzelbridges/Polygon2',
        commit: '814e7d3358b15a650473d94620629f6ba0fdbdaa',
        p: 'output/gappers_premarket_5min.csv',
        licence: 'no licence stated',
      },
    ]);
  });

  it('stays small (< 15 MB)', () => {
    let total = 0;
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else total += fs.statSync(path.join(d, e.name)).size;
      }
    };
    walk(DEFAULT_REPLAY_DIR);
    expect(total).toBeLessThan(15 * 1024 * 1024);
  });

  it('groupedDaily equals the raw stooq file row for row on every day', async () => {
    let rows = 0;
    // Bars with a field stooq does not have (vw, n, otc), collected and asserted once at the end:
    // an expect() per row (about 480,000 of them) made most of this test's time.
    const extraFields: string[] = [];
    for (const date of stooqDatesInSpan) {
      const raw = rawStooq(date);
      const bars = await market.groupedDaily(date);
      expect(bars.length, date).toBe(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const b = bars[i];
        const r = raw[i];
        if (
          b.T !== r.ticker ||
          b.o !== r.v[0] ||
          b.h !== r.v[1] ||
          b.l !== r.v[2] ||
          b.c !== r.v[3] ||
          b.v !== r.v[4]
        ) {
          expect({ date, bar: b }).toEqual({
            date,
            bar: { T: r.ticker, o: r.v[0], h: r.v[1], l: r.v[2], c: r.v[3], v: r.v[4] },
          });
        }
        if ('vw' in b || 'n' in b || 'otc' in b) extraFields.push(`${date} ${JSON.stringify(b)}`);
      }
      rows += raw.length;
    }
    expect(extraFields).toEqual([]);
    expect(market.manifest.counts.dailyRows).toBe(rows);
  });

  it('groupedDaily answers [] outside the dataset and hands out copies from its cache', async () => {
    expect(await market.groupedDaily('2018-03-30')).toEqual([]);
    expect(await market.groupedDaily('2017-12-29')).toEqual([]);
    expect(await market.groupedDaily('2018-04-11')).toEqual([]);
    const a = await market.groupedDaily('2018-01-03');
    const n = a.length;
    a.length = 0;
    const b = await market.groupedDaily('2018-01-03');
    expect(b.length).toBe(n);
    expect(Object.isFrozen(b[0])).toBe(true);
  });

  it('types every ticker by the ticker conventions', async () => {
    const ref = await market.referenceTickers('2018-04-10');
    expect(ref).toHaveLength(market.manifest.counts.tickers);
    const kinds = new Map<string, { exchange: string; kind: string }>();
    for (const d of ['2018-01-02', '2018-04-10'])
      for (const r of rawStooq(d)) kinds.set(r.ticker, r);
    for (const t of ref.filter((x) => kinds.has(x.ticker))) {
      const k = kinds.get(t.ticker)!;
      const ex = k.exchange === 'NYSEMKT' ? 'AMEX' : (k.exchange as 'NYSE' | 'NASDAQ');
      expect(t.type, t.ticker).toBe(
        securityTypeFromTicker(t.ticker, ex, k.kind as 'stock' | 'etf'),
      );
      expect(t.primaryExchange).toBe({ NYSE: 'XNYS', NASDAQ: 'XNAS', AMEX: 'XASE' }[ex]);
    }
    const byTicker = new Map(ref.map((t) => [t.ticker, t]));
    expect(byTicker.get('AIG-WS')?.type).toBe('WARRANT');
    expect(byTicker.get('BRK-B')?.type).toBe('CS');
    expect(byTicker.get('BAC_L')?.type).toBe('PFD');
    expect(byTicker.get('SPY')?.type).toBe('ETF');
  });
});

describeShared(title('replay referenceTickers and tickerDetails'), () => {
  it('lists the tickers seen on or before the date, sorted, all active, clamped outside the span', async () => {
    const first = await market.referenceTickers('2018-01-02');
    expect(first.map((t) => t.ticker)).toEqual(rawStooq('2018-01-02').map((r) => r.ticker));
    expect(
      first.every(
        (t) =>
          t.active && t.market === 'stocks' && t.name === t.ticker && t.delistedUtc === undefined,
      ),
    ).toBe(true);
    const later = await market.referenceTickers('2018-02-20');
    expect(later.length).toBeGreaterThan(first.length);
    const names = later.map((t) => t.ticker);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(await market.referenceTickers('2017-06-01')).toEqual(first);
    expect((await market.referenceTickers('2019-06-01')).length).toBe(
      market.manifest.counts.tickers,
    );
  });

  it('answers ticker details without share counts, null for an unknown ticker', async () => {
    const d = await market.tickerDetails('AIG-WS', '2018-02-01');
    expect(d).toEqual({
      ticker: 'AIG-WS',
      name: 'AIG-WS',
      type: 'WARRANT',
      market: 'stocks',
      primaryExchange: 'XNYS',
      active: true,
    });
    expect((await market.tickerDetails('NSPR', '2018-01-09'))?.primaryExchange).toBe('XASE');
    expect(await market.tickerDetails('NOSUCH', '2018-02-01')).toBeNull();
  });

  it('has no split records (stooq is split-adjusted)', async () => {
    expect(await market.splits()).toEqual([]);
  });
});

describeShared(title('replay premarket: rescaled real bars'), () => {
  it('keeps 58 rows, skips ACHV 2018-02-20 and RTTR 2018-03-23 for the ratio mismatch', () => {
    const c = market.manifest.counts;
    expect(c.premarketRowsInSpan).toBe(87);
    expect(c.premarketKept + c.premarketSkipped).toBe(87);
    expect(events).toHaveLength(c.premarketKept);
    const mism = market.manifest.premarketSkipped.filter((s) => s.reason === 'ratio_mismatch');
    expect(mism.map((s) => `${s.date} ${s.ticker}`)).toEqual([
      '2018-02-20 ACHV',
      '2018-03-23 RTTR',
    ]);
    for (const s of mism) expect(s.detail).toMatch(/more than 3%/);
    const skippedKeys = new Set(
      market.manifest.premarketSkipped.map((s) => `${s.date} ${s.ticker}`),
    );
    expect(events.some((e) => skippedKeys.has(`${e.date} ${e.ticker}`))).toBe(false);
  });

  it('uses the stooq close of the previous stooq day as previous close', () => {
    for (const e of events) {
      const i = stooqDatesInSpan.indexOf(e.date);
      expect(i, e.date).toBeGreaterThan(0);
      const prev = rawStooq(stooqDatesInSpan[i - 1]).find((r) => r.ticker === e.ticker)!;
      expect(prev.v[3]).toBe(e.stooqPrevClose);
    }
  });

  it('max trade price / stooq previous close equals file pm_high / file prev_close (1e-9 relative)', async () => {
    let checked = 0;
    for (const e of events.filter((x) => x.hasPremarketBars)) {
      const row = fileRows.get(`${e.date} ${e.ticker}`)!;
      const prints = (await market.trades(e.ticker, e.date))!;
      const maxPrice = Math.max(...prints.map((p) => p.price));
      const want = Number(row.pm_high) / Number(row.prev_close);
      expect(
        Math.abs(maxPrice / e.stooqPrevClose / want - 1),
        `${e.date} ${e.ticker}`,
      ).toBeLessThan(1e-9);
      expect(maxPrice).toBe(e.pmHigh);
      checked++;
    }
    expect(checked).toBe(56);
  });

  it('derives four prints per bar inside the bar and before 09:30 ET', async () => {
    for (const e of events.filter((x) => x.hasPremarketBars)) {
      const bars = (await market.minuteBars(e.ticker, e.date))!;
      const prints = (await market.trades(e.ticker, e.date))!;
      expect(prints).toHaveLength(bars.length * 4);
      const rawBars = JSON.parse(fileRows.get(`${e.date} ${e.ticker}`)!.pm_prices) as {
        start: string;
      }[];
      const offset = rawBars[0].start.slice(19);
      const open = Date.parse(`${e.date}T04:00:00${offset}`);
      const cutoff = Date.parse(`${e.date}T09:30:00${offset}`);
      bars.forEach((b, i) => {
        expect(b.startMs).toBe(Date.parse(rawBars[i].start));
        expect(b.durationMs).toBe(60_000);
        const p = prints.slice(4 * i, 4 * i + 4);
        expect(p.map((x) => x.ms - b.startMs)).toEqual([0, 60_000, 120_000, 299_000]);
        expect(p.map((x) => x.price)).toEqual([b.open, b.high, b.low, b.close]);
        expect(p.every((x) => x.condition === 0 && x.size >= 1)).toBe(true);
        expect(new Set(p.map((x) => x.exchange)).size).toBe(1);
        expect(NQB_EXCHANGE_CODES.includes(p[0].exchange)).toBe(i % 2 === 0);
        if (b.volume >= 4) expect(p.reduce((n, x) => n + x.size, 0)).toBe(b.volume);
      });
      for (let k = 0; k < prints.length; k++) {
        expect(prints[k].ms).toBeGreaterThanOrEqual(open);
        expect(prints[k].ms).toBeLessThan(cutoff);
        if (k > 0) {
          expect(prints[k].ms).toBeGreaterThan(prints[k - 1].ms);
          expect(prints[k].sequence).toBeGreaterThan(prints[k - 1].sequence);
        }
      }
      expect(Math.max(...bars.map((b) => b.high))).toBe(e.pmHigh);
    }
  });

  it('answers null (Theta 472) without a premarket row or without bars', async () => {
    expect(await market.trades('AAPL', '2018-01-04')).toBeNull();
    expect(await market.minuteBars('AAPL', '2018-01-04')).toBeNull();
    expect(await market.trades('ACHV', '2018-02-20')).toBeNull(); // skipped row
    expect(await market.trades('RTTR', '2018-03-23')).toBeNull();
    expect(await market.trades('CNET', '2018-01-05')).toBeNull(); // a gapper, but not that day
    for (const e of events.filter((x) => !x.hasPremarketBars)) {
      expect(await market.trades(e.ticker, e.date)).toBeNull();
      expect(await market.minuteBars(e.ticker, e.date)).toBeNull();
    }
    expect(
      events
        .filter((x) => !x.hasPremarketBars)
        .map((x) => x.ticker)
        .sort(),
    ).toEqual(['BOXL', 'VVPR']);
  });

  it('premarket_events.json flags R1 positives and near-misses consistently with the manifest', () => {
    const c = market.manifest.counts;
    for (const e of events) {
      expect(e.r1Positive).toBe(e.pmHigh !== null && e.pmHigh / e.stooqPrevClose >= 1.5);
      if (e.pmHighPct !== null)
        expect(e.pmHighPct).toBeCloseTo((e.pmHigh! / e.stooqPrevClose - 1) * 100, 9);
    }
    const pos = events.filter((e) => e.r1Positive).length;
    expect(pos).toBe(c.r1Positive);
    expect(events.filter((e) => e.hasPremarketBars && !e.r1Positive).length).toBe(c.r1NearMiss);
    expect(pos).toBe(36);
    expect(c.r1NearMiss).toBe(20);
    // Real examples: CNET 2018-01-04 R1 positive (+211%), RHE 2018-01-18 a near-miss (+12%).
    const get = (d: string, t: string) => events.find((e) => e.date === d && e.ticker === t)!;
    expect(get('2018-01-04', 'CNET').r1Positive).toBe(true);
    expect(get('2018-01-18', 'RHE').r1Positive).toBe(false);
    expect(get('2018-01-18', 'RHE').hasPremarketBars).toBe(true);
  });
});
