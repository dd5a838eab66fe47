/**
 * Ground truth of the simulated market, for tests and benchmarks ONLY (the engine must never
 * import this module: it sees the market through the emulator's HTTP alone).
 *
 * Hits are computed from the generator's own truth (its day tables: the true premarket high, the
 * true unadjusted bars, the true split factors), not from the served wire data, with the domain
 * spec's filters and rules (section 1 and 3):
 * - filters: exchange (MIC XNYS->NYSE, XNAS->NASDAQ, XASE->AMEX, ARCX->ARCA, BATS->BATS, OTC->OTC)
 *   in `allowedExchanges`; type in `allowTypes`; scan-day volume >= `minVolume`;
 * - R1 `PM_GAP_50` = premarket high (04:00:00-09:29:59.999 ET prints) / corrected previous close - 1;
 * - R2 `OPEN_GAP_50` = open / corrected previous close - 1;
 *   (R1 and R2 need a previous close: a bar on the previous trading day; the corrected previous
 *   close is the previous close x split_from / split_to of a split executing on the date);
 * - R3 `INTRADAY_PUSH_50` = high / open - 1;
 * - R4 `SURGE_7D_300` = highest high / lowest low - 1 over the 7 trading days ending at the date,
 *   over the days where the ticker has bars, every earlier bar rescaled to the date's basis by the
 *   split factors of the splits executing after it (up to and including the date).
 * Values are percentages, not rounded; a rule holds when value >= threshold - 1e-9 (the epsilon
 * absorbs float error of ratios that are exactly the threshold in decimal, e.g. 1.65 / 1.10).
 */

import { dateOf, dnOf } from './dates.js';
import { KIND_NAMES, type SimCore } from './core.js';
import { createSimCore, type SimOptions } from './index.js';

/** One rule of a hit: code and value in percent (unrounded). */
export interface OracleRule {
  code: 'PM_GAP_50' | 'OPEN_GAP_50' | 'INTRADAY_PUSH_50' | 'SURGE_7D_300';
  /** Percent, e.g. 69.7123 (not rounded). */
  value: number;
}

/**
 * One true hit after filters. `kind` says why the generator made it: `gap`, `push`, `pm_fade`,
 * `pm_fade_under_prefilter`, `surge`, `split_real_gap`; `<kind>_followon` for a later day of a
 * gap/push/pm_fade/split_real_gap event or a day whose 7-day window holds an earlier event;
 * `noise` when no event explains it.
 */
export interface OracleHit {
  ticker: string;
  date: string;
  /** Rules met, in order R1, R2, R3, R4. */
  rules: OracleRule[];
  kind: string;
}

/** Rule thresholds (percent) and filters of {@link createSimOracle}'s `hits`. */
export interface OracleThresholds {
  r1: number;
  r2: number;
  r3: number;
  r4: number;
  /** Minimum scan-day volume, shares. */
  minVolume: number;
  /** Exchange names: NYSE, NASDAQ, AMEX (also ARCA, BATS, OTC to widen). */
  allowedExchanges: string[];
  /** Polygon type codes. */
  allowTypes: string[];
}

/** The domain spec defaults: 50/50/50/300 percent, 100,000 shares, NYSE/NASDAQ/AMEX, CS and ADR types. */
export const DEFAULT_ORACLE_THRESHOLDS: Readonly<OracleThresholds> = Object.freeze({
  r1: 50,
  r2: 50,
  r3: 50,
  r4: 300,
  minVolume: 100_000,
  allowedExchanges: ['NYSE', 'NASDAQ', 'AMEX'],
  allowTypes: ['CS', 'ADRC', 'ADRP', 'ADRR', 'ADRW', 'GDR'],
});

