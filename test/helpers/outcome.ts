/**
 * What a backfill leaves behind, in a comparable form: every table's content (without the columns
 * that record when or how fast something ran, or how many requests it took, which differ between
 * any two runs), every export file byte for byte, the provider-overlap reports, the state file
 * without its timestamp and the task log's month headings. Two runs that scanned the same days the
 * same way give equal outcomes; a lost or duplicated row, file or entry makes them differ.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';

/** Columns left out per table: wall-clock times, durations, request/error counters. */
export const VOLATILE_COLUMNS: Record<string, readonly string[]> = {
  daily_raw_days: ['fetched_at'],
  universe_days: ['pinned_at'],
  splits_fetched: ['fetched_at'],
  pm_cache: ['fetched_at'],
  diffs: ['at'],
  enhanced_audit_log: ['at'],
  day_completeness: [
    'processing_ms',
    'theta_requests',
    'theta_errors',
    'polygon_requests',
    'polygon_errors',
    'stage_ms',
    'updated_at',
  ],
  qc_daily_summary: ['processing_time_seconds', 'theta_requests', 'theta_errors', 'api_error_rate'],
  alerts: ['at', 'acknowledged_at'],
  // the store's random id and creation time; when a market was recorded
  store_meta: ['value'],
  market_identity: ['recorded_at'],
};

/** Every user table as sorted JSON rows (volatile columns dropped). */
export function dumpStore(dbPath: string): Record<string, string[]> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const tables = (
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
    const out: Record<string, string[]> = {};
    for (const t of tables) {
      const skip = new Set(VOLATILE_COLUMNS[t] ?? []);
      const cols = (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[])
        .map((c) => c.name)
        .filter((c) => !skip.has(c));
      const rows = db.prepare(`SELECT ${cols.join(', ')} FROM ${t}`).all() as Record<
        string,
        unknown
      >[];
      out[t] = rows.map((r) => JSON.stringify(cols.map((c) => r[c]))).sort();
    }
    return out;
  } finally {
    db.close();
  }
}

/** Every file under `dir` (relative path -> content), or {} when the folder is absent. */
export function readTree(
  dir: string,
  filter: (rel: string) => boolean = () => true,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const rel = relative(dir, p);
        if (filter(rel)) out[rel] = readFileSync(p, 'utf8');
      }
    }
  };
  walk(dir);
  return out;
}

/** Folders of one run (as in the GAPCTL_* variables). */
export interface RunDirs {
  db: string;
  stateDir: string;
  exportDir: string;
  reportsDir: string;
}

/** A run's outcome, comparable with `expect(a).toEqual(b)`. */
export interface BackfillOutcomeDump {
  store: Record<string, string[]>;
  exports: Record<string, string>;
  overlap: Record<string, string>;
  state: Record<string, unknown>;
  taskLogHeadings: string[];
}

/** Reads a finished run's outcome. */
export function backfillOutcome(d: RunDirs): BackfillOutcomeDump {
  // `store` names the store (its path and random id): it differs between any two stores.
  const {
    updated_at: _u,
    store: _s,
    ...state
  } = JSON.parse(readFileSync(join(d.stateDir, 'current_state.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const taskLog = readFileSync(join(d.stateDir, 'task_log.md'), 'utf8');
  return {
    store: dumpStore(d.db),
    exports: readTree(d.exportDir),
    overlap: readTree(d.reportsDir, (rel) => rel.startsWith('provider_overlap_')),
    state,
    taskLogHeadings: taskLog.match(/^## .*$/gm) ?? [],
  };
}

/** Environment of a CLI child writing into `root` (plain mode: CI set). */
export function runEnv(
  root: string,
  extra: Record<string, string> = {},
): { env: NodeJS.ProcessEnv; dirs: RunDirs } {
  const dirs: RunDirs = {
    db: join(root, 'db', 'scanner.db'),
    stateDir: join(root, 'project_state'),
    exportDir: join(root, 'exports'),
    reportsDir: join(root, 'reports'),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    GAPCTL_DB: dirs.db,
    GAPCTL_STATE_DIR: dirs.stateDir,
    GAPCTL_EXPORT_DIR: dirs.exportDir,
    GAPCTL_REPORTS_DIR: dirs.reportsDir,
    GAPCTL_LOG_DIR: join(root, 'logs'),
    ...extra,
  };
  delete env.GAPCTL_FAILPOINT;
  if (extra.GAPCTL_FAILPOINT) env.GAPCTL_FAILPOINT = extra.GAPCTL_FAILPOINT;
  return { env, dirs };
}
