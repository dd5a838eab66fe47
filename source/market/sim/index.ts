/**
 * The deterministic simulated market (`--market sim[:SEED]`) as a {@link MarketSource}.
 *
 * Same seed, same data byte for byte; any date 1970..2099 (the spec asks for 1990-2040); no span.
 * About 11,000 tickers of every type (common stock on XNYS/XNAS/XASE, ETFs, warrants, units,
 * rights, preferreds, ADRs, OS/other, OTC), listings and delistings, heavy-tailed moves with 5-40
 * true rule hits a day after the default filters, premarket spikes that fade before the open,
 * reverse and forward splits (2010-2030 only) with their fake gaps in unadjusted bars, and halts.
 * The generator lives in ./core.ts; the ground truth for tests and benchmarks in ./oracle.ts (the
 * engine never imports either: it sees the market through the emulator's HTTP only).
 */

import type {
  DailyBar,
  IntradayBar,
  MarketSource,
  RefTicker,
  SplitRecord,
  TickerDetails,
  TradePrint,
} from '../types.js';
import { CalendarDn, defaultSimCalendar, dnOf, type SimCalendar } from './dates.js';
import { seedMix } from './hash.js';
import { SimCore } from './core.js';

export type { SimCalendar } from './dates.js';
export { defaultSimCalendar } from './dates.js';

/** Options of the simulated market. */
export interface SimOptions {
  /** Seed: a non-negative safe integer. Same seed, same market. */
  seed: number;
  /** Total number of ticker symbols over all time (default 11000; about 90% are listed on a 2024 day). */
  tickers?: number;
  /**
   * NYSE trading-day calendar (dates `YYYY-MM-DD`); default: the simulator's private calendar
   * (weekends, the domain-spec holiday rules and special closures). Plug the project's calendar in
   * here so the simulator and the engine agree on every day. It must answer for 1995..2041 (listing,
   * delisting and split dates are drawn there) and for every date asked of the market.
   */
  calendar?: SimCalendar;
  /**
   * Premarket fades under the prefilter (R1-only hits whose day high stays under the prefilter, the
   * prefilter's one blind spot): `blocks` (default) places one in every 28-day block, `none` places
   * none, and a list of trading dates (`YYYY-MM-DD`) places one on each listed day only (a forced
   * prefilter miss for backfill tests).
   */
  pmFades?: 'blocks' | 'none' | readonly string[];
  /**
   * Most event plans kept in memory (SIM_PLAN_CACHE; default {@link DEFAULT_SIM_PLAN_CACHE}), least
   * recently used evicted: a plan is a pure function of (seed, ticker, slot), rebuilt when asked again.
   */
  planCache?: number;
  /**
   * Trading days whose day tables are kept in memory (SIM_DAY_CACHE; default
   * {@link DEFAULT_SIM_DAY_CACHE}), least recently used evicted; reference-ticker lists are kept for
   * half as many days (at least 1). A day table is a pure function of (seed, tickers, day).
   */
  dayCache?: number;
}

/** Event plans kept by default (SIM_PLAN_CACHE's default). */
export const DEFAULT_SIM_PLAN_CACHE = 2048;

/** Day tables kept by default (SIM_DAY_CACHE's default): the scan day, its previous day and margin. */
export const DEFAULT_SIM_DAY_CACHE = 4;

/** Seed used for `--market sim` without `:SEED`. */
export const DEFAULT_SIM_SEED = 42;

/**
 * Parses a market spec `sim` or `sim:SEED` into {@link SimOptions}.
 * @throws Error (one line) when the spec is not `sim` or `sim:<non-negative integer>`.
 */
export function parseSimMarketSpec(spec: string): SimOptions {
  const m = /^sim(?::(\d{1,15}))?$/.exec(spec.trim());
  if (!m) throw new Error(`invalid sim market spec ${JSON.stringify(spec)} (want sim or sim:SEED)`);
  return { seed: m[1] === undefined ? DEFAULT_SIM_SEED : Number(m[1]) };
}

/**
 * Validates options and builds the shared generator. Used by {@link createSimMarket} and by the
 * oracle (`./oracle.ts`); each call builds an independent instance (about 50-100 ms for 11k tickers).
 * @throws Error (one line) on a bad seed or ticker count.
 */
