/**
 * Typed events the engine emits while it scans days and runs backfills. The engine knows nothing
 * of threads or terminals: the runtime reduces these into a {@link BackfillSnapshot} for the console,
 * the plain printer and the headless status file.
 */
import type { UpstreamMetrics } from '../providers/types.js';

/** Stages of one day, in order (domain.md section 4). */
export const STAGES = ['UNIVERSE', 'GROUPED', 'PREV', 'R2R3', 'R1', 'R4', 'PERSIST', 'ENRICH', 'AUDIT', 'REPORT'] as const;
/** One stage of a day. */
export type StageName = (typeof STAGES)[number];

/** Day status (domain.md section 5). Only COMPLETE days count as done. */
export type DayStatus = 'PENDING' | 'RUNNING' | 'COMPLETE' | 'RETRY_NEEDED' | 'FAILED' | 'INCOMPLETE';

/** Hit counts per rule (a hit with two rules counts in both). */
export interface RuleCounts {
  r1: number;
  r2: number;
  r3: number;
  r4: number;
}

/** An alert as stored in the `alerts` table and shown in the console banner. `at` is UTC ISO 8601. */
export interface AlertInfo {
  id: number;
  at: string;
  severity: 'INFO' | 'WARNING' | 'CRITICAL';
  kind: string;
  date: string | null;
  message: string;
  acknowledged: boolean;
}

/** Events of one day's scan. `at` is UTC epoch ms. */
export type DayEvent =
  | { type: 'day-begin'; date: string; mode: 'prefilter' | 'exhaustive'; at: number }
  | { type: 'stage'; date: string; stage: StageName; phase: 'begin' | 'end' | 'fail'; counts: Record<string, number | string>; at: number }
  | { type: 'r1-progress'; date: string; done: number; total: number }
  | { type: 'log'; date: string; line: string }
  | { type: 'day-end'; date: string; status: DayStatus; hits: RuleCounts; discoveries: number; durationMs: number; reason?: string; at: number };

/** Events of a backfill (Phase B) around the day events. */
export type BackfillEvent =
  | { type: 'plan'; start: string; end: string; days: { date: string; status: DayStatus | 'SKIPPED'; hits: number }[]; at: number }
  | { type: 'day-skipped'; date: string; status: DayStatus; hits: number; rules: RuleCounts }
  | { type: 'month-done'; month: string; days: number; hits: number }
  | { type: 'validate'; date: string; passed: boolean; gate?: string; baselineOnly: number; message: string }
  | { type: 'alert'; alert: AlertInfo }
  | { type: 'backfill-state'; state: BackfillState; reason?: string; at: number };

/** Every event the engine emits. */
export type EngineEvent = DayEvent | BackfillEvent;

/** Receives engine events (synchronously; must not throw). */
export type EngineEventSink = (event: EngineEvent) => void;

/** State of a backfill run as the console shows it. */
export type BackfillState = 'STARTING' | 'RUNNING' | 'PAUSING' | 'PAUSED' | 'STOPPING' | 'STOPPED' | 'DONE' | 'HALTED' | 'FAILED';

/** One stage of the current day in a snapshot. */
export interface StageView {
  name: StageName;
  state: 'pending' | 'running' | 'done' | 'failed';
  counts: Record<string, number | string>;
  durationMs: number | null;
}

/** The current day in a snapshot. */
export interface DayView {
  date: string;
  mode: 'prefilter' | 'exhaustive';
  stages: StageView[];
  r1Done: number;
  r1Total: number;
  hits: RuleCounts;
  startedAt: number;
}

/** One trading day of the backfill range in a snapshot (calendar grid cell). */
export interface DayCell {
  date: string;
  status: DayStatus | 'SKIPPED';
  hits: number;
  /** Baseline-only hits found by validation (drawn `!`). */
  baselineOnly: number;
  /** Hits per rule once the day finished (absent for days not scanned in this run). */
  rules?: RuleCounts;
  /** Wall time of the day's scan, ms, once finished in this run. */
  durationMs?: number;
  /** Why the day is not COMPLETE (one line), once known. */
  reason?: string;
}

/**
 * What the console renders: the whole visible state, sent from the engine thread every 100-250 ms.
 * Times are UTC epoch ms; durations ms.
 */
export interface BackfillSnapshot {
  seq: number;
  at: number;
  command: string;
  start: string;
  end: string;
  market: string;
  db: string;
  state: BackfillState;
  reason: string | null;
  days: DayCell[];
  done: number;
  total: number;
  current: DayView | null;
  /** ETA from a moving average of day durations, paused time left out; null until one day finished. */
  etaMs: number | null;
  daysPerMin: number | null;
  /** Recent days/min samples for the sparkline, oldest first. */
  rateHistory: number[];
  theta: UpstreamMetrics[];
  polygon: UpstreamMetrics | null;
  alerts: AlertInfo[];
  /** Tail of the log of `logDate` (the current or last day), oldest first. */
  logDate: string | null;
  logTail: string[];
  /** Requests in flight across all upstreams. */
  inFlight: number;
  /** Totals per rule over the range so far. */
  hits: RuleCounts;
}

/** Commands from the console (or the control socket) to the engine host. */
export type ControlCommand =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'rerun'; date: string; exhaustive: boolean }
  | { type: 'validate'; date: string }
  | { type: 'export'; start: string; end: string }
  | { type: 'ack'; alertId: number }
  | { type: 'quit' }
  /** Leave the engine running without a console: it ends once the current work is done. */
  | { type: 'detach' };
