/**
 * Over 400 lines: the price, volume, event and premarket-print models are one deterministic
 * function of (seed, ticker, date) with a shared noise and draw order; splitting them would risk
 * changing every simulated value.
 *
 * The simulated market's generator: prices, volumes, events, premarket trade prints and day
 * tables, as pure functions of (seed, ticker, date) with a bounded lookback.
 *
 * Price model (unadjusted dollars). For ticker t on trading day d (day number dn):
 *   log B(t, d) = log L_t + amp1 * vnoise28(dn) + amp2 * vnoise182(dn) + sigma * z(d) + log D(t, dn)
 * where the value noise has knots every 28 / 182 calendar days (about 20 / 130 trading days),
 * z(d) is clipped daily noise, and D(t, dn) is the split drift: over `span` calendar days before a
 * split with factor q = from / to the price drifts by 1/q, then jumps back at the execution date
 * (so a 1-for-10 reverse split multiplies the unadjusted price by 10 on its execution date).
 * The default close is round(B); the open is previous close x split factor x small noise.
 *
 * Events: each ticker has 28-day slots (phase per ticker); a slot carries at most one event
 * (gap, push, pm_fade, surge, or split_real_gap on a flagged reverse split), fully inside the slot
 * and ending with the default close, so computing any day needs only its own slot (no iteration
 * from an epoch). Once per 28-day market block one `pm_fade_under_prefilter` day is placed on an
 * eligible common stock. About 0.3% of other ticker-days are halted (no bar, no prints).
 *
 * Premarket prints: the premarket high H and the print count are fixed per ticker-day from hashes;
 * the prints are generated on demand with exactly one print at H and none above it, so the day
 * table knows the true premarket high without generating prints.
 */

import type {
  DailyBar,
  IntradayBar,
  RefTicker,
  SplitRecord,
  TickerDetails,
  TradePrint,
} from '../types.js';
import { NQB_EXCHANGE_CODES } from '../types.js';
import { CalendarDn, dateOf, etMidnightUtcMs } from './dates.js';
import { BoundedMap, hash4, invNorm, Lru, mulberry32, nh, uh } from './hash.js';
import { buildUniverse, exchangeOfMic, type SimSplit, type TickerRec } from './universe.js';

/** Event kind names by code (index 0 = no event). */
export const KIND_NAMES = [
  '',
  'gap',
  'push',
  'pm_fade',
  'surge',
  'split_real_gap',
  'pm_fade_under_prefilter',
] as const;
const K_GAP = 1,
  K_PUSH = 2,
  K_PMFADE = 3,
  K_SURGE = 4,
  K_SPLITGAP = 5,
  K_PMFU = 6;
const PM_NORMAL = 0,
  PM_GAP = 1,
  PM_SPIKE = 2;
const SLOT = 28;
/** Premarket window length: 04:00:00.000 .. 09:29:59.999 ET, ms. */
const PM_WINDOW_MS = 19_800_000;
const PM_START_MS = 4 * 3_600_000;

// Salts of hash4 (4th argument).
const S_K1 = 11,
  S_K2 = 12,
  S_ZC = 13,
  S_ZT = 14,
  S_EV = 15,
  S_PLAN = 16,
  S_HALT = 17,
  S_GAP = 18,
  S_HI = 19,
  S_LO = 20,
  S_VOL = 21,
  S_VSPK = 22,
  S_PMQ = 23,
  S_PMN = 24,
  S_PMH = 25,
  S_PRINTS = 26,
  S_HX = 27,
  S_PMFU = 28,
  S_SEQ = 29,
  S_COND = 30;

/** Premarket print conditions of the simulated tape (ThetaData codes, docs/providers.md section 2.11). */
const C_EXT_HOURS = 148,
  C_FORM_T = 1,
  C_ODD_LOT = 115,
  C_CANC_LAST = 41;
const EXT_PM: readonly [number, number, number, number] = [C_FORM_T, 255, 255, 255];
const EXT_PM_ODD: readonly [number, number, number, number] = [C_FORM_T, 255, 255, C_ODD_LOT];
/** Share of symbol-days with an odd-lot print far above the premarket high (never eligible). */
const P_ODD_SPIKE = 0.02;
/** Share of symbol-days with a round-lot print far above the high that a CANC_LAST record cancels. */
const P_CANCELLED = 0.01;

const OTHER_EXCHANGE_CODES = [1, 4, 5, 7, 8, 11, 57, 60, 65, 73].filter(
  (c) => !NQB_EXCHANGE_CODES.includes(c),
);

/** Rounds a price to its tick: cents at or above $1, 1/100 cent below; never below $0.0001. */
export function roundPx(x: number): number {
  if (!(x > 0)) return 0.0001;
  if (x >= 1) return Math.round(x * 100) / 100;
  const r = Math.round(x * 10000) / 10000;
  return r < 0.0001 ? 0.0001 : r;
}

