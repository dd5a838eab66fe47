/**
 * Typed events the engine emits while it scans days and runs backfills. The engine knows nothing
 * of threads or terminals: the runtime reduces these into a {@link BackfillSnapshot} for the console,
 * the plain printer and the headless status file.
 *
 * Over 400 lines: it is the one leaf of contracts between engine, runtime and console (events,
 * snapshot, control commands, day detail); one file is the point: every layer reads the same types
 * from one place, each with its units.
 */
import type { RuleCode, RuleCounts, RuleShort } from './rules.js';
import type { UpstreamMetrics } from './upstream.js';
import type { BackfillState, DayStatus } from './states.js';

export type { RuleCounts } from './rules.js';
/** Day statuses and backfill states are defined with their named subsets in ./states.ts. */
export type { BackfillState, DayStatus } from './states.js';

/** Stages of one day, in order (docs/domain.md section 4). */
export const STAGES = [
  'UNIVERSE',
  'GROUPED',
  'PREV',
  'R2R3',
  'R1',
  'R4',
  'PERSIST',
  'ENRICH',
  'AUDIT',
  'REPORT',
] as const;
/** One stage of a day. */
export type StageName = (typeof STAGES)[number];

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

/**
 * How a day's R1 completeness is known (docs/domain.md section 14): `exhaustive` (the premarket high
 * of every eligible symbol answered), `baseline` (a validation's independent exhaustive pass found no
 * baseline-only hit), `sampled` (prefilter and audit only: NOT proven).
 */
export type ProofKind = 'exhaustive' | 'baseline' | 'sampled';

/**
 * Where a running R1 proof is (engine/day.ts; docs/domain.md section 14). `phase`: `flatfile` while
 * the day's bulk minute file is read, `lookups` while Theta answers the symbols left, `end` once the
 * outcome is known (`outcome`, `found`). `source`: where the premarket highs come from (`flatfile`,
 * confirmed with Theta near the threshold; or `theta` for every symbol). Symbols: `eligible` (every
 * eligible symbol with a previous close), `answered` (of those, how many have a definitive answer so
 * far: known before the proof, settled by the flat file, or answered by a lookup), `lookups` done of
 * `lookupsTotal` (the proof's own Theta requests, cache hits included), `unanswered` (lookups no
 * source answered: the day stays unproven). Times are UTC epoch ms.
 */
export interface ProofProgress {
  date: string;
  phase: 'flatfile' | 'lookups' | 'end';
  source: 'flatfile' | 'theta';
  eligible: number;
  answered: number;
  lookupsDone: number;
  lookupsTotal: number;
  unanswered: number;
  /** Set when phase is `end`: the day's proof (`sampled` when a lookup went unanswered). */
  outcome?: ProofKind;
  /** Set when phase is `end`: R1 hits the proof found outside the prefilter. */
  found?: number;
  startedAt: number;
  at: number;
}

/** Events of one day's scan. `at` is UTC epoch ms. */
export type DayEvent =
  | { type: 'day-begin'; date: string; mode: 'prefilter' | 'exhaustive'; at: number }
  /**
   * A stage began, ended, failed (the day's first failure), or was aborted: `abort` is a stage that
   * had begun and was cut short because another stage failed (`by`: that stage; absent when the day
   * failed before any stage began). Emitted after the failed stage's `fail`, before the day's end.
   */
  | {
      type: 'stage';
      date: string;
      stage: StageName;
      phase: 'begin' | 'end' | 'fail' | 'abort';
      counts: Record<string, number | string>;
      by?: StageName;
      at: number;
    }
  | { type: 'r1-progress'; date: string; done: number; total: number }
  /** Progress of the day's R1 proof (see {@link ProofProgress}): at its start, per lookup, and at its end. */
  | ({ type: 'proof-progress' } & ProofProgress)
  | { type: 'log'; date: string; line: string }
  /**
   * The day ended; `proof` is the proof stored with it (`sampled` when not proven; absent from
   * engines older than the proof), `proofSource` where it came from.
   */
  | {
      type: 'day-end';
      date: string;
      status: DayStatus;
      hits: RuleCounts;
      discoveries: number;
      durationMs: number;
      reason?: string;
      proof?: ProofKind;
      proofSource?: string | null;
      at: number;
    };

/** Events of a backfill (Phase B) around the day events. */
export type BackfillEvent =
  /** The range's days as the store has them (`proof`: the stored proof of a scanned day). */
  | {
      type: 'plan';
      start: string;
      end: string;
      days: { date: string; status: DayStatus | 'SKIPPED'; hits: number; proof?: ProofKind }[];
      at: number;
    }
  | {
      type: 'day-skipped';
      date: string;
      status: DayStatus;
      hits: number;
      rules: RuleCounts;
      proof?: ProofKind;
    }
  | { type: 'month-done'; month: string; days: number; hits: number }
  /**
   * A validation ended: passed, failed at `gate`, or `stopped` (a stop cut it short: nothing was
   * recorded and the day keeps its previous validation state; `passed` is then false).
   */
  | {
      type: 'validate';
      date: string;
      passed: boolean;
      stopped?: boolean;
      gate?: string;
      baselineOnly: number;
      message: string;
    }
  /** Progress of a running validation (see {@link ValidationProgress}); sent per baseline lookup and at least every second. */
  | ({ type: 'validate-progress' } & ValidationProgress)
  | { type: 'alert'; alert: AlertInfo }
  /** Follow mode: the next trading day and when its data is due (UTC ms, and `YYYY-MM-DD HH:MM ET`), or null when its scan begins. */
  | {
      type: 'follow-wait';
      date: string;
      nextScanAt: number | null;
      nextScanEt?: string;
      at: number;
    }
  | { type: 'backfill-state'; state: BackfillState; reason?: string; at: number };

