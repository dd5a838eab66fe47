/**
 * The simulated market's universe: about 11,000 deterministic tickers of every Polygon security
 * type, their listing windows, per-ticker model parameters, and their split records.
 *
 * Everything is a pure function of the seed (and the requested ticker count): the same seed gives
 * the same tickers, names, parameters and splits.
 *
 * Splits are generated for execution dates 2010-01-01 .. 2030-12-31 only (a documented bound that
 * keeps `splits()` at a few thousand records); outside that span no ticker splits.
 *
 * Over 400 lines: the universe generator is one deterministic sequence of draws from one seeded
 * PRNG; moving a part out would change the order of draws, and so every simulated market.
 */

import { CalendarDn, dateOf, dnOf } from './dates.js';
import { fmix32, hash4, mulberry32, strHash, uh, invNorm } from './hash.js';

/** One split of a simulated ticker (internal form). */
export interface SimSplit {
  /** Execution day number (first trading day at post-split prices). */
  execDn: number;
  /** Polygon `split_from` / `split_to`: 1-for-10 reverse = from 10, to 1; 3-for-1 forward = from 1, to 3. */
  from: number;
  to: number;
  /** Price factor on the execution date: from / to (10 for a 1-for-10 reverse split). */
  q: number;
  /** Calendar days before the execution over which the unadjusted price drifts by 1/q. */
  span: number;
  /** True when the execution day also carries a real gap on the corrected basis (kind `split_real_gap`). */
  realGap: boolean;
  /** Polygon split record id. */
  id: string;
}

/** One simulated ticker with its model parameters. */
export interface TickerRec {
  /** Index in the ticker-sorted universe. */
  id: number;
  ticker: string;
  name: string;
  /** Polygon type code: CS, ADRC, OS, ETF, ETN, WARRANT, UNIT, RIGHT, PFD, OTHER, SP, FUND. */
  type: string;
  market: 'stocks' | 'otc';
  /** Primary exchange MIC: XNYS, XNAS, XASE, ARCX, BATS, OTCM. */
  mic: string;
  /** Hash key of (seed, ticker) used for every per-day value. */
  key: number;
  /** log of the price level (dollars, unadjusted basis between splits). */
  logL: number;
  /** Daily log-volatility of the close (ratio, e.g. 0.03). */
  sigma: number;
  /** Amplitudes (log) of the 28-day and 182-day value-noise layers. */
  amp1: number;
  amp2: number;
  /** Base daily volume, shares. */
  baseVol: number;
  /** Average trade size, shares (daily trade count = volume / avgSize). */
  avgSize: number;
  /** Weighted shares outstanding at the level price (shares). */
  shares: number;
  /** Float shares as a fraction of shares outstanding, or 0 when the type has no float (funds). */
  floatFrac: number;
  /** Share-class shares as a fraction of weighted shares outstanding. */
  classFrac: number;
  /** Whether ticker details carry share counts and market cap. */
  hasShares: boolean;
  /** First listed day number (inclusive) and first delisted day number (exclusive; Infinity = never). */
  listDn: number;
  delistDn: number;
  /** Phase (0..27) of the ticker's 28-day event slots. */
  phase: number;
  /** Probability that one 28-day slot carries a generated event. */
  rate: number;
  /** Splits sorted by execution day, or null. */
  splits: SimSplit[] | null;
}

interface Cat {
  cat: string;
  frac: number;
  type: string;
  mics: string[];
  market: 'stocks' | 'otc';
}

