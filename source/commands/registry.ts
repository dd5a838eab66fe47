/**
 * The one command registry: every gapctl command's name, one-line summary (`gapctl --help`), help
 * text (`gapctl <command> --help`), meow flags and runner. source/cli.ts parses the flags with meow
 * (unknown flags rejected, commands/common.ts checkFlags) and calls `run`; nothing else lists
 * commands. This module stays light: each runner loads its command's modules (the engine, the
 * store, Ink) with a dynamic import when it runs, so `gapctl --help` or `gapctl status` do not load
 * what a backfill needs.
 */
import type { AnyFlags } from 'meow';
import { resolve } from 'node:path';
import { CONFIG_VARIABLES } from '../config/index.js';
import { UsageError } from '../util/errors.js';
import {
  configWith,
  DB_HELP,
  dbPath,
  HEALTH_HELP,
  MARKET_FLAGS,
  MARKET_HELP,
  REPORT_HELP,
} from './help.js';

/** A command the CLI dispatches by name. */
export interface Command {
  /** One line for `gapctl --help`. */
  summary: string;
  /** The text of `gapctl <command> --help`. */
  help: string;
  /** meow flag specs (camelCase names) beyond {@link COMMON_FLAGS}. */
  flags: AnyFlags;
  /**
   * Runs the command with parsed flags and the positional arguments after the command name.
   * @returns the exit code (0 ok, 1 failed run); throws UsageError for a usage error (exit 2).
   */
  run(flags: Record<string, unknown>, input: readonly string[]): Promise<number>;
}

/** Flags every command takes: --market, --db and --help. */
export const COMMON_FLAGS = {
  ...MARKET_FLAGS,
  help: { type: 'boolean', shortFlag: 'h' },
} as const;

/** The flags of `backfill` and `console`. */
const BACKFILL_FLAGS: AnyFlags = {
  start: { type: 'string' },
  end: { type: 'string' },
  mode: { type: 'string' },
  maxMonths: { type: 'number' },
  rerun: { type: 'boolean' },
  validate: { type: 'string' },
  skipPhase0: { type: 'boolean' },
  dryRun: { type: 'boolean' },
  tui: { type: 'boolean', default: true },
  json: { type: 'boolean' },
  bell: { type: 'boolean' },
  keepOpen: { type: 'boolean' },
  headless: { type: 'boolean' },
  follow: { type: 'boolean' },
  attach: { type: 'boolean' },
  readOnly: { type: 'boolean' },
  metricsPort: { type: 'number' },
  metricsHost: { type: 'string' },
  switchMarket: { type: 'boolean' },
  proof: { type: 'boolean', default: true },
};

/** The flags of `scan-day` and `scan-range`. */
const SCAN_FLAGS: AnyFlags = {
  date: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  mode: { type: 'string' },
  switchMarket: { type: 'boolean' },
  proof: { type: 'boolean', default: true },
};

type F = {
  date?: string;
  start?: string;
  end?: string;
  market?: string;
  db?: string;
  out?: string;
};