export function createSimCore(opts: SimOptions): SimCore {
  if (opts === null || typeof opts !== 'object') throw new Error('sim: options object required');
  const { seed } = opts;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`sim: seed must be a non-negative safe integer, got ${String(seed)}`);
  }
  const tickers = opts.tickers ?? 11_000;
  if (!Number.isInteger(tickers) || tickers < 50 || tickers > 100_000) {
    throw new Error(`sim: tickers must be an integer in 50..100000, got ${String(opts.tickers)}`);
  }
  const cal = new CalendarDn(opts.calendar ?? defaultSimCalendar);
  const pf = opts.pmFades ?? 'blocks';
  const pmFades = pf === 'blocks' || pf === 'none' ? pf : pf.map((d) => dnOf(d));
  const planCache = opts.planCache ?? DEFAULT_SIM_PLAN_CACHE;
  if (!Number.isInteger(planCache) || planCache < 1)
    throw new Error(`sim: planCache must be a positive integer, got ${String(opts.planCache)}`);
  const dayCache = opts.dayCache ?? DEFAULT_SIM_DAY_CACHE;
  if (!Number.isInteger(dayCache) || dayCache < 1)
    throw new Error(`sim: dayCache must be a positive integer, got ${String(opts.dayCache)}`);
  return new SimCore({ seed, tickers, cal, sm: seedMix(seed), pmFades, planCache, dayCache });
}

/**
 * Creates the simulated market `sim:<seed>`: a {@link MarketSource} whose every answer is a pure
 * function of (seed, ticker count, calendar, arguments). No `span`: any date 1970..2099 works
 * (splits only 2010..2030).
 *
 * - referenceTickers(date): tickers listed on or before `date` and not delisted (active), plus those
 *   delisted within the 30 days before `date` (active=false, delistedUtc `YYYY-MM-DDT00:00:00Z`);
 *   OTC ones carry market `otc`, primaryExchange `OTCM`. Sorted by ticker.
 * - groupedDaily(date): regular-session bars, unadjusted, OTC included with `otc: true`; [] on a
 *   non-trading day. About 0.3% of listed ticker-days have no bar (halts).
 * - tickerDetails(ticker, date): null when unknown or not yet listed; market cap = last close x
 *   weighted shares outstanding (common stock, ADRs, OTC, ETFs and preferreds only).
 * - splits(): every split 2010-01-01..2030-12-31 (a few thousand records).
 * - trades(ticker, date): premarket prints 04:00:00-09:29:59.999 ET (UTC ms) with ThetaData
 *   conditions (148 extended hours + 1 Form T; odd lots 115; a few odd-lot spikes and cancelled
 *   prints far above the high, never eligible), exchange codes mixed between NQB_EXCHANGE_CODES and
 *   other venues; null when none (quiet tickers, halts, non-trading days, unknown tickers).
 * - minuteBars(ticker, date): one-minute bars aggregated from the eligible prints (no odd lots, no
 *   cancel records or cancelled prints), as the tape's aggregates are.
 * - floatShares(ticker, date): a fixed fraction of shares outstanding; null for funds and unknowns.
 * @throws Error (one line) on bad options; each method throws on a malformed date.
 */
export function createSimMarket(opts: SimOptions): MarketSource {
  const core = createSimCore(opts);
  return {
    name: `sim:${core.seed}`,
    async referenceTickers(date: string): Promise<RefTicker[]> {
      return core.referenceTickers(dnOf(date));
    },
    async groupedDaily(date: string): Promise<DailyBar[]> {
      return core.groupedDaily(dnOf(date));
    },
    async tickerDetails(ticker: string, date: string): Promise<TickerDetails | null> {
      return core.tickerDetails(ticker, dnOf(date));
    },
    async splits(): Promise<SplitRecord[]> {
      return core.splits();
    },
    async trades(ticker: string, date: string): Promise<TradePrint[] | null> {
      return core.trades(ticker, dnOf(date));
    },
    async minuteBars(ticker: string, date: string): Promise<IntradayBar[] | null> {
      return core.minuteBars(ticker, dnOf(date));
    },
    async floatShares(ticker: string, date: string): Promise<number | null> {
      return core.floatShares(ticker, dnOf(date));
    },
  };
}