/** The generator's truth for one ticker-day. Prices unadjusted dollars, volumes shares. */
export interface SimTruth {
  ticker: string;
  date: string;
  type: string;
  market: 'stocks' | 'otc';
  primaryExchange: string;
  /** Exchange name (NYSE, NASDAQ, AMEX, ARCA, BATS, OTC). */
  exchange: string;
  /** The served daily bar, null on a halt. */
  bar: { o: number; h: number; l: number; c: number; v: number; vw: number; n: number } | null;
  /** Close of the previous trading day's bar (unadjusted, previous basis); null when it had no bar. */
  prevClose: number | null;
  /** split_from / split_to of a split executing on the date; 1 when none. */
  splitFactor: number;
  /** prevClose x splitFactor, or null. */
  correctedPrevClose: number | null;
  /** True premarket high (max of the premarket prints); null when there are none. */
  pmHigh: number | null;
  /** Number of premarket prints. */
  pmTrades: number;
  /** The generator's event on this day, if any. */
  event: { kind: string; startDate: string; dayIndex: number } | null;
}

/** One generator event active on a date. */
export interface SimEvent {
  ticker: string;
  date: string;
  /** gap, push, pm_fade, surge, split_real_gap, pm_fade_under_prefilter, reverse_split, forward_split, halt. */
  kind: string;
  /** First day of the event. */
  startDate: string;
  /** Day index within the event (0 = first day). */
  dayIndex: number;
  /** For splits: `from:to`. */
  detail?: string;
}

const EPS = 1e-9;
const FOLLOWON_KINDS = new Set(['gap', 'push', 'pm_fade', 'split_real_gap']);

/**
 * Creates the oracle of the simulated market with the same options as `createSimMarket` (an
 * independent generator instance; same seed, same truth).
 * - hits(date, th): the true hits of `date` after filters, sorted by ticker; [] on a non-trading day.
 * - truth(ticker, date): the generator's truth; null for an unknown ticker, a non-trading day, or a
 *   day the ticker is not listed.
 * - events(date): every generator event active on `date` (including halts and split executions),
 *   sorted by ticker then kind.
 * @throws Error (one line) on bad options or a malformed date.
 */
export function createSimOracle(opts: SimOptions): {
  hits(date: string, th?: Partial<OracleThresholds>): OracleHit[];
  truth(ticker: string, date: string): SimTruth | null;
  events(date: string): SimEvent[];
} {
  // The oracle walks R4 windows (8 trading days a date): it keeps 16 day tables unless told.
  const core = createSimCore({ dayCache: 16, ...opts });
  return {
    hits: (date, th) =>
      oracleHits(core, dnOf(date), { ...DEFAULT_ORACLE_THRESHOLDS, ...(th ?? {}) }),
    truth: (ticker, date) => oracleTruth(core, ticker, dnOf(date)),
    events: (date) => oracleEvents(core, dnOf(date)),
  };
}

function oracleHits(core: SimCore, dn: number, th: OracleThresholds): OracleHit[] {
  const T = core.table(dn);
  if (T === null) return [];
  const win = [T];
  let d = dn;
  for (let k = 1; k < 7; k++) {
    d = core.cal.prevTrading(d);
    win.push(core.table(d) as NonNullable<typeof T>);
  }
  const allowedEx = new Set(th.allowedExchanges);
  const allowedTy = new Set(th.allowTypes);
  const out: OracleHit[] = [];
  const date = dateOf(dn);
  for (let i = 0; i < core.tickers.length; i++) {
    if (T.hasBar[i] !== 1) continue;
    const t = core.tickers[i];
    if (!allowedEx.has(core.exchangeOf(t)) || !allowedTy.has(t.type)) continue;
    if (T.v[i] < th.minVolume) continue;
    const rules: OracleRule[] = [];
    if (T.prevHas[i] === 1) {
      const pc = T.P[i] * T.q[i];
      if (T.pmN[i] > 0) {
        const r1 = (T.pmH[i] / pc - 1) * 100;
        if (r1 >= th.r1 - EPS) rules.push({ code: 'PM_GAP_50', value: r1 });
      }
      const r2 = (T.o[i] / pc - 1) * 100;
      if (r2 >= th.r2 - EPS) rules.push({ code: 'OPEN_GAP_50', value: r2 });
    }
    const r3 = (T.h[i] / T.o[i] - 1) * 100;
    if (r3 >= th.r3 - EPS) rules.push({ code: 'INTRADAY_PUSH_50', value: r3 });
    let hi = -Infinity;
    let lo = Infinity;
    let factor = 1;
    for (let w = 0; w < 7; w++) {
      const W = win[w];
      if (w > 0) factor *= win[w - 1].q[i];
      if (W.hasBar[i] !== 1) continue;
      const h = W.h[i] * factor;
      const l = W.l[i] * factor;
      if (h > hi) hi = h;
      if (l < lo) lo = l;
    }
    const r4 = (hi / lo - 1) * 100;
    if (r4 >= th.r4 - EPS) rules.push({ code: 'SURGE_7D_300', value: r4 });
    if (rules.length === 0) continue;
    out.push({ ticker: t.ticker, date, rules, kind: kindOf(core, i, win) });
  }
  return out;
}