/** Every command, in `gapctl --help` order. */
export const COMMANDS: Record<string, Command> = {
  backfill: {
    summary: 'backfill a range month by month, in the console (TTY) or as plain lines',
    help: `Usage: gapctl backfill [--start S --end E] [options]

Scans every trading day of the range month by month, exports and validates each month, records
progress in project_state/current_state.json and resumes after the last completed day. Stops on the
first failure. Shows the Ink console on a TTY; plain lines otherwise.

  --start, --end   YYYY-MM-DD (default: resume the state file's range; else, with a replay market,
                   the dataset's span from its 2nd day, said in one line on stderr)
${MARKET_HELP}
  --mode         prefilter | exhaustive (default R1_MODE)
  --max-months N stop after N months
  --rerun        rescan days already COMPLETE
  --validate     spot | all | none (default spot: the 2-3 busiest days of each month)
  --skip-phase0  do not validate a reference day before starting
  --dry-run      print the planned months and days, change nothing
  --no-proof     opt out of the R1 proof for this run (R1_PROOF=off): faster, but the days it scans
                 stay UNPROVEN ("sampled": prefilter and audit only); said at start, in the end
                 line and in gapctl status. A later backfill without it proves them
  --switch-market  record an intended switch of the store to --market from --start on (the days
                 before keep their market; refused when the store holds days from --start on)
  --no-tui       plain lines even on a TTY;  --json  JSON lines;  --bell  ring on a CRITICAL alert
  --keep-open    keep the console open after the range is done (default: exit 0); with --headless:
                 keep the runner up for commands after the backfill ended, until quit or SIGTERM
  --follow       after the range, keep following the market: wait for each new trading day's data
                 (FOLLOW_DUE_ET, or FOLLOW_FLATFILE_DUE_ET the next day with FOLLOW_WAIT_FOR=flatfiles),
                 scan, export and validate it, catch up on days missed while down; status FOLLOWING
                 with next_scan_at in current_state.json. Without --end the range ends at the latest
                 day already due. Ends only on a stop (exit 1) or a halt
  --headless     no console: run under systemd/nohup/tmux; keeps project_state/console/status.json
                 and engine.log, takes commands on project_state/control.sock (mode 0600), ignores
                 SIGHUP, stops cleanly on SIGTERM/SIGINT. Watch it with gapctl console --attach
  --metrics-port N  serve Prometheus metrics on http://127.0.0.1:N/metrics (0: a free port, printed)
  --metrics-host H  address to bind the metrics endpoint (default 127.0.0.1)`,
    flags: BACKFILL_FLAGS,
    run: async (flags) => (await import('./cli-run.js')).runBackfill('backfill', flags),
  },
  console: {
    summary:
      'same as backfill (the console is the default on a TTY); --attach watches a headless one',
    help: `Usage: gapctl console [backfill options]
       gapctl console --attach [--read-only] [--no-tui | --json]

Without --attach: runs \`gapctl backfill\` with the same options.

  --attach       the console of a backfill started with gapctl backfill --headless (same
                 GAPCTL_STATE_DIR): follows project_state/console/status.json and sends keys as
                 commands over project_state/control.sock. Quitting or killing it never stops the
                 backfill; only the quit prompt's "stop" choice sends stop.
  --read-only    attach without control (a second viewer): no command is ever sent
  --no-tui       plain lines even on a TTY;  --json  JSON lines;  --bell  ring on a CRITICAL alert

Exit 1 with one line when no headless runner is there.`,
    flags: BACKFILL_FLAGS,
    run: async (flags) => (await import('./cli-run.js')).runBackfill('console', flags),
  },
  'scan-day': {
    summary: 'scan one trading day',
    help: `Usage: gapctl scan-day --date D [options]

  --date         YYYY-MM-DD trading day
${MARKET_HELP}
  --mode         prefilter | exhaustive (default R1_MODE)
  --no-proof     do not prove the day (R1_PROOF=off): it stays UNPROVEN ("sampled")
  --switch-market  record an intended switch of the store to --market from --date on

The store refuses a market other than the one recorded for the day (one line, exit 1).
Exit 0 when the day is COMPLETE.`,
    flags: SCAN_FLAGS,
    run: async (flags) => (await import('./cli-run.js')).runScan('scan-day', flags),
  },
  'scan-range': {
    summary: 'scan every trading day of a range (no month bookkeeping)',
    help: `Usage: gapctl scan-range --start S --end E [options]

${MARKET_HELP}
  --mode         prefilter | exhaustive (default R1_MODE)
  --no-proof     do not prove the days (R1_PROOF=off): they stay UNPROVEN ("sampled")
  --switch-market  record an intended switch of the store to --market from --start on

The store refuses a market other than the one recorded for the days (one line, exit 1).
Exit 0 when every day is COMPLETE.`,
    flags: SCAN_FLAGS,
    run: async (flags) => (await import('./cli-run.js')).runScan('scan-range', flags),
  },
  config: {
    summary: 'print the effective configuration (secrets redacted)',
    help: `Usage: gapctl config\n\nVariables:\n${Object.keys(CONFIG_VARIABLES)
      .map((k) => `  ${k}`)
      .join('\n')}`,
    flags: {},
    run: async () => (await import('./config.js')).configCommand(),
  },
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
      const {
        checkReplaySpan,
        dateFlag,
        daysOfRange,
        lockStoreToWrite,
        marketFlag,
        rangeFlags,
        tradingDayOnly,
      } = await import('./common.js');
      let days: string[];
      if (f.date !== undefined) {
        if (f.start !== undefined || f.end !== undefined)
          throw new UsageError('give --date or --start/--end, not both');
        days = tradingDayOnly(dateFlag(f.date, 'date'));
      } else {
        const r = rangeFlags(f.start, f.end);
        days = daysOfRange(r.start, r.end);
      }
      await checkReplaySpan(
        marketFlag(f.market ?? cfg.GAPCTL_MARKET),
        days[0]!,
        days[days.length - 1]!,
      );
      const { validateCommand } = await import('./validate.js');
      lockStoreToWrite(dbPath(f.db, cfg), 'validate'); // it writes baseline_hits, diffs, audits, alerts
      // One store, one market: the days are validated against the market that scanned them, never another.
      const { ensureStoreMarket } = await import('../runtime/market-identity.js');
      const { parseMarket } = await import('../runtime/session.js');
      ensureStoreMarket({
        cfg,
        market: parseMarket(f.market ?? cfg.GAPCTL_MARKET),
        dbPath: dbPath(f.db, cfg),
        start: days[0]!,
        end: days[days.length - 1]!,
        log: (l) => process.stdout.write(`${l}\n`),
      });
      return validateCommand({
        cfg,
        days,
        market: f.market ?? cfg.GAPCTL_MARKET,
        dbPath: dbPath(f.db, cfg),
      });
    },
  },
  export: {
    summary:
      'write every export of a range: month folders, discovery hits, next-day outcomes, summary, QA report',
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
    flags: {
      start: { type: 'string' },
      end: { type: 'string' },
      out: { type: 'string' },
      allowMissing: { type: 'boolean' },
    },
    async run(flags) {
      const f = flags as F;
      const cfg = configWith();
      const { rangeFlags } = await import('./common.js');
      const r = rangeFlags(f.start, f.end);
      const { exportCommand } = await import('./export.js');
      return exportCommand({
        dbPath: dbPath(f.db, cfg),
        start: r.start,
        end: r.end,
        outDir: f.out ?? cfg.GAPCTL_EXPORT_DIR,
        reportsDir: cfg.GAPCTL_REPORTS_DIR,
        refuseMissing: !(flags as { allowMissing?: boolean }).allowMissing,
      });
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
      return statusCommand({
        stateDir: resolve(cfg.GAPCTL_STATE_DIR),
        dbPath: dbPath(f.db, cfg),
        json: !!f.json,
      });
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
    summary:
      'weekly / monthly operations report: processing, discoveries, SLA, audits, proof coverage',
    help: REPORT_HELP,
    flags: { end: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
    async run(flags, input) {
      const f = flags as F & { json?: boolean };
      const cfg = configWith();
      const { reportCommand } = await import('./report.js');
      return reportCommand({
        cfg,
        input,
        dbPath: dbPath(f.db, cfg),
        end: f.end,
        out: f.out,
        json: !!f.json,
      });
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
    flags: {
      start: { type: 'string' },
      end: { type: 'string' },
      out: { type: 'string' },
      stooq: { type: 'string' },
      premarket: { type: 'string' },
      name: { type: 'string' },
    },
    async run(flags, input) {
      if (input[0] !== 'import')
        throw new UsageError('usage: gapctl market import --out DIR --start S --end E');
      const f = flags as F & { stooq?: string; premarket?: string; name?: string };
      if (!f.out) throw new UsageError('missing --out DIR');
      const { rangeFlags } = await import('./common.js');
      const r = rangeFlags(f.start, f.end);
      const { importReplay } = await import('../market/replay/index.js');
      const summary = await importReplay({
        stooqDir: resolve(f.stooq ?? '../shared/data/stooq-us-daily-2018-2020'),
        premarketCsv: resolve(
          f.premarket ??
            '../shared/data/polygon-premarket-gappers-2015-2018/gappers_premarket_5min.csv',
        ),
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
