/**
 * Per-day artifacts in project_state/artifacts/ (docs/domain.md section 6): the append-only stage log
 * `scan_<date>.log`, `pm_diag_<date>.json`, `miss_audit_filters_<date>.json`, and the
 * `db/reports/provider_overlap_<date>.csv` report.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../store/state-files.js';
import { redact } from '../util/redact.js';
import { withPath } from '../util/fs-errors.js';

/** Path of a day's stage log. */
export function scanLogPath(stateDir: string, date: string): string {
  return join(stateDir, 'artifacts', `scan_${date}.log`);
}

/**
 * Appends lines to a day's stage log, each prefixed with the UTC ISO 8601 time; secrets redacted.
 * Returns the line as written (without newline).
 * @throws Error naming the log file when it cannot be appended to (a full disk: ENOSPC).
 */
export function appendDayLog(
  stateDir: string,
  date: string,
  line: string,
  nowMs = Date.now(),
): string {
  const dir = join(stateDir, 'artifacts');
  mkdirSync(dir, { recursive: true });
  const full = `${new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z')} ${redact(line)}`;
  const path = scanLogPath(stateDir, date);
  try {
    appendFileSync(path, full + '\n');
  } catch (e) {
    throw withPath(e, path);
  }
  return full;
}

/** Writes a JSON artifact of a day atomically: `<stateDir>/artifacts/<name>_<date>.json`. */
export function writeDayJson(stateDir: string, name: string, date: string, data: unknown): string {
  const path = join(stateDir, 'artifacts', `${name}_${date}.json`);
  writeFileAtomic(path, JSON.stringify(data, null, 2) + '\n');
  return path;
}

/** One row of provider_overlap_<date>.csv (0/1 flags). */
export interface OverlapRow {
  symbol: string;
  hit: boolean;
  r1: boolean;
  r2: boolean;
  r3: boolean;
  r4: boolean;
  thetaUsed: boolean;
  polygonUsed: boolean;
  splitWindow: boolean;
}

/** Writes db/reports/provider_overlap_<date>.csv atomically (csv-stringify). */
export function writeProviderOverlap(
  reportsDir: string,
  date: string,
  rows: readonly OverlapRow[],
): string {
  const path = join(reportsDir, `provider_overlap_${date}.csv`);
  const b = (x: boolean) => (x ? 1 : 0);
  const csv = stringify(
    rows.map((r) => [
      r.symbol,
      date,
      b(r.hit),
      b(r.r1),
      b(r.r2),
      b(r.r3),
      b(r.r4),
      b(r.thetaUsed),
      b(r.polygonUsed),
      b(r.splitWindow),
    ]),
    {
      header: true,
      columns: [
        'symbol',
        'date',
        'hit',
        'r1_hit',
        'r2_hit',
        'r3_hit',
        'r4_hit',
        'theta_used',
        'polygon_used',
        'split_window_flag',
      ],
    },
  );
  writeFileAtomic(path, csv);
  return path;
}
