/**
 * FinancialModelingPrep float shares (`GET /stable/shares-float?symbol=S&apikey=K`, FMP's stable
 * API: an array of `{symbol, date, freeFloat (percent), floatShares, outstandingShares}`). The
 * legacy `/api/v4/shares_float` answers 403 "Legacy Endpoint" for keys issued after 2025-08-31
 * (docs/providers.md section 6), so it is not used. The key rides in the query string (FMP's only
 * auth), so every URL and message is redacted.
 */
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { errorText, oneLine, Upstream, type SleepFn } from '../http.js';
import { ProviderError, type FloatApi, type UpstreamMetrics } from '../types.js';

/** Requests in flight to FMP at once (no config variable; FMP's paid plans allow far more). */
export const FMP_CONCURRENCY = 4;
/** FMP request timeout, seconds. */
export const FMP_TIMEOUT_SEC = 30;
/** FMP retries on 429/5xx/timeouts. */
export const FMP_RETRIES = 3;
/** FMP backoff base, seconds. */
export const FMP_BACKOFF_BASE = 0.5;
const FMP_RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

const numberish = z
  .union([
    z.number().finite(),
    z
      .string()
      .regex(/^\s*-?\d+(\.\d+)?\s*$/)
      .transform(Number),
  ])
  .nullish();
/** Path of FMP's stable float endpoint. */
export const FMP_FLOAT_PATH = '/stable/shares-float';
const floatSchema = z.array(
  z
    .object({
      symbol: z.string().nullish(),
      date: z.string().nullish(),
      floatShares: numberish,
      outstandingShares: numberish,
      freeFloat: numberish,
    })
    .passthrough(),
);

/** Options of {@link createFmpClient}; each overrides the matching config value. */
export interface FmpClientOptions {
  /** Overrides FMP_BASE_URL. */
  baseUrl?: string;
  /** Overrides FMP_API_KEY. */
  apiKey?: string;
  /** Backoff wait (tests pass an instant one). */
  sleep?: SleepFn;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

/** {@link FloatApi} plus metrics and shutdown. */
export interface FmpClient extends FloatApi {
  /** Metrics of the FMP upstream (cap FMP_CONCURRENCY). */
  metrics(): UpstreamMetrics;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

/**
 * Builds the FMP client. `floatShares(symbol, date)` returns the latest float (shares) FMP knows,
 * or null when FMP has no row or no `floatShares`; `date` is not sent (the endpoint serves the
 * current float only). Throws ProviderError ('http' for a non-200 after retries, 'malformed' for a
 * body that is not the documented array, 'timeout', 'network', 'aborted'), the key redacted.
 */
export function createFmpClient(cfg: Config, opts: FmpClientOptions = {}): FmpClient {
  const apiKey = opts.apiKey ?? cfg.FMP_API_KEY;
  const up = new Upstream({
    name: 'fmp',
    baseUrl: opts.baseUrl ?? cfg.FMP_BASE_URL,
    cap: FMP_CONCURRENCY,
    timeoutSec: FMP_TIMEOUT_SEC,
    retries: FMP_RETRIES,
    backoffBaseSec: FMP_BACKOFF_BASE,
    retryBudget: (s) => (FMP_RETRY_STATUSES.has(s) ? FMP_RETRIES : 0),
    secrets: [apiKey],
    headers: { accept: 'application/json' },
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.random ? { random: opts.random } : {}),
  });

  return {
    async floatShares(symbol, _date, signal) {
      if (!symbol || /[\s/?#&]/.test(symbol))
        throw new Error(`fmp floatShares: bad symbol ${JSON.stringify(symbol)}`);
      const q = new URLSearchParams({ symbol, apikey: apiKey });
      const reply = await up.request(`${FMP_FLOAT_PATH}?${q}`, signal ? { signal } : {});
      if (reply.status !== 200) {
        const detail = up.show(errorText(reply.text)) || '(empty body)';
        throw new ProviderError(
          'fmp',
          'http',
          `fmp: HTTP ${reply.status}: ${detail}: ${reply.url}`,
          reply.status,
          reply.url,
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(reply.text);
      } catch {
        throw new ProviderError(
          'fmp',
          'malformed',
          `fmp: malformed body (not JSON): ${reply.url}`,
          200,
          reply.url,
        );
      }
      const r = floatSchema.safeParse(json);
      if (!r.success) {
        const said =
          json && typeof json === 'object' && !Array.isArray(json)
            ? ` (${up.show(errorText(reply.text))})`
            : '';
        throw new ProviderError(
          'fmp',
          'malformed',
          up.show(oneLine(`fmp: malformed body${said}: ${reply.url}`, 400)),
          200,
          reply.url,
        );
      }
      const row =
        r.data.find((x) => !x.symbol || x.symbol.toUpperCase() === symbol.toUpperCase()) ?? null;
      const v = row?.floatShares;
      return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
    },
    metrics: () => up.metrics(),
    close: () => up.close(),
  };
}
