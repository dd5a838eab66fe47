import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eligibleHigh, eligiblePrints } from '../helpers/tape.js';
import {
  NQB_EXCHANGE_CODES,
  type DailyBar,
  type MarketSource,
  type RefTicker,
} from '../../source/market/types.js';
import {
  createSimMarket,
  defaultSimCalendar,
  parseSimMarketSpec,
} from '../../source/market/sim/index.js';
import { createSimOracle } from '../../source/market/sim/oracle.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function addDays(d: string, n: number): string {
  const dt = new Date(`${d}T00:00:00Z`);
  dt.setUTCDate(dt.getUTCDate() + n);
  return dt.toISOString().slice(0, 10);
}

/** UTC ms of 04:00 and 09:30 America/New_York on `date`, via Intl (independent of the simulator's DST code). */
function pmWindowUtc(date: string): [number, number] {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    hour: 'numeric',
    hourCycle: 'h23',
  });
  const [y, m, d] = date.split('-').map(Number);
  const est = Date.UTC(y, m - 1, d, 9); // 04:00 EST
  const start = Number(fmt.format(new Date(est))) === 4 ? est : est - 3_600_000;
  return [start, start + 5.5 * 3_600_000];
}

const DATES = ['2024-03-08', '2024-03-11', '2018-02-05', '2031-07-15'];

describe('sim market: determinism', () => {
  it('same seed gives byte-identical grouped daily, trades, minute bars and reference tickers', async () => {
    const a = createSimMarket({ seed: 7 });
    const b = createSimMarket({ seed: 7 });
    expect(a.name).toBe('sim:7');
    expect(a.span).toBeUndefined();
    for (const d of DATES) {
      const ga = await a.groupedDaily(d);
      const gb = await b.groupedDaily(d);
      expect(ga.length).toBeGreaterThan(5000);
      expect(JSON.stringify(ga)).toBe(JSON.stringify(gb));
      expect(JSON.stringify(await a.referenceTickers(d))).toBe(
        JSON.stringify(await b.referenceTickers(d)),
      );
      for (const bar of ga.filter((_, i) => i % 500 === 0)) {
        expect(JSON.stringify(await a.trades(bar.T, d))).toBe(
          JSON.stringify(await b.trades(bar.T, d)),
        );
        expect(JSON.stringify(await a.minuteBars(bar.T, d))).toBe(
          JSON.stringify(await b.minuteBars(bar.T, d)),
        );
      }
    }
    expect(JSON.stringify(await a.splits())).toBe(JSON.stringify(await b.splits()));
  });

  it('different seeds give different markets', async () => {
    const a = createSimMarket({ seed: 7 });
    const b = createSimMarket({ seed: 8 });
    const ra = (await a.referenceTickers('2024-03-08')).map((r) => r.ticker);
    const rb = (await b.referenceTickers('2024-03-08')).map((r) => r.ticker);
    expect(ra).not.toEqual(rb);
    expect(JSON.stringify(await a.groupedDaily('2024-03-08'))).not.toBe(
      JSON.stringify(await b.groupedDaily('2024-03-08')),
    );
  });

  it('a day does not depend on what was asked before (no hidden state, bounded lookback)', async () => {
    const cold = createSimMarket({ seed: 11 });
    const warm = createSimMarket({ seed: 11 });
    // Warm one instance with the preceding days (cached previous-day tables), ask the other cold.
    for (let d = '2024-02-20'; d < '2024-03-08'; d = addDays(d, 1)) await warm.groupedDaily(d);
    const target = '2024-03-08';
    const w = await warm.groupedDaily(target);
    const c = await cold.groupedDaily(target);
    expect(JSON.stringify(c)).toBe(JSON.stringify(w));
    const sample = w.filter((_, i) => i % 97 === 0);
    for (const bar of sample)
      expect(await cold.trades(bar.T, target)).toEqual(await warm.trades(bar.T, target));
  });

  it('covers any date 1990..2040 with sane bars; non-trading days are empty', async () => {
    const m = createSimMarket({ seed: 3, tickers: 2000 });
    for (const d of ['1990-03-01', '2001-09-10', '2040-06-01']) {
      const g = await m.groupedDaily(d);
      expect(g.length).toBeGreaterThan(1000);
      for (const b of g) {
        expect(b.l).toBeGreaterThan(0);
        expect(b.h).toBeGreaterThanOrEqual(Math.max(b.o, b.c));
        expect(b.l).toBeLessThanOrEqual(Math.min(b.o, b.c));
        expect(b.vw).toBeGreaterThanOrEqual(b.l);
        expect(b.vw).toBeLessThanOrEqual(b.h);
        expect(b.v).toBeGreaterThan(0);
      }
    }
    expect(await m.groupedDaily('2024-03-09')).toEqual([]); // Saturday
    expect(await m.groupedDaily('2024-07-04')).toEqual([]); // holiday
    expect(await m.groupedDaily('2001-09-11')).toEqual([]); // special closure
    const anyTicker = (await m.referenceTickers('2024-07-04'))[0].ticker;
    expect(await m.trades(anyTicker, '2024-07-04')).toBeNull();
    expect(await m.minuteBars(anyTicker, '2024-07-06')).toBeNull();
  });

  it('rejects bad options and dates with one-line errors', async () => {
    expect(() => createSimMarket({ seed: -1 })).toThrow(/seed/);
    expect(() => createSimMarket({ seed: 1.5 })).toThrow(/seed/);
    expect(() => createSimMarket({ seed: 1, tickers: 3 })).toThrow(/tickers/);
    const m = createSimMarket({ seed: 1, tickers: 200 });
    await expect(m.groupedDaily('2024-02-30')).rejects.toThrow(/invalid date/);
    await expect(m.groupedDaily('20240102')).rejects.toThrow(/invalid date/);
    expect(parseSimMarketSpec('sim:123')).toEqual({ seed: 123 });
    expect(parseSimMarketSpec('sim').seed).toBe(42);
    expect(() => parseSimMarketSpec('sim:x')).toThrow(/invalid sim market spec/);
  });
});

