/**
 * The runners of the scan and backfill commands (scan-day, scan-range, backfill, console): their
 * flags (parsed by commands/cli-main.ts from the registry's specs) checked and turned into a job.
 * Loaded with a dynamic import by commands/registry.ts only when one of these commands runs. The
 * checks of the flags alone come first and load nothing heavy; the engine, the store, the replay
 * loader and the logger are imported only once the command line has passed them, so a usage error
 * costs no module it does not need.
 */
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { PROOF_OFF_NOTICE } from '../runtime/plain-printer.js';
import { parseMarket } from '../runtime/market-spec.js';
import {
  checkReplaySpan,
  configWith,
  consoleOutput,
  dateFlag,
  daysOfRange,
  dbPath,
  lockStoreToWrite,
  marketFlag,
  modeFlag,
  rangeFlags,
  tradingDayOnly,
  UsageError,
} from './common.js';

/** Where the one line about a store's market (recorded, adopted, switched) goes: stdout and the application log. */
async function logNotice(cfg: Config): Promise<(line: string) => void> {
  const { createAppLog } = await import('../runtime/app-log.js');
  const appLog = createAppLog(cfg.GAPCTL_LOG_DIR, [cfg.POLYGON_API_KEY, cfg.FMP_API_KEY]);
  return (line) => {
    appLog(`[store] ${line}`);
    process.stdout.write(`${line}\n`);
  };
}

/**
 * `gapctl scan-day` / `gapctl scan-range` with meow's parsed flags.
 * @returns the exit code: 0 when every day is COMPLETE. @throws UsageError for bad flags.
 */
export async function runScan(
  cmd: 'scan-day' | 'scan-range',
  flags: Record<string, unknown>,
): Promise<number> {
  const f = flags as {
    date?: string;
    start?: string;
    end?: string;
    mode?: string;
    market?: string;
    db?: string;
    switchMarket?: boolean;
    proof: boolean;
  };
  // --no-proof: R1_PROOF=off for this run only.
  const cfg = configWith(f.proof ? {} : { R1_PROOF: 'off' });
  if (!f.proof) process.stdout.write(`${PROOF_OFF_NOTICE}\n`);
  const days =
    cmd === 'scan-day'
      ? tradingDayOnly(dateFlag(f.date, 'date'))
      : (() => {
          const r = rangeFlags(f.start, f.end);
          return daysOfRange(r.start, r.end);
        })();
  await checkReplaySpan(
    marketFlag(f.market ?? cfg.GAPCTL_MARKET),
    days[0]!,
    days[days.length - 1]!,
  );
  const mode = modeFlag(f.mode);
  const { ensureStoreMarket } = await import('../runtime/market-identity.js');
  const { scanCommand } = await import('./scan.js');
  lockStoreToWrite(dbPath(f.db, cfg), cmd);
  // One store, one market: refused (nothing written) when the store holds another market for these days.
  ensureStoreMarket({
    cfg,
    market: marketFlag(f.market ?? cfg.GAPCTL_MARKET),
    dbPath: dbPath(f.db, cfg),
    start: days[0]!,
    end: days[days.length - 1]!,
    switchMarket: f.switchMarket,
    log: await logNotice(cfg),
  });
  return scanCommand({
    cfg,
    days,
    market: f.market ?? cfg.GAPCTL_MARKET,
    dbPath: dbPath(f.db, cfg),
    mode,
  });
}

/**
 * `gapctl backfill` / `gapctl console` with meow's parsed flags (console --attach included).
 * @returns the exit code (0 when the range is done). @throws UsageError for bad flags.
 */
