/**
 * Contracts about the upstreams that cross layers: which upstream a request went to and the live
 * metrics of one capped upstream, produced by the providers and shown by the runtime and console.
 * A leaf: imports nothing of ours.
 */

/** Which upstream a request went to. */
export type Upstream = 'polygon' | 'theta_v3' | 'theta_v1' | 'fmp' | 'flatfiles';

/** Status counts of one upstream (for pm_diag and the console). */
export interface StatusCounts {
  s200: number;
  s204: number;
  s472: number;
  s429: number;
  s5xx: number;
  timeouts: number;
  other: number;
}

/** A live view of one capped upstream for the console. Latencies in ms. */
export interface UpstreamMetrics {
  upstream: Upstream;
  inFlight: number;
  cap: number;
  queued: number;
  requests: number;
  /**
   * Attempts started so far, counted as each is sent (`requests` counts those that ended, answered
   * or not); absent from older producers.
   */
  started?: number;
  errors: number;
  counts: StatusCounts;
  p50Ms: number | null;
  p95Ms: number | null;
  /** True while a retry backoff is pending. */
  backingOff: boolean;
  /** Retries made so far (attempts after a first one: 429, 5xx, timeouts, network errors, malformed bodies); absent from older producers. */
  retries?: number;
  /**
   * Every reply's latency since start as a histogram (for Prometheus): `counts[i]` replies took at
   * most `boundsMs[i]` ms and more than the bound before it; the last count is over the last bound
   * (+Inf). `sumMs` and `count` over all replies. Absent from older producers.
   */
  latency?: LatencyHistogram;
}

/** A cumulative-since-start latency histogram, ms (see {@link UpstreamMetrics.latency}). */
export interface LatencyHistogram {
  boundsMs: readonly number[];
  /** Per bucket (not cumulative), length boundsMs.length + 1. */
  counts: number[];
  sumMs: number;
  count: number;
}
