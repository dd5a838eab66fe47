/**
 * ThetaData Terminal client for premarket highs (docs/domain.md sections 2 and 8, docs/providers.md section
 * 2): the v3 terminal's consolidated-tape trades first, then the legacy v2-API terminal ("v1")
 * trades, then its one-minute bars with rth=false, each only when the one before could not answer.
 * A 472 (or an empty 200) from a consolidated source is a definitive "no premarket trades".
 */
import type { Config } from '../../config/index.js';
import { LruMap } from '../../util/lru.js';
import { errorText, Upstream, type AttemptOutcome, type HttpReply, type SleepFn } from '../http.js';
import {
  ProviderError,
  type LogSink,
  type PmDiag,
  type PmHighSource,
  type PmHighVenue,
  type PremarketAnswer,
  type PmRawHigh,
  type ThetaApi,
  type UpstreamMetrics,
} from '../types.js';
import {
  clockToMs,
  MalformedBody,
  msToClock,
  parseV2Body,
  scanV2Ohlc,
  scanV2Trades,
  scanV3Trades,
  TradeAccumulator,
  v2EffectiveStatus,
  type PriceScan,
} from './parse.js';

/** Options of {@link createThetaClient}; URLs override THETA_V3_URL / THETA_V1_URL. */
export interface ThetaClientOptions {
  /** v3 terminal base URL without `/v3` (e.g. `http://127.0.0.1:25503`). */
  v3Url?: string;
  /** Legacy v2-API terminal base URL without `/v2` (e.g. `http://127.0.0.1:25510`). */
  v1Url?: string;
  /** Backoff wait (tests pass an instant one). */
  sleep?: SleepFn;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Sink of log lines (the rate-limited 472 lines). */
  log?: LogSink;
}

/** The pm_diag keys, in cascade order. */
export const PM_DIAG_KEYS = [
  'v3_trades:utp_cta',
  'v1_trades:utp_cta',
  'v1_ohlc_1m:rth_false',
] as const;
type DiagKey = (typeof PM_DIAG_KEYS)[number];

/** Statuses retried up to THETA_RETRIES times: queue overflow, disconnected, restarting, 5xx. */
/** Dates whose premarket diagnostics (answers by source, raw-high rows) the Theta client keeps. */
export const THETA_DIAG_DAYS = 16;
export const THETA_RETRY_STATUSES: ReadonlySet<number> = new Set([429, 474, 571, 500, 502, 503]);
/** Statuses retried once (GENERAL, UNCAUGHT_ERROR). */
export const THETA_RETRY_ONCE_STATUSES: ReadonlySet<number> = new Set([470, 572]);

/** Max retries of a reply with this status (timeouts and network errors always get `retries`). */
export function thetaRetryBudget(retries: number): (status: number) => number {
  return (s) =>
    THETA_RETRY_STATUSES.has(s)
      ? retries
      : THETA_RETRY_ONCE_STATUSES.has(s)
        ? Math.min(1, retries)
        : 0;
}

/** Pages of one v2 request followed at most (a `next_page` loop guard). */
const MAX_PAGES = 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

type SourceResult =
  | { kind: 'answer'; high: number | null; rawHigh: number | null; excluded: number }
  | { kind: 'failed'; error: string };

interface DayDiag {
  diag: PmDiag;
  logged472: Record<string, number>;
  /** Symbols whose raw maximum print differs from the eligible premarket high (bounded). */
  rawHighs: PmRawHigh[];
}

/** Most {@link PmRawHigh} rows kept per date (the busiest real days have a few dozen). */
export const MAX_RAW_HIGH_ROWS = 500;

function emptyDiag(): PmDiag {
  const d: PmDiag = {};
  for (const k of PM_DIAG_KEYS) d[k] = { '200': 0, '204': 0, '472': 0, other: 0 };
  return d;
}

/**
 * Builds the ThetaData client: two {@link Upstream}s (v3 capped by THETA_V3_MAX_OUTSTANDING, v1 by
 * THETA_V1_MAX_OUTSTANDING), timeout THETA_TIMEOUT_SEC per attempt, THETA_RETRIES retries with
 * backoff from THETA_BACKOFF_BASE seconds on 429/474/571/500/502/503, timeouts and network errors;
 * 470 and 572 are retried once; 471/473/475/476/404/410 and the rest fail that source at once.
 * The premarket window is [PM_START, PM_END) ET.
 *
 * `premarketHigh` never rejects for a symbol's data (see `outcome`); it rejects with a one-line
 * Error for a date that is not YYYY-MM-DD or an empty symbol, and with ProviderError kind
 * 'aborted' when `signal` aborts.
 *
 * Diagnostics count every attempt (retries included) per date and `<source>:<venue>` key: '200'
 * for a 200 (an empty 200 too), '204' for a true HTTP 204, '472' for a 472 (or a v2 200 whose
 * `error_type` is NO_DATA), 'other' for any other status, timeout or network error.
 */