describe('sim market: calendar', () => {
  const dir = path.resolve(repoRoot, '../shared/data/stooq-us-daily-2018-2020/days');
  it.skipIf(!existsSync(dir))(
    'default calendar matches the real NYSE trading days 2018-01-02..2020-01-23',
    () => {
      const real = readdirSync(dir)
        .filter((f) => f.endsWith('.csv.gz'))
        .map((f) => f.slice(0, 10))
        .sort();
      const mine: string[] = [];
      for (let d = real[0]; d <= real[real.length - 1]; d = addDays(d, 1)) {
        if (defaultSimCalendar.isTradingDay(d)) mine.push(d);
      }
      expect(mine).toEqual(real);
      expect(defaultSimCalendar.prevTradingDay('2018-12-06')).toBe('2018-12-04');
      expect(defaultSimCalendar.prevTradingDay('2024-01-02')).toBe('2023-12-29');
    },
  );

  it('uses an injected calendar for trading days', async () => {
    const closed = new Set(['2024-03-06']);
    const cal = {
      isTradingDay: (d: string) => defaultSimCalendar.isTradingDay(d) && !closed.has(d),
      prevTradingDay: (d: string) => {
        let p = defaultSimCalendar.prevTradingDay(d);
        while (closed.has(p)) p = defaultSimCalendar.prevTradingDay(p);
        return p;
      },
    };
    const m = createSimMarket({ seed: 5, tickers: 300, calendar: cal });
    expect(await m.groupedDaily('2024-03-06')).toEqual([]);
    expect((await m.groupedDaily('2024-03-07')).length).toBeGreaterThan(100);
  });
});

