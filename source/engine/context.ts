/**
 * What the engine runs with: config, store, providers, the event sink, folders, the stop signal
 * and the pause gate. Built by the runtime (worker thread or CLI); the engine never builds its own.
 */
import type { Config } from '../config/index.js';
import type { Store } from '../store/store.js';
import type { FloatApi, PolygonApi, ThetaApi, UpstreamMetrics } from '../providers/types.js';
import type { FlatFilesClient } from '../providers/flatfiles/client.js';
import type { EngineEventSink } from '../contracts/events.js';

/**
 * Pause between units of work: `wait()` resolves at once while running and when resumed.
 * Pausing also pauses the Theta queues (no new request starts; in-flight ones finish).
 */
export class PauseGate {
  private waiters: (() => void)[] = [];
  private _paused = false;
  constructor(private readonly onChange: (paused: boolean) => void = () => {}) {}

  /** True while paused. */
  get paused(): boolean {
    return this._paused;
  }

  /** Stop taking new work. */
  pause(): void {
    if (this._paused) return;
    this._paused = true;
    this.onChange(true);
  }

  /** Take new work again. */
  resume(): void {
    if (!this._paused) return;
    this._paused = false;
    this.onChange(false);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when not paused (or when `signal` aborts). */
  wait(signal?: AbortSignal): Promise<void> {
    if (!this._paused || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

/** Everything a day scan or a backfill needs. */
export interface EngineContext {
  cfg: Config;
  store: Store;
  polygon: PolygonApi;
  theta: ThetaApi;
  /** Null when FMP_API_KEY is not set. */
  fmp: FloatApi | null;
  /** Massive Flat Files (one minute-aggregates object a day); null when not configured. */
  flatFiles?: FlatFilesClient | null;
  emit: EngineEventSink;
  /** project_state/ (artifacts, state files). */
  stateDir: string;
  /** db/reports/. */
  reportsDir: string;
  /** Aborts in-flight work (stop). */
  signal: AbortSignal;
  gate: PauseGate;
  /** Live provider metrics (request and error counts per day are taken as deltas). */
  metrics: () => { theta: UpstreamMetrics[]; polygon: UpstreamMetrics | null };
  /** Market name for headers and logs, e.g. `replay:2018q1`. */
  marketName: string;
  /** The market as a `--market` value that reopens it (`replay:/abs/path`, `sim:42`, `live`); recorded in current_state.json so a resume uses the same market. */
  marketSpec?: string;
  /**
   * Dates with premarket data when the embedded market holds it only for part of its span (a
   * recording: MarketSource.premarketSpan); undefined for live and simulated markets. Only used to
   * say why a day has no premarket data, never to skip or pass anything.
   */
  premarketSpan?: { start: string; end: string };
  /** Provider name stored in daily_raw.provider. */
  barsProvider: string;
}

/** Thrown when a stop aborted the day; the day is left absent. */
export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedError';
  }
}

/** Throws {@link StoppedError} when the signal is aborted. */
export function checkStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new StoppedError();
}