export function createThetaClient(cfg: Config, opts: ThetaClientOptions = {}): ThetaApi {
  const common = {
    timeoutSec: cfg.THETA_TIMEOUT_SEC,
    retries: cfg.THETA_RETRIES,
    backoffBaseSec: cfg.THETA_BACKOFF_BASE,
    retryBudget: thetaRetryBudget(cfg.THETA_RETRIES),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.random ? { random: opts.random } : {}),
  };
  const v3 = new Upstream({
    name: 'theta_v3',
    baseUrl: opts.v3Url ?? cfg.THETA_V3_URL,
    cap: cfg.THETA_V3_MAX_OUTSTANDING,
    ...common,
  });
  const v1 = new Upstream({
    name: 'theta_v1',
    baseUrl: opts.v1Url ?? cfg.THETA_V1_URL,
    cap: cfg.THETA_V1_MAX_OUTSTANDING,
    ...common,
  });
  const log: LogSink = opts.log ?? (() => {});
  const startMs = clockToMs(cfg.PM_START);
  const endMs = clockToMs(cfg.PM_END);
  // Per-date diagnostics of the most recent dates only: a backfill reads a day's right after its
  // scan, and an unbounded map grew by one entry per day over long ranges.
  const days = new LruMap<string, DayDiag>(THETA_DIAG_DAYS);

  function day(date: string): DayDiag {
    let d = days.get(date);
    if (!d) {
      d = { diag: emptyDiag(), logged472: {}, rawHighs: [] };
      days.set(date, d);
    }
    return d;
  }

  function countAttempt(date: string, key: DiagKey, symbol: string, a: AttemptOutcome): void {
    const d = day(date);
    const c = d.diag[key];
    if (a.status === 200) c['200']++;
    else if (a.status === 204) c['204']++;
    else if (a.status === 472) {
      c['472']++;
      const n = d.logged472[key] ?? 0;
      if (n < cfg.THETA_MAX_472_LOGS) {
        d.logged472[key] = n + 1;
        const last =
          n + 1 === cfg.THETA_MAX_472_LOGS
            ? '; further 472s for this venue and day are counted, not logged'
            : '';
        log(`[theta] 472 no data ${key} ${symbol} ${date}${last}`);
      }
    } else c.other++;
  }

  function failure(up: Upstream, key: DiagKey, reply: HttpReply): string {
    const body = up.show(errorText(reply.text));
    const tries = reply.attempts > 1 ? ` after ${reply.attempts} attempts` : '';
    return `${key}: HTTP ${reply.status}${tries}${body ? `: ${body}` : ''}: ${reply.url}`;
  }

  /**
   * Runs one source: requests `first` (and follows v2 `next_page` URLs), maps the reply to an
   * answer (472/204/200) or a failure; rethrows only an abort.
   */
  async function source(
    up: Upstream,
    key: DiagKey,
    symbol: string,
    date: string,
    first: string,
    scan: (reply: HttpReply) => { scan: PriceScan & { cumulative?: boolean }; next: string | null },
    effectiveStatus: ((s: number, t: string) => number) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<SourceResult> {
    let high: number | null = null;
    let rawHigh: number | null = null;
    let excluded = 0;
    let target: string | null = first;
    for (let page = 0; target !== null; page++) {
      if (page >= MAX_PAGES)
        return { kind: 'failed', error: `${key}: more than ${MAX_PAGES} pages: ${up.show(first)}` };
      let reply: HttpReply;
      try {
        reply = await up.request(target, {
          ...(signal ? { signal } : {}),
          ...(effectiveStatus ? { effectiveStatus } : {}),
          onAttempt: (a) => countAttempt(date, key, symbol, a),
        });
      } catch (e) {
        if (e instanceof ProviderError && e.kind === 'aborted') throw e;
        return { kind: 'failed', error: up.show(`${key}: ${(e as Error).message}`) };
      }
      // 472 = no data; on a later page it just ends the data. 204 = no content.
      if (reply.status === 472 || reply.status === 204) break;
      if (reply.status !== 200) return { kind: 'failed', error: failure(up, key, reply) };
      try {
        const r = scan(reply);
        if (r.scan.cumulative) {
          high = r.scan.high;
          rawHigh = r.scan.rawHigh;
          excluded = r.scan.excluded;
        } else {
          if (r.scan.high !== null && (high === null || r.scan.high > high)) high = r.scan.high;
          if (r.scan.rawHigh !== null && (rawHigh === null || r.scan.rawHigh > rawHigh))
            rawHigh = r.scan.rawHigh;
          excluded += r.scan.excluded;
        }
        target = r.next;
      } catch (e) {
        if (e instanceof MalformedBody)
          return {
            kind: 'failed',
            error: up.show(`${key}: malformed body (${e.message}): ${reply.url}`),
          };
        throw e;
      }
    }
    return { kind: 'answer', high, rawHigh, excluded };
  }

  function answer(
    symbol: string,
    date: string,
    r: { high: number | null; rawHigh: number | null; excluded: number },
    src: PmHighSource,
    venue: PmHighVenue,
  ): PremarketAnswer {
    if (r.rawHigh !== null && r.rawHigh !== r.high) {
      const rows = day(date).rawHighs;
      if (rows.length < MAX_RAW_HIGH_ROWS)
        rows.push({ symbol, source: src, high: r.high, raw_high: r.rawHigh, excluded: r.excluded });
    }
    return r.high === null
      ? { symbol, date, outcome: 'no_trades', high: null, source: src, venue, rawHigh: r.rawHigh }
      : { symbol, date, outcome: 'high', high: r.high, source: src, venue, rawHigh: r.rawHigh };
  }
  const policy = cfg.PM_HIGH_POLICY;

  const pmStartClock = cfg.PM_START;
  const pmEndClock = msToClock(endMs - 1);

  return {
    async premarketHigh(symbol, date, signal) {
      const m = DATE_RE.exec(date);
      if (!m)
        throw new Error(
          `theta premarketHigh: date must be YYYY-MM-DD, got ${JSON.stringify(date)}`,
        );
      if (!symbol || /[\s/?#&]/.test(symbol))
        throw new Error(`theta premarketHigh: bad symbol ${JSON.stringify(symbol)}`);
      if (signal?.aborted)
        throw new ProviderError(
          'theta_v3',
          'aborted',
          `theta: premarket lookup of ${symbol} ${date} aborted`,
        );
      const ymd = `${m[1]}${m[2]}${m[3]}`;
      const dateInt = Number(ymd);

      // 1. v3 consolidated-tape trades.
      const q3 = new URLSearchParams({
        symbol,
        date: ymd,
        start_time: pmStartClock,
        end_time: pmEndClock,
        venue: 'utp_cta',
        format: 'csv',
      });
      const r3 = await source(
        v3,
        'v3_trades:utp_cta',
        symbol,
        date,
        `/v3/stock/history/trade?${q3}`,
        (reply) => ({ scan: scanV3Trades(reply.text, date, startMs, endMs, policy), next: null }),
        undefined,
        signal,
      );
      if (r3.kind === 'answer') return answer(symbol, date, r3, 'v3_trades', 'utp_cta');

      // 2. Legacy terminal trades (only when v3 could not answer).
      const v2Acc = new TradeAccumulator('', startMs, endMs, policy);
      const q1 = new URLSearchParams({
        root: symbol,
        start_date: ymd,
        end_date: ymd,
        start_time: String(startMs),
        end_time: String(endMs - 1),
        venue: 'utp_cta',
      });
      const r1 = await source(
        v1,
        'v1_trades:utp_cta',
        symbol,
        date,
        `/v2/hist/stock/trade?${q1}`,
        (reply) => {
          const body = parseV2Body(reply.text, 'v1 trades');
          // One accumulator over every page: a cancel may reach a print of an earlier page.
          return {
            scan: {
              ...scanV2Trades(body, dateInt, startMs, endMs, policy, v2Acc),
              cumulative: true,
            },
            next: body.header.next_page,
          };
        },
        v2EffectiveStatus,
        signal,
      );
      if (r1.kind === 'answer') return answer(symbol, date, r1, 'v1_trades', 'utp_cta');

      // 3. Legacy terminal one-minute bars with extended hours.
      const qo = new URLSearchParams({
        root: symbol,
        start_date: ymd,
        end_date: ymd,
        ivl: '60000',
        rth: 'false',
        start_time: String(startMs),
        end_time: String(endMs - 1),
      });
      const ro = await source(
        v1,
        'v1_ohlc_1m:rth_false',
        symbol,
        date,
        `/v2/hist/stock/ohlc?${qo}`,
        (reply) => {
          const body = parseV2Body(reply.text, 'v1 ohlc');
          return { scan: scanV2Ohlc(body, dateInt, startMs, endMs), next: body.header.next_page };
        },
        v2EffectiveStatus,
        signal,
      );
      if (ro.kind === 'answer') return answer(symbol, date, ro, 'v1_ohlc_1m', 'rth_false');

      // 4. Nobody could answer.
      return {
        symbol,
        date,
        outcome: 'unanswered',
        high: null,
        source: null,
        venue: null,
        error: ro.error,
      };
    },

    rawHighs(date) {
      return (days.get(date)?.rawHighs ?? []).map((r) => ({ ...r }));
    },

    diagnostics(date) {
      const d = days.get(date)?.diag ?? emptyDiag();
      const copy: PmDiag = {};
      for (const [k, v] of Object.entries(d)) copy[k] = { ...v };
      return copy;
    },

    metrics(): UpstreamMetrics[] {
      return [v3.metrics(), v1.metrics()];
    },

    pause() {
      v3.pause();
      v1.pause();
    },

    resume() {
      v3.resume();
      v1.resume();
    },

    initLine() {
      return `[theta] init v3_limit=${cfg.THETA_V3_MAX_OUTSTANDING} v1_limit=${cfg.THETA_V1_MAX_OUTSTANDING} timeout=${cfg.THETA_TIMEOUT_SEC}`;
    },

    async close() {
      await Promise.all([v3.close(), v1.close()]);
    },
  };
}
