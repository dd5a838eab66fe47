/**
 * One writer per store: a lock file `<resolved db>.lock` beside the SQLite file, taken by every
 * command that writes the store (backfill, headless runner, scan-day, scan-range, validate, export).
 * SQLite's own locking keeps the file consistent; this lock keeps two writers from interleaving their
 * days, state files and exports.
 *
 * How it stays one writer:
 * - The path is resolved first (realpath of the db, or of its folder + its name when the file does not
 *   exist yet), so a `--db` reached through a symlink is the same lock.
 * - Taking it is atomic and never shows an empty file: the holder's identity is written complete to a
 *   private temp file, which is then link(2)ed to the lock path (EEXIST = someone holds it).
 * - The holder's identity is pid, host, process start time (Linux: field 22 of /proc/<pid>/stat, clock
 *   ticks since boot), command, resolved db path and a random nonce. A holder is dead when its pid is
 *   gone, is a zombie (state Z or X: killed but not yet reaped) or was recycled (another start time).
 * - Taking over a dead holder's lock is race-free: the taker first creates, exclusively, a marker named
 *   after the digest of the stale lock's bytes (`<lock>.takeover-<digest>`); only the one taker holding
 *   that marker checks the lock still has those bytes and rename(2)s its own file over it. A marker
 *   left by a taker that died is itself taken over the same way.
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';

/** Contents of `<db>.lock` (JSON). `started_at` is UTC ISO 8601. */
export interface LockInfo {
  pid: number;
  host: string;
  /** The command holding the lock, e.g. `backfill`, `validate`. */
  command: string;
  started_at: string;
  /**
   * Start time of the holder process in clock ticks since boot (Linux /proc/<pid>/stat field 22);
   * null where /proc is not available. Absent in locks of older gapctl versions.
   */
  start_ticks?: number | null;
  /** The resolved path of the store (absent in older locks). */
  db?: string;
  /** Random id of this lock instance (absent in older locks). */
  nonce?: string;
}

/** Another live process holds the store (or the lock cannot be taken); the message is one line. */
export class LockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

/** What /proc says about a process: its state letter (R, S, D, Z, X, ...) and start time in ticks. */
export interface ProcInfo {
  state: string;
  startTicks: number;
}

/**
 * Looks a process up: its {@link ProcInfo}, null when no such process exists, undefined when this
 * system cannot tell (no /proc); then `kill(pid, 0)` decides.
 */
export type ProcProbe = (pid: number) => ProcInfo | null | undefined;

/**
 * Reads /proc/<pid>/stat (Linux). The command name (field 2) may hold spaces and parentheses, so the
 * fields are counted after the last ')'.
 */
export const procProbe: ProcProbe = (pid) => {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    try {
      statSync('/proc/self/stat');
    } catch {
      return undefined; // no procfs here
    }
    return null;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]);
  if (!fields[0] || !Number.isFinite(startTicks)) return undefined;
  return { state: fields[0], startTicks };
};

/** Start time of this process in ticks (null without /proc). */
function ownStartTicks(): number | null {
  return procProbe(process.pid)?.startTicks ?? null;
}

/** True when a process with this pid exists on this machine (EPERM counts as alive). Zombies count as alive here. */
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
 * True when the lock's holder is still running: same host (a holder on another host cannot be checked
 * and counts as alive), its pid exists, is not a zombie (Z) or dead (X), and, when the lock records a
 * start time, the process has that start time (otherwise the pid was recycled).
 */
export function holderAlive(info: LockInfo, probe: ProcProbe = procProbe): boolean {
  if (info.host !== hostname()) return true;
  if (!Number.isInteger(info.pid) || info.pid <= 0) return false;
  const p = probe(info.pid);
  if (p === undefined) return pidAlive(info.pid);
  if (p === null) return false;
  if (p.state === 'Z' || p.state === 'X') return false;
  if (typeof info.start_ticks === 'number' && p.startTicks !== info.start_ticks) return false;
  return true;
}

