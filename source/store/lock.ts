/**
 * One writer per store: a lock file `<db>.lock` beside the SQLite file, created exclusively
 * (`O_CREAT|O_EXCL`) by a backfill, a headless runner or a scan, holding who took it. SQLite's own
 * locking keeps the file consistent; this lock keeps two backfills from interleaving their days,
 * state files and exports. A lock left by a killed process (its pid is gone) is stale and taken over.
 */
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';

/** Contents of `<db>.lock` (JSON). `started_at` is UTC ISO 8601. */
export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  started_at: string;
}

/** Another live process holds the store; the message is one line. */
export class LockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

/** Path of the lock file of the store at `dbPath`. */
export function lockPath(dbPath: string): string {
  return `${dbPath}.lock`;
}

/** True when a process with this pid exists on this machine (EPERM counts as alive). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock's holder when a live process on this host holds it; null when there is no lock or it
 * is stale (dead pid, unreadable file).
 */
export function readLock(dbPath: string): LockInfo | null {
  const p = lockPath(dbPath);
  if (!existsSync(p)) return null;
  try {
    const info = JSON.parse(readFileSync(p, 'utf8')) as LockInfo;
    if (info.host === hostname() && !pidAlive(info.pid)) return null;
    return info;
  } catch {
    return null;
  }
}

/** A held lock. */
export interface HeldLock {
  info: LockInfo;
  /** Removes the lock file (idempotent). */
  release(): void;
}

/**
 * Takes the store's lock for `command` (e.g. `backfill`). Released by {@link HeldLock.release} and,
 * as a last resort, when the process exits normally; a SIGKILL leaves a stale lock that the next
 * run takes over.
 * @throws LockError when another live process holds it.
 */
export function acquireLock(dbPath: string, command: string): HeldLock {
  const p = lockPath(dbPath);
  mkdirSync(dirname(p), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), command, started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(p, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new LockError(`lock: cannot create ${p}: ${(e as Error).message.split('\n')[0]}`);
      const holder = readLock(dbPath);
      if (holder) {
        throw new LockError(
          `another ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}) is using ${dbPath}; stop it or wait for it (gapctl status shows it)`,
        );
      }
      // Stale: its process is gone. Remove it and try once more (another starter may win the race).
      try {
        unlinkSync(p);
      } catch {
        /* someone else removed it */
      }
      continue;
    }
    writeSync(fd, JSON.stringify(info) + '\n');
    closeSync(fd);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.off('exit', release);
      try {
        const now = JSON.parse(readFileSync(p, 'utf8')) as LockInfo;
        if (now.pid === info.pid && now.started_at === info.started_at) unlinkSync(p);
      } catch {
        /* gone already */
      }
    };
    process.on('exit', release);
    return { info, release };
  }
  throw new LockError(`lock: ${p} is being taken by another process; try again`);
}
