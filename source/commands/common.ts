/**
 * Helpers shared by the commands: one-line usage errors, date flags, the market/db defaults and a
 * printer for day results.
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config, type ConfigName } from '../config/index.js';
import { dateArg, rangeArgs, UsageError } from '../runtime/input-checks.js';

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

/** The store's one-writer lock (store/lock.ts) for commands that write: backfill, scan-day, scan-range. */
export { acquireLock } from '../store/lock.js';