const CATS: Cat[] = [
  { cat: 'cs', frac: 0.275, type: 'CS', mics: ['XNAS'], market: 'stocks' },
  { cat: 'cs', frac: 0.15, type: 'CS', mics: ['XNYS'], market: 'stocks' },
  { cat: 'cs', frac: 0.025, type: 'CS', mics: ['XASE'], market: 'stocks' },
  { cat: 'cs', frac: 0.005, type: 'CS', mics: ['BATS', 'ARCX'], market: 'stocks' },
  { cat: 'cs', frac: 0.025, type: 'ADRC', mics: ['XNYS', 'XNAS'], market: 'stocks' },
  { cat: 'cs', frac: 0.01, type: 'OS', mics: ['XNAS', 'XNYS'], market: 'stocks' },
  { cat: 'etf', frac: 0.15, type: 'ETF', mics: ['ARCX'], market: 'stocks' },
  { cat: 'etf', frac: 0.03, type: 'ETF', mics: ['XNAS'], market: 'stocks' },
  { cat: 'etf', frac: 0.02, type: 'ETF', mics: ['BATS'], market: 'stocks' },
  { cat: 'etf', frac: 0.01, type: 'ETN', mics: ['ARCX'], market: 'stocks' },
  { cat: 'deriv', frac: 0.06, type: 'WARRANT', mics: [], market: 'stocks' },
  { cat: 'deriv', frac: 0.02, type: 'UNIT', mics: [], market: 'stocks' },
  { cat: 'deriv', frac: 0.01, type: 'RIGHT', mics: [], market: 'stocks' },
  { cat: 'pfd', frac: 0.045, type: 'PFD', mics: [], market: 'stocks' },
  { cat: 'other', frac: 0.005, type: 'OTHER', mics: ['XNYS', 'XNAS', 'ARCX'], market: 'stocks' },
  { cat: 'otc', frac: 0.11, type: 'CS', mics: ['OTCM'], market: 'otc' },
  { cat: 'otc', frac: 0.03, type: 'ADRC', mics: ['OTCM'], market: 'otc' },
  { cat: 'otc', frac: 0.02, type: 'OS', mics: ['OTCM'], market: 'otc' },
];

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SYL = [
  'Al',
  'Bel',
  'Cor',
  'Dex',
  'En',
  'Fal',
  'Gen',
  'Hal',
  'Ix',
  'Jor',
  'Kel',
  'Lum',
  'Mar',
  'Nov',
  'Or',
  'Pax',
  'Quan',
  'Ros',
  'Sol',
  'Tor',
  'Ul',
  'Ver',
  'Wex',
  'Xan',
  'Yor',
  'Zen',
];
const SYL2 = [
  'tra',
  'ion',
  'ex',
  'ara',
  'is',
  'on',
  'ix',
  'ar',
  'el',
  'um',
  'ova',
  'ent',
  'ia',
  'co',
];
const CO_SUFFIX = [
  'Therapeutics Inc',
  'Holdings Inc',
  'Corp',
  'Technologies Inc',
  'Energy Corp',
  'Bancorp',
  'Pharmaceuticals Inc',
  'Mining Corp',
  'Group Ltd',
  'Systems Inc',
  'Biosciences Inc',
  'Acquisition Corp',
];
const ETF_THEME = [
  'Equity',
  'Bond',
  'Dividend',
  'Growth',
  'Small Cap',
  'Emerging Markets',
  'Gold Miners',
  'Semiconductor',
  'Treasury',
  'Momentum',
  'Value',
  'Clean Energy',
];

const SALT_PARAM = 101;
const SALT_SPLIT = 202;

const LIST_FIRST = dnOf('1995-01-01');
const LIST_LAST = dnOf('2035-12-31');
const DELIST_LAST = dnOf('2040-12-31');
const OLD_LIST_FIRST = dnOf('1975-01-02');
const OLD_LIST_LAST = dnOf('1989-12-29');
/** First and last years in which splits are generated (documented bound). */
export const SPLIT_FIRST_YEAR = 2010;
export const SPLIT_LAST_YEAR = 2030;

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Result of {@link buildUniverse}. */
export interface Universe {
  /** Tickers sorted by ticker (code-point order), `id` = index. */
  tickers: TickerRec[];
  /** Ticker → index. */
  byTicker: Map<string, number>;
}

/**
 * Builds the simulated universe of `count` tickers for the mixed seed `sm`.
 * @param sm    the seed mixed by `seedMix`.
 * @param count total number of ticker symbols over all time (about 90% are listed on a given day
 *              of 2024; the rest are listed later or were delisted).
 * @param cal   trading-day calendar (listing, delisting and split dates are trading days).
 */
