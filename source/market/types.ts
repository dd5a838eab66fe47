/**
 * The contract between a market's data (replay of recorded data, or the deterministic simulated
 * market) and the emulator that serves it over HTTP in the Polygon and ThetaData wire formats.
 * The engine never imports this: it sees a market only through HTTP.
 *
 * Conventions: dates are trading dates `YYYY-MM-DD`; times are UTC epoch milliseconds; prices are
 * dollars in the market's unadjusted basis for that date; volumes are shares.
 */

/** One entry of Polygon `/v3/reference/tickers` as of a date. */
export interface RefTicker {
  ticker: string;
  name: string;
  /** Polygon security type code: CS, ETF, WARRANT, UNIT, RIGHT, PFD, ADRC, ... */
  type: string;
  /** 'stocks' for exchange-listed, 'otc' for OTC. */
  market: 'stocks' | 'otc';
  /** Primary exchange MIC: XNYS, XNAS, XASE, ARCX, BATS, OTCM ... */
  primaryExchange: string;
  active: boolean;
  /** ISO 8601 UTC when delisted, else undefined. */
  delistedUtc?: string;
  /** `YYYY-MM-DD` first listing date, if known. */
  listDate?: string;
}

/** One row of Polygon grouped daily (`/v2/aggs/grouped/...`): the regular-session daily bar. */
export interface DailyBar {
  T: string;
  o: number;
  h: number;
  l: number;
  c: number;
  /** Volume, shares (may be fractional). */
  v: number;
  /** Volume-weighted average price, dollars; absent when the source has none. */
  vw?: number;
  /** Number of trades; absent when the source has none. */
  n?: number;
  /** True for OTC bars (only served with include_otc=true). */
  otc?: boolean;
}

/** An OHLC bar of intraday data (premarket minute or five-minute bars). */
export interface IntradayBar {
  /** Bar start, UTC epoch ms. */
  startMs: number;
  /** Bar length, ms (60000 for one-minute bars, 300000 for five-minute bars). */
  durationMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Shares. */
  volume: number;
  /** Number of trades. */
  trades: number;
}

/** One trade print as a ThetaData terminal reports it. */
export interface TradePrint {
  /** Trade time, UTC epoch ms. */
  ms: number;
  sequence: number;
  /** Dollars. */
  price: number;
  /** Shares. */
  size: number;
  /** ThetaData exchange code; {@link NQB_EXCHANGE_CODES} are on the Nasdaq Basic (nqb) subset. */
  exchange: number;
  /** ThetaData trade condition code (0 REGULAR, 148 EXTENDED_HOURS_TRADE, 115 ODD_LOT, 41 CANC_LAST ...). */
  condition: number;
  /**
   * ext_condition1..4 (255 = none); absent = all 255. A cancel record (condition 40-44) cancels the
   * print just before it on the same exchange (the emulator's v2 rows give it records_back 1).
   */
  ext?: readonly [number, number, number, number];
}

/** ThetaData exchange codes treated as Nasdaq venues: venue=nqb answers only these prints. */
export const NQB_EXCHANGE_CODES: readonly number[] = [3, 29];

/** Polygon `/v3/reference/tickers/{ticker}?date=` as of a date (subset we use). */
export interface TickerDetails {
  ticker: string;
  name: string;
  type: string;
  market: 'stocks' | 'otc';
  primaryExchange: string;
  active: boolean;
  listDate?: string;
  /** Dollars. */
  marketCap?: number;
  /** Shares. */
  shareClassSharesOutstanding?: number;
  /** Shares. */
  weightedSharesOutstanding?: number;
}

/** Polygon `/v3/reference/splits` record. Reverse split when splitFrom > splitTo. */
export interface SplitRecord {
  id: string;
  ticker: string;
  /** `YYYY-MM-DD`: first trading day at post-split prices. */
  executionDate: string;
  splitFrom: number;
  splitTo: number;
}

/**
 * A market the emulator can serve. Every method is deterministic for a given source: same
 * arguments, same answer. Methods return empty arrays (not errors) where the real provider answers
 * an empty result; `null` where the real provider answers "no data" (Theta 472) or 404.
 */
export interface MarketSource {
  /** Human name shown in the console header, e.g. `replay:2018q1` or `sim:42`. */
  readonly name: string;
  /** First and last dates the source holds data for (inclusive), if bounded. */
  readonly span?: { start: string; end: string };
  /**
   * First and last dates (`YYYY-MM-DD`, inclusive) with any premarket data, when the source holds
   * premarket data only for part of its span (a recording, e.g. the real replay's gappers file,
   * which ends 2018-04-10 while its daily bars run to 2020-01-23). Outside it every trades and
   * minute-bars lookup answers none (Theta 472), whatever happened that morning: R1, its proof and
   * validation's R1 health then judge an empty premarket. Absent: premarket data on every day.
   */
  readonly premarketSpan?: { start: string; end: string };
  /** Polygon reference tickers as of `date` (active and delisted that day), sorted by ticker. */
  referenceTickers(date: string): Promise<RefTicker[]>;
  /** Polygon grouped daily for `date`, unadjusted, OTC included with `otc: true`; [] for no data. */
  groupedDaily(date: string): Promise<DailyBar[]>;
  /** Polygon ticker details as of `date`; null when the ticker is unknown (404). */
  tickerDetails(ticker: string, date: string): Promise<TickerDetails | null>;
  /** Every split record (the emulator filters by query). */
  splits(): Promise<SplitRecord[]>;
  /**
   * Every trade print of `ticker` on `date` that the source knows (at least the premarket
   * 04:00-09:30 ET), sorted by time; null when there is none (Theta answers 472).
   */
  trades(ticker: string, date: string): Promise<TradePrint[] | null>;
  /**
   * One-minute bars of `ticker` on `date` with extended hours (at least premarket), as Polygon
   * minute aggregates and Theta v2 OHLC serve them; null when there is none.
   */
  minuteBars(ticker: string, date: string): Promise<IntradayBar[] | null>;
  /** Float shares (FMP) as of `date`; null when unknown. */
  floatShares?(ticker: string, date: string): Promise<number | null>;
}
