/**
 * The light part of the command line: help texts, the flags every command takes, the config and
 * --db helpers and the operator-error test. It imports nothing heavy (no store, engine or Ink), so
 * the command registry (commands/registry.ts) and `gapctl --help` load only this and meow.
 */
import { resolve } from 'node:path';
import { loadConfig, type Config, type ConfigName } from '../config/index.js';

/** Help lines of the flags every engine command takes (--market, --db). */
export const MARKET_HELP = `  --market, -m   replay[:PATH] | sim[:SEED] | live   (default GAPCTL_MARKET=replay: the bundled 2018 sample)
  --db           SQLite store (default GAPCTL_DB=db/scanner.db)`;

/** Flags every engine command takes. */
export const MARKET_FLAGS = {
  market: { type: 'string', shortFlag: 'm' },
  db: { type: 'string' },
} as const;

/** Help of `gapctl db`. */
export const DB_HELP = `Usage: gapctl db backup [--to DIR] [--db PATH] [--json]
       gapctl db restore FILE [--db PATH] [--json]
       gapctl db check | optimize | stats [--db PATH] [--json]

  backup     online copy with SQLite's backup API (safe while a backfill runs), verified with
             integrity_check before it counts, saved as <dir>/scanner-YYYYMMDDTHHMMSSZ.db; then
             retention: BACKUP_KEEP newest, none older than BACKUP_MAX_AGE_DAYS
  restore    verifies FILE (integrity_check, a gapctl store of a known schema), refuses while a
             backfill or scan holds the store's lock, keeps the replaced store as
             <db>.replaced-<stamp> (with its -wal/-shm) and puts FILE in place
  check      integrity_check and foreign_key_check (read-only); exit 1 on any problem
  optimize   ANALYZE and PRAGMA optimize; VACUUM only when no writer holds the lock
  stats      size per table and index (dbstat), rows, file and WAL sizes, schema version

  --to       backup folder (default BACKUP_DIR=db/backups)
  --db       SQLite store (default GAPCTL_DB=db/scanner.db)
  --json     one JSON object instead of lines`;

/** Help of `gapctl health`. */
export const HEALTH_HELP = `Usage: gapctl health [--json] [--market M] [--db PATH]

Read-only checks of a production install, one line each (ok / warn / critical) after a summary
line: configuration, API keys (redacted; none needed on an embedded market), Polygon reachable and
the key accepted, Theta Terminal v3 and v1 reachable and their MDDS status, Flat Files when configured, the store
(quick_check, schema version, WAL size), free disk at the store, exports and logs folders, the lock
holder, the last COMPLETE day against the calendar, SLA over the last 30 scanned trading days,
baseline-only hits (must be 0), audits, and the age of the newest backup. Each probe has its own
timeout (HEALTH_TIMEOUT_SEC); thresholds HEALTH_DISK_WARN_MB, HEALTH_DISK_CRIT_MB,
HEALTH_BACKUP_MAX_AGE_HOURS, SLA_MAX_PROCESSING_SEC, SLA_MAX_ERROR_RATE.

  --market, -m   replay[:PATH] | sim[:SEED] | live   (default GAPCTL_MARKET; an embedded market is
                 started and probed like the real services)
  --db           SQLite store (default GAPCTL_DB=db/scanner.db)
  --json         one JSON object: {level, exitCode, checks: [{name, level, message}], ms}

Exit 0 ok, 1 warn, 2 critical (the worst check), as monitoring plugins expect.`;

/** Help of `gapctl report`. */
export const REPORT_HELP = `Usage: gapctl report weekly|monthly [--end D] [--out DIR] [--json] [--db PATH]

The runbooks' weekly (the 5 trading days ending at D) and monthly (D's month up to D) routines:
processing minutes per day with a sparkline, discoveries per rule, hits per day with a sparkline,
baseline-only count, audit pass rate, API error rate (Theta + Polygon), SLA breaches
(SLA_MAX_PROCESSING_SEC, SLA_MAX_ERROR_RATE) and proof coverage (exhaustive / baseline /
sampled = not a proof / absent), then one line per day. Reads the store only.

  --end          last day (default: the newest scanned day)
  --out          folder of report_<period>_<end>.csv and .txt (default GAPCTL_REPORTS_DIR)
  --json         one JSON object instead of the text
  --db           SQLite store (default GAPCTL_DB=db/scanner.db)`;

/** Loads the config with command-line overrides. @throws ConfigError (one line). */
export function configWith(overrides: Partial<Record<ConfigName, string>> = {}): Config {
  return loadConfig(undefined, overrides);
}

/** The --db value or GAPCTL_DB, resolved against the working directory. */
export function dbPath(flag: string | undefined, cfg: Config): string {
  return resolve(flag ?? cfg.GAPCTL_DB);
}

/** True for errors whose message is meant for the operator as is (no stack). */
export function isOperatorError(e: unknown): e is Error {
  return (
    e instanceof Error &&
    [
      'UsageError',
      'ConfigError',
      'CalendarError',
      'StoreError',
      'StateFileError',
      'ProviderError',
      'LockError',
      'ControlSocketError',
      'AttachError',
    ].includes(e.name)
  );
}
