/**
 * The shared HTTP layer of every provider client (Polygon/Massive REST, the two ThetaData
 * terminals, FMP): one undici `Pool` per origin with keep-alive, a p-queue cap on requests in
 * flight, an overall per-request timeout, retries with exponential backoff and jitter, status
 * counters and a latency reservoir for the console. Every URL or message it shows is redacted.
 *
 * Over 400 lines: the pool, the in-flight cap, timeouts, retries with backoff, counters and
 * redaction are one request path; each step depends on the one before, and every provider goes
 * through it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import PQueue from 'p-queue';
import { Pool } from 'undici';
import { failpoint } from '../util/failpoint.js';
import {
  ProviderError,
  type StatusCounts,
  type Upstream as UpstreamName,
  type UpstreamMetrics,
} from './types.js';
import { redactSecrets } from './redact.js';

/** Waits `ms` milliseconds (rejects when `signal` aborts). Injected so tests never wait in real time. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real sleep: `node:timers/promises` setTimeout, abortable. */
export const realSleep: SleepFn = async (ms, signal) => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

/** Longest backoff between two attempts, ms (also caps a Retry-After). */
export const MAX_BACKOFF_MS = 30_000;
/** Latency samples kept for p50/p95 (the most recent ones). */
export const LATENCY_RESERVOIR = 512;
/** Bucket bounds of the latency histogram in {@link UpstreamMetrics.latency}, ms. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
];

/** How one upstream is reached and how hard it is pushed. */
export interface UpstreamOptions {
  /** Which upstream this is (labels metrics and errors). */
  name: UpstreamName;
  /** Base URL (scheme, host, port, optional path prefix; no trailing slash). Paths are appended to it. */
  baseUrl: string;
  /** Requests in flight at once (>= 1). Extra requests wait in a FIFO queue. */
  cap: number;
  /**
   * Most attempts started per rolling minute (a plan's rate limit, e.g. Polygon's free plan: 5);
   * 0 or absent = no limit. Retries count as attempts. Extra attempts wait in the same FIFO queue.
   */
  ratePerMinute?: number;
  /** Overall per-attempt timeout (headers and body), seconds. */
  timeoutSec: number;
  /** Retries after the first attempt for timeouts, network errors and the statuses {@link retryBudget} allows. */
  retries: number;
  /** Backoff base, seconds: attempt n waits about base * 2^n (with jitter), capped at 30 s. */
  backoffBaseSec: number;
  /**
   * Maximum retries for a reply with this (effective) status; 0 = return it at once.
   * Default: none (only timeouts and network errors are retried).
   */
  retryBudget?: (status: number) => number;
  /** Literal secrets (API keys) to redact from every URL and message, on top of `apiKey=`-style params. */
  secrets?: readonly string[];
  /** Headers sent on every request (e.g. `Authorization: Bearer`). Never `Accept-Encoding`. */
  headers?: Record<string, string>;
  /** Backoff wait; default {@link realSleep}. Tests pass an instant one. */
  sleep?: SleepFn;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
}

/** One attempt as the caller's `onAttempt` hook sees it. */
export interface AttemptOutcome {
  /** Effective status of the reply (see {@link RequestOptions.effectiveStatus}); null when there was none. */
  status: number | null;
  /** Why there was no reply. */
  failure: 'timeout' | 'network' | null;
}

/** Per-request options. */
export interface RequestOptions {
  /** The caller's cancellation; an abort rejects with ProviderError kind 'aborted' (never retried). */
  signal?: AbortSignal;
  /**
   * Maps a reply to the status it stands for, e.g. a ThetaData v2 200 whose `header.error_type` is
   * `NO_DATA` stands for 472. Default: the HTTP status.
   */
  effectiveStatus?: (httpStatus: number, text: string) => number;
  /** Called after every attempt (for per-source diagnostics). */
  onAttempt?: (outcome: AttemptOutcome) => void;
  /**
   * Checks a 2xx body before it is returned: a message (one line) says it is malformed (bad JSON,
   * schema mismatch), null that it is fine. A malformed body is retried like a 5xx (the budget of
   * `retryBudget(502)`, at least `retries`), then returned as is for the caller to report.
   */
  checkBody?: (text: string, status: number) => string | null;
}

