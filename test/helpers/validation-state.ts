/**
 * A day's validation state as tests compare it before and after a stopped validation: the rows a
 * validation writes (qc_daily_summary, diffs, baseline_hits, enhanced_audit_log, gate_results, the
 * day's day_completeness row), every alert, and the FAIL_*.md / HELP_REQUEST.md files of the state folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import Database from 'better-sqlite3';

type Db = InstanceType<typeof Database>;

/** Everything a validation of `date` could change, as plain data (deep-equal comparable). */
export interface ValidationState {
  qc: unknown;
  diffs: unknown;
  baseline: unknown[];
  audit: unknown;
  gates: unknown[];
  day: unknown;
  alerts: unknown[];
  files: string[];
}

/**
 * Gives `date` (already scanned) a recognisable earlier validation: VALIDATED in qc_daily_summary,
 * a diffs row, a baseline_hits row and a gate_results row marked `prior`, and an audit bound of 0.123.
 */
export function seedPriorValidation(db: Db, date: string): void {
  db.prepare(
    `INSERT INTO qc_daily_summary (date, status, processing_time_seconds, r1_hits, r2_hits, r3_hits, r4_hits, baseline_only_count, audit_passed, theta_requests, theta_errors, api_error_rate)
     VALUES (?, 'VALIDATED', 1.5, 1, 2, 3, 4, 0, 1, 0, 0, 0)
     ON CONFLICT(date) DO UPDATE SET status = 'VALIDATED', baseline_only_count = 0, audit_passed = 1`,
  ).run(date);
  db.prepare(
    "INSERT OR REPLACE INTO diffs (date, overlap_count, discovery_only_count, baseline_only_count, detail, at) VALUES (?, 7, 0, 0, '{\"prior\":true}', '2000-01-01T00:00:00.000Z')",
  ).run(date);
  db.prepare('DELETE FROM baseline_hits WHERE date = ?').run(date);
  db.prepare(
    "INSERT INTO baseline_hits (date, symbol, event_type, pct_value) VALUES (?, 'PRIOR', 'OPEN_GAP_50', 55.5)",
  ).run(date);
  db.prepare('UPDATE enhanced_audit_log SET miss_rate_upper_95 = 0.123 WHERE date = ?').run(date);
  db.prepare('DELETE FROM gate_results WHERE date = ?').run(date);
  db.prepare(
    "INSERT INTO gate_results (date, seq, gate, passed, message) VALUES (?, 1, 'PRIOR', 1, 'prior')",
  ).run(date);
}

/** Opens `dbPath` (or uses an open connection) and reads the validation state of `date`. */
export function readValidationState(
  dbOrPath: Db | string,
  stateDir: string,
  date: string,
): ValidationState {
  const db = typeof dbOrPath === 'string' ? new Database(dbOrPath, { readonly: true }) : dbOrPath;
  try {
    const files = existsSync(stateDir)
      ? readdirSync(stateDir)
          .filter((f) => /^FAIL_/.test(f) || f === 'HELP_REQUEST.md')
          .sort()
      : [];
    return {
      qc: db.prepare('SELECT * FROM qc_daily_summary WHERE date = ?').get(date) ?? null,
      diffs: db.prepare('SELECT * FROM diffs WHERE date = ?').get(date) ?? null,
      baseline: db
        .prepare('SELECT * FROM baseline_hits WHERE date = ? ORDER BY symbol, event_type')
        .all(date),
      audit: db.prepare('SELECT * FROM enhanced_audit_log WHERE date = ?').get(date) ?? null,
      gates: db.prepare('SELECT * FROM gate_results WHERE date = ? ORDER BY seq').all(date),
      day: db.prepare('SELECT * FROM day_completeness WHERE date = ?').get(date) ?? null,
      alerts: db.prepare('SELECT * FROM alerts ORDER BY id').all(),
      files,
    };
  } finally {
    if (typeof dbOrPath === 'string') db.close();
  }
}