function kindOf(core: SimCore, i: number, win: { dn: number }[]): string {
  const t = core.tickers[i];
  const ev = core.eventAt(t, win[0].dn);
  if (ev !== null) {
    const name = KIND_NAMES[ev.kind];
    return ev.dayIndex > 0 && FOLLOWON_KINDS.has(name) ? `${name}_followon` : name;
  }
  for (let w = 1; w < win.length; w++) {
    const e = core.eventAt(t, win[w].dn);
    if (e !== null) return `${KIND_NAMES[e.kind]}_followon`;
  }
  return 'noise';
}

function oracleTruth(core: SimCore, ticker: string, dn: number): SimTruth | null {
  const i = core.byTicker.get(ticker);
  if (i === undefined) return null;
  const T = core.table(dn);
  if (T === null || T.listed[i] !== 1) return null;
  const t = core.tickers[i];
  const ev = core.eventAt(t, dn);
  const prevClose = T.prevHas[i] === 1 ? T.P[i] : null;
  return {
    ticker,
    date: dateOf(dn),
    type: t.type,
    market: t.market,
    primaryExchange: t.mic,
    exchange: core.exchangeOf(t),
    bar:
      T.hasBar[i] === 1
        ? { o: T.o[i], h: T.h[i], l: T.l[i], c: T.c[i], v: T.v[i], vw: T.vw[i], n: T.n[i] }
        : null,
    prevClose,
    splitFactor: T.q[i],
    correctedPrevClose: prevClose === null ? null : prevClose * T.q[i],
    pmHigh: T.pmN[i] > 0 ? T.pmH[i] : null,
    pmTrades: T.pmN[i],
    event:
      ev === null
        ? null
        : { kind: KIND_NAMES[ev.kind], startDate: dateOf(ev.startDn), dayIndex: ev.dayIndex },
  };
}

function oracleEvents(core: SimCore, dn: number): SimEvent[] {
  const T = core.table(dn);
  if (T === null) return [];
  const date = dateOf(dn);
  const out: SimEvent[] = [];
  for (let i = 0; i < core.tickers.length; i++) {
    if (T.listed[i] !== 1) continue;
    const t = core.tickers[i];
    const ev = core.eventAt(t, dn);
    if (ev !== null) {
      out.push({
        ticker: t.ticker,
        date,
        kind: KIND_NAMES[ev.kind],
        startDate: dateOf(ev.startDn),
        dayIndex: ev.dayIndex,
      });
    }
    if (t.splits !== null) {
      for (const s of t.splits) {
        if (s.execDn === dn) {
          out.push({
            ticker: t.ticker,
            date,
            kind: s.q > 1 ? 'reverse_split' : 'forward_split',
            startDate: date,
            dayIndex: 0,
            detail: `${s.from}:${s.to}`,
          });
        }
      }
    }
    if (T.hasBar[i] !== 1)
      out.push({ ticker: t.ticker, date, kind: 'halt', startDate: date, dayIndex: 0 });
  }
  out.sort((a, b) =>
    a.ticker < b.ticker
      ? -1
      : a.ticker > b.ticker
        ? 1
        : a.kind < b.kind
          ? -1
          : a.kind > b.kind
            ? 1
            : 0,
  );
  return out;
}
