/**
 * The per-day rows: `day_completeness` (a scan's counters, status and proof, one row per scanned
 * day) and `qc_daily_summary` (the runbooks' daily quality row: the scan's figures, then the
 * validation's status, baseline-only count and audit result). Reads for the exports, reports,
 * health, status and day detail; the validation's writes. The scan writes both rows in
 * Store.commitDay (store.ts). Dates are trading dates YYYY-MM-DD; ranges are inclusive.
 *
 * Every function takes an open connection (Store.db, or a read-only one) and throws the driver's
 * SqliteError when the store lacks a table read (a file that is not a gapctl store).
 */
import type { DayStatus } from '../contracts/events.js';
import { nowIso, stmt, tableColumns, type Db } from './db.js';
import { STORE_QUERIES } from './queries.js';

/** day_completeness row (counters of one day). */
export interface DayCompleteness {
  date: string;
  total_universe: number;
  daily_raw_symbols: number;
  coverage_pct: number;
  discoveries: number;
  r1_hits: number;
  r2_hits: number;
  r3_hits: number;
  r4_hits: number;
  cand_pass1: number;
  r1_checked: number;
  r1_unanswered: number;
  miss_audit_sample: number;
  miss_audit_hits: number;
  status: DayStatus;
  provider_status: string;
  r1_mode: string;
  no_prev_close: number;
  filtered_exchange: number;
  filtered_type: number;
  filtered_unknown_type: number;
  filtered_volume: number;
  audit_sample_misses: number;
  processing_ms: number;
  theta_requests: number;
  theta_errors: number;
  polygon_requests: number;
  polygon_errors: number;
  /** JSON object stage -> ms. */
  stage_ms: string;
  /**
   * How the day's R1 completeness is known (docs/domain.md section 14): `exhaustive` (the premarket
   * high of every eligible symbol was answered), `baseline` (a complete validation found no
   * baseline-only hit), `sampled` (prefilter and audit only: not proven).
   */
  proof: 'exhaustive' | 'baseline' | 'sampled';
  /** Where the proof's premarket highs came from: `flatfile` (+ Theta confirmations), `theta`, or null (sampled). */
  proof_source: 'flatfile' | 'theta' | null;
  /** Eligible symbols whose premarket high (or its absence) the proof established. */
  proof_checked: number;
  /** R1 hits the proof found outside the prefilter, `TICKER:pct|...` (empty when none). */
  proof_found: string;
}

/** A whole row of a per-day table as stored: column -> value (numbers, text, or null). */
export type DayRecord = Record<string, number | string | null>;

/** The first and last date of "every day" when a range is not given. */
const ALL: readonly [string, string] = ['0000-00-00', '9999-99-99'];

// ---- day_completeness -------------------------------------------------------------------------

/** A scanned day's status and hits per rule (see {@link dayStatuses}). */
export interface DayStatusInfo {
  status: DayStatus;
  discoveries: number;
  r1: number;
  r2: number;
  r3: number;
  r4: number;
  providerStatus: string | null;
}

/** Status and discoveries of every scanned day in [start, end] by date (NULL counts read 0). */
export function dayStatuses(db: Db, start: string, end: string): Map<string, DayStatusInfo> {
  const rows = stmt(db, STORE_QUERIES.dayStatuses).all(start, end) as {
    date: string;
    status: DayStatus;
    discoveries: number | null;
    r1_hits: number | null;
    r2_hits: number | null;
    r3_hits: number | null;
    r4_hits: number | null;
    provider_status: string | null;
  }[];
  return new Map(
    rows.map((r) => [
      r.date,
      {
        status: r.status,
        discoveries: r.discoveries ?? 0,
        r1: r.r1_hits ?? 0,
        r2: r.r2_hits ?? 0,
        r3: r.r3_hits ?? 0,
        r4: r.r4_hits ?? 0,
        providerStatus: r.provider_status,
      },
    ]),
  );
}

/**
 * How the scanned days of [start, end] are known (docs/domain.md section 14): `days` scanned,
 * `proven` (COMPLETE with proof exhaustive or baseline), `byProof` (days per stored proof, NULL
 * read as `sampled`), `unproven` (the other scanned days, sorted).
 * @throws SqliteError on a store older than the proof columns (schema migration 2).
 */
export function proofCounts(
  db: Db,
  start: string,
  end: string,
): { days: number; proven: number; byProof: Record<string, number>; unproven: string[] } {
  const rows = stmt(
    db,
    'SELECT date, status, proof FROM day_completeness WHERE date BETWEEN ? AND ? ORDER BY date',
  ).all(start, end) as { date: string; status: string; proof: string | null }[];
  const byProof: Record<string, number> = {};
  const unproven: string[] = [];
  for (const r of rows) {
    const p = r.proof ?? 'sampled';
    byProof[p] = (byProof[p] ?? 0) + 1;
    if (r.status !== 'COMPLETE' || p === 'sampled') unproven.push(r.date);
  }
  return { days: rows.length, proven: rows.length - unproven.length, byProof, unproven };
}

