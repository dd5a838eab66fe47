#!/usr/bin/env node
/**
 * gapctl command line: meow turns flags into a command; no logic here. Every command has --help.
 * Bad input is one line on stderr and a non-zero exit (2 for usage, 1 for a failed run).
 */
import meow from 'meow';
import { CONFIG_VARIABLES } from './config/index.js';
import { configCommand } from './commands/config.js';
import { lockStoreToWrite, MARKET_HELP, configWith, dbPath, isOperatorError, modeFlag, rangeFlags, dateFlag, UsageError, MARKET_FLAGS, checkFlags, checkReplaySpan, marketFlag, consoleOutput } from './commands/common.js';
import { daysOfRange, scanCommand, tradingDayOnly } from './commands/scan.js';
import { backfillCommand, followRangeEnd } from './commands/backfill.js';
import { openReplay } from './market/replay/index.js';
import { parseMarket } from './runtime/session.js';
import { extraCommands } from './commands/registry.js';
import { errorLine } from './util/errors.js';
import { attachFromFlags } from './commands/attach.js';
import { resolve } from 'node:path';
import { dryRunLines, dryRunPlan, resolveBackfillRange } from './commands/backfill-plan.js';
import { ensureStoreMarket, readStoreRef } from './runtime/market-identity.js';
import { createAppLog } from './runtime/app-log.js';
import type { Config } from './config/index.js';
import { PROOF_OFF_NOTICE } from './runtime/plain-printer.js';


/** Per-command help texts (the README documents the same). */
export const COMMANDS: Record<string, { summary: string; help: string }> = {
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
  },
  console: {
    summary: 'same as backfill (the console is the default on a TTY); --attach watches a headless one',
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
  },
  config: { summary: 'print the effective configuration (secrets redacted)', help: `Usage: gapctl config\n\nVariables:\n${Object.keys(CONFIG_VARIABLES).map((k) => `  ${k}`).join('\n')}` },
  ...Object.fromEntries(Object.entries(extraCommands).map(([k, v]) => [k, { summary: v.summary, help: v.help }])),
};

const MAIN_HELP = `gapctl: zero-miss gap scanner for US equities and its operations console

Usage: gapctl <command> [options]     gapctl <command> --help

Commands:
${Object.entries(COMMANDS)
  .map(([k, v]) => `  ${k.padEnd(12)} ${v.summary}`)
  .join('\n')}

npm start   = gapctl backfill over the bundled real 2018 sample (replay market)
Configuration: environment variables or .env (see gapctl config and README.md).`;

const COMMON_FLAGS = {
  ...MARKET_FLAGS,
  help: { type: 'boolean', shortFlag: 'h' },
} as const;

function parse<F extends Record<string, unknown>>(argv: string[], flags: F, help: string) {
  const cli = meow(help, {
    importMeta: import.meta,
    argv,
    flags: { ...COMMON_FLAGS, ...flags } as never,
    allowUnknownFlags: true,
    autoHelp: false,
    autoVersion: false,
  });
  // One line for an unknown flag (as typed), a flag without its value, or a bad --market.
  checkFlags(argv, { ...COMMON_FLAGS, ...flags }, cli.flags as Record<string, unknown>);
  if ((cli.flags as { help?: boolean }).help) {
    process.stdout.write(help + '\n');
    process.exit(0);
  }
  return cli;
}

