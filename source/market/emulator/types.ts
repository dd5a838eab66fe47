/**
 * Public types of the embedded market's HTTP emulator: options, fault switches and the handle of a
 * running emulator. The emulator serves any {@link MarketSource} in the Polygon/Massive REST,
 * ThetaData Terminal v3, ThetaData v2 (legacy) and FMP wire formats on 127.0.0.1.
 */

import type { FlatFileFaults } from './s3.js';
import type { MarketSource } from '../types.js';

/**
 * Injected failures, all off by default and switchable at runtime with `setFaults`. Probabilities
 * are ratios 0..1, decided per request by a seeded PRNG keyed on (seed, terminal, canonical URL,
 * how many times that URL was asked while faults were on): the same request sequence gives the same
 * faults whatever the interleaving of different URLs, and a retried URL gets a fresh draw.
 */
export interface FaultConfig {
  /** Probability of a Polygon 429 (JSON body with `error`, or empty body with `polygon429EmptyBody`). */
  polygon429?: number;
  /** Make every Polygon 429 (fault or rate limit) answer with an empty body. */
  polygon429EmptyBody?: boolean;
  /** Probability of a Polygon 500 (JSON) / 502 / 503 (plain text). */
  polygon5xx?: number;
  /** Probability of a Polygon 200 whose JSON body is truncated (valid HTTP framing, invalid JSON). */
  polygonMalformed?: number;
  /** Every Polygon request answers 503 plain text `Service Unavailable`. */
  polygonOutage?: boolean;
  /**
   * Theta terminal(s) down (`true` = both, `'v3'`, `'v1'`): the emulator destroys the socket
   * without answering (the client sees a reset / "other side closed", the nearest thing to a
   * refused connection while keeping the port).
   */
  thetaOutage?: boolean | 'v3' | 'v1';
  /** Probability of a Theta 429 (OS_LIMIT) plain-text answer, while holding a slot. */
  theta429?: number;
  /** Probability of a Theta 474 (DISCONNECTED) plain-text answer. */
  theta474?: number;
  /** Probability of a Theta 571 (SERVER_STARTING) plain-text answer. */
  theta571?: number;
  /** Probability of a Theta 500 or 572 (UNCAUGHT_ERROR) plain-text answer. */
  theta5xx?: number;
  /**
   * Probability the Theta request never answers. The request keeps its concurrency slot until the
   * client aborts (socket close) or the emulator closes.
   */
  thetaTimeout?: number;
  /** Probability of a Theta 200 with a truncated body (CSV cut mid-row, JSON cut) or garbage text. */
  thetaMalformed?: number;
  /** Legacy `/v2/*` paths on the v1 terminal answer 410 Gone (a v3-only terminal). */
  v1Gone?: boolean;
  /** Every Flat Files request answers 403 AccessDenied (an account without Flat Files). */
  flatFilesForbidden?: boolean;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** The market served. */
  source: MarketSource;
  /** When set, Polygon requests must carry it (`apiKey=` or `Authorization: Bearer`), else 401. Default: any non-empty key. */
  polygonApiKey?: string;
  /** Concurrent requests served by the Theta v3 terminal (default 4). */
  thetaV3Cap?: number;
  /** Concurrent requests served by the Theta v1 (v2 API) terminal (default 4). */
  thetaV1Cap?: number;
  /** Requests queued (FIFO) per Theta terminal beyond the cap before 429 (default 16). */
  thetaQueue?: number;
  /** Latency added to each Theta request while it holds its slot, ms (default 0). */
  thetaLatencyMs?: number;
  /** Latency added to each Polygon request, ms (default 0). */
  polygonLatencyMs?: number;
  /** Optional Polygon limit: requests admitted per rolling 60 s window; the next ones get 429. */
  polygonRatePerMin?: number;
  /** Seed of the fault PRNG (default 1). */
  seed?: number;
  /** Initial faults (default none). */
  faults?: FaultConfig;
  /** Emit `"results": null` instead of omitting `results` on empty Polygon answers. */
  emptyResultsAsNull?: boolean;
  /** Largest page of `/v3/reference/tickers` (default 1000); a smaller `?limit=` wins. */
  tickersPageSize?: number;
  /** Flat Files (S3) credentials the emulator accepts (default: generated, read them from the running emulator). */
  flatFilesAccessKey?: string;
  flatFilesSecretKey?: string;
  /** Clock deciding which days' flat files are published (UTC ms; default Date.now). */
  now?: () => number;
}

/** Counters of one Theta terminal. `byStatus` keys are HTTP codes, plus `reset` (outage) and `hang` (timeout fault). */
export interface TerminalStats {
  /** Requests received. */
  requests: number;
  /** Highest number of requests served concurrently (holding a slot). */
  maxInFlight: number;
  /** Requests holding a slot now. */
  inFlight: number;
  /** Requests waiting in the FIFO queue now. */
  queued: number;
  /** Requests answered 429 because cap + queue was full (not counting `theta429` faults). */
  rejected429: number;
  byStatus: Record<string, number>;
}

/** A running emulator. All URLs are `http://127.0.0.1:<port>` without a trailing slash. */
export interface RunningEmulator {
  /** Polygon/Massive REST base URL. */
  polygonUrl: string;
  /** ThetaData v3 terminal base URL (routes under `/v3/...`). */
  thetaV3Url: string;
  /** ThetaData legacy terminal base URL (v2 API, routes under `/v2/...`). */
  thetaV1Url: string;
  /** FMP base URL (routes under `/stable/...`). */
  fmpUrl: string;
  /** Flat Files S3 endpoint (bucket `flatfiles`, path-style), and the credentials it accepts. */
  flatFiles: { url: string; accessKey: string; secretKey: string };
  /** Switches the flat-file faults (fields left out are off). */
  setFlatFileFaults(f: FlatFileFaults): void;
  /** Replaces the whole fault configuration (fields left out are off). */
  setFaults(f: FaultConfig): void;
  /** Changes per-request latency (ms); omitted fields keep their value. */
  setLatency(opts: { thetaMs?: number; polygonMs?: number }): void;
  /** A snapshot of the counters. */
  stats(): {
    theta: { v3: TerminalStats; v1: TerminalStats };
    polygon: { requests: number; byStatus: Record<string, number> };
    flatFiles: { served: number };
  };
  /** Closes the four servers and every connection, including hung and queued requests. */
  close(): Promise<void>;
}