/**
 * The stored proof of each scanned day of [start, end] (day_completeness.proof; a NULL proof, a row
 * written before the proof column was filled, reads `sampled`: not proven).
 * @throws SqliteError on a store older than the proof columns (schema migration 2).
 */
export function dayProofs(
  db: Db,
  start: string,
  end: string,
): Map<string, 'exhaustive' | 'baseline' | 'sampled'> {
  const rows = stmt(db, 'SELECT date, proof FROM day_completeness WHERE date BETWEEN ? AND ?').all(
    start,
    end,
  ) as { date: string; proof: string | null }[];
  return new Map(
    rows.map((r) => [
      r.date,
      r.proof === 'exhaustive' || r.proof === 'baseline' ? r.proof : 'sampled',
    ]),
  );
}

/** The day_completeness row of `date` (typed), or undefined. */
export function dayCompleteness(
  db: Db,
  date: string,
): (DayCompleteness & { updated_at: string }) | undefined {
  return stmt(db, 'SELECT * FROM day_completeness WHERE date = ?').get(date) as
    (DayCompleteness & { updated_at: string }) | undefined;
}

/** The day_completeness row of `date` with every column (those of later migrations too), or undefined. */
export function dayRecord(db: Db, date: string): DayRecord | undefined {
  return stmt(db, 'SELECT * FROM day_completeness WHERE date = ?').get(date) as
    DayRecord | undefined;
}

/** The day_completeness rows of [start, end] (every day when not given), every column, by date. */
export function dayRecords(db: Db, start = ALL[0], end = ALL[1]): DayRecord[] {
  return stmt(db, 'SELECT * FROM day_completeness WHERE date BETWEEN ? AND ? ORDER BY date').all(
    start,
    end,
  ) as DayRecord[];
}

/** The column names of day_completeness in table order (those of later migrations included). */
export function dayColumns(db: Db): string[] {
  return tableColumns(db, 'day_completeness');
}

/**
 * The day_completeness rows of [start, end] for the operations report: every column, and the
 * columns the report reads named once more so that a store lacking one fails here, in one place.
 */
export function reportDayRecords(db: Db, start: string, end: string): DayRecord[] {
  return stmt(
    db,
    'SELECT *, date, status, r1_mode, r1_unanswered, processing_ms, theta_requests, theta_errors, polygon_requests, polygon_errors, r1_hits, r2_hits, r3_hits, r4_hits FROM day_completeness WHERE date BETWEEN ? AND ?',
  ).all(start, end) as DayRecord[];
}

/** Status and reason (provider_status) of each scanned day of [start, end], by date. */
export function dayStatusRows(
  db: Db,
  start: string,
  end: string,
): { date: string; status: DayStatus; provider_status: string | null }[] {
  return stmt(
    db,
    'SELECT date, status, provider_status FROM day_completeness WHERE date BETWEEN ? AND ? ORDER BY date',
  ).all(start, end) as {
    date: string;
    status: DayStatus;
    provider_status: string | null;
  }[];
}

/**
 * Status and stored proof of each scanned day of [start, end], by date. `proof` is null for a NULL
 * proof and for every day of a store older than the proof columns (schema migration 2).
 */
export function dayProofRows(
  db: Db,
  start: string,
  end: string,
): { date: string; status: DayStatus; proof: string | null }[] {
  const hasProof = dayColumns(db).includes('proof');
  return stmt(
    db,
    `SELECT date, status, ${hasProof ? 'proof' : 'NULL AS proof'} FROM day_completeness WHERE date BETWEEN ? AND ? ORDER BY date`,
  ).all(start, end) as {
    date: string;
    status: DayStatus;
    proof: string | null;
  }[];
}

/** True when day_completeness has the proof columns (schema migration 2; false only on an older store opened read-only). */
export function hasProofColumns(db: Db): boolean {
  return dayColumns(db).includes('proof');
}

/** The newest scanned date (any status, or only days of `status` when given), or null when none. */
export function lastScannedDay(db: Db, status?: DayStatus): string | null {
  const r = (
    status === undefined
      ? stmt(db, 'SELECT MAX(date) AS d FROM day_completeness').get()
      : stmt(db, 'SELECT MAX(date) AS d FROM day_completeness WHERE status = ?').get(status)
  ) as { d: string | null };
  return r.d;
}

/**
 * A complete validation found no baseline-only hit: a COMPLETE day that is not proven yet (proof
 * NULL or `sampled`) becomes proven `baseline` with `checked` symbols (docs/domain.md section 14).
 * Any other day is left as it is. Call inside a write transaction.
 */
export function markBaselineProof(db: Db, date: string, checked: number): void {
  stmt(
    db,
    "UPDATE day_completeness SET proof = 'baseline', proof_source = 'baseline', proof_checked = ? WHERE date = ? AND status = 'COMPLETE' AND (proof IS NULL OR proof = 'sampled')",
  ).run(checked, date);
}

/**
 * Sets the status of a scanned day after a failed validation gate (`FAILED` or `RETRY_NEEDED`) with
 * `reason` as its provider_status, stamping updated_at. No row for `date`: nothing changes. Call
 * inside a write transaction.
 */