/**
 * The store path the lock is about: the realpath of `dbPath`, or, when the file does not exist yet,
 * the realpath of its folder joined with its name (the folder itself unresolved when it is missing too).
 */
export function resolveDbPath(dbPath: string): string {
  const abs = resolve(dbPath);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/** Path of the lock file of the store at `dbPath` (resolved: symlinks lead to one lock). */
export function lockPath(dbPath: string): string {
  return `${resolveDbPath(dbPath)}.lock`;
}

/** Unparseable lock files younger than this (ms) are treated as held (written by something else). */
const GARBAGE_GRACE_MS = 5000;

interface LockFileRead {
  /** Parsed holder, null when the bytes are not a lock. */
  info: LockInfo | null;
  /** sha256 of the bytes (hex, 32 chars): names the takeover marker of exactly this lock instance. */
  digest: string;
  /** Modification time, ms since the epoch. */
  mtimeMs: number;
}

function readLockFile(path: string): LockFileRead | null {
  let bytes: Buffer;
  let mtimeMs: number;
  try {
    bytes = readFileSync(path);
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return null;
  }
  let info: LockInfo | null = null;
  try {
    const j = JSON.parse(bytes.toString('utf8')) as LockInfo;
    if (j && typeof j === 'object' && typeof j.pid === 'number' && typeof j.host === 'string')
      info = j;
  } catch {
    info = null;
  }
  return { info, digest: createHash('sha256').update(bytes).digest('hex').slice(0, 32), mtimeMs };
}

/** True when the lock file read is held: a live holder, or unparseable bytes too young to call stale. */
function isHeld(r: LockFileRead, probe: ProcProbe): boolean {
  if (r.info) return holderAlive(r.info, probe);
  return Date.now() - r.mtimeMs < GARBAGE_GRACE_MS;
}

/**
 * The lock's holder when a live process holds it; null when there is no lock or it is stale (dead,
 * zombie or recycled pid; unreadable file).
 */
export function readLock(dbPath: string, probe: ProcProbe = procProbe): LockInfo | null {
  const r = readLockFile(lockPath(dbPath));
  if (!r?.info) return null;
  return holderAlive(r.info, probe) ? r.info : null;
}

/** A held lock. */
export interface HeldLock {
  info: LockInfo;
  /** The lock file. */
  path: string;
  /** Removes the lock file if it is still this holder's (idempotent). */
  release(): void;
}

/** Options of {@link acquireLock} (tests inject the process probe). */
export interface AcquireLockOptions {
  probe?: ProcProbe;
}

function errLine(e: unknown): string {
  return ((e as Error).message ?? String(e)).split('\n')[0]!;
}

/** Writes `text` to a new file `path` (exclusive) and fsyncs it. */
function writeNew(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* gone already */
  }
}

function refusal(holder: LockInfo, dbPath: string): LockError {
  return new LockError(
    `another ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}) is using ${dbPath}; stop it or wait for it (gapctl status shows it)`,
  );
}

/**
 * Replaces the stale file `target` (whose bytes had `digest` when judged stale) by `mine` (a complete
 * temp file, renamed away on success). Only the one process that creates the marker
 * `<lock>.takeover-<digest>` may do so. Returns false when `target` changed meanwhile (someone else
 * took it over first).
 * @throws LockError when a live process is taking over the same lock right now.
 */
