/**
 * What the engine needs from its providers, independent of the wire: Polygon/Massive REST
 * (grouped daily, reference tickers, ticker details, splits, minute aggregates), the ThetaData
 * terminals (premarket high), FMP (float). Implementations live in polygon/, theta/, fmp/.
 */

import type { Upstream, UpstreamMetrics } from '../contracts/upstream.js';

/** The upstream names and live metrics are contracts shared with the runtime and the console (source/contracts/upstream.ts). */
export type {
  LatencyHistogram,
  StatusCounts,
  Upstream,
  UpstreamMetrics,
} from '../contracts/upstream.js';

/** Why a provider call failed after its retries. `message` and `url` are already redacted. */
export class ProviderError extends Error {
  constructor(
    readonly upstream: Upstream,
    /** 'http' (a non-retryable or exhausted status), 'timeout', 'network', 'malformed' (body did not parse), 'aborted'. */
    readonly kind: 'http' | 'timeout' | 'network' | 'malformed' | 'aborted',
    message: string,
    /** HTTP status when there was one. */
    readonly status: number | null = null,
    /** The request URL with secrets redacted. */
    readonly url: string = '',
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** One row of Polygon grouped daily (unadjusted, regular session). Prices dollars, volume shares. */
export interface GroupedBar {
  symbol: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Null when Polygon sent no `vw`. */
  vwap: number | null;
  /** Null when Polygon sent no `n`. */
  transactions: number | null;
  otc: boolean;
}

/** One Polygon reference ticker as of a date (`/v3/reference/tickers?date=`). */
export interface UniverseTicker {
  symbol: string;
  /** Polygon type code (CS, ETF, WARRANT, ...); '' when Polygon gave none. */
  type: string;
  /** Primary exchange MIC (XNYS, XNAS, XASE, ...); '' when absent. */
  primaryExchange: string;
  market: string;
  active: boolean;
  delistedUtc: string | null;
}

/** Polygon ticker details as of a date. Shares and dollars. */
export interface TickerDetailsInfo {
  symbol: string;
  type: string;
  primaryExchange: string;
  /** share_class_shares_outstanding, else weighted_shares_outstanding; shares. */
  sharesOutstanding: number | null;
  /** Dollars. */
  marketCap: number | null;
}

/** A split record (Polygon `/v3/reference/splits`); reverse when splitFrom > splitTo. */
export interface SplitInfo {
  symbol: string;
  executionDate: string;
  splitFrom: number;
  splitTo: number;
}

/** A Polygon minute aggregate (extended hours included). `startMs` UTC epoch ms. */
export interface MinuteAgg {
  startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Polygon/Massive REST as the engine uses it. Every method throws {@link ProviderError}. */
export interface PolygonApi {
  /** `/v2/aggs/grouped/locale/us/market/stocks/{date}?adjusted=false&include_otc=false`; [] on a no-data day. */
  groupedDaily(date: string, signal?: AbortSignal): Promise<GroupedBar[]>;
  /** `/v3/reference/tickers?market=stocks&date=&limit=1000`, active=true and active=false, following next_url. */
  referenceTickers(date: string, signal?: AbortSignal): Promise<UniverseTicker[]>;
  /** `/v3/reference/tickers/{ticker}?date=`; null on 404. */
  tickerDetails(
    symbol: string,
    date: string,
    signal?: AbortSignal,
  ): Promise<TickerDetailsInfo | null>;
  /** `/v3/reference/splits?execution_date.gte=&execution_date.lte=&limit=1000`, following next_url. */
  splits(fromDate: string, toDate: string, signal?: AbortSignal): Promise<SplitInfo[]>;
  /** `/v2/aggs/ticker/{t}/range/1/minute/{date}/{date}?adjusted=false&sort=asc&limit=50000` (extended hours). */
  minuteAggs(symbol: string, date: string, signal?: AbortSignal): Promise<MinuteAgg[]>;
}

/** Provenance of a premarket high (docs/domain.md section 2). */
export type PmHighSource = 'v3_trades' | 'v1_trades' | 'v1_ohlc_1m';
/** Venue of a premarket high: the consolidated tapes, Nasdaq Basic, or v2 bars with rth=false. */
export type PmHighVenue = 'utp_cta' | 'nqb' | 'rth_false';

/**
 * The answer for one symbol's premarket (04:00:00-09:29:59 ET by default):
 * - `high`: trades found; `high` is the highest trade price, dollars.
 * - `no_trades`: a definitive "no premarket trades" (472 or an empty 200 from the consolidated venue).
 * - `unanswered`: every source failed (terminal down, 5xx/429 after retries, timeouts, permission).
 */
export interface PremarketAnswer {
  symbol: string;
  date: string;
  outcome: 'high' | 'no_trades' | 'unanswered';
  high: number | null;
  source: PmHighSource | null;
  venue: PmHighVenue | null;
  /** Redacted reason when unanswered. */
  error?: string;
  /**
   * Highest premarket print of every row whatever its conditions (dollars); differs from `high`
   * when odd lots, cancelled or other ineligible prints were above the eligible high. Absent when unknown.
   */
  rawHigh?: number | null;
}

/**
 * One symbol whose raw maximum premarket print differs from its eligible premarket high
 * (pm_diag_<date>.json `raw_high_differs`); prices in dollars, `excluded` = in-window prints not counted.
 */
export interface PmRawHigh {
  symbol: string;
  source: PmHighSource;
  high: number | null;
  raw_high: number;
  excluded: number;
}

/**
 * pm_diag_<date>.json: premarket request outcomes per `<source>:<venue>` key
 * (e.g. `v3_trades:utp_cta`), counts of 200, 204, 472 and other.
 */
export type PmDiag = Record<string, { '200': number; '204': number; '472': number; other: number }>;

/** The ThetaData terminals as the engine uses them. Never throws for a symbol: see `outcome`. */
export interface ThetaApi {
  /** Premarket high with the v3 -> v1 trades -> v1 one-minute OHLC cascade (no cascade on 472). */
  premarketHigh(symbol: string, date: string, signal?: AbortSignal): Promise<PremarketAnswer>;
  /** Per-date request outcome counters for pm_diag_<date>.json. */
  diagnostics(date: string): PmDiag;
  /** Per-date symbols whose raw maximum print differs from the eligible high (pm_diag `raw_high_differs`). */
  rawHighs?(date: string): PmRawHigh[];
  /** Live metrics of both terminals. */
  metrics(): UpstreamMetrics[];
  /** Stop starting new requests; in-flight ones finish. */
  pause(): void;
  /** Start requests again. */
  resume(): void;
  /** The `[theta] init v3_limit=4 v1_limit=4 timeout=10` start-up line. */
  initLine(): string;
  /** Close connection pools. */
  close(): Promise<void>;
}

/** FMP float shares (`/stable/shares-float?symbol=`; the current float, shares); null when unknown. Throws ProviderError. */
export interface FloatApi {
  floatShares(symbol: string, date: string, signal?: AbortSignal): Promise<number | null>;
}

/** A message for the day's log (sink provided by the engine). */
export type LogSink = (line: string) => void;
