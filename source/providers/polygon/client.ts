/**
 * Polygon/Massive REST client (docs/providers.md section 1): grouped daily, reference tickers, ticker
 * details, splits and minute aggregates. The key goes in `Authorization: Bearer` only (never in a
 * query string), `next_url` is followed verbatim, bodies are validated with zod.
 */
import type { z } from 'zod';
import type { Config } from '../../config/index.js';
import { errorText, oneLine, Upstream, type HttpReply, type SleepFn } from '../http.js';
import {
  ProviderError,
  type GroupedBar,
  type MinuteAgg,
  type PolygonApi,
  type SplitInfo,
  type TickerDetailsInfo,
  type UniverseTicker,
  type UpstreamMetrics,
} from '../types.js';
import {
  groupedDailySchema,
  minuteAggsSchema,
  referenceTickersSchema,
  splitsSchema,
  tickerDetailsSchema,
} from './schemas.js';

/** Statuses Polygon answers transiently (the official python client retries exactly these). */
export const POLYGON_RETRY_STATUSES: ReadonlySet<number> = new Set([
  413, 429, 499, 500, 502, 503, 504,
]);

/** Pages followed at most per listing (a `next_url` loop guard). */
const MAX_PAGES = 10_000;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Requests a minute Polygon's free plan allows (docs/providers.md section 6). */
export const POLYGON_FREE_PLAN_PER_MIN = 5;

/**
 * Attempts a minute the Polygon client may start: POLYGON_RATE_PER_MIN when set (> 0), else the
 * plan's own limit (free: {@link POLYGON_FREE_PLAN_PER_MIN}; paid: 0 = unlimited).
 */
export function polygonRatePerMinute(
  cfg: Pick<Config, 'POLYGON_PLAN' | 'POLYGON_RATE_PER_MIN'>,
): number {
  if (cfg.POLYGON_RATE_PER_MIN > 0) return cfg.POLYGON_RATE_PER_MIN;
  return cfg.POLYGON_PLAN === 'free' ? POLYGON_FREE_PLAN_PER_MIN : 0;
}

