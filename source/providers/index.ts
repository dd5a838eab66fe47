/**
 * The provider factory: builds the Polygon/Massive, ThetaData, (when FMP_API_KEY is set) FMP and
 * (when the FLATFILES_* keys are set) Flat Files clients from the config, optionally pointed at other base URLs (the emulator), and closes them
 * together.
 */
import type { Config } from '../config/index.js';
import { createFmpClient, type FmpClient } from './fmp/client.js';
import type { SleepFn } from './http.js';
import { createPolygonClient, type PolygonClient } from './polygon/client.js';
import { createThetaClient } from './theta/client.js';
import { createFlatFilesClient, type FlatFilesClient } from './flatfiles/client.js';
import type { FloatApi, LogSink, PolygonApi, ThetaApi, UpstreamMetrics } from './types.js';

export {
  createPolygonClient,
  type PolygonClient,
  type PolygonClientOptions,
} from './polygon/client.js';
export { createThetaClient, type ThetaClientOptions } from './theta/client.js';
export { createFmpClient, type FmpClient, type FmpClientOptions } from './fmp/client.js';
export {
  createFlatFilesClient,
  type FlatFilesClient,
  type FlatFilesOptions,
  type BulkPremarket,
} from './flatfiles/client.js';
export { Upstream, type SleepFn, type UpstreamOptions } from './http.js';

/** Base URLs that override the config (e.g. the emulator's listeners). Theta URLs are without `/v3` or `/v2`. */
export interface ProviderUrls {
  polygon?: string;
  thetaV3?: string;
  thetaV1?: string;
  fmp?: string;
  /** Flat Files S3 endpoint. */
  flatFiles?: string;
}

/** Options of {@link createProviders}. */
export interface ProviderOptions {
  /** Sink of provider log lines (the rate-limited Theta 472 lines). */
  log?: LogSink;
  /** Backoff wait for every client (tests pass an instant one). */
  sleep?: SleepFn;
}

/** Every provider client the engine uses, plus metrics and shutdown. */
export interface Providers {
  polygon: PolygonApi;
  theta: ThetaApi;
  /** Null when FMP_API_KEY is unset. */
  fmp: FloatApi | null;
  /** Null when FLATFILES_ACCESS_KEY or FLATFILES_SECRET_KEY is unset. */
  flatFiles: FlatFilesClient | null;
  /** Live metrics of the Polygon upstream (cap POLYGON_CONCURRENCY). */
  polygonMetrics(): UpstreamMetrics;
  /** Live metrics of the FMP upstream; null without FMP. */
  fmpMetrics(): UpstreamMetrics | null;
  /** Closes every connection pool (waits for requests in flight). */
  close(): Promise<void>;
}

/**
 * Builds the providers from `cfg`, with `urls` overriding POLYGON_BASE_URL, THETA_V3_URL,
 * THETA_V1_URL and FMP_BASE_URL.
 * @throws Error (one line) when a URL is not a valid http(s) URL.
 */
export function createProviders(
  cfg: Config,
  urls: ProviderUrls = {},
  opts: ProviderOptions = {},
): Providers {
  const sleep = opts.sleep ? { sleep: opts.sleep } : {};
  const polygon: PolygonClient = createPolygonClient(cfg, {
    ...(urls.polygon ? { baseUrl: urls.polygon } : {}),
    ...sleep,
  });
  const theta = createThetaClient(cfg, {
    ...(urls.thetaV3 ? { v3Url: urls.thetaV3 } : {}),
    ...(urls.thetaV1 ? { v1Url: urls.thetaV1 } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...sleep,
  });
  const fmp: FmpClient | null = cfg.FMP_API_KEY
    ? createFmpClient(cfg, { ...(urls.fmp ? { baseUrl: urls.fmp } : {}), ...sleep })
    : null;
  const flatFiles =
    cfg.FLATFILES_ACCESS_KEY && cfg.FLATFILES_SECRET_KEY
      ? createFlatFilesClient({
          endpoint: urls.flatFiles ?? cfg.FLATFILES_ENDPOINT,
          accessKey: cfg.FLATFILES_ACCESS_KEY,
          secretKey: cfg.FLATFILES_SECRET_KEY,
          timeoutSec: cfg.FLATFILES_TIMEOUT_SEC,
          retries: cfg.FLATFILES_RETRIES,
          pmStart: cfg.PM_START,
          pmEnd: cfg.PM_END,
          ...(cfg.FLATFILES_CACHE_DIR ? { cacheDir: cfg.FLATFILES_CACHE_DIR } : {}),
          ...(opts.sleep ? { sleep: opts.sleep } : {}),
        })
      : null;
  return {
    polygon,
    theta,
    fmp,
    flatFiles,
    polygonMetrics: () => polygon.metrics(),
    fmpMetrics: () => (fmp ? fmp.metrics() : null),
    async close() {
      await Promise.all([polygon.close(), theta.close(), fmp ? fmp.close() : Promise.resolve()]);
    },
  };
}