export function setDayStatus(db: Db, date: string, status: DayStatus, reason: string): void {
  stmt(
    db,
    'UPDATE day_completeness SET status = ?, provider_status = ?, updated_at = ? WHERE date = ?',
  ).run(status, reason, nowIso(), date);
}

// ---- qc_daily_summary -------------------------------------------------------------------------

/** The qc_daily_summary rows of [start, end], every column, by date. */
export function qcRecords(db: Db, start: string, end: string): DayRecord[] {
  return stmt(db, 'SELECT * FROM qc_daily_summary WHERE date BETWEEN ? AND ? ORDER BY date').all(
    start,
    end,
  ) as DayRecord[];
}

/** The column names of qc_daily_summary in table order. */
export function qcColumns(db: Db): string[] {
  return tableColumns(db, 'qc_daily_summary');
}

/** The qc_daily_summary status of `date` (the scan's status, or VALIDATED / FAILED_<GATE> after a validation); undefined without a row. */
export function qcStatus(db: Db, date: string): string | null | undefined {
  const r = stmt(db, 'SELECT status FROM qc_daily_summary WHERE date = ?').get(date) as
    { status: string | null } | undefined;
  return r ? r.status : undefined;
}

/** The newest date of qc_daily_summary, or null when it is empty. */
export function lastQcDay(db: Db): string | null {
  return (stmt(db, 'SELECT MAX(date) AS d FROM qc_daily_summary').get() as { d: string | null }).d;
}

/**
 * The SLA figures of each qc_daily_summary day of [start, end], by date: `seconds` processing time
 * (s), `errorRate` API errors / requests (ratio), `auditPassed` 1 / 0 / null (not audited).
 */
export function qcSlaRows(
  db: Db,
  start: string,
  end: string,
): {
  date: string;
  seconds: number | null;
  errorRate: number | null;
  auditPassed: number | null;
}[] {
  return stmt(
    db,
    'SELECT date, processing_time_seconds AS seconds, api_error_rate AS errorRate, audit_passed AS auditPassed FROM qc_daily_summary WHERE date BETWEEN ? AND ? ORDER BY date',
  ).all(start, end) as {
    date: string;
    seconds: number | null;
    errorRate: number | null;
    auditPassed: number | null;
  }[];
}

/** Every day whose last validation found baseline-only hits, by date, with their count. */
export function baselineOnlyDays(db: Db): { date: string; count: number }[] {
  return stmt(
    db,
    'SELECT date, baseline_only_count AS count FROM qc_daily_summary WHERE baseline_only_count > 0 ORDER BY date',
  ).all() as { date: string; count: number }[];
}

/**
 * The mean processing time (s) of the COMPLETE days of [start, end] in qc_daily_summary and how many
 * there are; `seconds` is null when there are none.
 */
export function meanCompleteSeconds(
  db: Db,
  start: string,
  end: string,
): { seconds: number | null; days: number } {
  const r = stmt(
    db,
    "SELECT AVG(processing_time_seconds) AS s, COUNT(*) AS n FROM qc_daily_summary WHERE status = 'COMPLETE' AND date BETWEEN ? AND ?",
  ).get(start, end) as {
    s: number | null;
    n: number;
  };
  return { seconds: r.n > 0 ? r.s : null, days: r.n };
}

/** The validation's figures of a day for qc_daily_summary (see {@link putValidationSummary}). */
export interface ValidationSummary {
  /** `VALIDATED` or `FAILED_<GATE>`. */
  status: string;
  /** Seconds the validation took. */
  seconds: number;
  /** The day's hits per rule (day_completeness; 0 when the day was not scanned). */
  r1: number;
  r2: number;
  r3: number;
  r4: number;
  /** Baseline-only hits; null when the baseline gate did not run. */
  baselineOnly: number | null;
  /** 1 when the audit sample found no miss, 0 when it did, null when the audit gate did not run. */
  auditPassed: number | null;
}

/**
 * Records a validation in qc_daily_summary: a day without a row gets one (the validation's time as
 * its processing time, no requests); an existing row keeps the scan's figures and takes the
 * validation's status, baseline-only count and audit result. Call inside a write transaction.
 */
export function putValidationSummary(db: Db, date: string, v: ValidationSummary): void {
  stmt(
    db,
    `INSERT INTO qc_daily_summary (date, status, processing_time_seconds, r1_hits, r2_hits, r3_hits, r4_hits, baseline_only_count, audit_passed, theta_requests, theta_errors, api_error_rate)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)
     ON CONFLICT(date) DO UPDATE SET status = excluded.status, baseline_only_count = excluded.baseline_only_count, audit_passed = excluded.audit_passed`,
  ).run(date, v.status, v.seconds, v.r1, v.r2, v.r3, v.r4, v.baselineOnly, v.auditPassed);
}

/** One line of SQL an operator can paste to look at a day's completeness row (for reports and help requests). */
export function dayLookupSql(date: string): string {
  return `SELECT * FROM day_completeness WHERE date = '${date}';`;
}

/** One line of SQL an operator can paste to list the days with baseline-only hits. */
export const BASELINE_ONLY_DAYS_SQL = 'SELECT * FROM diffs WHERE baseline_only_count > 0;';