/** Options of {@link createPolygonClient}; each overrides the matching config value. */
export interface PolygonClientOptions {
  /** Overrides POLYGON_BASE_URL (e.g. the emulator's URL). */
  baseUrl?: string;
  /** Overrides POLYGON_API_KEY. */
  apiKey?: string;
  /** Backoff wait (tests pass an instant one). */
  sleep?: SleepFn;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

/** {@link PolygonApi} plus the live metrics and pool shutdown of its upstream. */
export interface PolygonClient extends PolygonApi {
  /** Metrics of the Polygon upstream (cap POLYGON_CONCURRENCY). */
  metrics(): UpstreamMetrics;
  /** Stops starting new requests; in-flight ones finish. */
  pause(): void;
  /** Starts requests again. */
  resume(): void;
  /** Closes the connection pools. */
  close(): Promise<void>;
}

function checkDate(what: string, date: string): void {
  if (!DATE_RE.test(date))
    throw new Error(`polygon ${what}: date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
}

function checkSymbol(what: string, symbol: string): void {
  if (!symbol || /[\s/?#]/.test(symbol))
    throw new Error(`polygon ${what}: bad symbol ${JSON.stringify(symbol)}`);
}

/**
 * Builds the Polygon client: one {@link Upstream} capped by POLYGON_CONCURRENCY, timeout
 * POLYGON_TIMEOUT_SEC, retrying 413/429/499/500/502/503/504, timeouts and network errors up to
 * POLYGON_RETRIES times (backoff from POLYGON_BACKOFF_BASE seconds, Retry-After honoured, cap 30 s).
 * 401/403 and other statuses fail at once. Every method throws {@link ProviderError}
 * ('http' with the body's `error ?? message`, 'malformed' for a body that is not JSON or fails its
 * schema, 'timeout', 'network', 'aborted'); messages and URLs are redacted. Bad dates or symbols
 * throw a one-line Error.
 */
export function createPolygonClient(cfg: Config, opts: PolygonClientOptions = {}): PolygonClient {
  const apiKey = opts.apiKey ?? cfg.POLYGON_API_KEY;
  const up = new Upstream({
    name: 'polygon',
    baseUrl: opts.baseUrl ?? cfg.POLYGON_BASE_URL,
    cap: cfg.POLYGON_CONCURRENCY,
    ratePerMinute: polygonRatePerMinute(cfg),
    timeoutSec: cfg.POLYGON_TIMEOUT_SEC,
    retries: cfg.POLYGON_RETRIES,
    backoffBaseSec: cfg.POLYGON_BACKOFF_BASE,
    retryBudget: (s) => (POLYGON_RETRY_STATUSES.has(s) ? cfg.POLYGON_RETRIES : 0),
    secrets: [apiKey],
    headers: {
      accept: 'application/json',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.random ? { random: opts.random } : {}),
  });

  function httpError(reply: HttpReply): ProviderError {
    const detail = up.show(errorText(reply.text)) || '(empty body)';
    return new ProviderError(
      'polygon',
      'http',
      `polygon: HTTP ${reply.status}${reply.attempts > 1 ? ` after ${reply.attempts} attempts` : ''}: ${detail}: ${reply.url}`,
      reply.status,
      reply.url,
    );
  }

  /**
   * For {@link Upstream.request}'s checkBody: why a 200 body is malformed for `schema` (not JSON,
   * schema mismatch), or null. The last good body's parsed value is kept so it is parsed once.
   */
  function bodyChecker(schema: z.ZodTypeAny): {
    check: (text: string, status: number) => string | null;
    parsed: (text: string) => unknown;
  } {
    let last: { text: string; data: unknown } | null = null;
    return {
      check: (text, status) => {
        if (status !== 200) return null;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return 'not JSON';
        }
        const r = schema.safeParse(json);
        if (!r.success) return 'schema mismatch';
        last = { text, data: r.data };
        return null;
      },
      parsed: (text) => (last && last.text === text ? last.data : undefined),
    };
  }

  function parse<S extends z.ZodTypeAny>(reply: HttpReply, schema: S): z.output<S> {
    let json: unknown;
    try {
      json = JSON.parse(reply.text);
    } catch {
      const head = reply.text.trim()
        ? `body starts ${JSON.stringify(oneLine(reply.text, 40))}`
        : 'empty body';
      throw new ProviderError(
        'polygon',
        'malformed',
        up.show(`polygon: malformed body (not JSON, ${head}): ${reply.url}`),
        reply.status,
        reply.url,
      );
    }
    const r = schema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue
        ? `${issue.path.join('.') || '(root)'}: ${issue.message}`
        : 'schema mismatch';
      const status =
        json && typeof json === 'object' ? (json as { status?: unknown }).status : undefined;
      const st =
        typeof status === 'string' && status !== 'OK' && status !== 'DELAYED'
          ? `; status=${status}`
          : '';
      const said = errorText(reply.text);
      const extra = st && said && !said.startsWith('{') ? ` (${said})` : '';
      throw new ProviderError(
        'polygon',
        'malformed',
        up.show(oneLine(`polygon: malformed body (${where}${st}${extra}): ${reply.url}`, 400)),
        reply.status,
        reply.url,
      );
    }
    return r.data;
  }

  async function getJson<S extends z.ZodTypeAny>(
    target: string,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.output<S>> {
    // A malformed 200 (cut short, bad JSON, schema mismatch) is retried like a 5xx before it fails.
    const body = bodyChecker(schema);
    const reply = await up.request(target, {
      ...(signal ? { signal } : {}),
      checkBody: body.check,
    });
    if (reply.status !== 200) throw httpError(reply);
    const data = body.parsed(reply.text);
    return data !== undefined ? (data as z.output<S>) : parse(reply, schema);
  }

  /** Follows `next_url` verbatim from `first`, collecting every page's results. */
  async function paged<S extends z.ZodTypeAny>(
    first: string,
    schema: S,
    signal?: AbortSignal,
  ): Promise<Array<z.output<S>['results'][number]>> {
    type T = z.output<S>['results'][number];
    const out: T[] = [];
    const seen = new Set<string>();
    let target: string | null = first;
    for (let page = 0; target !== null; page++) {
      if (page >= MAX_PAGES || seen.has(target)) {
        const shown = up.show(up.resolve(target).href);
        throw new ProviderError(
          'polygon',
          'malformed',
          `polygon: next_url loop after ${page} pages: ${shown}`,
          200,
          shown,
        );
      }
      seen.add(target);
      const body = (await getJson(target, schema, signal)) as {
        results: T[];
        next_url?: string | null;
      };
      for (const r of body.results) out.push(r);
      target = body.next_url ? body.next_url : null;
    }
    return out;
  }

  async function tickersWithActive(
    date: string,
    active: boolean,
    signal?: AbortSignal,
  ): Promise<UniverseTicker[]> {
    const q = new URLSearchParams({
      market: 'stocks',
      date,
      active: String(active),
      limit: '1000',
    });
    const rows = await paged(`/v3/reference/tickers?${q}`, referenceTickersSchema, signal);
    return rows.map((r) => ({
      symbol: r.ticker,
      type: r.type ?? '',
      primaryExchange: r.primary_exchange ?? '',
      market: r.market ?? 'stocks',
      active: r.active ?? active,
      delistedUtc: r.delisted_utc ?? null,
    }));
  }

  return {
    async groupedDaily(date, signal) {
      checkDate('groupedDaily', date);
      const q = new URLSearchParams({ adjusted: 'false', include_otc: 'false' });
      const body = await getJson(
        `/v2/aggs/grouped/locale/us/market/stocks/${date}?${q}`,
        groupedDailySchema,
        signal,
      );
      return body.results.map((b): GroupedBar => ({
        symbol: b.T,
        open: b.o,
        high: b.h,
        low: b.l,
        close: b.c,
        volume: b.v,
        vwap: b.vw ?? null,
        transactions: b.n ?? null,
        otc: b.otc === true,
      }));
    },

    async referenceTickers(date, signal) {
      checkDate('referenceTickers', date);
      const [active, inactive] = await Promise.all([
        tickersWithActive(date, true, signal),
        tickersWithActive(date, false, signal),
      ]);
      // One row per symbol: an active listing wins over a delisted one of the same symbol.
      const bySymbol = new Map<string, UniverseTicker>();
      for (const t of [...active, ...inactive])
        if (!bySymbol.has(t.symbol)) bySymbol.set(t.symbol, t);
      return [...bySymbol.values()].sort((a, b) =>
        a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0,
      );
    },

    async tickerDetails(symbol, date, signal) {
      checkSymbol('tickerDetails', symbol);
      checkDate('tickerDetails', date);
      const reply = await up.request(
        `/v3/reference/tickers/${encodeURIComponent(symbol)}?${new URLSearchParams({ date })}`,
        { ...(signal ? { signal } : {}), checkBody: bodyChecker(tickerDetailsSchema).check },
      );
      if (reply.status === 404) return null;
      if (reply.status !== 200) throw httpError(reply);
      const r = parse(reply, tickerDetailsSchema).results;
      if (!r) return null;
      return {
        symbol: r.ticker,
        type: r.type ?? '',
        primaryExchange: r.primary_exchange ?? '',
        sharesOutstanding:
          r.share_class_shares_outstanding ?? r.weighted_shares_outstanding ?? null,
        marketCap: r.market_cap ?? null,
      } satisfies TickerDetailsInfo;
    },

    async splits(fromDate, toDate, signal) {
      checkDate('splits', fromDate);
      checkDate('splits', toDate);
      const q = new URLSearchParams({
        'execution_date.gte': fromDate,
        'execution_date.lte': toDate,
        limit: '1000',
      });
      const rows = await paged(`/v3/reference/splits?${q}`, splitsSchema, signal);
      return rows.map((s): SplitInfo => ({
        symbol: s.ticker,
        executionDate: s.execution_date,
        splitFrom: s.split_from,
        splitTo: s.split_to,
      }));
    },

    async minuteAggs(symbol, date, signal) {
      checkSymbol('minuteAggs', symbol);
      checkDate('minuteAggs', date);
      const q = new URLSearchParams({ adjusted: 'false', sort: 'asc', limit: '50000' });
      const rows = await paged(
        `/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${date}/${date}?${q}`,
        minuteAggsSchema,
        signal,
      );
      return rows.map((b): MinuteAgg => ({
        startMs: b.t,
        open: b.o,
        high: b.h,
        low: b.l,
        close: b.c,
        volume: b.v,
      }));
    },

    metrics: () => up.metrics(),
    pause: () => up.pause(),
    resume: () => up.resume(),
    close: () => up.close(),
  };
}