export function buildUniverse(sm: number, count: number, cal: CalendarDn): Universe {
  const rng = mulberry32(hash4(sm, 0x7171, count, 1));
  const used = new Set<string>();
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng() * a.length)];
  const randLetters = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += LETTERS[Math.floor(rng() * 26)];
    return s;
  };
  const coName = (): string => {
    const w = pick(SYL) + pick(SYL2) + (rng() < 0.4 ? pick(SYL2) : '');
    return `${w} ${pick(CO_SUFFIX)}`;
  };
  const uniq = (gen: () => string): string => {
    for (let i = 0; i < 1000; i++) {
      const t = gen();
      if (!used.has(t)) {
        used.add(t);
        return t;
      }
    }
    throw new Error('sim: could not generate a unique ticker name');
  };
  const lenFor = (mic: string): number => {
    const r = rng();
    if (mic === 'XNYS') return r < 0.01 ? 1 : r < 0.09 ? 2 : r < 0.64 ? 3 : 4;
    if (mic === 'XNAS') return r < 0.02 ? 2 : r < 0.17 ? 3 : 4;
    return r < 0.5 ? 3 : 4;
  };

  // Counts per category (the remainder goes to the first: NASDAQ common stock).
  const counts = CATS.map((c) => Math.floor(c.frac * count));
  counts[0] += count - counts.reduce((a, b) => a + b, 0);

  interface Raw {
    ticker: string;
    name: string;
    type: string;
    mic: string;
    market: 'stocks' | 'otc';
    cat: string;
  }
  const raws: Raw[] = [];
  const parents: { nas: Raw[]; nys: Raw[] } = { nas: [], nys: [] };

  CATS.forEach((c, ci) => {
    for (let i = 0; i < counts[ci]; i++) {
      if (c.cat === 'cs' || c.cat === 'etf' || c.cat === 'other') {
        const mic = pick(c.mics);
        let ticker: string;
        if (c.cat === 'cs' && mic === 'XNYS' && c.type === 'CS' && rng() < 0.01) {
          ticker = uniq(() => `${randLetters(3)}.${rng() < 0.5 ? 'A' : 'B'}`);
        } else ticker = uniq(() => randLetters(lenFor(mic)));
        const name =
          c.cat === 'etf'
            ? `${pick(SYL)}${pick(SYL2)} ${pick(ETF_THEME)} ${c.type === 'ETN' ? 'ETN' : 'ETF'}`
            : c.cat === 'other'
              ? `${coName()} Trust`
              : c.type === 'ADRC'
                ? `${coName()} ADR`
                : coName();
        const type = c.cat === 'other' ? pick(['OTHER', 'SP', 'FUND', 'LT']) : c.type;
        const r: Raw = { ticker, name, type, mic, market: c.market, cat: c.cat };
        raws.push(r);
        if (c.type === 'CS' && mic === 'XNAS' && ticker.length === 4) parents.nas.push(r);
        if (c.type === 'CS' && mic === 'XNYS' && !ticker.includes('.')) parents.nys.push(r);
      } else if (c.cat === 'deriv' || c.cat === 'pfd') {
        const nasStyle = c.cat === 'deriv' ? rng() < 0.7 : rng() < 0.35;
        const pool = nasStyle ? parents.nas : parents.nys;
        let base: Raw | undefined;
        const suffixNas =
          c.type === 'WARRANT' ? 'W' : c.type === 'UNIT' ? 'U' : c.type === 'RIGHT' ? 'R' : 'P';
        const suffixNys = (): string =>
          c.type === 'WARRANT'
            ? '.WS'
            : c.type === 'UNIT'
              ? '.U'
              : c.type === 'RIGHT'
                ? '.RT'
                : `_${LETTERS[Math.floor(rng() * 8)]}`;
        const ticker = uniq(() => {
          base = pool.length > 0 ? pick(pool) : undefined;
          const root = base ? base.ticker : randLetters(nasStyle ? 4 : 3);
          return nasStyle ? root + suffixNas : root + suffixNys();
        });
        const bname = base ? base.name : coName();
        const name =
          c.type === 'WARRANT'
            ? `${bname} Warrants`
            : c.type === 'UNIT'
              ? `${bname} Units`
              : c.type === 'RIGHT'
                ? `${bname} Rights`
                : `${bname} Pfd Ser ${ticker.slice(-1)}`;
        raws.push({
          ticker,
          name,
          type: c.type,
          mic: nasStyle ? 'XNAS' : 'XNYS',
          market: 'stocks',
          cat: c.cat,
        });
      } else {
        // OTC: 4 letters (CS), 5 ending F (foreign ordinary), 5 ending Y (ADR).
        const ticker = uniq(() =>
          c.type === 'CS' ? randLetters(4) : randLetters(4) + (c.type === 'ADRC' ? 'Y' : 'F'),
        );
        const name = c.type === 'ADRC' ? `${coName()} ADR` : coName();
        raws.push({ ticker, name, type: c.type, mic: 'OTCM', market: 'otc', cat: c.cat });
      }
    }
  });

  raws.sort((a, b) => (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0));
  const tickers: TickerRec[] = [];
  const byTicker = new Map<string, number>();
  raws.forEach((r, id) => {
    const key = fmix32((strHash(r.ticker) ^ sm) >>> 0);
    const u = (k: number): number => uh(sm, key, k, SALT_PARAM);
    const z = (k: number): number => invNorm(u(k));
    const isCsLike = r.cat === 'cs' || r.cat === 'otc';
    // Price level (dollars).
    let L: number;
    if (r.cat === 'cs') L = clamp(12 * Math.exp(1.3 * z(1)), 0.08, 900);
    else if (r.cat === 'otc') L = clamp(1.5 * Math.exp(1.8 * z(1)), 0.01, 300);
    else if (r.cat === 'etf') L = clamp(40 * Math.exp(0.8 * z(1)), 5, 700);
    else if (r.type === 'WARRANT') L = clamp(0.4 * Math.exp(1.0 * z(1)), 0.01, 10);
    else if (r.type === 'RIGHT') L = clamp(0.15 * Math.exp(0.8 * z(1)), 0.01, 3);
    else if (r.type === 'UNIT') L = clamp(10.2 * Math.exp(0.1 * z(1)), 6, 20);
    else if (r.type === 'PFD') L = clamp(24 * Math.exp(0.2 * z(1)), 5, 100);
    else L = clamp(20 * Math.exp(0.8 * z(1)), 1, 300);
    let sigma = clamp(0.05 - 0.008 * Math.log(L), 0.008, 0.045) * (0.8 + 0.4 * u(2));
    if (r.cat === 'etf') sigma = 0.006 + 0.008 * u(2);
    if (r.type === 'PFD' || r.type === 'UNIT') sigma = 0.004 + 0.004 * u(2);
    if (r.type === 'WARRANT' || r.type === 'RIGHT') sigma = 0.045;
    const amp1 = sigma * (2 + 2 * u(3));
    const amp2 = r.cat === 'etf' || r.type === 'PFD' || r.type === 'UNIT' ? 0.05 : 0.1 + 0.2 * u(4);
    // Volume (shares): heavy-tailed across tickers.
    const volMed =
      r.cat === 'cs'
        ? r.type === 'ADRC'
          ? 300_000
          : r.type === 'OS'
            ? 150_000
            : 500_000
        : r.cat === 'etf'
          ? 80_000
          : r.type === 'WARRANT'
            ? 40_000
            : r.type === 'UNIT'
              ? 5_000
              : r.type === 'RIGHT'
                ? 20_000
                : r.type === 'PFD'
                  ? 15_000
                  : r.cat === 'otc'
                    ? 60_000
                    : 30_000;
    const volSig = r.cat === 'cs' ? 1.3 : r.cat === 'pfd' ? 1.0 : 1.6;
    const baseVol = clamp(volMed * Math.exp(volSig * z(5)), 300, 80_000_000);
    const mcap = clamp(5e8 * Math.exp(1.8 * z(6)), 2e6, 2e12);
    const shares = Math.max(100_000, Math.round(mcap / L));
    // Listing window.
    const young = r.cat === 'deriv' ? 0.5 : 0.12;
    const listDn =
      u(7) < young
        ? cal.onOrAfter(LIST_FIRST + Math.floor(u(8) * (LIST_LAST - LIST_FIRST)))
        : OLD_LIST_FIRST + Math.floor(u(8) * (OLD_LIST_LAST - OLD_LIST_FIRST)); // pre-1990: not snapped (calendar range)
    let delistDn = Infinity;
    if (u(9) < (r.cat === 'deriv' ? 0.4 : 0.1)) {
      const lo = Math.max(listDn + 200, LIST_FIRST);
      if (lo < DELIST_LAST) delistDn = cal.onOrAfter(lo + Math.floor(u(10) * (DELIST_LAST - lo)));
    }
    // Event rate per 28-day slot.
    let rate: number;
    if (r.cat === 'cs') rate = L < 5 ? 0.17 : L < 20 ? 0.06 : 0.017;
    else if (r.cat === 'otc') rate = 0.05;
    else if (r.cat === 'deriv') rate = 0.06;
    else if (r.cat === 'etf') rate = 0.004;
    else if (r.cat === 'pfd') rate = 0.005;
    else rate = 0.02;
    const hasShares = isCsLike || r.cat === 'etf' || r.type === 'PFD';
    const rec: TickerRec = {
      id,
      ticker: r.ticker,
      name: r.name,
      type: r.type,
      market: r.market,
      mic: r.mic,
      key,
      logL: Math.log(L),
      sigma,
      amp1,
      amp2,
      baseVol,
      avgSize: 80 + Math.floor(320 * u(11)),
      shares,
      floatFrac: r.cat === 'etf' ? 0 : 0.35 + 0.63 * u(12),
      classFrac: u(13) < 0.1 ? 0.5 + 0.45 * u(14) : 1,
      hasShares,
      listDn,
      delistDn,
      phase: Math.floor(28 * u(15)),
      rate,
      splits: null,
    };
    if (isCsLike && r.type !== 'OS') rec.splits = genSplits(sm, rec, L, cal);
    tickers.push(rec);
    byTicker.set(r.ticker, id);
  });
  return { tickers, byTicker };
}