/**
 * Where a running validation is: the gate (1-based index of `gates`), the baseline's premarket
 * lookups (null before the baseline reaches them), lookups no source answered, request retries
 * since the validation began (all upstreams), whether a retry is waiting in backoff now. Times
 * are UTC epoch ms.
 */
export interface ValidationProgress {
  date: string;
  gate: string;
  gateIndex: number;
  gates: number;
  lookupsDone: number | null;
  lookupsTotal: number | null;
  unanswered: number;
  retries: number;
  backingOff: boolean;
  startedAt: number;
  at: number;
}

/**
 * A validation that ended in this run, as the console shows its outcome line and the closing summary
 * counts it: passed, failed at `gate` (null when it passed or stopped), or `stopped` (nothing was
 * recorded). `n` numbers the run's validations from 1; `at` is UTC epoch ms.
 */
export interface ValidationOutcome {
  n: number;
  date: string;
  passed: boolean;
  stopped: boolean;
  gate: string | null;
  message: string;
  at: number;
}

/** Every event the engine emits. */
export type EngineEvent = DayEvent | BackfillEvent;

/** Receives engine events (synchronously; must not throw). */
export type EngineEventSink = (event: EngineEvent) => void;

/** One stage of the current day in a snapshot. */
export interface StageView {
  name: StageName;
  /** `aborted`: begun, then cut short by another stage's failure ({@link StageView.abortedBy}). */
  state: 'pending' | 'running' | 'done' | 'failed' | 'aborted';
  /** For an aborted stage: the stage whose failure aborted it (absent when not known). */
  abortedBy?: StageName;
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
  /** The day's R1 proof once it began (progress, then its outcome); null/absent before. */
  proof?: ProofProgress | null;
}

/** One trading day of the backfill range in a snapshot (calendar grid cell). */
export interface DayCell {
  date: string;
  status: DayStatus | 'SKIPPED';
  hits: number;
  /** Baseline-only hits found by validation (drawn `!`). */
  baselineOnly: number;
  /** The last validation of the day in this run passed (its proof is the baseline cross-check), false when it failed; absent when not validated. */
  validated?: boolean;
  /** Hits per rule once the day finished (absent for days not scanned in this run). */
  rules?: RuleCounts;
  /** Wall time of the day's scan, ms, once finished in this run. */
  durationMs?: number;
  /** Why the day is not COMPLETE (one line), once known. */
  reason?: string;
  /**
   * How the day's completeness is known (stored proof). A COMPLETE day is drawn proven only with
   * `exhaustive` or `baseline`; `sampled` or absent (unknown) is drawn unproven.
   */
  proof?: ProofKind;
  /** A FAILED day: the stages its failure aborted mid-way (stage events `abort`), in stage order; absent when none. */
  aborted?: StageName[];
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
  /** What the engine does outside the backfill loop (`validating 3/21 2018-03-05`, `rerun 2018-03-08`), or null/absent. */
  activity?: string | null;
  /** Console commands waiting for the engine to be idle (rerun, validate, export). */
  queuedCommands?: number;
  /** The validation in progress (gate, baseline lookups, retries, backoff), or null/absent when none runs. */
  validation?: ValidationProgress | null;
  /** The last validations that ended in this run, oldest first (at most 20); absent from older engines. */
  validations?: ValidationOutcome[];
  /** How many validations ended in this run, by outcome (the closing summary's figures). */
  validationCounts?: { passed: number; failed: number; stopped: number };
  /** Follow mode: the next trading day to scan and when its data is due (UTC epoch ms; `et`: `YYYY-MM-DD HH:MM ET`); null/absent otherwise. */
  nextScan?: { date: string; at: number; et: string } | null;
  /**
   * The run's R1 proof setting: `auto` (every scanned day is proven) or `off` (`--no-proof` /
   * R1_PROOF=off: the days it scans stay unproven, "sampled"); absent when not known.
   */
  proofMode?: 'auto' | 'off';
  /** The engine process's memory (RSS of the whole process, the worker's heap), or null/absent before the first sample. */
  memory?: MemoryInfo | null;
}

/** Memory of the engine process, whole MB: RSS and peak RSS of the process (every thread), the worker's V8 heap in use and its limit. */
export interface MemoryInfo {
  rssMb: number;
  peakRssMb: number;
  heapUsedMb: number;
  heapLimitMb: number;
}

