/**
 * File-system errors for operators: Node's `ENOSPC: no space left on device, write` names no file,
 * so writes wrap their errors with the path ({@link withPath}), and the backfill tells a full disk
 * (an environment problem: HALTED, resumable) from a failure ({@link isDiskFull}).
 */

/** Error codes of a full disk or an exhausted quota: Node (ENOSPC, EDQUOT) and SQLite (SQLITE_FULL). */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** The `code` of an error (Node system errors, better-sqlite3 SqliteError), or undefined. */
export function errorCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** True when `e` says the disk (or the quota) is full. */
export function isDiskFull(e: unknown): boolean {
  const c = errorCode(e);
  return c !== undefined && DISK_FULL_CODES.has(c);
}

/**
 * `e` with `path` in its message (once), keeping its `code`: `ENOSPC: no space left on device,
 * write /x/y.csv`. A message that already names the path is left as is.
 */
export function withPath(e: unknown, path: string): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (!err.message.includes(path)) {
    const wrapped = new Error(`${err.message.split('\n')[0]} (${path})`) as Error & {
      code?: string;
    };
    wrapped.code = errorCode(err);
    return wrapped;
  }
  return err;
}
