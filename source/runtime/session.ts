/**
 * Wires one engine session: the market (embedded emulator over a replay dataset or the simulated
 * market, or the live providers), the provider clients, the store and the engine context. The only
 * place where the embedded market and the engine meet, and they meet over HTTP.
 */
import { resolve } from 'node:path';
import { setMaxListeners } from 'node:events';
import { parseEmuFaults, type Config } from '../config/index.js';
import type { EngineContext } from '../engine/context.js';
import type { EngineEventSink } from '../contracts/events.js';
import type { EmulatorOptions, FaultConfig, RunningEmulator } from '../market/emulator/index.js';
import { openReplay, type OpenReplayOptions } from '../market/replay/index.js';
import type { MarketSource } from '../market/types.js';
import { isTradingDay, prevTradingDay } from '../calendar/index.js';
import type { Store } from '../store/store.js';
import type { AlertsOut } from './alerts-out.js';
import type { MarketSpec } from './market-spec.js';

/** The `--market` grammar: one definition, in a module the command line's flag check loads alone. */
export { parseMarket, type MarketSpec } from './market-spec.js';

/**
 * The embedded market served for `market`: the replay dataset at its path, or the simulated market
 * of its seed (seed 1 for any other kind) sized by SIM_TICKERS with SIM_PM_FADES. One definition for
 * the session and `gapctl health`, so both serve the same market.
 * `replay`: how a replay dataset is opened (its premarket rows already validated by this process).
 * @throws the replay loader's error for a missing or broken dataset.
 */
export async function openEmbeddedMarket(
  market: MarketSpec,
  cfg: Pick<Config, 'SIM_TICKERS' | 'SIM_PM_FADES' | 'SIM_PLAN_CACHE' | 'SIM_DAY_CACHE'>,
  replay: OpenReplayOptions = {},
): Promise<MarketSource> {
  if (market.kind === 'replay') return openReplay(market.path, replay);
  return (await import('../market/sim/index.js')).createSimMarket({
    seed: market.kind === 'sim' ? market.seed : 1,
    tickers: cfg.SIM_TICKERS,
    planCache: cfg.SIM_PLAN_CACHE,
    dayCache: cfg.SIM_DAY_CACHE,
    calendar: { isTradingDay, prevTradingDay },
    pmFades:
      cfg.SIM_PM_FADES === 'blocks' || cfg.SIM_PM_FADES === 'none'
        ? cfg.SIM_PM_FADES
        : cfg.SIM_PM_FADES.split(','),
  });
}

/**
 * The emulator's options for serving `source` under cfg: the Theta caps and queue, the emulated
 * latencies (ms) and the EMU_FAULTS faults; the Polygon key is the fixed word `embedded`.
 * @throws Error (one line) for malformed EMU_FAULTS.
 */
export function embeddedEmulatorOptions(source: MarketSource, cfg: Config) {
  return {
    source,
    polygonApiKey: 'embedded',
    thetaV3Cap: cfg.THETA_V3_MAX_OUTSTANDING,
    thetaV1Cap: cfg.THETA_V1_MAX_OUTSTANDING,
    thetaQueue: cfg.EMU_THETA_QUEUE,
    thetaLatencyMs: cfg.EMU_THETA_LATENCY_MS,
    polygonLatencyMs: cfg.EMU_POLYGON_LATENCY_MS,
    faults: parseEmuFaults(cfg.EMU_FAULTS) as FaultConfig,
  };
}

/** Options of {@link openSession}. */
export interface SessionOptions {
  cfg: Config;
  market: MarketSpec;
  dbPath: string;
  emit: EngineEventSink;
  /** Application log sink (Theta init line, 472 lines). */
  log?: (line: string) => void;
  /** Overrides of the embedded emulator's options (latency, caps, faults). */
  emulator?: Partial<Omit<EmulatorOptions, 'source'>>;
  /** A ready market source to serve instead of the one named by `market` (tests). */
  source?: MarketSource;
  /** How a replay market is opened (a premarket file already validated by this process). */
  replay?: OpenReplayOptions;
}

/** An open session: the engine context plus what must be closed. */
export interface Session {
  ctx: EngineContext;
  /** Aborts the session's in-flight work (stop); see {@link Session.renewSignal}. */
  readonly controller: AbortController;
  /** After a stop: a fresh controller and ctx.signal, so the session can take new work. */
  renewSignal(): void;
  emulator: RunningEmulator | null;
  source: MarketSource | null;
  marketName: string;
  /** Alerts out (alerts.jsonl, webhook, command): every `alert` event of `ctx.emit` goes there too. */
  alertsOut: AlertsOut;
  /** Flushes alerts out (bounded), closes the providers, the store and the emulator. */
  close(): Promise<void>;
}