function replaceStale(
  lock: string,
  target: string,
  digest: string,
  mine: string,
  identity: string,
  probe: ProcProbe,
  depth = 0,
): boolean {
  if (depth > 8)
    throw new LockError(`lock: ${lock} is being taken over by other processes; try again`);
  const marker = `${lock}.takeover-${digest}`;
  const markerTmp = `${lock}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
  writeNew(
    markerTmp,
    JSON.stringify({ ...JSON.parse(identity), nonce: randomBytes(12).toString('hex') }) + '\n',
  );
  const markerDigest = readLockFile(markerTmp)!.digest;
  let haveMarker = false;
  try {
    for (let attempt = 0; attempt < 8 && !haveMarker; attempt++) {
      try {
        linkSync(markerTmp, marker);
        haveMarker = true;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new LockError(`lock: cannot create ${marker}: ${errLine(e)}`);
      }
      const m = readLockFile(marker);
      if (!m) continue;
      if (isHeld(m, probe)) {
        const who = m.info ? `pid ${m.info.pid} on ${m.info.host}` : 'another process';
        throw new LockError(`lock: ${lock} is being taken over by ${who} right now; try again`);
      }
      // The marker's taker died mid-takeover: take the marker over the same way.
      if (replaceStale(lock, marker, m.digest, markerTmp, identity, probe, depth + 1))
        haveMarker = true;
    }
    if (!haveMarker) throw new LockError(`lock: ${lock} keeps changing; try again`);
    // Holding the marker of `digest`: nobody else may replace those bytes. Are they still there?
    const now = readLockFile(target);
    if (!now || now.digest !== digest) return false;
    renameSync(mine, target);
    return true;
  } finally {
    if (haveMarker) {
      const m = readLockFile(marker);
      if (m && m.digest === markerDigest) unlinkQuiet(marker);
    }
    unlinkQuiet(markerTmp);
  }
}

/** Removes temp files of dead processes and takeover markers of lock instances that are gone. */
function sweep(lock: string, current: string, probe: ProcProbe): void {
  const dir = dirname(lock);
  const base = basename(lock);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(`${base}.`)) continue;
    const rest = n.slice(base.length + 1);
    const tmp = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(rest);
    if (tmp) {
      if (probe(Number(tmp[1])) === null) unlinkQuiet(join(dir, n));
    } else if (rest.startsWith('takeover-') && rest !== `takeover-${current}`) {
      // A marker of bytes no longer in the lock: its taker (if any) finds them gone and gives up.
      unlinkQuiet(join(dir, n));
    }
  }
}

/**
 * Takes the store's lock for `command` (e.g. `backfill`). Released by {@link HeldLock.release} and,
 * as a last resort, when the process exits normally; a SIGKILL leaves a stale lock that the next
 * run takes over (its holder is then gone, a zombie, or its pid was recycled).
 * @throws LockError when another live process holds it, or the lock file cannot be created (the
 * message names the path).
 */
export function acquireLock(
  dbPath: string,
  command: string,
  opts: AcquireLockOptions = {},
): HeldLock {
  const probe = opts.probe ?? procProbe;
  try {
    mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  } catch (e) {
    throw new LockError(`lock: cannot create the folder of ${dbPath}: ${errLine(e)}`);
  }
  const db = resolveDbPath(dbPath);
  const p = `${db}.lock`;
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    command,
    started_at: new Date().toISOString(),
    start_ticks: ownStartTicks(),
    db,
    nonce: randomBytes(12).toString('hex'),
  };
  const text = JSON.stringify(info) + '\n';
  const mine = `${p}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    writeNew(mine, text);
  } catch (e) {
    throw new LockError(`lock: cannot create ${mine}: ${errLine(e)}`);
  }
  const myDigest = readLockFile(mine)!.digest;
  try {
    let won = false;
    for (let attempt = 0; attempt < 8 && !won; attempt++) {
      try {
        linkSync(mine, p);
        won = true;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new LockError(`lock: cannot create ${p}: ${errLine(e)}`);
      }
      const cur = readLockFile(p);
      if (!cur) continue; // released meanwhile: try again
      if (isHeld(cur, probe)) {
        if (cur.info) throw refusal(cur.info, dbPath);
        throw new LockError(`lock: ${p} is being written by another process; try again`);
      }
      // Stale: its holder is gone, a zombie or a recycled pid. Exactly one taker replaces it.
      if (replaceStale(p, p, cur.digest, mine, text, probe)) won = true;
    }
    if (!won)
      throw new LockError(`lock: ${p} keeps changing (other processes are taking it); try again`);
  } finally {
    unlinkQuiet(mine);
  }
  sweep(p, myDigest, probe);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const now = readLockFile(p);
    if (now && now.digest === myDigest) unlinkQuiet(p);
  };
  process.on('exit', release);
  return { info, path: p, release };
}
