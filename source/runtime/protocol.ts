/**
 * Messages between the main thread (console or plain printer) and the engine worker thread.
 */
import type {
  BackfillSnapshot,
  ControlCommand,
  DayDetailData,
  HealthReport,
} from '../contracts/events.js';
import type { BackfillOutcome } from '../engine/backfill.js';

/** The job a worker runs. Dates `YYYY-MM-DD`. */
export interface BackfillJob {
  kind: 'backfill';
  start: string;
  end: string;
  /** `replay[:PATH] | sim[:SEED] | live`. */
  market: string;
  dbPath: string;
  maxMonths?: number;
  rerun?: boolean;
  mode?: 'prefilter' | 'exhaustive';
  validate?: 'spot' | 'all' | 'none';
  skipPhase0?: boolean;
  /** Follow the market after the range (`--follow`): wait for each new trading day's data, scan it, repeat. */
  follow?: boolean;
  /**
   * Console mode: after the backfill ends the worker stays up for rerun/validate/export/resume
   * commands until `quit` (or `detach`, which ends once the current work is done).
   */
  interactive?: boolean;
  /** Config variables set on top of the environment (e.g. EMU_THETA_LATENCY_MS). */
  env?: Record<string, string>;
  /**
   * A replay market: the SHA-256 of its premarket file, whose rows the command's main thread
   * validated (commands/common.ts checkReplaySpan) just before it started the worker; the worker's
   * openReplay then checks the bytes against the manifest but does not validate the same rows again
   * (market/replay/loader.ts OpenReplayOptions).
   */
  replayPremarketSha256?: string;
}

/**
 * Main -> worker. `day-detail` asks for {@link DayDetailData} of a date (the worker owns the
 * database connection); the answer comes back as `day-detail` with the same `id`. `health` asks
 * the worker to run the production health checks (the same as `gapctl health`, read-only, next to
 * whatever the engine is doing); the answer comes back as `health` with the same `id`.
 */
export type ToWorker =
  | { type: 'start'; job: BackfillJob }
  | { type: 'command'; command: ControlCommand }
  | { type: 'day-detail'; id: number; date: string }
  | { type: 'health'; id: number };

/** Worker -> main. */
export type FromWorker =
  | { type: 'snapshot'; snapshot: BackfillSnapshot }
  | { type: 'log'; line: string }
  | { type: 'done'; outcome: BackfillOutcome; snapshot: BackfillSnapshot }
  /** Answer to a `day-detail` request: the data, or null with a one-line error. */
  | { type: 'day-detail'; id: number; detail: DayDetailData | null; error?: string }
  /** Answer to a `health` request: the report, or null with a one-line error (the checks could not run at all). */
  | { type: 'health'; id: number; report: HealthReport | null; error?: string }
  | { type: 'error'; message: string };
