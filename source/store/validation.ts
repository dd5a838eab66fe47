/**
 * The validation's and the audits' tables: `baseline_hits` (what the independent baseline found,
 * one row per symbol and rule, percent), `diffs` (the baseline against the scan: counts and the
 * baseline-only hits as JSON), `enhanced_audit_log` (the random audit sample and its rule-of-three
 * bound, a ratio), `miss_audit` (each audited symbol and whether the scan missed it) and
 * `gate_results` (each gate a validation ran, in order, with its verdict; schema migration 6).
 * The scan writes miss_audit and enhanced_audit_log in Store.commitDay; engine/validate.ts writes
 * the rest, in its one final transaction. Dates are trading dates YYYY-MM-DD.
 *
 * Every function takes an open connection (Store.db, or a read-only one) and throws the driver's
 * SqliteError when the store lacks a table read (a file that is not a gapctl store), except
 * {@link gateResults}, which reads [] on a store older than its table.
 */
import { nowIso, schemaVersion, stmt, type Db } from './db.js';
import { STORE_QUERIES } from './queries.js';

/** Schema version from which gate results are stored (schema.ts migration 6). */
export const GATE_RESULTS_SCHEMA = 6;

// ---- enhanced_audit_log, miss_audit -----------------------------------------------------------

/** One row of the miss audit (docs/domain.md step 9 and the audit sample). */
export interface MissAuditRow {
  symbol: string;
  auditType: string;
  missedInitially: boolean;
  ruleTriggered: string | null;
  ruleValue: number | null;
}

/** The enhanced audit of one day: sample size, misses, 95% upper bound of the miss rate (ratio), passed 1/0, when (ISO). */
export interface AuditRecord {
  sample_size: number;
  misses: number;
  miss_rate_upper_95: number | null;
  audit_passed: number;
  at: string | null;
}

/** The enhanced_audit_log row of `date`, or undefined when the day has none. */
export function auditRecord(db: Db, date: string): AuditRecord | undefined {
  return stmt(
    db,
    'SELECT sample_size, misses, miss_rate_upper_95, audit_passed, at FROM enhanced_audit_log WHERE date = ?',
  ).get(date) as AuditRecord | undefined;
}

/**
 * Records the validation's verdict on the day's audit sample: the 95% upper bound of the miss rate
 * (ratio, null when unknown) and whether it passed (no miss). Call inside a write transaction.
 */
export function setAuditVerdict(
  db: Db,
  date: string,
  upper95: number | null,
  passed: boolean,
): void {
  stmt(
    db,
    'UPDATE enhanced_audit_log SET miss_rate_upper_95 = ?, audit_passed = ? WHERE date = ?',
  ).run(upper95, passed ? 1 : 0, date);
}

/**
 * The symbols of `date`'s random audit sample (miss_audit, audit_type `random_sample`) that were R1
 * hits outside the prefilter (missed_initially = 1), sorted. Written by the scan (Store.commitDay).
 */
export function auditSampleMissSymbols(db: Db, date: string): string[] {
  return (
    stmt(
      db,
      "SELECT symbol FROM miss_audit WHERE date = ? AND audit_type = 'random_sample' AND missed_initially = 1 ORDER BY symbol",
    ).all(date) as { symbol: string }[]
  ).map((r) => r.symbol);
}

/** The miss audit rows of `date` by symbol: symbol and whether the scan missed it at first (1/0). */
export function missAuditRecords(
  db: Db,
  date: string,
): { symbol: string; missed_initially: number }[] {
  return stmt(db, STORE_QUERIES.missAudit).all(date) as {
    symbol: string;
    missed_initially: number;
  }[];
}

// ---- baseline_hits, diffs ---------------------------------------------------------------------

/** One hit of the independent baseline: symbol, stored rule code, value in percent. */
export interface BaselineHitRecord {
  symbol: string;
  rule: string;
  pct: number;
}

/** The diffs row of one day: the baseline against the scan. */
export interface DiffRecord {
  overlap_count: number;
  discovery_only_count: number;
  baseline_only_count: number;
  /** JSON: `{ baseline_only: [{symbol, rule, pct}], universe, premarket_requests, ... }`. */
  detail: string | null;
  /** When the validation recorded it (ISO). */
  at: string | null;
}

/** The diffs row of `date`, or undefined when the day was never cross-checked. */
export function diffRecord(db: Db, date: string): DiffRecord | undefined {
  return stmt(
    db,
    'SELECT overlap_count, discovery_only_count, baseline_only_count, detail, at FROM diffs WHERE date = ?',
  ).get(date) as DiffRecord | undefined;
}

/**
 * Replaces the baseline of `date`: its baseline_hits rows become `hits`, and its diffs row the
 * counts and `detail` (any JSON-able object, stored as JSON) stamped now. Call inside a write
 * transaction.
 */
export function putBaseline(
  db: Db,
  date: string,
  hits: readonly BaselineHitRecord[],
  diff: { overlap: number; discoveryOnly: number; baselineOnly: number; detail: unknown },
): void {
  stmt(db, 'DELETE FROM baseline_hits WHERE date = ?').run(date);
  const ins = stmt(
    db,
    'INSERT INTO baseline_hits (date, symbol, event_type, pct_value) VALUES (?, ?, ?, ?)',
  );
  for (const h of hits) ins.run(date, h.symbol, h.rule, h.pct);
  stmt(
    db,
    'INSERT OR REPLACE INTO diffs (date, overlap_count, discovery_only_count, baseline_only_count, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    date,
    diff.overlap,
    diff.discoveryOnly,
    diff.baselineOnly,
    JSON.stringify(diff.detail),
    nowIso(),
  );
}

/** Lines of SQL an operator can paste to look at a day's baseline (for the FAIL report). */
export function baselineLookupSql(date: string): string[] {
  return [
    `SELECT * FROM diffs WHERE date = '${date}';`,
    `SELECT * FROM baseline_hits WHERE date = '${date}';`,
  ];
}

// ---- gate_results -----------------------------------------------------------------------------

/** One gate of a validation as stored: its name, whether it passed, its message (`ok` when it passed). */
export interface GateRecord {
  gate: string;
  passed: boolean;
  message: string;
}

/**
 * Replaces the gate results of `date` with `gates` in the order given (the order they ran; a
 * validation stops at its first failed gate, so only the gates that ran are listed). Call inside
 * the validation's write transaction.
 * @throws the driver's SqliteError on a store older than schema migration 6 (a writer always migrates first).
 */
export function putGateResults(db: Db, date: string, gates: readonly GateRecord[]): void {
  stmt(db, 'DELETE FROM gate_results WHERE date = ?').run(date);
  const ins = stmt(
    db,
    'INSERT INTO gate_results (date, seq, gate, passed, message) VALUES (?, ?, ?, ?, ?)',
  );
  gates.forEach((g, i) => ins.run(date, i + 1, g.gate, g.passed ? 1 : 0, g.message));
}

/**
 * The gate results of the last validation of `date`, in the order they ran; [] when none are stored:
 * the day was never validated, its validation predates schema migration 6 (see that migration), or
 * the store is older than the table (opened read-only, not migrated).
 */
export function gateResults(db: Db, date: string): GateRecord[] {
  if (schemaVersion(db) < GATE_RESULTS_SCHEMA) return [];
  return (
    stmt(db, 'SELECT gate, passed, message FROM gate_results WHERE date = ? ORDER BY seq').all(
      date,
    ) as { gate: string; passed: number; message: string }[]
  ).map((r) => ({
    gate: r.gate,
    passed: r.passed === 1,
    message: r.message,
  }));
}