/** The final reply of a request (after retries). `text` is the whole body (always read). */
export interface HttpReply {
  /** Effective status (see {@link RequestOptions.effectiveStatus}). */
  status: number;
  /** The raw HTTP status. */
  httpStatus: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The request URL, redacted. */
  url: string;
  /** Attempts made (1 = no retry). */
  attempts: number;
}

type AttemptResult =
  | {
      type: 'reply';
      httpStatus: number;
      status: number;
      headers: Record<string, string | string[] | undefined>;
      text: string;
    }
  | { type: 'timeout' | 'network'; message: string };

function emptyCounts(): StatusCounts {
  return { s200: 0, s204: 0, s472: 0, s429: 0, s5xx: 0, timeouts: 0, other: 0 };
}

/**
 * Parses a `Retry-After` header (delta seconds or an HTTP date) into ms from `now`; null when
 * absent or unparsable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/**
 * Backoff before retry number `attempt` (0-based), ms: half of min(30 s, base * 2^attempt) plus a
 * random share of the other half ("equal jitter").
 */
export function backoffMs(
  attempt: number,
  baseSec: number,
  random: () => number = Math.random,
): number {
  const ceil = Math.min(MAX_BACKOFF_MS, baseSec * 1000 * 2 ** attempt);
  return Math.round(ceil / 2 + random() * (ceil / 2));
}

/** Nearest-rank percentile of an ascending array; null when empty. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/**
 * One capped upstream. `request()` runs each attempt through a FIFO queue of concurrency `cap`
 * (so `pause()` stops new attempts while in-flight ones finish), with a per-attempt timeout
 * (AbortSignal.timeout combined with the caller's signal), and retries timeouts, network errors
 * and the statuses `retryBudget` allows, waiting outside the queue (backoff does not hold a slot).
 * A 429's Retry-After (seconds or date, capped at 30 s) replaces the computed backoff.
 */
export class Upstream {
  readonly name: UpstreamName;
  readonly cap: number;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffBaseSec: number;
  private readonly retryBudget: (status: number) => number;
  private readonly secrets: readonly string[];
  private readonly headers: Record<string, string>;
  private readonly sleep: SleepFn;
  private readonly random: () => number;
  private readonly queue: PQueue;
  private readonly pools = new Map<string, Pool>();
  private readonly counts: StatusCounts = emptyCounts();
  private readonly latencies: number[] = [];
  private readonly latencyHist = {
    counts: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
    sumMs: 0,
    count: 0,
  };
  private latencyNext = 0;
  private requestsTotal = 0;
  /** Attempts started (sent or about to be sent), counted before the request goes out. */
  private attemptsStarted = 0;
  private errorsTotal = 0;
  private backoffs = 0;
  private retriesTotal = 0;
  private closed = false;