/** Rounds a price down to its tick (see {@link roundPx}). */
function floorPx(x: number): number {
  if (x >= 1) return Math.floor(x * 100 + 1e-7) / 100;
  const r = Math.floor(x * 10000 + 1e-7) / 10000;
  return r < 0.0001 ? 0.0001 : r;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** One planned day of an event. Prices are absolute unadjusted dollars, already on tick. */
interface PlanDay {
  dn: number;
  k: number;
  plan: Plan;
  close: number;
  o?: number;
  h?: number;
  l?: number;
  pm: number;
  pmH?: number;
  volMult: number;
  /** Default bar shape with a wider noise (fade days). */
  volatile: boolean;
}

interface Plan {
  kind: number;
  startDn: number;
  days: PlanDay[];
}

interface PmfuPlan {
  dn: number;
  tid: number;
  o: number;
  h: number;
  l: number;
  pmH: number;
  volMult: number;
}

/** The generator's truth for one trading date, for every ticker (index = ticker id). */
export interface DayTable {
  dn: number;
  date: string;
  prevDn: number;
  /** 1 when listed on the date. */
  listed: Uint8Array;
  /** 1 when the ticker has a daily bar (listed and not halted). */
  hasBar: Uint8Array;
  /** 1 when the ticker had a bar on the previous trading day (a previous close exists). */
  prevHas: Uint8Array;
  o: Float64Array;
  h: Float64Array;
  l: Float64Array;
  /** True close (also on halted days, where no bar is served). */
  c: Float64Array;
  v: Float64Array;
  vw: Float64Array;
  n: Int32Array;
  /** True close of the previous trading day (unadjusted, previous basis). */
  P: Float64Array;
  /** Split factor from / to of a split executing on the date (1 when none). */
  q: Float64Array;
  /** Number of premarket prints (0 = none, Theta 472). */
  pmN: Int32Array;
  /** True premarket high (dollars), NaN when there are no prints. */
  pmH: Float64Array;
  pmShape: Uint8Array;
  /** Event kind code ({@link KIND_NAMES}) active on the date, 0 when none. */
  ev: Uint8Array;
  /** Day index within the event (0 = first day). */
  evDay: Int16Array;
  /** Event start day number (NaN when none). */
  evStart: Float64Array;
}

/** Options of {@link SimCore}. */
export interface SimCoreOptions {
  seed: number;
  tickers: number;
  cal: CalendarDn;
  sm: number;
  /** Premarket fades under the prefilter: one per 28-day block (default), none, or only on these day numbers. */
  pmFades?: 'blocks' | 'none' | readonly number[];
  /** Most event plans kept (LRU; SIM_PLAN_CACHE). */
  planCache: number;
  /** Most day tables kept (LRU; SIM_DAY_CACHE); reference lists: half as many, at least 1. Default 16. */
  dayCache?: number;
}

/**
 * The deterministic generator shared by the simulated MarketSource and its oracle. Caches: day
 * tables (LRU of SIM_DAY_CACHE dates, ~1 MB each for 11k tickers; 16 for the oracle), reference
 * tickers (LRU of half as many dates, at least 1), event plans (LRU of
 * SIM_PLAN_CACHE entries: before, a map bounded at 300,000 that a 3-year backfill never reached,
 * so it grew by about 25 plans, 75 KB, every trading day; issue 13 point 1), trade prints (LRU of
 * 512 ticker-days).
 */
export class SimCore {
  readonly seed: number;
  readonly sm: number;
  readonly cal: CalendarDn;
  readonly tickers: TickerRec[];
  readonly byTicker: Map<string, number>;
  private readonly tables: Lru<number, DayTable>;
  private readonly refCache: Lru<number, RefTicker[]>;
  private readonly plans: Lru<number, Plan | null>;
  private readonly pmfuCache = new BoundedMap<number, PmfuPlan | null>(10_000);
  private readonly printCache = new Lru<string, TradePrint[] | null>(512);
  private splitList: SplitRecord[] | null = null;
  private readonly pmFades: 'blocks' | 'none' | readonly number[];

  constructor(opts: SimCoreOptions) {
    this.pmFades = opts.pmFades ?? 'blocks';
    this.plans = new Lru<number, Plan | null>(opts.planCache);
    const dayCache = opts.dayCache ?? 16;
    this.tables = new Lru<number, DayTable>(dayCache);
    this.refCache = new Lru<number, RefTicker[]>(Math.max(1, Math.floor(dayCache / 2)));
    this.seed = opts.seed;
    this.sm = opts.sm;
    this.cal = opts.cal;
    const u = buildUniverse(this.sm, opts.tickers, this.cal);
    this.tickers = u.tickers;
    this.byTicker = u.byTicker;
  }

  // ---------------------------------------------------------------- price model

  /** log of the split drift D(t, dn) (0 when no split is pending within its span). */
  logD(t: TickerRec, dn: number): number {
    const sp = t.splits;
    if (sp === null) return 0;
    for (let i = 0; i < sp.length; i++) {
      const s = sp[i];
      if (s.execDn > dn) {
        const x = (dn - (s.execDn - s.span)) / s.span;
        if (x <= 0) return 0;
        return -Math.log(s.q) * (x >= 1 ? 1 : x);
      }
    }
    return 0;
  }

  /** log B(t, dn): the base (event-free) unadjusted close before rounding. */
  logB(t: TickerRec, dn: number): number {
    const sm = this.sm;
    const x1 = (dn + t.phase) / 28;
    const k1 = Math.floor(x1);
    const f1 = x1 - k1;
    const s1 = f1 * f1 * (3 - 2 * f1);
    const a0 = nh(sm, t.key, k1, S_K1, 3);
    const a1 = nh(sm, t.key, k1 + 1, S_K1, 3);
    const x2 = (dn + t.phase * 6) / 182;
    const k2 = Math.floor(x2);
    const f2 = x2 - k2;
    const s2 = f2 * f2 * (3 - 2 * f2);
    const b0 = nh(sm, t.key, k2, S_K2, 3);
    const b1 = nh(sm, t.key, k2 + 1, S_K2, 3);
    let z = invNorm(uh(sm, t.key, dn, S_ZC));
    if (uh(sm, t.key, dn, S_ZT) < 0.03) z *= 1.8;
    z = clamp(z, -3.2, 3.2);
    return (
      t.logL +
      t.amp1 * (a0 + (a1 - a0) * s1) +
      t.amp2 * (b0 + (b1 - b0) * s2) +
      t.sigma * z +
      this.logD(t, dn)
    );
  }

  /** Default (event-free) close of t on dn, on tick. */
  closeDefault(t: TickerRec, dn: number): number {
    return roundPx(Math.exp(this.logB(t, dn)));
  }

  /** Split factor from / to of t's split executing on dn, 1 when none. */
  splitFactor(t: TickerRec, dn: number): number {
    const sp = t.splits;
    if (sp === null) return 1;
    for (let i = 0; i < sp.length; i++) if (sp[i].execDn === dn) return sp[i].q;
    return 1;
  }

  /** True close of t on dn (planned close on event days, default otherwise). */
  closeAt(t: TickerRec, dn: number): number {
    const pd = this.planAt(t, dn);
    return pd ? pd.close : this.closeDefault(t, dn);
  }

  private rawHalt(t: TickerRec, dn: number): boolean {
    return uh(this.sm, t.key, dn, S_HALT) < 0.003;
  }

  /** True when t is listed on dn but has no bar (a halt): 0.3% of ticker-days, never on event or split days. */
  halted(t: TickerRec, dn: number): boolean {
    return this.rawHalt(t, dn) && this.planAt(t, dn) === null && this.splitFactor(t, dn) === 1;
  }

  /** True when t is listed on dn. */
  listed(t: TickerRec, dn: number): boolean {
    return dn >= t.listDn && dn < t.delistDn;
  }

  // ---------------------------------------------------------------- events

  /** Day tables held in memory now (at most SIM_DAY_CACHE). */
  get tablesCached(): number {
    return this.tables.size;
  }

  /** Reference-ticker lists held in memory now (at most half of SIM_DAY_CACHE, at least 1). */
  get refListsCached(): number {
    return this.refCache.size;
  }

  /** Event plans held in memory now (at most SIM_PLAN_CACHE). */
  get plansCached(): number {
    return this.plans.size;
  }

  /** The planned event day of t on dn, or null. */
  planAt(t: TickerRec, dn: number): PlanDay | null {
    const j = Math.floor((dn + t.phase) / SLOT);
    const plan = this.slotPlan(t, j);
    if (plan === null) return null;
    const days = plan.days;
    for (let k = 0; k < days.length; k++) if (days[k].dn === dn) return days[k];
    return null;
  }

  /** The event of slot j of t (null when none): a pure function of (seed, t, j). */
  private slotPlan(t: TickerRec, j: number): Plan | null {
    const slotStart = j * SLOT - t.phase;
    const slotEnd = slotStart + SLOT - 1;
    const u = uh(this.sm, t.key, j, S_EV);
    let near = false;
    let rg: SimSplit | null = null;
    if (t.splits !== null) {
      for (const s of t.splits) {
        if (s.execDn >= slotStart - 12 && s.execDn <= slotEnd + 12) {
          near = true;
          if (s.realGap && s.execDn >= slotStart && s.execDn <= slotEnd) rg = s;
        }
      }
    }
    if (rg === null && (near || u >= t.rate)) return null;
    if (rg === null && (t.listDn > slotStart - 10 || t.delistDn <= slotEnd + 1)) return null;
    const ck = t.id * 8192 + (j & 8191);
    const hit = this.plans.get(ck);
    if (hit !== undefined) return hit;
    const plan = this.buildPlan(t, j, slotStart, slotEnd, rg);
    this.plans.set(ck, plan);
    return plan;
  }

  private buildPlan(
    t: TickerRec,
    j: number,
    slotStart: number,
    slotEnd: number,
    rg: SimSplit | null,
  ): Plan | null {
    const rng = mulberry32(hash4(this.sm, t.key, j, S_PLAN));
    const cal = this.cal;
    let kind: number;
    let nUp = 0;
    let stealth = false;
    let startDn: number;
    if (rg !== null) {
      kind = K_SPLITGAP;
      startDn = rg.execDn;
    } else {
      const r = rng();
      kind = r < 0.39 ? K_GAP : r < 0.75 ? K_PUSH : r < 0.92 ? K_PMFADE : K_SURGE;
      if (kind === K_SURGE) {
        stealth = rng() < 0.7;
        nUp = stealth ? 6 + Math.floor(rng() * 3) : 5 + Math.floor(rng() * 3);
      }
      // Start early enough in the slot to leave room for the designed days and a gentle fade.
      // (counted in trading days so that no weekday is favoured).
      const maxOff = kind === K_SURGE ? 3 : 10;
      startDn = cal.onOrAfter(slotStart);
      for (let m = Math.floor(rng() * (maxOff + 1)); m > 0; m--) startDn = cal.nextTrading(startDn);
    }
    // The event runs to the end of its slot (designed days, then a fade back to the default path).
    const len = 40;
    if (startDn > slotEnd || startDn >= t.delistDn) return null;
    const plan: Plan = { kind, startDn, days: [] };
    const dns: number[] = [];
    for (
      let d = startDn;
      dns.length < len && d <= slotEnd && d < t.delistDn;
      d = cal.nextTrading(d)
    )
      dns.push(d);
    const mk = (k: number, close: number, extra: Partial<PlanDay>): PlanDay => ({
      dn: dns[k],
      k,
      plan,
      close,
      pm: PM_NORMAL,
      volMult: 1,
      volatile: false,
      ...extra,
    });
    const P0 = this.closeDefault(t, cal.prevTrading(startDn));
    const q0 = rg !== null ? rg.q : 1;
    const Pc0 = P0 * q0;
    const pareto = (a: number): number => Math.pow(Math.max(rng(), 1e-9), -1 / a) - 1;
    const days = plan.days;
    let prev: number;
    if (kind === K_GAP || kind === K_SPLITGAP) {
      const G = Math.min(8, kind === K_SPLITGAP ? 0.55 + 0.5 * pareto(2) : 0.38 + 0.42 * pareto(2));
      const o = roundPx(Pc0 * (1 + G));
      let ext = rng() * 0.3;
      if (rng() < 0.15) ext = Math.min(5, 0.3 + 0.4 * pareto(2));
      const h = roundPx(o * (1 + ext));
      const l = roundPx(o * (0.7 + 0.27 * rng()));
      const c = roundPx(l + (h - l) * (0.05 + 0.9 * rng()));
      const pmH = roundPx(o * (0.97 + 0.18 * rng()));
      days.push(mk(0, c, { o, h, l, pm: PM_GAP, pmH, volMult: 6 + 34 * rng() }));
      prev = c;
    } else if (kind === K_PUSH) {
      const o = roundPx(Pc0 * (0.95 + 0.2 * rng()));
      const h = roundPx(o * Math.min(6, 1.38 + 0.45 * pareto(2.2)));
      const l = roundPx(o * (0.85 + 0.15 * rng()));
      const c = roundPx(l + (h - l) * (0.05 + 0.85 * rng()));
      days.push(mk(0, c, { o, h, l, volMult: 5 + 25 * rng() }));
      prev = c;
    } else if (kind === K_PMFADE) {
      const o = roundPx(Pc0 * (1.12 + 0.23 * rng()));
      const h = Math.max(o, roundPx(clamp(o * (1.02 + 0.08 * rng()), Pc0 * 1.21, Pc0 * 1.46)));
      const l = roundPx(o * (0.8 + 0.17 * rng()));
      const c = roundPx(l + (h - l) * (0.1 + 0.8 * rng()));
      const pmH = roundPx(Pc0 * Math.min(5, 1.42 + 0.5 * pareto(1.5)));
      days.push(mk(0, c, { o, h, l, pm: PM_SPIKE, pmH, volMult: 3 + 12 * rng() }));
      prev = c;
    } else {
      prev = P0;
      const up = Math.min(nUp, dns.length);
      for (let k = 0; k < up; k++) {
        const s = stealth ? 1.18 + 0.012 * rng() : 1.25 + 0.15 * rng();
        const cap = floorPx(prev * (stealth ? 1.195 : 1.47));
        const c = Math.min(cap, roundPx(prev * s));
        const o = Math.min(
          cap,
          roundPx(prev * (stealth ? 0.99 + 0.04 * rng() : 1.0 + 0.08 * rng())),
        );
        const h = Math.max(o, c, Math.min(cap, roundPx(Math.max(o, c) * (1 + 0.004 * rng()))));
        const l =
          k === 0
            ? roundPx(prev * (stealth ? 0.7 + 0.06 * rng() : 0.85 + 0.08 * rng()))
            : roundPx(Math.min(o, c) * (0.93 + 0.06 * rng()));
        days.push(mk(k, c, { o, h, l: Math.min(l, o, c), volMult: 2 + (8 * k) / nUp }));
        prev = c;
      }
    }
    // Fade back to the default path over the remaining days; the last day closes at the default.
    const n = dns.length;
    const startFade = days.length;
    for (let k = startFade; k < n; k++) {
      const B = Math.exp(this.logB(t, dns[k]));
      const rem = n - k;
      const c = k === n - 1 ? roundPx(B) : roundPx(prev * Math.pow(B / prev, 1 / rem));
      days.push(mk(k, c, { volatile: true, volMult: 1 + 4 / (1 + k - startFade) }));
      prev = c;
    }
    const last = days[n - 1];
    const def = this.closeDefault(t, last.dn);
    if (last.close !== def) {
      last.close = def;
      if (last.h !== undefined) last.h = Math.max(last.h, def);
      if (last.l !== undefined) last.l = Math.min(last.l, def);
    }
    return plan;
  }

  /** The `pm_fade_under_prefilter` day of 28-day market block b (null when no eligible ticker). */
  private pmfuFor(b: number): PmfuPlan | null {
    const hit = this.pmfuCache.get(b);
    if (hit !== undefined) return hit;
    const rng = mulberry32(hash4(this.sm, 0x5eed, b, S_PMFU));
    const cal = this.cal;
    let out: PmfuPlan | null = null;
    let dn = cal.onOrAfter(b * SLOT);
    for (let m = Math.floor(rng() * 13); m > 0; m--) dn = cal.nextTrading(dn);
    // Forced fades (a list of days): this block has one only on a listed trading day inside it.
    const fades = this.pmFades;
    if (fades === 'none') dn = Number.POSITIVE_INFINITY;
    else if (fades !== 'blocks')
      dn =
        fades.find((f) => f >= b * SLOT && f < (b + 1) * SLOT && cal.isTrading(f)) ??
        Number.POSITIVE_INFINITY;
    if (dn < (b + 1) * SLOT) {
      const prevDn = cal.prevTrading(dn);
      const N = this.tickers.length;
      for (let tries = 0; tries < 400 && out === null; tries++) {
        const tid = Math.floor(rng() * N);
        const t = this.tickers[tid];
        if (t.market !== 'stocks' || (t.type !== 'CS' && t.type !== 'ADRC')) continue;
        if (t.mic !== 'XNYS' && t.mic !== 'XNAS' && t.mic !== 'XASE') continue;
        if (t.listDn > prevDn - 30 || t.delistDn <= dn + 5 || t.baseVol < 300_000) continue;
        if (t.logL < 0 || t.logL > Math.log(300)) continue;
        if (this.rawHalt(t, dn) || this.rawHalt(t, prevDn)) continue;
        if (this.planAt(t, dn) !== null || this.planAt(t, prevDn) !== null) continue;
        if (t.splits !== null && t.splits.some((s) => Math.abs(s.execDn - dn) <= 12)) continue;
        if (this.logD(t, dn) !== 0 || this.logD(t, prevDn) !== 0) continue; // no split drift (volume stays high)
        const P = this.closeDefault(t, prevDn);
        const c = this.closeDefault(t, dn);
        if (P < 1 || c / P < 0.94 || c / P > 1.1) continue;
        const o = roundPx(P * (0.99 + 0.07 * rng()));
        const cap = floorPx(P * 1.17);
        const h = Math.max(o, c, Math.min(cap, roundPx(Math.max(o, c) * (1 + 0.04 * rng()))));
        const l = Math.min(o, c, roundPx(Math.min(o, c) * (0.9 + 0.09 * rng())));
        const pmH = roundPx(P * (1.52 + 0.8 * rng()));
        out = { dn, tid, o, h, l, pmH, volMult: 2 + 3 * rng() };
      }
    }
    this.pmfuCache.set(b, out);
    return out;
  }

  /** The pm_fade_under_prefilter plan active on dn (any ticker), or null. */
  pmfuOn(dn: number): PmfuPlan | null {
    const p = this.pmfuFor(Math.floor(dn / SLOT));
    return p !== null && p.dn === dn ? p : null;
  }

  // ---------------------------------------------------------------- day tables

  /** True when dn is a trading day of the simulator's calendar. */
  isTrading(dn: number): boolean {
    return this.cal.isTrading(dn);
  }

  /** The day table of dn (cached), or null when dn is not a trading day. */
  table(dn: number): DayTable | null {
    if (!this.cal.isTrading(dn)) return null;
    const hit = this.tables.get(dn);
    if (hit) return hit;
    const t = this.buildTable(dn);
    this.tables.set(dn, t);
    return t;
  }

  private buildTable(dn: number): DayTable {
    const N = this.tickers.length;
    const sm = this.sm;
    const prevDn = this.cal.prevTrading(dn);
    const prevT = this.tables.get(prevDn) ?? null;
    const pmfu = this.pmfuOn(dn);
    const pmTid = pmfu ? pmfu.tid : -1;
    const T: DayTable = {
      dn,
      date: dateOf(dn),
      prevDn,
      listed: new Uint8Array(N),
      hasBar: new Uint8Array(N),
      prevHas: new Uint8Array(N),
      o: new Float64Array(N).fill(NaN),
      h: new Float64Array(N).fill(NaN),
      l: new Float64Array(N).fill(NaN),
      c: new Float64Array(N).fill(NaN),
      v: new Float64Array(N),
      vw: new Float64Array(N).fill(NaN),
      n: new Int32Array(N),
      P: new Float64Array(N).fill(NaN),
      q: new Float64Array(N).fill(1),
      pmN: new Int32Array(N),
      pmH: new Float64Array(N).fill(NaN),
      pmShape: new Uint8Array(N),
      ev: new Uint8Array(N),
      evDay: new Int16Array(N),
      evStart: new Float64Array(N).fill(NaN),
    };
    for (let i = 0; i < N; i++) {
      const t = this.tickers[i];
      if (dn < t.listDn || dn >= t.delistDn) continue;
      T.listed[i] = 1;
      const pd = this.planAt(t, dn);
      const q = this.splitFactor(t, dn);
      const prevListed = prevDn >= t.listDn && prevDn < t.delistDn;
      const P = prevT !== null && prevT.listed[i] === 1 ? prevT.c[i] : this.closeAt(t, prevDn);
      const prevHas =
        prevT !== null ? prevT.hasBar[i] : prevListed && !this.halted(t, prevDn) ? 1 : 0;
      T.P[i] = P;
      T.q[i] = q;
      T.prevHas[i] = prevHas;
      const lb = this.logB(t, dn);
      const c = pd !== null ? pd.close : roundPx(Math.exp(lb));
      T.c[i] = c;
      if (pd !== null) {
        T.ev[i] = pd.plan.kind;
        T.evDay[i] = pd.k;
        T.evStart[i] = pd.plan.startDn;
      } else if (i === pmTid) {
        T.ev[i] = K_PMFU;
        T.evStart[i] = dn;
      }
      if (pd === null && q === 1 && i !== pmTid && this.rawHalt(t, dn)) continue; // halted: no bar
      T.hasBar[i] = 1;
      const Pc = P * q;
      let o: number, h: number, l: number;
      if (pd !== null && pd.o !== undefined) {
        o = pd.o;
        h = pd.h as number;
        l = pd.l as number;
      } else if (i === pmTid && pmfu !== null) {
        o = pmfu.o;
        h = pmfu.h;
        l = pmfu.l;
      } else {
        const sg = t.sigma * (pd !== null && pd.volatile ? 2.5 : 1);
        o = roundPx(Pc * Math.exp((sg / 3) * nh(sm, t.key, dn, S_GAP, 3)));
        h = roundPx(Math.max(o, c) * Math.exp((sg / 2) * Math.abs(nh(sm, t.key, dn, S_HI, 3))));
        l = roundPx(Math.min(o, c) * Math.exp((-sg / 2) * Math.abs(nh(sm, t.key, dn, S_LO, 3))));
      }
      if (h < o || h < c) h = Math.max(o, c);
      if (l > o || l > c) l = Math.min(o, c);
      T.o[i] = o;
      T.h[i] = h;
      T.l[i] = l;
      const mult = pd !== null ? pd.volMult : i === pmTid && pmfu !== null ? pmfu.volMult : 1;
      const spike = uh(sm, t.key, dn, S_VSPK) < 0.02 ? 3 : 1;
      const v = Math.max(
        100,
        Math.round(
          t.baseVol *
            Math.exp(0.45 * nh(sm, t.key, dn, S_VOL, 3)) *
            mult *
            spike *
            Math.exp(-this.logD(t, dn)),
        ),
      );
      T.v[i] = v;
      T.vw[i] = Math.round(clamp((o + h + l + 2 * c) / 5, l, h) * 10000) / 10000;
      T.n[i] = Math.max(1, Math.round(v / t.avgSize));
      // Premarket prints.
      const shape = pd !== null ? pd.pm : i === pmTid ? PM_SPIKE : PM_NORMAL;
      T.pmShape[i] = shape;
      if (shape !== PM_NORMAL) {
        T.pmN[i] = 60 + Math.floor(uh(sm, t.key, dn, S_PMN) * 340);
        T.pmH[i] = pd !== null ? (pd.pmH as number) : (pmfu as PmfuPlan).pmH;
      } else {
        const quiet =
          v < 30_000 ? 0.55 : v < 100_000 ? 0.3 : v < 500_000 ? 0.1 : v < 2_000_000 ? 0.03 : 0.005;
        if (uh(sm, t.key, dn, S_PMQ) >= quiet) {
          const z = invNorm(uh(sm, t.key, dn, S_PMN));
          T.pmN[i] = clamp(
            Math.round(Math.exp(0.8 * clamp(z, -3, 3)) * Math.sqrt(v / 1e5) * 6),
            1,
            300,
          );
          T.pmH[i] = roundPx(
            Math.max(Pc, o) * Math.exp(t.sigma * 0.6 * Math.abs(nh(sm, t.key, dn, S_PMH, 3))),
          );
        }
      }
    }
    return T;
  }

  // ---------------------------------------------------------------- served data

  /** Polygon grouped daily of dn (see MarketSource.groupedDaily). */
  groupedDaily(dn: number): DailyBar[] {
    const T = this.table(dn);
    if (T === null) return [];
    const out: DailyBar[] = [];
    for (let i = 0; i < this.tickers.length; i++) {
      if (T.hasBar[i] !== 1) continue;
      const t = this.tickers[i];
      const bar: DailyBar = {
        T: t.ticker,
        o: T.o[i],
        h: T.h[i],
        l: T.l[i],
        c: T.c[i],
        v: T.v[i],
        vw: T.vw[i],
        n: T.n[i],
      };
      if (t.market === 'otc') bar.otc = true;
      out.push(bar);
    }
    return out;
  }

  /** Polygon reference tickers as of dn (see MarketSource.referenceTickers). */
  referenceTickers(dn: number): RefTicker[] {
    const hit = this.refCache.get(dn);
    if (hit) return hit.map((r) => ({ ...r }));
    const out: RefTicker[] = [];
    for (const t of this.tickers) {
      if (dn < t.listDn) continue;
      if (dn < t.delistDn) {
        out.push({
          ticker: t.ticker,
          name: t.name,
          type: t.type,
          market: t.market,
          primaryExchange: t.mic,
          active: true,
          listDate: dateOf(t.listDn),
        });
      } else if (dn < t.delistDn + 30) {
        out.push({
          ticker: t.ticker,
          name: t.name,
          type: t.type,
          market: t.market,
          primaryExchange: t.mic,
          active: false,
          delistedUtc: `${dateOf(t.delistDn)}T00:00:00Z`,
          listDate: dateOf(t.listDn),
        });
      }
    }
    this.refCache.set(dn, out);
    return out.map((r) => ({ ...r }));
  }

  /** Weighted shares outstanding of t on dn (shares; dilution drifts up before a reverse split). */
  sharesAt(t: TickerRec, dn: number): number {
    return Math.round(t.shares * Math.exp(-this.logD(t, dn)));
  }

  /** Polygon ticker details as of dn (see MarketSource.tickerDetails). */
  tickerDetails(ticker: string, dn: number): TickerDetails | null {
    const id = this.byTicker.get(ticker);
    if (id === undefined) return null;
    const t = this.tickers[id];
    if (dn < t.listDn) return null;
    const d: TickerDetails = {
      ticker: t.ticker,
      name: t.name,
      type: t.type,
      market: t.market,
      primaryExchange: t.mic,
      active: dn < t.delistDn,
      listDate: dateOf(t.listDn),
    };
    if (t.hasShares) {
      // Shares as of the last trading day with a bar on or before dn (the last close).
      let d0 = Math.min(dn, t.delistDn - 1);
      let close: number | null = null;
      for (let k = 0; k < 15 && d0 >= t.listDn; k++) {
        if (this.cal.isTrading(d0) && !this.halted(t, d0)) {
          close = this.closeAt(t, d0);
          break;
        }
        d0--;
      }
      const ws = this.sharesAt(t, Math.min(dn, t.delistDn - 1));
      d.weightedSharesOutstanding = ws;
      d.shareClassSharesOutstanding = Math.round(ws * t.classFrac);
      if (close !== null) d.marketCap = Math.round(close * ws * 100) / 100;
    }
    return d;
  }

  /** Float shares (FMP) of t on dn: a fixed fraction of shares outstanding; null for funds/unknown. */
  floatShares(ticker: string, dn: number): number | null {
    const id = this.byTicker.get(ticker);
    if (id === undefined) return null;
    const t = this.tickers[id];
    if (dn < t.listDn || !t.hasShares || t.floatFrac === 0) return null;
    return Math.round(this.sharesAt(t, Math.min(dn, t.delistDn - 1)) * t.floatFrac);
  }

  /** Every split record 2010..2030, sorted by execution date then ticker. */
  splits(): SplitRecord[] {
    if (this.splitList === null) {
      const out: SplitRecord[] = [];
      for (const t of this.tickers) {
        if (t.splits === null) continue;
        for (const s of t.splits) {
          out.push({
            id: s.id,
            ticker: t.ticker,
            executionDate: dateOf(s.execDn),
            splitFrom: s.from,
            splitTo: s.to,
          });
        }
      }
      out.sort((a, b) =>
        a.executionDate < b.executionDate
          ? -1
          : a.executionDate > b.executionDate
            ? 1
            : a.ticker < b.ticker
              ? -1
              : a.ticker > b.ticker
                ? 1
                : 0,
      );
      this.splitList = out;
    }
    return this.splitList.map((s) => ({ ...s }));
  }

  /** Premarket trade prints of ticker on dn, sorted by time; null when none (Theta 472). */
  trades(ticker: string, dn: number): TradePrint[] | null {
    const id = this.byTicker.get(ticker);
    if (id === undefined) return null;
    const T = this.table(dn);
    if (T === null || T.pmN[id] === 0) return null;
    const ck = `${id}|${dn}`;
    const hit = this.printCache.get(ck);
    if (hit !== undefined) return hit === null ? null : hit.map((p) => ({ ...p }));
    const prints = this.genPrints(id, T);
    this.printCache.set(ck, prints);
    return prints.map((p) => ({ ...p }));
  }

  private genPrints(i: number, T: DayTable): TradePrint[] {
    const t = this.tickers[i];
    const dn = T.dn;
    const n = T.pmN[i];
    const rng = mulberry32(hash4(this.sm, t.key, dn, S_PRINTS));
    const W = PM_WINDOW_MS;
    const base = etMidnightUtcMs(dn) + PM_START_MS;
    const Pc = T.P[i] * T.q[i];
    const o = T.o[i];
    const H = T.pmH[i];
    const shape = T.pmShape[i];
    const tau =
      shape === PM_GAP
        ? W * (0.1 + 0.65 * rng())
        : shape === PM_SPIKE
          ? W * (0.02 + 0.48 * rng())
          : 0;
    const nBefore = shape === PM_NORMAL ? 0 : Math.floor(n * (0.05 + 0.2 * rng()));
    const times: number[] = [];
    const sortedUniform = (k: number, a: number, b: number): void => {
      if (k <= 0) return;
      const g: number[] = [];
      let S = 0;
      for (let j = 0; j <= k; j++) {
        const e = -Math.log(1 - rng());
        g.push(e);
        S += e;
      }
      let acc = 0;
      for (let j = 0; j < k; j++) {
        acc += g[j];
        let x = Math.floor(a + ((b - a) * acc) / S);
        if (x >= b) x = b - 1;
        if (x < a) x = a;
        times.push(x);
      }
    };
    if (shape === PM_NORMAL) sortedUniform(n, 0, W);
    else {
      sortedUniform(nBefore, 0, Math.floor(tau));
      sortedUniform(n - nBefore, Math.floor(tau), W);
    }
    const sp = Math.max(0.003, t.sigma * 0.35);
    const prints: TradePrint[] = [];
    let seq = 1000 + (hash4(this.sm, t.key, dn, S_SEQ) % 900_000);
    for (let j = 0; j < times.length; j++) {
      const x = times[j];
      let anchor: number;
      let s = sp;
      if (shape === PM_NORMAL) anchor = Pc * Math.pow(o / Pc, x / W);
      else if (x < tau) anchor = Pc;
      else if (shape === PM_GAP) {
        anchor = o * (1 + 0.05 * (1 - (x - tau) / (W - tau)));
        s = 0.025;
      } else {
        anchor = H * Math.pow(o / H, Math.sqrt((x - tau) / (W - tau)));
        s = 0.02;
      }
      const price = Math.min(H, roundPx(anchor * Math.exp(s * clamp(invNorm(rng()), -3, 3))));
      const odd = rng() < 0.3;
      const size = odd
        ? 1 + Math.floor(rng() * 99)
        : 100 * (1 + Math.floor(rng() * (shape === PM_NORMAL ? 10 : 40)));
      const ex =
        rng() < 0.45
          ? NQB_EXCHANGE_CODES[Math.floor(rng() * NQB_EXCHANGE_CODES.length)]
          : OTHER_EXCHANGE_CODES[Math.floor(rng() * OTHER_EXCHANGE_CODES.length)];
      seq += 1 + Math.floor(rng() * 40);
      prints.push({ ms: base + x, sequence: seq, price, size, exchange: ex, condition: 0 });
    }
    // Exactly one designated print at the premarket high (others are clamped at or below it).
    let iH: number;
    if (shape === PM_NORMAL) iH = Math.floor(rng() * n);
    else if (shape === PM_GAP)
      iH = n > nBefore ? nBefore + Math.floor(rng() * (n - nBefore)) : n - 1;
    else iH = nBefore < n ? nBefore : n - 1;
    prints[iH].price = H;
    const hx = uh(this.sm, t.key, dn, S_HX) < 0.5;
    prints[iH].exchange = hx
      ? NQB_EXCHANGE_CODES[hash4(this.sm, t.key, dn, S_HX) % NQB_EXCHANGE_CODES.length]
      : OTHER_EXCHANGE_CODES[hash4(this.sm, t.key, dn, S_HX) % OTHER_EXCHANGE_CODES.length];
    // The high is set by an eligible (round-lot) print.
    if (prints[iH].size < 100) prints[iH].size = 100;
    return this.decoratePrints(t, dn, prints, Math.max(H, Pc));
  }

  /**
   * Conditions of the simulated tape, from their own random stream (the prices, sizes and times
   * above are unchanged by it): every premarket print is Form T + extended hours, an odd lot
   * (size < 100) also ODD_LOT; on a few symbol-days an odd lot prints far above the high (a +55%
   * or more spike over the previous close that must not make an R1 hit), and on a few others a
   * round lot prints far above the high and is cancelled by the next record (CANC_LAST). The true
   * premarket high (the oracle's) stays the highest eligible print.
   */
  private decoratePrints(
    t: TickerRec,
    dn: number,
    prints: TradePrint[],
    ref: number,
  ): TradePrint[] {
    for (const p of prints) {
      const odd = p.size < 100;
      p.condition = odd ? C_ODD_LOT : C_EXT_HOURS;
      p.ext = odd ? EXT_PM_ODD : EXT_PM;
    }
    if (prints.length < 3) return prints;
    const rng = mulberry32(hash4(this.sm, t.key, dn, S_COND));
    const outlier = (): number => roundPx(ref * (1.55 + 0.6 * rng()));
    const at = (): number => 1 + Math.floor(rng() * (prints.length - 2));
    const out = prints.slice();
    if (rng() < P_ODD_SPIKE) {
      const k = at();
      const base = out[k];
      out.splice(k + 1, 0, {
        ms: base.ms,
        sequence: base.sequence + 1,
        price: outlier(),
        size: 1 + Math.floor(rng() * 99),
        exchange: base.exchange,
        condition: C_ODD_LOT,
        ext: EXT_PM_ODD,
      });
    }
    if (rng() < P_CANCELLED) {
      const k = at();
      const base = out[k];
      const price = outlier();
      const size = 100 * (1 + Math.floor(rng() * 20));
      out.splice(
        k + 1,
        0,
        {
          ms: base.ms,
          sequence: base.sequence + 1,
          price,
          size,
          exchange: base.exchange,
          condition: C_EXT_HOURS,
          ext: EXT_PM,
        },
        {
          ms: base.ms,
          sequence: base.sequence + 2,
          price,
          size,
          exchange: base.exchange,
          condition: C_CANC_LAST,
          ext: EXT_PM,
        },
      );
    }
    // Sequence numbers stay strictly increasing after the inserts.
    for (let j = 1; j < out.length; j++)
      if (out[j].sequence <= out[j - 1].sequence)
        out[j] = { ...out[j], sequence: out[j - 1].sequence + 1 };
    return out;
  }

  /** One-minute bars aggregated from the eligible premarket prints of ticker on dn (see below); null when none. */
  minuteBars(ticker: string, dn: number): IntradayBar[] | null {
    const prints = this.trades(ticker, dn);
    if (prints === null) return null;
    const out: IntradayBar[] = [];
    let cur: IntradayBar | null = null;
    // Bars follow the tape's high/low eligibility (as Polygon's aggregates and flat files do, in
    // this simulation for volume too): odd lots, a cancel record and the print it cancels (the one
    // just before it) are left out.
    const counted = prints.filter(
      (p, k) =>
        p.condition !== C_ODD_LOT &&
        p.condition !== C_CANC_LAST &&
        prints[k + 1]?.condition !== C_CANC_LAST,
    );
    for (const p of counted) {
      const start = Math.floor(p.ms / 60_000) * 60_000;
      if (cur === null || cur.startMs !== start) {
        cur = {
          startMs: start,
          durationMs: 60_000,
          open: p.price,
          high: p.price,
          low: p.price,
          close: p.price,
          volume: 0,
          trades: 0,
        };
        out.push(cur);
      }
      if (p.price > cur.high) cur.high = p.price;
      if (p.price < cur.low) cur.low = p.price;
      cur.close = p.price;
      cur.volume += p.size;
      cur.trades += 1;
    }
    return out;
  }

  // ---------------------------------------------------------------- truth helpers (oracle)

  /** Exchange name of t (NYSE, NASDAQ, AMEX, ARCA, BATS, OTC). */
  exchangeOf(t: TickerRec): string {
    return exchangeOfMic(t.mic, t.market);
  }

  /** Event kind code and start of t's event on dn (plan or pm_fade_under_prefilter), or null. */
  eventAt(t: TickerRec, dn: number): { kind: number; startDn: number; dayIndex: number } | null {
    const pd = this.planAt(t, dn);
    if (pd !== null) return { kind: pd.plan.kind, startDn: pd.plan.startDn, dayIndex: pd.k };
    const pm = this.pmfuOn(dn);
    if (pm !== null && pm.tid === t.id) return { kind: K_PMFU, startDn: dn, dayIndex: 0 };
    return null;
  }
}