describe('sim market: universe, bars, details', () => {
  const m = createSimMarket({ seed: 42 });
  const date = '2024-03-11';

  it('has ~11k unique, sorted, realistic tickers of every type and exchange', async () => {
    const refs = await m.referenceTickers(date);
    const names = refs.map((r) => r.ticker);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(names);
    const active = refs.filter((r) => r.active);
    expect(active.length).toBeGreaterThan(9000);
    expect(active.length).toBeLessThan(11000);
    const has = (f: (r: RefTicker) => boolean): number => active.filter(f).length;
    for (const mic of ['XNYS', 'XNAS', 'XASE'])
      expect(has((r) => r.type === 'CS' && r.primaryExchange === mic)).toBeGreaterThan(100);
    expect(has((r) => r.type === 'ETF' && r.primaryExchange === 'ARCX')).toBeGreaterThan(500);
    expect(has((r) => r.type === 'WARRANT' && /^[A-Z]{4}W$/.test(r.ticker))).toBeGreaterThan(50);
    expect(has((r) => r.type === 'WARRANT' && /^[A-Z]{1,4}\.WS$/.test(r.ticker))).toBeGreaterThan(
      10,
    );
    expect(has((r) => r.type === 'UNIT')).toBeGreaterThan(30);
    expect(has((r) => r.type === 'RIGHT')).toBeGreaterThan(10);
    expect(has((r) => r.type === 'PFD' && /^[A-Z]{1,4}_[A-H]$/.test(r.ticker))).toBeGreaterThan(50);
    expect(has((r) => r.type === 'ADRC' && r.market === 'stocks')).toBeGreaterThan(50);
    expect(has((r) => r.type === 'OS')).toBeGreaterThan(20);
    expect(has((r) => r.market === 'otc' && r.primaryExchange === 'OTCM')).toBeGreaterThan(1000);
    expect(
      has((r) => r.type === 'CS' && (r.primaryExchange === 'BATS' || r.primaryExchange === 'ARCX')),
    ).toBeGreaterThan(5);
    for (const r of active) {
      expect(r.ticker).toMatch(/^[A-Z]{1,5}(\.(A|B|WS|U|RT)|_[A-H])?$/);
      expect(r.listDate! <= date).toBe(true);
    }
  });

  it('lists and delists: recent delistings are active=false with delistedUtc; no bars outside listing', async () => {
    let delisted: RefTicker[] = [];
    let d = '2024-01-31';
    for (let k = 0; k < 24 && delisted.length === 0; k++, d = addDays(d, 30)) {
      delisted = (await m.referenceTickers(d)).filter((r) => !r.active);
    }
    expect(delisted.length).toBeGreaterThan(0);
    const x = delisted[0];
    expect(x.delistedUtc).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    const delistDate = x.delistedUtc!.slice(0, 10);
    expect(delistDate <= d).toBe(true);
    // No bar on or after the delisting date.
    for (let k = 0, e = delistDate; k < 5; k++, e = addDays(e, 1)) {
      expect((await m.groupedDaily(e)).some((b) => b.T === x.ticker)).toBe(false);
    }
    // A ticker listed after `date` has no bar and no details on `date`.
    const later = (await m.referenceTickers('2030-06-03')).find(
      (r) => r.active && r.listDate! > '2024-06-01',
    );
    expect(later).toBeDefined();
    expect((await m.groupedDaily(date)).some((b) => b.T === later!.ticker)).toBe(false);
    expect(await m.tickerDetails(later!.ticker, date)).toBeNull();
  });

  it('grouped daily: OTC flagged, ~0.3% halts, heavy-tailed volume with 10-15% of CS under 100k', async () => {
    const refs = new Map((await m.referenceTickers(date)).map((r) => [r.ticker, r]));
    const bars = await m.groupedDaily(date);
    for (const b of bars) {
      const r = refs.get(b.T);
      expect(r?.active).toBe(true);
      expect(b.otc === true).toBe(r!.market === 'otc');
      if (b.otc !== true) expect('otc' in b).toBe(false);
    }
    const withBar = new Set(bars.map((b) => b.T));
    const activeN = [...refs.values()].filter((r) => r.active).length;
    const missing = activeN - withBar.size;
    expect(missing / activeN).toBeGreaterThan(0.0005);
    expect(missing / activeN).toBeLessThan(0.01);
    const cs = bars.filter(
      (b) => refs.get(b.T)!.type === 'CS' && refs.get(b.T)!.market === 'stocks',
    );
    const low = cs.filter((b) => b.v < 100_000).length / cs.length;
    expect(low).toBeGreaterThan(0.08);
    expect(low).toBeLessThan(0.17);
    const vols = cs.map((b) => b.v).sort((a, b) => a - b);
    const median = vols[Math.floor(vols.length / 2)];
    expect(vols[vols.length - 1] / median).toBeGreaterThan(50); // heavy tail
  });

  it('ticker details and float shares are consistent with the bars', async () => {
    const bars = await m.groupedDaily(date);
    const refs = new Map((await m.referenceTickers(date)).map((r) => [r.ticker, r]));
    let checked = 0;
    for (const b of bars.filter((_, i) => i % 301 === 0)) {
      const d = await m.tickerDetails(b.T, date);
      const r = refs.get(b.T)!;
      expect(d).not.toBeNull();
      expect(d!.type).toBe(r.type);
      expect(d!.primaryExchange).toBe(r.primaryExchange);
      expect(d!.market).toBe(r.market);
      if (d!.marketCap !== undefined) {
        expect(d!.marketCap).toBeCloseTo(b.c * d!.weightedSharesOutstanding!, 0);
        expect(d!.shareClassSharesOutstanding!).toBeLessThanOrEqual(d!.weightedSharesOutstanding!);
        const f = await m.floatShares!(b.T, date);
        if (r.type === 'CS') {
          expect(f).not.toBeNull();
          expect(f!).toBeLessThan(d!.weightedSharesOutstanding!);
          expect(f!).toBeGreaterThan(0.3 * d!.weightedSharesOutstanding!);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(await m.tickerDetails('NOPE1', date)).toBeNull();
    expect(await m.floatShares!('NOPE1', date)).toBeNull();
  });

  it('splits: 2010..2030 only, both kinds, reverse splits make fake gaps in unadjusted bars', async () => {
    const splits = await m.splits();
    expect(splits.length).toBeGreaterThan(1000);
    expect(new Set(splits.map((s) => s.id)).size).toBe(splits.length);
    for (const s of splits) {
      expect(s.executionDate >= '2010-01-01' && s.executionDate <= '2030-12-31').toBe(true);
      expect(defaultSimCalendar.isTradingDay(s.executionDate)).toBe(true);
      expect(Number.isInteger(s.splitFrom) && Number.isInteger(s.splitTo)).toBe(true);
    }
    const in2024 = splits.filter((s) => s.executionDate.startsWith('2024'));
    const rev = in2024.filter((s) => s.splitFrom > s.splitTo);
    const fwd = in2024.filter((s) => s.splitFrom < s.splitTo);
    expect(rev.length / 52).toBeGreaterThan(1.5); // a few a week
    expect(fwd.length).toBeGreaterThan(5);
    let seen = 0;
    for (const s of rev.slice(0, 15)) {
      const prev = defaultSimCalendar.prevTradingDay(s.executionDate);
      const p = (await m.groupedDaily(prev)).find((b) => b.T === s.ticker);
      const x = (await m.groupedDaily(s.executionDate)).find((b) => b.T === s.ticker);
      if (!p || !x) continue;
      const ratio = x.o / p.c / (s.splitFrom / s.splitTo);
      expect(ratio).toBeGreaterThan(0.6); // the unadjusted open jumps by about from/to
      seen++;
    }
    expect(seen).toBeGreaterThan(5);
  });
});

describe('sim market: premarket trades and minute bars', () => {
  const m = createSimMarket({ seed: 42 });
  const o = createSimOracle({ seed: 42 });
  const date = '2024-03-11';

  it('prints lie in 04:00-09:29:59.999 ET, are sorted, peak at the true premarket high and end near the open', async () => {
    const [ws, we] = pmWindowUtc(date);
    const bars = await m.groupedDaily(date);
    let withPrints = 0,
      none = 0,
      nonNqbHigh = 0,
      nqbHigh = 0,
      checkedEnd = 0;
    let maxN = 0,
      minN = Infinity;
    for (const b of bars.filter((_, i) => i % 7 === 0)) {
      const tr = await m.trades(b.T, date);
      const truth = o.truth(b.T, date)!;
      if (tr === null) {
        none++;
        expect(truth.pmHigh).toBeNull();
        continue;
      }
      withPrints++;
      maxN = Math.max(maxN, tr.length);
      minN = Math.min(minN, tr.length);
      for (let i = 0; i < tr.length; i++) {
        expect(tr[i].ms).toBeGreaterThanOrEqual(ws);
        expect(tr[i].ms).toBeLessThan(we);
        if (i > 0) {
          expect(tr[i].ms).toBeGreaterThanOrEqual(tr[i - 1].ms);
          expect(tr[i].sequence).toBeGreaterThan(tr[i - 1].sequence);
        }
        expect(tr[i].size).toBeGreaterThan(0);
      }
      const hi = eligibleHigh(tr);
      expect(hi).toBe(truth.pmHigh);
      const top = eligiblePrints(tr).find((p) => p.price === hi)!;
      if (NQB_EXCHANGE_CODES.includes(top.exchange)) nqbHigh++;
      else nonNqbHigh++;
      if (tr.length >= 10) {
        const tail = tr
          .slice(-3)
          .map((p) => p.price)
          .sort((a, c) => a - c)[1];
        expect(Math.abs(tail / b.o - 1)).toBeLessThan(0.2);
        checkedEnd++;
      }
    }
    expect(none).toBeGreaterThan(10); // quiet tickers answer 472
    expect(withPrints).toBeGreaterThan(500);
    expect(nonNqbHigh).toBeGreaterThan(50); // the true high is sometimes off the Nasdaq venues
    expect(nqbHigh).toBeGreaterThan(50);
    expect(checkedEnd).toBeGreaterThan(100);
    expect(minN).toBeLessThanOrEqual(3);
    expect(maxN).toBeGreaterThanOrEqual(100);
  });

  it('minute bars aggregate exactly the eligible prints (no odd lots, cancels or cancelled prints)', async () => {
    const bars = await m.groupedDaily(date);
    let n = 0;
    for (const b of bars.filter((_, i) => i % 211 === 0)) {
      let tr = await m.trades(b.T, date);
      const mb = await m.minuteBars(b.T, date);
      if (tr === null) {
        expect(mb).toBeNull();
        continue;
      }
      expect(mb).not.toBeNull();
      const all = tr;
      tr = eligiblePrints(all);
      expect(tr.length).toBeGreaterThan(0);
      expect(mb!.reduce((s, x) => s + x.trades, 0)).toBe(tr.length);
      expect(mb!.reduce((s, x) => s + x.volume, 0)).toBe(tr.reduce((s, p) => s + p.size, 0));
      expect(Math.max(...mb!.map((x) => x.high))).toBe(Math.max(...tr.map((p) => p.price)));
      expect(Math.min(...mb!.map((x) => x.low))).toBe(Math.min(...tr.map((p) => p.price)));
      for (const x of mb!) {
        expect(x.durationMs).toBe(60_000);
        expect(x.startMs % 60_000).toBe(0);
        const inBar = tr.filter((p) => p.ms >= x.startMs && p.ms < x.startMs + 60_000);
        expect(x.open).toBe(inBar[0].price);
        expect(x.close).toBe(inBar[inBar.length - 1].price);
      }
      n++;
    }
    expect(n).toBeGreaterThan(20);
  });
});

describe('sim market: performance (printed, not asserted)', () => {
  it('measures grouped daily, reference tickers, trades', async () => {
    let t0 = performance.now();
    const m: MarketSource = createSimMarket({ seed: 99 });
    const tCreate = performance.now() - t0;
    const times: number[] = [];
    let g: DailyBar[] = [];
    for (const d of ['2024-05-01', '2024-05-02', '2024-05-03']) {
      t0 = performance.now();
      g = await m.groupedDaily(d);
      times.push(performance.now() - t0);
    }
    t0 = performance.now();
    const refs = await m.referenceTickers('2024-05-03');
    const tRef = performance.now() - t0;
    t0 = performance.now();
    let calls = 0;
    for (const b of g) {
      await m.trades(b.T, '2024-05-03');
      calls++;
    }
    const tTrades = (performance.now() - t0) / calls;
    console.log(
      `[sim perf] create=${tCreate.toFixed(0)}ms groupedDaily(cold)=${times.map((x) => x.toFixed(1)).join('/')}ms ` +
        `rows=${g.length} referenceTickers=${tRef.toFixed(1)}ms (${refs.length}) trades=${(tTrades * 1000).toFixed(1)}us/call`,
    );
    expect(g.length).toBeGreaterThan(0);
  });
});