  /** @throws Error when `baseUrl` is not an http(s) URL or `cap` is not a positive integer. */
  constructor(opts: UpstreamOptions) {
    let base: URL;
    try {
      base = new URL(opts.baseUrl);
    } catch {
      throw new Error(
        `${opts.name}: base URL ${JSON.stringify(redactSecrets(opts.baseUrl, opts.secrets ?? []))} is not a valid URL`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new Error(`${opts.name}: base URL must be http(s)`);
    if (!Number.isInteger(opts.cap) || opts.cap < 1)
      throw new Error(`${opts.name}: cap must be a positive integer, got ${opts.cap}`);
    this.name = opts.name;
    this.cap = opts.cap;
    this.base = base;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.timeoutMs = Math.max(1, Math.round(opts.timeoutSec * 1000));
    this.retries = Math.max(0, Math.floor(opts.retries));
    this.backoffBaseSec = Math.max(0, opts.backoffBaseSec);
    this.retryBudget = opts.retryBudget ?? (() => 0);
    this.secrets = opts.secrets ?? [];
    this.headers = { accept: '*/*', ...(opts.headers ?? {}) };
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    const rate = opts.ratePerMinute ?? 0;
    if (!Number.isInteger(rate) || rate < 0)
      throw new Error(`${opts.name}: ratePerMinute must be a non-negative integer, got ${rate}`);
    this.queue =
      rate > 0
        ? new PQueue({ concurrency: opts.cap, intervalCap: rate, interval: 60_000 })
        : new PQueue({ concurrency: opts.cap });
  }

  /** Redacts secrets (configured keys, `apiKey=`-style params, Bearer tokens) from any text. */
  show(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  /** Resolves a path (`/v3/...?q`, appended to the base URL) or an absolute http(s) URL (followed verbatim). */
  resolve(target: string): URL {
    if (/^https?:\/\//i.test(target)) return new URL(target);
    const path = target.startsWith('/') ? target : `/${target}`;
    return new URL(`${this.base.origin}${this.basePath}${path}`);
  }

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      // connections above the cap: the p-queue is the limiter, the pool never adds its own queueing.
      p = new Pool(origin, {
        connections: this.cap * 2,
        pipelining: 1,
        keepAliveTimeout: 10_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  private aborted(url: string): ProviderError {
    return new ProviderError(
      this.name,
      'aborted',
      `${this.name}: request aborted: ${url}`,
      null,
      url,
    );
  }

  private recordLatency(ms: number): void {
    let b = 0;
    while (b < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[b]!) b++;
    this.latencyHist.counts[b]!++;
    this.latencyHist.sumMs += ms;
    this.latencyHist.count++;
    if (this.latencies.length < LATENCY_RESERVOIR) this.latencies.push(ms);
    else this.latencies[this.latencyNext] = ms;
    this.latencyNext = (this.latencyNext + 1) % LATENCY_RESERVOIR;
  }

  private count(status: number | null, failure: 'timeout' | 'network' | null): void {
    this.requestsTotal++;
    if (failure === 'timeout') this.counts.timeouts++;
    else if (failure === 'network' || status === null) this.counts.other++;
    else if (status === 200) this.counts.s200++;
    else if (status === 204) this.counts.s204++;
    else if (status === 472) this.counts.s472++;
    else if (status === 429) this.counts.s429++;
    else if (status >= 500 && status <= 599) this.counts.s5xx++;
    else this.counts.other++;
    const ok =
      failure === null && status !== null && ((status >= 200 && status < 300) || status === 472);
    if (!ok) this.errorsTotal++;
  }

  private async attempt(url: URL, opts: RequestOptions): Promise<AttemptResult> {
    this.attemptsStarted++;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const started = performance.now();
    try {
      const res = await this.pool(url.origin).request({
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: this.headers,
        signal,
      });
      failpoint('http.response');
      // Always read the whole body (even for errors) so the socket goes back to the pool.
      const text = await res.body.text();
      this.recordLatency(performance.now() - started);
      const status = opts.effectiveStatus
        ? opts.effectiveStatus(res.statusCode, text)
        : res.statusCode;
      this.count(status, null);
      return { type: 'reply', httpStatus: res.statusCode, status, headers: res.headers, text };
    } catch (e) {
      if (opts.signal?.aborted) throw this.aborted(this.show(url.href));
      const err = e as { code?: string; name?: string; message?: string };
      const isTimeout =
        timeout.aborted ||
        err.name === 'TimeoutError' ||
        err.code === 'UND_ERR_HEADERS_TIMEOUT' ||
        err.code === 'UND_ERR_BODY_TIMEOUT';
      if (isTimeout) {
        this.count(null, 'timeout');
        return { type: 'timeout', message: `timeout after ${this.timeoutMs / 1000}s` };
      }
      this.count(null, 'network');
      const detail =
        err.code && err.message && !err.message.includes(err.code)
          ? `${err.code} ${err.message}`
          : (err.message ?? err.code ?? String(e));
      return { type: 'network', message: `network error: ${detail.split('\n')[0]}` };
    }
  }

  /**
   * GETs `target` (a path under the base URL, or an absolute URL followed verbatim) and returns the
   * final reply for any status: a reply with a retryable status is returned once its retries are
   * used up. Callers map statuses to results.
   * @throws ProviderError kind 'timeout' or 'network' after the retries, 'aborted' when the
   * caller's signal aborts (while queued, in flight or backing off), 'network' after close().
   */
  async request(target: string, opts: RequestOptions = {}): Promise<HttpReply> {
    const url = this.resolve(target);
    const shown = this.show(url.href);
    for (let attempt = 0; ; attempt++) {
      if (opts.signal?.aborted) throw this.aborted(shown);
      if (this.closed)
        throw new ProviderError(
          this.name,
          'network',
          `${this.name}: client closed: ${shown}`,
          null,
          shown,
        );
      let result: AttemptResult;
      try {
        result = await this.queue.add(
          () => this.attempt(url, opts),
          opts.signal ? { signal: opts.signal } : {},
        );
      } catch (e) {
        if (e instanceof ProviderError) throw e;
        if (opts.signal?.aborted) throw this.aborted(shown);
        throw new ProviderError(
          this.name,
          'network',
          this.show(`${this.name}: ${(e as Error).message ?? String(e)}: ${shown}`),
          null,
          shown,
        );
      }
      opts.onAttempt?.(
        result.type === 'reply'
          ? { status: result.status, failure: null }
          : { status: null, failure: result.type },
      );
      let budget: number;
      if (result.type !== 'reply') budget = this.retries;
      else if (result.status >= 200 && result.status < 300) {
        // A 200 whose body does not parse is a transient upstream fault, not an answer: retried like a 5xx.
        const bad = opts.checkBody ? opts.checkBody(result.text, result.status) : null;
        if (bad !== null) this.errorsTotal++;
        budget = bad === null ? 0 : Math.max(this.retries, this.retryBudget(502));
      } else budget = this.retryBudget(result.status);
      if (attempt < budget) {
        let wait = backoffMs(attempt, this.backoffBaseSec, this.random);
        if (result.type === 'reply' && result.status === 429) {
          const ra = parseRetryAfter(result.headers['retry-after']);
          if (ra !== null) wait = Math.min(MAX_BACKOFF_MS, ra);
        }
        this.backoffs++;
        this.retriesTotal++;
        try {
          await this.sleep(wait, opts.signal);
        } catch {
          if (opts.signal?.aborted) throw this.aborted(shown);
        } finally {
          this.backoffs--;
        }
        continue;
      }
      if (result.type === 'reply') {
        return {
          status: result.status,
          httpStatus: result.httpStatus,
          headers: result.headers,
          text: result.text,
          url: shown,
          attempts: attempt + 1,
        };
      }
      const tries = attempt + 1;
      throw new ProviderError(
        this.name,
        result.type,
        this.show(
          `${this.name}: ${result.message} (${tries} attempt${tries === 1 ? '' : 's'}): ${shown}`,
        ),
        null,
        shown,
      );
    }
  }

  /** Stops starting new attempts; attempts in flight finish. Queued ones wait for {@link resume}. */
  pause(): void {
    this.queue.pause();
  }

  /** Starts attempts again after {@link pause}. */
  resume(): void {
    this.queue.start();
  }

  /** True while paused. */
  get paused(): boolean {
    return this.queue.isPaused;
  }

  /** Live metrics: in flight, queued, attempt counts by status, p50/p95 latency (ms) of the last 512 replies. */
  metrics(): UpstreamMetrics {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    return {
      upstream: this.name,
      inFlight: this.queue.pending,
      cap: this.cap,
      queued: this.queue.size,
      requests: this.requestsTotal,
      started: this.attemptsStarted,
      errors: this.errorsTotal,
      counts: { ...this.counts },
      latency: {
        boundsMs: LATENCY_BUCKETS_MS,
        counts: [...this.latencyHist.counts],
        sumMs: this.latencyHist.sumMs,
        count: this.latencyHist.count,
      },
      p50Ms: p50 === null ? null : Math.round(p50 * 10) / 10,
      p95Ms: p95 === null ? null : Math.round(p95 * 10) / 10,
      backingOff: this.backoffs > 0,
      retries: this.retriesTotal,
    };
  }

  /** Closes every pool (waits for in-flight requests); later requests fail with kind 'network'. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}

/**
 * The first line of an error body for a message: JSON `error ?? message` (Polygon) or
 * `Error Message` (FMP) when the body is JSON, else the first line of the text; at most 200 chars.
 */
export function errorText(text: string): string {
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      const j = JSON.parse(t) as Record<string, unknown>;
      const msg = j.error ?? j.message ?? j['Error Message'];
      if (typeof msg === 'string' && msg.trim()) return oneLine(msg);
    } catch {
      // not JSON: fall through to the raw text
    }
  }
  return oneLine(t);
}

/** Collapses whitespace to one line and truncates to `max` characters. */
export function oneLine(text: string, max = 200): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
