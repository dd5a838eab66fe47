/**
 * Helpers shared by the commands: one-line usage errors, date flags, the market/db defaults and a
 * printer for day results.
 */
import { resolve } from 'node:path';
import { assertDate, CalendarError } from '../calendar/index.js';
import { ConfigError, loadConfig, type Config, type ConfigName } from '../config/index.js';

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Help lines of the flags every engine command takes (--market, --db). */
export const MARKET_HELP = `  --market, -m   replay[:PATH] | sim[:SEED] | live   (default GAPCTL_MARKET=replay: the bundled 2018 sample)
  --db           SQLite store (default GAPCTL_DB=db/scanner.db)`;

/** Flags every engine command takes. */
export const MARKET_FLAGS = {
  market: { type: 'string', shortFlag: 'm' },
  db: { type: 'string' },
} as const;

/** Validates a required date flag `--name` (YYYY-MM-DD). @throws UsageError */
export function dateFlag(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing --${name} YYYY-MM-DD`);
  try {
    return assertDate(value, `--${name}`);
  } catch (e) {
    if (e instanceof CalendarError) throw new UsageError(e.message);
    throw e;
  }
}

/** Validates a --start/--end pair. @throws UsageError when start > end or a date is bad. */
export function rangeFlags(start: string | undefined, end: string | undefined): { start: string; end: string } {
  const s = dateFlag(start, 'start');
  const e = dateFlag(end, 'end');
  if (s > e) throw new UsageError(`--start ${s} is after --end ${e}`);
  return { start: s, end: e };
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
