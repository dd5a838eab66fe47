/**
 * Commands beyond the scan and backfill core (validate, export, status, market import), each with its
 * flags, help and runner. The CLI parses their flags with meow (unknown flags rejected) and calls `run`.
 */
import type { AnyFlags } from 'meow';
import { resolve } from 'node:path';
import { MARKET_HELP, configWith, dbPath, dateFlag, lockStoreToWrite, rangeFlags, UsageError, checkReplaySpan, marketFlag } from './common.js';
import { daysOfRange, tradingDayOnly } from './scan.js';
import { DB_HELP } from './db.js';
import { HEALTH_HELP } from './health.js';
import { REPORT_HELP } from './report.js';

/** A command the CLI dispatches by name. */
export interface ExtraCommand {
  summary: string;
  help: string;
  flags: AnyFlags;
  /** Runs the command with parsed flags; resolves to the exit code. */
  run(flags: Record<string, unknown>, input: readonly string[]): Promise<number>;
}


type F = { date?: string; start?: string; end?: string; market?: string; db?: string; out?: string };

/** Commands registered here appear in `gapctl --help`. */
export const extraCommands: Record<string, ExtraCommand> = {
  validate: {
    summary: 'acceptance gates, baseline cross-check and audit of scanned days',
    help: `Usage: gapctl validate --date D | --start S --end E [options]

Runs the gates of the runbooks (basis sanity, rule uniqueness, exchange domain, minimum volume, CSV
shape, PM provenance, R1 health, rule tags), the baseline cross-check (an independent exhaustive pass;
any baseline-only hit is CRITICAL) and the rule-of-three audit. Writes baseline_hits, diffs,
enhanced_audit_log, qc_daily_summary, and on failure FAIL_<GATE>_<date>.md, HELP_REQUEST.md and an alert.

${MARKET_HELP}

Holds the store's lock (refused while a backfill or scan writes it). Exit 0 only when every gate of
every day passed.`,
    flags: { date: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' } },
    async run(flags) {
      const f = flags as F;
      const cfg = configWith();
      let days: string[];
      if (f.date !== undefined) {
        if (f.start !== undefined || f.end !== undefined) throw new UsageError('give --date or --start/--end, not both');
        days = tradingDayOnly(dateFlag(f.date, 'date'));
      } else {
        const r = rangeFlags(f.start, f.end);
        days = daysOfRange(r.start, r.end);
      }
      await checkReplaySpan(marketFlag(f.market ?? cfg.GAPCTL_MARKET), days[0]!, days[days.length - 1]!);
      const { validateCommand } = await import('./validate.js');
      lockStoreToWrite(dbPath(f.db, cfg), 'validate'); // it writes baseline_hits, diffs, audits, alerts
      // One store, one market: the days are validated against the market that scanned them, never another.
      const { ensureStoreMarket } = await import('../runtime/market-identity.js');
      const { parseMarket } = await import('../runtime/session.js');
      ensureStoreMarket({ cfg, market: parseMarket(f.market ?? cfg.GAPCTL_MARKET), dbPath: dbPath(f.db, cfg), start: days[0]!, end: days[days.length - 1]!, log: (l) => process.stdout.write(`${l}\n`) });
      return validateCommand({ cfg, days, market: f.market ?? cfg.GAPCTL_MARKET, dbPath: dbPath(f.db, cfg) });
    },
  },
  export: {
    summary: 'write every export of a range: month folders, discovery hits, next-day outcomes, summary, QA report',
    help: `Usage: gapctl export --start S --end E [--out DIR] [--db PATH]

Writes the same files a backfill over the range leaves, from the store alone (each atomically):
  <out>/YYYY-MM/{discovery_hits,next_day_outcomes,summary,day_completeness}_<ms>_<me>.csv  per month
  <out>/discovery_hits_<start>_<end>.csv, next_day_outcomes_<start>_<end>.csv, summary_<start>_<end>.csv
  <out>/day_completeness.csv
  GAPCTL_REPORTS_DIR/qa_30d_<me>.csv and .txt   the 30-day QA report ending at each month's end

  --out          folder (default GAPCTL_EXPORT_DIR=exports)
  --db           SQLite store (default GAPCTL_DB=db/scanner.db)
  --allow-missing  export even when trading days of the range were never scanned (they are listed;
                   without it: exit 1 with one line listing the runs of never-scanned days, nothing written)

Holds the store's lock (refused while a backfill, scan or validation writes it); reads a store on
read-only media read-only. A missing or corrupt store: one line, exit 1.`,
    flags: { start: { type: 'string' }, end: { type: 'string' }, out: { type: 'string' }, allowMissing: { type: 'boolean' } },
    async run(flags) {
      const f = flags as F;
      const cfg = configWith();
      const r = rangeFlags(f.start, f.end);
      const { exportCommand } = await import('./export.js');
      return exportCommand({ dbPath: dbPath(f.db, cfg), start: r.start, end: r.end, outDir: f.out ?? cfg.GAPCTL_EXPORT_DIR, reportsDir: cfg.GAPCTL_REPORTS_DIR, refuseMissing: !(flags as { allowMissing?: boolean }).allowMissing });
    },
  },
  status: {
    summary: 'where the backfill stands: range, status, days by status, last failure, task log',
    help: `Usage: gapctl status [--json] [--db PATH]

Reads project_state/current_state.json (GAPCTL_STATE_DIR), the store READ-ONLY (not migrated) and
its lock file, and prints: the backfill range, status, market and R1 mode, the last completed
month and day, the range's trading days by status (COMPLETE, FAILED, INCOMPLETE, RETRY_NEEDED,
absent), the last failure (halt reason and day, the latest day not COMPLETE, the newest
unacknowledged alert), whether a backfill is running, the last 20 lines of task_log.md, and the
store's id and the market of its days (each recorded --switch-market with its first day). A state
file that is the backfill of another store (it names its store) is not shown.

  --json         one JSON object with the same data
  --db           SQLite store (default GAPCTL_DB=db/scanner.db)

Exit 0; 1 when the state file or the store is corrupt (one line, nothing changed).`,
    flags: { json: { type: 'boolean' } },
    async run(flags) {
      const f = flags as F & { json?: boolean };
      const cfg = configWith();
      const { statusCommand } = await import('./status.js');
      return statusCommand({ stateDir: resolve(cfg.GAPCTL_STATE_DIR), dbPath: dbPath(f.db, cfg), json: !!f.json });
    },
  },
  health: {
    summary: 'production checks, one line each (ok / warn / critical); exit 0 / 1 / 2',
    help: HEALTH_HELP,
    flags: { json: { type: 'boolean' } },
    async run(flags) {
      const f = flags as F & { json?: boolean };
      const { healthCommand } = await import('./health.js');
      return healthCommand({ market: f.market, db: f.db, json: !!f.json });
    },
  },
  report: {
    summary: 'weekly / monthly operations report: processing, discoveries, SLA, audits, proof coverage',
    help: REPORT_HELP,
    flags: { end: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
    async run(flags, input) {
      const f = flags as F & { json?: boolean };
      const cfg = configWith();
      const { reportCommand } = await import('./report.js');
      return reportCommand({ cfg, input, dbPath: dbPath(f.db, cfg), end: f.end, out: f.out, json: !!f.json });
    },
  },
  db: {
    summary: 'database care: backup, restore, check, optimize, stats',
    help: DB_HELP,
    flags: { to: { type: 'string' }, json: { type: 'boolean' } },
    async run(flags, input) {
      const f = flags as F & { to?: string; json?: boolean };
      const cfg = configWith();
      const { dbCommand } = await import('./db.js');
      return dbCommand({ cfg, input, dbPath: dbPath(f.db, cfg), to: f.to, json: !!f.json });
    },
  },
  market: {
    summary: 'embedded market tools: `market import` builds a replay dataset',
    help: `Usage: gapctl market import --out DIR --start S --end E [--stooq DIR] [--premarket CSV] [--name NAME]

Builds a replay dataset from the real data in ../shared/data (stooq daily files and the Polygon
premarket gappers file), premarket bars rescaled to the daily basis. See db/market/README.md.`,
    flags: { start: { type: 'string' }, end: { type: 'string' }, out: { type: 'string' }, stooq: { type: 'string' }, premarket: { type: 'string' }, name: { type: 'string' } },
    async run(flags, input) {
      if (input[0] !== 'import') throw new UsageError('usage: gapctl market import --out DIR --start S --end E');
      const f = flags as F & { stooq?: string; premarket?: string; name?: string };
      if (!f.out) throw new UsageError('missing --out DIR');
      const r = rangeFlags(f.start, f.end);
      const { importReplay } = await import('../market/replay/index.js');
      const summary = await importReplay({
        stooqDir: resolve(f.stooq ?? '../shared/data/stooq-us-daily-2018-2020'),
        premarketCsv: resolve(f.premarket ?? '../shared/data/polygon-premarket-gappers-2015-2018/gappers_premarket_5min.csv'),
        start: r.start,
        end: r.end,
        outDir: resolve(f.out),
        name: f.name ?? `${r.start}_${r.end}`,
      });
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      return 0;
    },
  },
};