/** Where the one line about a store's market (recorded, adopted, switched) goes: stdout and the application log. */
function logNotice(cfg: Config): (line: string) => void {
  const appLog = createAppLog(cfg.GAPCTL_LOG_DIR, [cfg.POLYGON_API_KEY, cfg.FMP_API_KEY]);
  return (line) => {
    appLog(`[store] ${line}`);
    process.stdout.write(`${line}\n`);
  };
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(MAIN_HELP + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    process.stdout.write('gapctl 0.1.0\n');
    return 0;
  }
  const spec = COMMANDS[cmd];
  if (!spec) throw new UsageError(`unknown command "${cmd}" (gapctl --help lists them)`);

  switch (cmd) {
    case 'config': {
      parse(rest, {}, spec.help);
      return configCommand();
    }
    case 'scan-day':
    case 'scan-range': {
      const cli = parse(rest, { date: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, mode: { type: 'string' }, switchMarket: { type: 'boolean' }, proof: { type: 'boolean', default: true } }, spec.help);
      const f = cli.flags as { date?: string; start?: string; end?: string; mode?: string; market?: string; db?: string; switchMarket?: boolean; proof: boolean };
      // --no-proof: R1_PROOF=off for this run only.
      const cfg = configWith(f.proof ? {} : { R1_PROOF: 'off' });
      if (!f.proof) process.stdout.write(`${PROOF_OFF_NOTICE}\n`);
      const days = cmd === 'scan-day' ? tradingDayOnly(dateFlag(f.date, 'date')) : (() => {
        const r = rangeFlags(f.start, f.end);
        return daysOfRange(r.start, r.end);
      })();
      await checkReplaySpan(marketFlag(f.market ?? cfg.GAPCTL_MARKET), days[0]!, days[days.length - 1]!);
      lockStoreToWrite(dbPath(f.db, cfg), cmd);
      // One store, one market: refused (nothing written) when the store holds another market for these days.
      ensureStoreMarket({ cfg, market: marketFlag(f.market ?? cfg.GAPCTL_MARKET), dbPath: dbPath(f.db, cfg), start: days[0]!, end: days[days.length - 1]!, switchMarket: f.switchMarket, log: logNotice(cfg) });
      return scanCommand({ cfg, days, market: f.market ?? cfg.GAPCTL_MARKET, dbPath: dbPath(f.db, cfg), mode: modeFlag(f.mode) });
    }
    case 'backfill':
    case 'console': {
      const cli = parse(
        rest,
        {
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
        },
        spec.help,
      );
      const f = cli.flags as {
        start?: string; end?: string; mode?: string; maxMonths?: number; rerun?: boolean; validate?: string;
        skipPhase0?: boolean; dryRun?: boolean; tui: boolean; json?: boolean; bell?: boolean; keepOpen?: boolean; market?: string; db?: string;
        headless?: boolean; attach?: boolean; readOnly?: boolean; metricsPort?: number; metricsHost?: string; follow?: boolean; switchMarket?: boolean;
        proof: boolean;
      };
      // --no-proof: R1_PROOF=off for this run (the engine worker gets it in the job's env).
      const proofOff = !f.proof;
      const cfg = configWith(proofOff ? { R1_PROOF: 'off' } : {});
      if (f.attach || f.readOnly) return attachFromFlags(cmd, f, cfg);
      if (f.headless && cmd !== 'backfill') throw new UsageError('--headless belongs to gapctl backfill (gapctl console --attach watches it)');
      let market = f.market ?? cfg.GAPCTL_MARKET;
      const parsedMarket = parseMarket(market);
      // The range: --start/--end, else a resume from current_state.json, else the replay dataset's span.
      // --follow --start S without --end: the range ends at the latest trading day whose data is due now.
      const followEnd = f.follow && f.start !== undefined && f.end === undefined ? followRangeEnd(cfg) : undefined;
      const range = await resolveBackfillRange({ start: f.start, end: f.end ?? followEnd }, resolve(cfg.GAPCTL_STATE_DIR), async () => {
        if (parsedMarket.kind !== 'replay') return null;
        const src = await openReplay(parsedMarket.path);
        return src.span ?? null;
      }, () => readStoreRef(dbPath(f.db, cfg)));
      if (f.maxMonths !== undefined && !(Number.isInteger(f.maxMonths) && f.maxMonths > 0)) throw new UsageError('--max-months takes a whole number >= 1');
      const metrics = metricsFlags(f.metricsPort, f.metricsHost);
      if (f.validate !== undefined && !['spot', 'all', 'none'].includes(f.validate)) throw new UsageError(`bad --validate "${f.validate}": expected spot, all or none`);
      // A resume keeps the interrupted run's market, R1 mode and validation unless the flags change them.
      const resumed = range.from === 'state' ? range.state : null;
      if (resumed?.market_spec && f.market === undefined) market = resumed.market_spec;
      const validate = (f.validate ?? resumed?.validate) as 'spot' | 'all' | 'none' | undefined;
      const mode = modeFlag(f.mode ?? (resumed?.r1_mode === 'exhaustive' ? 'exhaustive' : undefined));
      // A replay dataset serves only its span: a range outside it is refused before anything runs.
      await checkReplaySpan(marketFlag(market), range.start, range.end);
      if (range.from === 'dataset') {
        process.stderr.write(`gapctl: no --start/--end and no backfill to resume here: backfilling the replay dataset's span ${range.start}..${range.end} (give --start S --end E for another range)\n`);
      }
      const marketCheck = { cfg, market: marketFlag(market), dbPath: dbPath(f.db, cfg), start: range.start, end: range.end, switchMarket: f.switchMarket };
      if (f.dryRun) {
        ensureStoreMarket({ ...marketCheck, checkOnly: true });
        if (range.notice) process.stdout.write(`${range.notice}\n`);
        // With proofs on (no --no-proof), COMPLETE days that are not proven are planned as to scan (the backfill proves them).
        const plan = dryRunPlan(dbPath(f.db, cfg), range.start, range.end, !!f.rerun, cfg.R1_PROOF === 'auto');
        for (const l of dryRunLines(plan, range, { rerun: f.rerun, validate, maxMonths: f.maxMonths, market })) process.stdout.write(l + '\n');
        return 0;
      }
      // One writer per store: a second one started on the same database stops here, nothing
      // written; so does a store that cannot be written (named in the message). The lock is released
      // when this process exits (a SIGKILL leaves a stale lock that the next run takes over).
      lockStoreToWrite(dbPath(f.db, cfg), 'backfill');
      // One store, one market: refused (nothing written) when the store holds another market for the range.
      ensureStoreMarket({ ...marketCheck, log: logNotice(cfg) });
      if (range.notice) logNotice(cfg)(range.notice);
      const { output, color } = consoleOutput(f);
      return backfillCommand({
        cfg,
        job: {
          kind: 'backfill',
          start: range.start,
          end: range.end,
          market,
          dbPath: dbPath(f.db, cfg),
          maxMonths: f.maxMonths,
          rerun: f.rerun,
          mode,
          validate,
          skipPhase0: f.skipPhase0,
          follow: f.follow,
          ...(proofOff ? { env: { R1_PROOF: 'off' } } : {}),
        },
        output,
        bell: f.bell,
        keepOpen: f.keepOpen,
        headless: f.headless,
        metrics,
        color,
      });
    }
    default: {
      const extra = extraCommands[cmd];
      if (!extra) throw new UsageError(`unknown command "${cmd}"`);
      const cli = parse(rest, extra.flags, spec.help);
      return extra.run(cli.flags as Record<string, unknown>, cli.input.slice(0));
    }
  }
}

