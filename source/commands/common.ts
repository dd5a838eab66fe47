/**
 * Helpers shared by the commands: one-line usage errors, date flags, the market/db defaults and a
 * printer for day results.
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config, type ConfigName } from '../config/index.js';
import { dateArg, rangeArgs, UsageError } from '../runtime/input-checks.js';
import { assertStoreWritable, StoreError } from '../store/db.js';
import { acquireLock, LockError, readLock, type HeldLock } from '../store/lock.js';

/** A bad command line: printed as one line, exit code 2 (util/errors.ts; the control socket throws it too). */
export { UsageError };

/** Help lines of the flags every engine command takes (--market, --db). */
export const MARKET_HELP = `  --market, -m   replay[:PATH] | sim[:SEED] | live   (default GAPCTL_MARKET=replay: the bundled 2018 sample)
  --db           SQLite store (default GAPCTL_DB=db/scanner.db)`;

/** Flags every engine command takes. */
export const MARKET_FLAGS = {
  market: { type: 'string', shortFlag: 'm' },
  db: { type: 'string' },
} as const;

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
export function rangeFlags(start: string | undefined, end: string | undefined): { start: string; end: string } {
  return rangeArgs(start, end);
}

/** Loads the config with command-line overrides. @throws ConfigError (one line). */
export function configWith(overrides: Partial<Record<ConfigName, string>> = {}): Config {
  return loadConfig(undefined, overrides);
}

/** The --db value or GAPCTL_DB, resolved against the working directory. */
export function dbPath(flag: string | undefined, cfg: Config): string {
  return resolve(flag ?? cfg.GAPCTL_DB);
}

/** The --mode flag: prefilter | exhaustive | undefined. @throws UsageError */
export function modeFlag(v: string | undefined): 'prefilter' | 'exhaustive' | undefined {
  if (v === undefined) return undefined;
  if (v === 'prefilter' || v === 'exhaustive') return v;
  throw new UsageError(`bad --mode "${v}": expected prefilter or exhaustive`);
}

/** True for errors whose message is meant for the operator as is (no stack). */
export function isOperatorError(e: unknown): e is Error {
  return e instanceof Error && ['UsageError', 'ConfigError', 'CalendarError', 'StoreError', 'StateFileError', 'ProviderError', 'LockError', 'ControlSocketError', 'AttachError'].includes(e.name);
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
export function lockStoreToRead(dbPath: string, command: string): { lock: HeldLock | null; writable: boolean } {
  try {
    assertStoreWritable(dbPath);
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    const holder = readLock(dbPath);
    if (holder) throw new LockError(`another ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}) is using ${dbPath}; stop it or wait for it (gapctl status shows it)`);
    return { lock: null, writable: false };
  }
  return { lock: acquireLock(dbPath, command), writable: true };
}