/** Commands from the console (or the control socket) to the engine host. */
export type ControlCommand =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'rerun'; date: string; exhaustive: boolean }
  | { type: 'validate'; date: string }
  /**
   * Validate several days in date order: `dates` when given (those within start..end), else every
   * scanned day of start..end. A stop ends the range after the day being validated.
   */
  | { type: 'validate-range'; start: string; end: string; dates?: string[] }
  /** Export discovery hits of start..end (a month or a range) and day_completeness.csv. */
  | { type: 'export'; start: string; end: string }
  | { type: 'ack'; alertId: number }
  | { type: 'quit' }
  /** Leave the engine running without a console: it ends once the current work is done. */
  | { type: 'detach' };

/** Level of one health check (`gapctl health`, the console's health overlay); a run's level is the worst. */
export type HealthLevel = 'ok' | 'warn' | 'critical';

/** One health check's result: a short name (`theta-v3`, `database`), a level and a one-line reason (secrets redacted). */
export interface HealthCheck {
  name: string;
  level: HealthLevel;
  message: string;
}

/**
 * Result of the production health checks (runtime/health.ts runHealth): every check in order, the
 * worst level and the exit code of `gapctl health` (0 ok, 1 warn, 2 critical). The console's health
 * overlay shows it as the runtime sends it (the UI runs no HTTP or SQL).
 */
export interface HealthReport {
  level: HealthLevel;
  exitCode: 0 | 1 | 2;
  checks: HealthCheck[];
  /** Wall time of the whole run, ms. */
  ms: number;
}

/** One rule of a stored hit: short code (`R1`..`R4`), runbook code, value in percent. */
export interface DayHitRule {
  rule: RuleShort;
  code: RuleCode;
  /** Percent, e.g. 61.2. */
  value: number;
}

/** One row of the day detail's hits table (from discovery_hits and discovery_hit_rules). Prices in dollars, volume in shares. */
export interface DayHitView {
  ticker: string;
  rules: DayHitRule[];
  volume: number;
  prevClose: number | null;
  open: number;
  high: number;
  close: number;
  /** Premarket high (dollars) and where it came from (`pm_high_source` / `pm_high_venue`), null when not fetched. */
  pmHigh: number | null;
  pmHighSource: string | null;
  pmHighVenue: string | null;
  exchange: string;
  /** True when the hit is near a reverse split (is_near_reverse_split); `splitNote` says which. */
  split: boolean;
  splitNote: string | null;
}

/** One acceptance gate's result of the day's last validation. */
export interface DayGateView {
  gate: string;
  passed: boolean;
  message: string;
}

/**
 * Everything the day detail overlay shows of a finished (stored) day, read by the runtime from
 * SQLite and project_state/ (the UI never runs SQL). Times are UTC ISO 8601, durations ms.
 */
export interface DayDetailData {
  date: string;
  /** Status from day_completeness; null when the day was never scanned. */
  status: DayStatus | null;
  /** provider_status: `ok` or why the day is not COMPLETE. */
  reason: string | null;
  r1Mode: string | null;
  updatedAt: string | null;
  processingMs: number | null;
  /** Wall time per stage of the last scan (stage_ms), ms. */
  stageMs: Partial<Record<StageName, number>>;
  /** day_completeness counters in table order (name as in the table, value). */
  counters: { name: string; value: number | string | null }[];
  hits: DayHitView[];
  /** Rule-of-three audit of the random sample (enhanced_audit_log); missRateUpper95 is a ratio 0..1. */
  audit: {
    sampleSize: number;
    misses: number;
    missRateUpper95: number | null;
    passed: boolean;
    at: string | null;
  } | null;
  /** Post-scan miss audit rows (miss_audit): checked and missed initially. */
  missAudit: { checked: number; missedInitially: number; missed: string[] };
  /** Baseline cross-check (diffs); `baselineOnlyHits` from diffs.detail. Percent values. */
  baseline: {
    overlap: number;
    discoveryOnly: number;
    baselineOnly: number;
    baselineOnlyHits: { symbol: string; rule: string; pct: number }[];
    at: string | null;
  } | null;
  /**
   * Last validation: `VALIDATED` or `FAILED_<GATE>` (qc_daily_summary.status) and the gates, from
   * FAIL_<GATE>_<date>.md when it failed; all gates passed when VALIDATED. Null when never validated.
   */
  validation: { status: string; gates: DayGateView[] } | null;
  /**
   * The day's stored proof (day_completeness.proof*; docs/domain.md section 14): kind, source
   * (`flatfile`, `theta`, `baseline`, or null), eligible symbols established (`checked`), the R1 hits
   * the proof found outside the prefilter (`found`, ticker and percent), and when it was stored (the
   * row's updated_at, UTC ISO 8601). Null for a day never scanned or a store older than the proof.
   */
  proof?: {
    kind: ProofKind;
    source: string | null;
    checked: number;
    found: { ticker: string; pct: number | null }[];
    at: string | null;
  } | null;
}