export async function runBackfill(
  cmd: 'backfill' | 'console',
  flags: Record<string, unknown>,
): Promise<number> {
  const f = flags as {
    start?: string;
    end?: string;
    mode?: string;
    maxMonths?: number;
    rerun?: boolean;
    validate?: string;
    skipPhase0?: boolean;
    dryRun?: boolean;
    tui: boolean;
    json?: boolean;
    bell?: boolean;
    keepOpen?: boolean;
    market?: string;
    db?: string;
    headless?: boolean;
    attach?: boolean;
    readOnly?: boolean;
    metricsPort?: number;
    metricsHost?: string;
    follow?: boolean;
    switchMarket?: boolean;
    proof: boolean;
  };
  // --no-proof: R1_PROOF=off for this run (the engine worker gets it in the job's env).
  const proofOff = !f.proof;
  const cfg = configWith(proofOff ? { R1_PROOF: 'off' } : {});
  if (f.attach || f.readOnly) return (await import('./attach.js')).attachFromFlags(cmd, f, cfg);
  if (f.headless && cmd !== 'backfill')
    throw new UsageError(
      '--headless belongs to gapctl backfill (gapctl console --attach watches it)',
    );
  // The flags that need nothing but themselves, checked before any module of the run loads.
  if (f.maxMonths !== undefined && !(Number.isInteger(f.maxMonths) && f.maxMonths > 0))
    throw new UsageError('--max-months takes a whole number >= 1');
  const metrics = metricsFlags(f.metricsPort, f.metricsHost);
  if (f.validate !== undefined && !['spot', 'all', 'none'].includes(f.validate))
    throw new UsageError(`bad --validate "${f.validate}": expected spot, all or none`);
  modeFlag(f.mode);
  let market = f.market ?? cfg.GAPCTL_MARKET;
  const parsedMarket = parseMarket(market);
  const { dryRunLines, dryRunPlan, resolveBackfillRange } = await import('./backfill-plan.js');
  const { ensureStoreMarket, readStoreRef } = await import('../runtime/market-identity.js');
  // The range: --start/--end, else a resume from current_state.json, else the replay dataset's span.
  // --follow --start S without --end: the range ends at the latest trading day whose data is due now.
  const followEnd =
    f.follow && f.start !== undefined && f.end === undefined
      ? (await import('./backfill.js')).followRangeEnd(cfg)
      : undefined;
  const range = await resolveBackfillRange(
    { start: f.start, end: f.end ?? followEnd },
    resolve(cfg.GAPCTL_STATE_DIR),
    async () => {
      if (parsedMarket.kind !== 'replay') return null;
      const { openReplay } = await import('../market/replay/index.js');
      const src = await openReplay(parsedMarket.path);
      return src.span ?? null;
    },
    () => readStoreRef(dbPath(f.db, cfg)),
  );
  // A resume keeps the interrupted run's market, R1 mode and validation unless the flags change them.
  const resumed = range.from === 'state' ? range.state : null;
  if (resumed?.market_spec && f.market === undefined) market = resumed.market_spec;
  const validate = (f.validate ?? resumed?.validate) as 'spot' | 'all' | 'none' | undefined;
  const mode = modeFlag(f.mode ?? (resumed?.r1_mode === 'exhaustive' ? 'exhaustive' : undefined));
  // A replay dataset serves only its span: a range outside it is refused before anything runs.
  // The dataset is opened (and its premarket rows validated) here: the worker need not do it again.
  const replayPremarketSha256 = await checkReplaySpan(marketFlag(market), range.start, range.end);
  if (range.from === 'dataset') {
    process.stderr.write(
      `gapctl: no --start/--end and no backfill to resume here: backfilling the replay dataset's span ${range.start}..${range.end} (give --start S --end E for another range)\n`,
    );
  }
  const marketCheck = {
    cfg,
    market: marketFlag(market),
    dbPath: dbPath(f.db, cfg),
    start: range.start,
    end: range.end,
    switchMarket: f.switchMarket,
  };
  if (f.dryRun) {
    ensureStoreMarket({ ...marketCheck, checkOnly: true });
    if (range.notice) process.stdout.write(`${range.notice}\n`);
    // With proofs on (no --no-proof), COMPLETE days that are not proven are planned as to scan (the backfill proves them).
    const plan = dryRunPlan(
      dbPath(f.db, cfg),
      range.start,
      range.end,
      !!f.rerun,
      cfg.R1_PROOF === 'auto',
    );
    for (const l of dryRunLines(plan, range, {
      rerun: f.rerun,
      validate,
      maxMonths: f.maxMonths,
      market,
    }))
      process.stdout.write(l + '\n');
    return 0;
  }
  // One writer per store: a second one started on the same database stops here, nothing
  // written; so does a store that cannot be written (named in the message). The lock is released
  // when this process exits (a SIGKILL leaves a stale lock that the next run takes over).
  lockStoreToWrite(dbPath(f.db, cfg), 'backfill');
  // One store, one market: refused (nothing written) when the store holds another market for the range.
  const notice = await logNotice(cfg);
  ensureStoreMarket({ ...marketCheck, log: notice });
  if (range.notice) notice(range.notice);
  const { output, color } = consoleOutput(f);
  const { backfillCommand } = await import('./backfill.js');
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
      ...(replayPremarketSha256 ? { replayPremarketSha256 } : {}),
    },
    output,
    bell: f.bell,
    keepOpen: f.keepOpen,
    headless: f.headless,
    metrics,
    color,
  });
}

/**
 * `--metrics-port N [--metrics-host H]` as the backfill's metrics option (undefined when no port).
 * @throws UsageError for a port outside 0-65535, or --metrics-host without --metrics-port.
 */
function metricsFlags(
  port: number | undefined,
  host: string | undefined,
): { port: number; host: string } | undefined {
  if (port === undefined) {
    if (host !== undefined) throw new UsageError('--metrics-host needs --metrics-port N');
    return undefined;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--metrics-port takes a port number 0-65535 (0: a free one)');
  if (host !== undefined && !host.trim())
    throw new UsageError('--metrics-host takes an address, e.g. 127.0.0.1 or 0.0.0.0');
  return { port, host: host ?? '127.0.0.1' };
}