/**
 * Opens the store, starts the embedded market (unless live) and builds the providers.
 * @throws Error (one line) for a missing replay dataset, a live market without POLYGON_API_KEY,
 * or a store that cannot be opened (StoreError).
 */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const { cfg } = opts;
  // Loaded here, not at the top: the CLI's main thread imports this module for parseMarket only,
  // and a backfill's session runs in the worker; the emulator, the provider clients (undici), the
  // store and the alert sinks are the worker's modules (about 0.3 s of CPU per process start).
  const [{ startEmulator }, { createProviders }, { Store }, { alertsOutOptions, createAlertsOut }] =
    await Promise.all([
      import('../market/emulator/index.js'),
      import('../providers/index.js'),
      import('../store/store.js'),
      import('./alerts-out.js'),
    ]);
  const { PauseGate } = await import('../engine/context.js');
  let emulator: RunningEmulator | null = null;
  let source: MarketSource | null = opts.source ?? null;
  let urls: {
    polygon?: string;
    thetaV3?: string;
    thetaV1?: string;
    fmp?: string;
    flatFiles?: string;
  } = {};
  let marketName: string;
  let cfgUsed = cfg;
  if (opts.market.kind === 'live' && !opts.source) {
    if (!cfg.POLYGON_API_KEY)
      throw new Error(
        'live market: POLYGON_API_KEY is not set (put it in .env or the environment)',
      );
    marketName = 'live';
  } else {
    const served: MarketSource =
      source ?? (await openEmbeddedMarket(opts.market, cfg, opts.replay));
    source = served;
    marketName = served.name;
    emulator = await startEmulator({ ...embeddedEmulatorOptions(served, cfg), ...opts.emulator });
    urls = {
      polygon: emulator.polygonUrl,
      thetaV3: emulator.thetaV3Url,
      thetaV1: emulator.thetaV1Url,
      fmp: emulator.fmpUrl,
      flatFiles: emulator.flatFiles.url,
    };
    cfgUsed = {
      ...cfg,
      POLYGON_API_KEY: 'embedded',
      FMP_API_KEY: served.floatShares ? 'embedded' : '',
      // The embedded market serves its own flat files (an S3 endpoint with its own credentials).
      FLATFILES_ACCESS_KEY: emulator.flatFiles.accessKey,
      FLATFILES_SECRET_KEY: emulator.flatFiles.secretKey,
    };
  }
  let store: Store;
  try {
    store = Store.open(opts.dbPath, {
      barCacheDays: cfg.STORE_BAR_CACHE_DAYS,
      cacheMb: cfg.SQLITE_CACHE_MB,
    });
  } catch (e) {
    await emulator?.close();
    throw e;
  }
  const providers = createProviders(cfgUsed, urls, { log: opts.log });
  let controller = new AbortController();
  // Every in-flight request listens on the stop signal (R1_THREAD_WORKERS and more at once).
  setMaxListeners(0, controller.signal);
  // Alerts out: each alert the engine emits also goes to the configured sinks (never blocking);
  // a sink that starts failing raises one WARNING of its own (stored, shown, sent to the others).
  let emit: EngineEventSink = opts.emit;
  const alertsOut = createAlertsOut(
    alertsOutOptions(cfg, resolve(cfg.GAPCTL_STATE_DIR), {
      log: (l) => opts.log?.(l),
      onSinkFailure: (_sink, kind, message) => {
        try {
          emit({
            type: 'alert',
            alert: store.addAlert({ severity: 'WARNING', kind, date: null, message }),
          });
        } catch {
          // the store may be closed already; the failure was logged
        }
      },
    }),
  );
  if (alertsOut.sinks.length) {
    emit = (e) => {
      opts.emit(e);
      if (e.type === 'alert') alertsOut.raise(e.alert);
    };
  }
  const gate = new PauseGate((paused) =>
    paused ? providers.theta.pause() : providers.theta.resume(),
  );
  const ctx: EngineContext = {
    cfg: cfgUsed,
    store,
    polygon: providers.polygon,
    theta: providers.theta,
    fmp: providers.fmp,
    flatFiles: providers.flatFiles,
    emit,
    stateDir: resolve(cfg.GAPCTL_STATE_DIR),
    reportsDir: resolve(cfg.GAPCTL_REPORTS_DIR),
    signal: controller.signal,
    gate,
    metrics: () => ({ theta: providers.theta.metrics(), polygon: providers.polygonMetrics() }),
    marketName,
    marketSpec:
      opts.market.kind === 'replay'
        ? `replay:${opts.market.path}`
        : opts.market.kind === 'sim'
          ? `sim:${opts.market.seed}`
          : 'live',
    barsProvider: marketName === 'live' ? 'polygon' : `polygon-emulated:${marketName}`,
    premarketSpan: source?.premarketSpan,
  };
  opts.log?.(providers.theta.initLine());
  const pmSpan = source?.premarketSpan;
  if (pmSpan)
    opts.log?.(
      `[market] ${marketName} holds premarket data only for ${pmSpan.start}..${pmSpan.end}; ` +
        'on other days every premarket lookup answers no data (472), so R1, its proof and R1 health judge an empty premarket',
    );
  return {
    ctx,
    get controller() {
      return controller;
    },
    renewSignal() {
      controller = new AbortController();
      setMaxListeners(0, controller.signal);
      ctx.signal = controller.signal;
    },
    emulator,
    source,
    marketName,
    alertsOut,
    async close() {
      await alertsOut.close();
      await providers.close();
      store.close();
      await emulator?.close();
    },
  };
}