const REVERSE_RATIOS = [2, 3, 4, 5, 5, 8, 10, 10, 10, 12, 15, 20, 20, 25, 30, 40, 50];
const FORWARD_RATIOS = [2, 2, 2, 3, 3, 4, 5];

/** Splits of one ticker, 2010..2030, at most one a year, inside its listing. */
function genSplits(sm: number, t: TickerRec, L: number, cal: CalendarDn): SimSplit[] | null {
  const out: SimSplit[] = [];
  let prevExec = -Infinity;
  for (let y = SPLIT_FIRST_YEAR; y <= SPLIT_LAST_YEAR; y++) {
    const h = (k: number): number => uh(sm, t.key, y * 1024 + k, SALT_SPLIT);
    const pRev = L < 3 ? 0.1 : L < 10 ? 0.025 : 0.003;
    const pFwd = L > 40 ? 0.04 : 0;
    const r = h(0);
    let reverse: boolean;
    if (r < pRev) reverse = true;
    else if (r < pRev + pFwd) reverse = false;
    else continue;
    const yearStart = dnOf(`${y}-01-01`);
    // A uniformly drawn trading day of the year (redraw weekend and holiday draws).
    let execDn = -1;
    for (let k = 0; k < 12 && execDn < 0; k++) {
      const c = yearStart + Math.floor(h(10 + k) * 365);
      if (cal.isTrading(c)) execDn = c;
    }
    if (execDn < 0) continue;
    if (execDn > dnOf(`${SPLIT_LAST_YEAR}-12-31`)) continue;
    if (execDn < t.listDn + 60 || execDn > t.delistDn - 10) continue;
    const span = Math.min(300, execDn - prevExec - 20, execDn - t.listDn - 5);
    if (span < 30) continue;
    let from: number, to: number;
    if (reverse) {
      from = REVERSE_RATIOS[Math.floor(h(2) * REVERSE_RATIOS.length)];
      to = 1;
    } else {
      from = 1;
      to = FORWARD_RATIOS[Math.floor(h(2) * FORWARD_RATIOS.length)];
    }
    const id = `E${hash4(sm, t.key, execDn, SALT_SPLIT).toString(16).padStart(8, '0')}`;
    out.push({ execDn, from, to, q: from / to, span, realGap: reverse && h(3) < 0.15, id });
    prevExec = execDn;
  }
  return out.length > 0 ? out : null;
}

/** Exchange name (the engine's ALLOWED_EXCHANGES vocabulary) of a primary-exchange MIC. */
export function exchangeOfMic(mic: string, market: 'stocks' | 'otc'): string {
  if (market === 'otc') return 'OTC';
  switch (mic) {
    case 'XNYS':
      return 'NYSE';
    case 'XNAS':
    case 'XNGS':
    case 'XNMS':
    case 'XNCM':
      return 'NASDAQ';
    case 'XASE':
      return 'AMEX';
    case 'ARCX':
      return 'ARCA';
    case 'BATS':
      return 'BATS';
    case 'OTCM':
      return 'OTC';
    default:
      return mic;
  }
}

/** `YYYY-MM-DD` of a ticker's list date. */
export function listDateOf(t: TickerRec): string {
  return dateOf(t.listDn);
}