/**
 * `--metrics-port N [--metrics-host H]` as the backfill's metrics option (undefined when no port).
 * @throws UsageError for a port outside 0-65535, or --metrics-host without --metrics-port.
 */
function metricsFlags(port: number | undefined, host: string | undefined): { port: number; host: string } | undefined {
  if (port === undefined) {
    if (host !== undefined) throw new UsageError('--metrics-host needs --metrics-port N');
    return undefined;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--metrics-port takes a port number 0-65535 (0: a free one)');
  if (host !== undefined && !host.trim()) throw new UsageError('--metrics-host takes an address, e.g. 127.0.0.1 or 0.0.0.0');
  return { port, host: host ?? '127.0.0.1' };
}

/**
 * A reader that went away (`gapctl status | head -1`) ends the command quietly, without a stack
 * trace: on EPIPE on stdout the rest of the output is dropped; a command that stops cleanly on a
 * signal (backfill, scan, validate: they listen for SIGTERM) gets one SIGTERM and ends as a stop
 * does (exit 1, the stopped day left absent); any other finishes its work silently and exits with
 * its own code (status 0; a `market import` or `db backup` is never cut half-way, and nothing
 * reports success it did not have). An EPIPE on stderr is ignored (there is nowhere left to say
 * anything). The headless runner and `console --attach` install their own stdout error listener
 * (they keep running when their terminal vanishes); this one then stands aside.
 */
function exitQuietlyOnClosedPipe(): void {
  const closedPipe = (e: NodeJS.ErrnoException): boolean => e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED';
  let seen = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (!closedPipe(e)) throw e;
    if (seen || process.stdout.listenerCount('error') > 1) return;
    seen = true;
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
  });
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (!closedPipe(e)) throw e;
  });
}

exitQuietlyOnClosedPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const msg = errorLine(e);
    process.stderr.write(`gapctl: ${msg}\n`);
    if (!isOperatorError(e) && process.env.GAPCTL_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = e instanceof UsageError || (e instanceof Error && e.name === 'ConfigError') ? 2 : 1;
  },
);
