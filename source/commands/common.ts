/**
 * Helpers shared by the commands: one-line usage errors, date flags, the market/db defaults and a
 * printer for day results. Light on purpose (most commands import it for UsageError, and the flag
 * check for --market): the replay loader is imported only when a replay span is checked.
 */
import { ConfigError } from '../config/index.js';
import { dateArg, rangeArgs, tradingDayArg, UsageError } from '../runtime/input-checks.js';
import { assertStoreWritable, StoreError } from '../store/db.js';
import { acquireLock, LockError, readLock, type HeldLock } from '../store/lock.js';
import type { MarketSpec } from '../runtime/market-spec.js';
import { nextTradingDay, tradingDays } from '../calendar/index.js';
import { colorEnabled } from '../ui/theme.js';

/** A bad command line: printed as one line, exit code 2 (util/errors.ts; the control socket throws it too). */
export { UsageError };

export { MARKET_FLAGS, MARKET_HELP, configWith, dbPath, isOperatorError } from './help.js';

/**
 * The console's one colour decision (backfill, console and console --attach): colour only on an
 * interactive console and when {@link colorEnabled} allows it (no NO_COLOR, TERM not dumb, stdout a TTY).
 */
export function consoleColor(
  interactive: boolean,
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTTY = !!process.stdout.isTTY,
): boolean {
  return interactive && colorEnabled(env, stdoutIsTTY);
}

/** How a console command (backfill, console, console --attach) shows its run: see {@link consoleOutput}. */
export interface ConsoleOutput {
  /** True for the interactive Ink console. */
  interactive: boolean;
  /** 'tui' (the console), 'plain' (one line per event) or 'json' (one JSON object per line). */
  output: 'tui' | 'plain' | 'json';
  /** Whether the console draws colours ({@link consoleColor}). */
  color: boolean;
}

/**
 * The one TTY decision of the console commands: the interactive console only when stdout and stdin
 * are TTYs, `CI` is not set, `tui` is on (meow default; off with `--no-tui`) and `--json` is not given; else plain lines, or JSON lines
 * with `--json`. Colour follows {@link consoleColor}. The terminal and environment default to this
 * process's.
 */
export function consoleOutput(
  f: { tui?: boolean; json?: boolean },
  io: { env?: NodeJS.ProcessEnv; stdoutIsTTY?: boolean; stdinIsTTY?: boolean } = {},
): ConsoleOutput {
  const env = io.env ?? process.env;
  const stdoutIsTTY = io.stdoutIsTTY ?? !!process.stdout.isTTY;
  const stdinIsTTY = io.stdinIsTTY ?? !!process.stdin.isTTY;
  const interactive = stdoutIsTTY && stdinIsTTY && !env.CI && !!f.tui && !f.json;
  return {
    interactive,
    output: f.json ? 'json' : interactive ? 'tui' : 'plain',
    color: consoleColor(interactive, env, stdoutIsTTY),
  };
}

/**
 * Validates a required date flag `--name` (YYYY-MM-DD, in the calendar's years); the same check as
 * the control socket's (runtime/input-checks.ts dateArg). @throws UsageError
 */
export function dateFlag(value: string | undefined, name: string): string {
  return dateArg(value, name);
}

/**
 * Validates a --start/--end pair (runtime/input-checks.ts rangeArgs): valid dates, start not after
 * end, at least one trading day between them. @throws UsageError
 */
export function rangeFlags(
  start: string | undefined,
  end: string | undefined,
): { start: string; end: string } {
  return rangeArgs(start, end);
}

/** The trading days of a range. @throws UsageError when there is none. */
export function daysOfRange(start: string, end: string): string[] {
  const days = tradingDays(start, end);
  if (days.length === 0) throw new UsageError(`no trading day between ${start} and ${end}`);
  return days;
}

/** A single `--date` that must be a trading day (runtime/input-checks.ts tradingDayArg). @throws UsageError */
export function tradingDayOnly(date: string): string[] {
  return [tradingDayArg(date, 'date')];
}

/** The --mode flag: prefilter | exhaustive | undefined. @throws UsageError */
export function modeFlag(v: string | undefined): 'prefilter' | 'exhaustive' | undefined {
  if (v === undefined) return undefined;
  if (v === 'prefilter' || v === 'exhaustive') return v;
  throw new UsageError(`bad --mode "${v}": expected prefilter or exhaustive`);
}

export { ConfigError };

/** The store's one-writer lock (store/lock.ts). */
export { acquireLock } from '../store/lock.js';

/**
 * Readies the store at `dbPath` for a command that writes it (backfill, headless, scan-day,
 * scan-range, validate): checks the db file, its side files and its folder can be written (before
 * anything is created), then takes the one-writer lock `<resolved db>.lock` for `command`.
 * @throws StoreError naming the path that cannot be written.
 * @throws LockError when another live process holds the store.
 */
export function lockStoreToWrite(dbPath: string, command: string): HeldLock {
  assertStoreWritable(dbPath);
  return acquireLock(dbPath, command);
}

/**
 * For a command that only reads the store but must not run beside a writer (export: it writes the
 * files a backfill writes). When the store can be written, takes the lock like a writer and returns
 * it (`writable: true`: the caller may open the store writable, e.g. to migrate it). On read-only
 * media nothing can write the store, so no lock is taken (`lock: null`, `writable: false`: open it
 * read-only); a live holder recorded there still refuses.
 * @throws LockError when another live process holds the store.
 */
export function lockStoreToRead(
  dbPath: string,
  command: string,
): { lock: HeldLock | null; writable: boolean } {
  try {
    assertStoreWritable(dbPath);
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    const holder = readLock(dbPath);
    if (holder)
      throw new LockError(
        `another ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}) is using ${dbPath}; stop it or wait for it (gapctl status shows it)`,
      );
    return { lock: null, writable: false };
  }
  return { lock: acquireLock(dbPath, command), writable: true };
}

export { marketFlag } from './market-flag.js';

/**
 * Refuses up front a range that a replay dataset cannot serve: the scannable days of a dataset are
 * its second trading day (the first has no previous close) to its last. Sim and live markets have
 * no span and always pass.
 * @param market the parsed market
 * @param start first day asked for, `YYYY-MM-DD`; @param end last day
 * @throws UsageError `--end 2018-05-01 is outside the replay dataset 2018q1 (2018-01-02..2018-04-10;
 *   scannable 2018-01-03..2018-04-10: the first day has no previous close)`; Error (exit 1) when
 *   the dataset is missing or corrupt (openReplay).
 * @returns for a replay market, the SHA-256 of its premarket file, whose rows openReplay has just
 *   validated (the engine worker's BackfillJob.replayPremarketSha256); else undefined.
 */
export async function checkReplaySpan(
  market: MarketSpec,
  start: string,
  end: string,
): Promise<string | undefined> {
  if (market.kind !== 'replay') return undefined;
  const { openReplay, PREMARKET_FILE } = await import('../market/replay/index.js');
  const src = await openReplay(market.path);
  const validated = src.manifest.files[PREMARKET_FILE]?.sha256;
  if (!src.span) return validated;
  const first = nextTradingDay(src.span.start);
  const last = src.span.end;
  const bad = start < first ? ['start', start] : end > last ? ['end', end] : null;
  if (bad) {
    throw new UsageError(
      `--${bad[0]} ${bad[1]} is outside the replay dataset ${src.name.replace(/^replay:/, '')} (${src.span.start}..${src.span.end}; scannable ${first}..${last}: the first day has no previous close)`,
    );
  }
  return validated;
}
