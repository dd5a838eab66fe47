/**
 * Database care for the SQLite store (better-sqlite3): online backups verified before they count,
 * restore with the replaced store kept beside it, integrity and foreign-key checks, ANALYZE /
 * `PRAGMA optimize` / VACUUM, and size per table (the `dbstat` virtual table, else row counts).
 *
 * Every function opens its own connection(s) and closes them; none keeps the store open. A writer
 * (backfill, scan) is recognised by the store's lock file ({@link readLock}); SQLite's own locking
 * keeps the file consistent whatever runs.
 *
 * Over 400 lines: backup, restore, check, optimize and stats share the connection, lock and
 * verification helpers, and restore is built on backup's verification; they are one operator tool.
 */
import Database from 'better-sqlite3';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SCHEMA_VERSION, StoreError, type Db } from './db.js';
import { acquireLock, LockError, readLock } from './lock.js';
import { errorLine } from '../util/errors.js';

/** Tables every gapctl store has (a restored file must have them). */
const REQUIRED_TABLES = ['day_completeness', 'discovery_hits', 'qc_daily_summary', 'alerts'];

/** Name pattern of a backup file: `scanner-YYYYMMDDTHHMMSSZ.db` (optionally `-N` before `.db`). */
export const BACKUP_NAME_RE = /^scanner-(\d{8}T\d{6}Z)(?:-\d+)?\.db$/;

/** `2026-11-29T08:01:02.345Z` -> `20261129T080102Z`. */
export function backupStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The time a backup file name carries (UTC), or null when the name is not a backup's. */
export function backupTime(name: string): Date | null {
  const m = BACKUP_NAME_RE.exec(name);
  if (!m) return null;
  const s = m[1]!;
  const d = new Date(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`,
  );
  return Number.isNaN(d.getTime()) ? null : d;
}

/** One backup file of a backup folder. */
export interface BackupFile {
  /** Absolute path. */
  path: string;
  /** When it was taken (from its name, UTC). */
  at: Date;
  /** Size, bytes. */
  bytes: number;
}

/** The backups in `dir` (files named like {@link BACKUP_NAME_RE}), newest first; [] when the folder is absent. */
export function listBackups(dir: string): BackupFile[] {
  if (!existsSync(dir)) return [];
  const out: BackupFile[] = [];
  for (const name of readdirSync(dir)) {
    const at = backupTime(name);
    if (!at) continue;
    const path = resolve(dir, name);
    try {
      out.push({ path, at, bytes: statSync(path).size });
    } catch {
      /* removed meanwhile */
    }
  }
  // Two backups in one second are `scanner-S.db` then `scanner-S-1.db`, `-2` ...: within a second
  // the higher suffix is the newer (a locale string order put `-1` before the plain name).
  return out.sort(
    (a, b) => b.at.getTime() - a.at.getTime() || sameSecondIndex(b.path) - sameSecondIndex(a.path),
  );
}

/** The `-N` suffix of a backup file name (0 without one): its order among backups taken in one second. */
function sameSecondIndex(path: string): number {
  return Number(/-(\d+)\.db$/.exec(path)?.[1] ?? 0);
}

/** Opens `path` read-only (must exist). @throws StoreError (one line) */
function openReadonly(path: string): Db {
  if (!existsSync(path)) throw new StoreError(`store: ${path} does not exist`);
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (e) {
    throw new StoreError(`store: cannot open ${path}: ${errorLine(e)}`);
  }
}

/** The rows of `PRAGMA integrity_check` ("ok" alone when sound). Errors thrown by SQLite become one row. */
function integrityRows(
  db: Db,
  pragma: 'integrity_check' | 'quick_check' = 'integrity_check',
): string[] {
  try {
    return (db.pragma(pragma) as Record<string, string>[]).map((r) => String(Object.values(r)[0]));
  } catch (e) {
    return [errorLine(e)];
  }
}

/** What a store file is: its schema version and whether it is a gapctl store. */
function describeFile(db: Db): { version: number; missingTables: string[] } {
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = new Set(
    (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name),
  );
  return { version, missingTables: REQUIRED_TABLES.filter((t) => !tables.has(t)) };
}

/**
 * Verifies that `path` is a sound gapctl store this build can use: `PRAGMA integrity_check` is ok,
 * its schema version is 1..{@link SCHEMA_VERSION} and it has the store's tables.
 * @returns its schema version.
 * @throws StoreError naming the first problem (one line).
 */
export function verifyStoreFile(path: string): { version: number } {
  const db: Db = openReadonly(path);
  try {
    let rows: string[];
    let info: { version: number; missingTables: string[] };
    try {
      info = describeFile(db);
      rows = integrityRows(db);
    } catch (e) {
      throw new StoreError(`store: ${path} is not a usable SQLite database: ${errorLine(e)}`);
    }
    if (rows.length !== 1 || rows[0] !== 'ok')
      throw new StoreError(`store: ${path} failed integrity_check: ${rows.slice(0, 3).join('; ')}`);
    if (info.version < 1 || info.missingTables.length) {
      throw new StoreError(
        `store: ${path} is not a gapctl store (schema version ${info.version}${info.missingTables.length ? `, no table ${info.missingTables.join(', ')}` : ''})`,
      );
    }
    if (info.version > SCHEMA_VERSION)
      throw new StoreError(
        `store: ${path} has schema version ${info.version}, newer than this gapctl (${SCHEMA_VERSION})`,
      );
    return { version: info.version };
  } finally {
    db.close();
  }
}

/** Options of {@link backupStore}. */
export interface BackupOptions {
  /** Folder of the backups (created if needed). */
  toDir: string;
  /** Backups kept by count, newest first (the new one included); 0 keeps all. */
  keep: number;
  /** Backups older than this many days are removed (the new one never); 0 keeps all. */
  maxAgeDays: number;
  /** The clock (tests); default now. */
  now?: () => Date;
}

/** The result of {@link backupStore}. */
export interface BackupResult {
  /** Absolute path of the verified backup. */
  path: string;
  /** Its size, bytes. */
  bytes: number;
  /** Its schema version. */
  version: number;
  /** Backups removed by retention (absolute paths). */
  removed: string[];
  /** Wall time of copy + verify, ms. */
  ms: number;
}

/**
 * Takes an online backup of the store at `dbPath` with SQLite's backup API (better-sqlite3
 * `db.backup`) over a separate read-only connection, so it is safe while a backfill writes: the copy
 * is a consistent snapshot holding every transaction committed before it finished. The copy is
 * written as a hidden temp file in `toDir`, verified ({@link verifyStoreFile}: integrity_check, a
 * gapctl schema), then renamed to `scanner-YYYYMMDDTHHMMSSZ.db`; a copy that fails verification is
 * deleted and never counts. Then retention removes the oldest beyond `keep` and those older than
 * `maxAgeDays`.
 * @throws StoreError when the store cannot be read or the copy fails verification.
 */
export async function backupStore(dbPath: string, opts: BackupOptions): Promise<BackupResult> {
  const t0 = Date.now();
  const now = opts.now ?? (() => new Date());
  const dir = resolve(opts.toDir);
  mkdirSync(dir, { recursive: true });
  const src = openReadonly(dbPath);
  const stamp = backupStamp(now());
  const tmp = join(dir, `.scanner-${stamp}-${process.pid}.db.tmp`);
  try {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`])
      if (existsSync(f)) unlinkSync(f);
    try {
      // Return a huge page count after the first step: the rest copies in one step (one read
      // transaction), so a writer committing between steps cannot make the copy restart forever.
      await src.backup(tmp, { progress: () => 0x7fffffff });
    } catch (e) {
      throw new StoreError(`backup: copying ${dbPath} failed: ${errorLine(e)}`);
    }
  } finally {
    src.close();
  }
  let version: number;
  try {
    // The copy carries the WAL flag of the store: make it a self-contained rollback-journal file
    // (no -wal/-shm beside it); the next writer that opens it sets WAL again.
    try {
      const c = new Database(tmp, { fileMustExist: true });
      try {
        c.pragma('journal_mode = DELETE');
      } finally {
        c.close();
      }
    } catch (e) {
      throw new StoreError(`store: ${tmp} is not usable: ${errorLine(e)}`);
    }
    ({ version } = verifyStoreFile(tmp));
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`]) {
      try {
        unlinkSync(f);
      } catch {
        /* absent */
      }
    }
    throw new StoreError(
      `backup: the copy of ${dbPath} failed verification, discarded: ${errorLine(e)}`,
    );
  }
  let path = join(dir, `scanner-${stamp}.db`);
  for (let n = 1; existsSync(path); n++) path = join(dir, `scanner-${stamp}-${n}.db`);
  renameSync(tmp, path);
  const removed = pruneBackups(dir, {
    keep: opts.keep,
    maxAgeDays: opts.maxAgeDays,
    now: now(),
    spare: path,
  });
  return { path, bytes: statSync(path).size, version, removed, ms: Date.now() - t0 };
}

/**
 * Retention of a backup folder: keeps the newest `keep` (0 = all) and removes those older than
 * `maxAgeDays` (0 = no age limit); `spare` (the backup just taken) is never removed.
 * @returns the removed paths.
 */
export function pruneBackups(
  dir: string,
  o: { keep: number; maxAgeDays: number; now: Date; spare?: string },
): string[] {
  const removed: string[] = [];
  const all = listBackups(dir);
  all.forEach((b, i) => {
    if (b.path === o.spare) return;
    const tooMany = o.keep > 0 && i >= o.keep;
    const tooOld = o.maxAgeDays > 0 && o.now.getTime() - b.at.getTime() > o.maxAgeDays * 86_400_000;
    if (!tooMany && !tooOld) return;
    try {
      unlinkSync(b.path);
      removed.push(b.path);
    } catch {
      /* removed meanwhile */
    }
  });
  return removed;
}

/** The result of {@link restoreStore}. */
export interface RestoreResult {
  /** The store now in place. */
  dbPath: string;
  /** Its schema version. */
  version: number;
  /** Where the replaced store went (`<db>.replaced-<stamp>`), null when there was none. */
  replaced: string | null;
}

/**
 * Puts the backup `file` in place of the store at `dbPath`. Refused while a writer holds the
 * store's lock (LockError naming its pid); the file is verified first ({@link verifyStoreFile}).
 * Holds the lock itself while it works, so no backfill starts half-way. The old store's WAL is
 * checkpointed into it when possible, then the old file and any -wal/-shm left are moved together
 * to `<db>.replaced-<stamp>` (+ `-wal`/`-shm`), so no stale WAL of the old store is ever read with
 * the restored one. The copy is written to a temp name, synced and renamed.
 * @throws LockError when a writer holds the store; StoreError when the file is not a sound store.
 */
export function restoreStore(
  file: string,
  dbPath: string,
  o: { now?: () => Date } = {},
): RestoreResult {
  const now = o.now ?? (() => new Date());
  const holder = readLock(dbPath);
  if (holder)
    throw new LockError(
      `restore refused: ${holder.command} (pid ${holder.pid} on ${holder.host}) holds ${dbPath}; stop it first`,
    );
  const src = resolve(file);
  if (src === resolve(dbPath)) throw new StoreError(`restore: ${file} is the store itself`);
  const { version } = verifyStoreFile(src);
  const lock = acquireLock(dbPath, 'db restore');
  try {
    let replaced: string | null = null;
    if (existsSync(dbPath)) {
      try {
        const old = new Database(dbPath, { fileMustExist: true });
        try {
          old.pragma('busy_timeout = 5000');
          old.pragma('wal_checkpoint(TRUNCATE)');
        } finally {
          old.close();
        }
      } catch {
        /* a corrupt old store: moved as it is, with its -wal/-shm */
      }
      replaced = `${dbPath}.replaced-${backupStamp(now())}`;
      for (let n = 1; existsSync(replaced); n++)
        replaced = `${dbPath}.replaced-${backupStamp(now())}-${n}`;
      renameSync(dbPath, replaced);
    }
    for (const suffix of ['-wal', '-shm', '-journal']) {
      const p = `${dbPath}${suffix}`;
      if (!existsSync(p)) continue;
      if (replaced) renameSync(p, `${replaced}${suffix}`);
      else unlinkSync(p);
    }
    mkdirSync(dirname(resolve(dbPath)), { recursive: true });
    const tmp = join(dirname(resolve(dbPath)), `.${basename(dbPath)}.restore-${process.pid}.tmp`);
    copyFileSync(src, tmp);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, dbPath);
    return { dbPath, version, replaced };
  } finally {
    lock.release();
  }
}

/** The result of {@link checkStore}. */
export interface CheckResult {
  /** True when integrity_check is ok and foreign_key_check finds nothing. */
  ok: boolean;
  /** integrity_check rows (["ok"] when sound). */
  integrity: string[];
  /** foreign_key_check violations (table, rowid, parent). */
  foreignKeys: { table: string; rowid: number | null; parent: string }[];
  /** The store's schema version (null when unreadable). */
  version: number | null;
}

/**
 * `PRAGMA integrity_check` and `PRAGMA foreign_key_check` of the store, read-only.
 * @throws StoreError when the file is absent or cannot be opened at all.
 */
export function checkStore(dbPath: string): CheckResult {
  const db = openReadonly(dbPath);
  try {
    let version: number | null = null;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
    } catch {
      /* not a database: integrity says why */
    }
    const integrity = integrityRows(db);
    let foreignKeys: CheckResult['foreignKeys'] = [];
    try {
      foreignKeys = (
        db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[]
      ).map((r) => ({ table: r.table, rowid: r.rowid, parent: r.parent }));
    } catch (e) {
      if (integrity[0] === 'ok')
        integrity.splice(0, 1, `foreign_key_check failed: ${errorLine(e)}`);
    }
    return {
      ok: integrity.length === 1 && integrity[0] === 'ok' && foreignKeys.length === 0,
      integrity,
      foreignKeys,
      version,
    };
  } finally {
    db.close();
  }
}

/** The result of {@link optimizeStore}. */
export interface OptimizeResult {
  /** Store file size before and after, bytes (the WAL not counted). */
  bytesBefore: number;
  bytesAfter: number;
  /** True when VACUUM ran. */
  vacuumed: boolean;
  /** Why VACUUM did not run (a writer's pid), null when it ran. */
  vacuumSkipped: string | null;
}

/**
 * ANALYZE and `PRAGMA optimize` always (they wait for a writer's transaction through the busy
 * timeout); VACUUM only when no writer holds the store's lock, and then under the lock itself.
 * @throws StoreError when the store is absent or unusable.
 */
export function optimizeStore(dbPath: string): OptimizeResult {
  if (!existsSync(dbPath)) throw new StoreError(`store: ${dbPath} does not exist`);
  const bytesBefore = statSync(dbPath).size;
  let db: Db;
  try {
    db = new Database(dbPath, { fileMustExist: true });
    db.pragma('busy_timeout = 30000');
  } catch (e) {
    throw new StoreError(`store: cannot open ${dbPath}: ${errorLine(e)}`);
  }
  let vacuumed = false;
  let vacuumSkipped: string | null = null;
  try {
    const v = db.pragma('user_version', { simple: true }) as number;
    if (v > SCHEMA_VERSION)
      throw new StoreError(
        `store: ${dbPath} has schema version ${v}, newer than this gapctl (${SCHEMA_VERSION}); nothing was changed`,
      );
    db.exec('ANALYZE');
    db.pragma('optimize');
    const holder = readLock(dbPath);
    if (holder) {
      vacuumSkipped = `${holder.command} (pid ${holder.pid}) holds the store`;
    } else {
      let lock;
      try {
        lock = acquireLock(dbPath, 'db optimize');
      } catch (e) {
        vacuumSkipped = errorLine(e);
      }
      if (lock) {
        try {
          db.exec('VACUUM');
          db.pragma('wal_checkpoint(TRUNCATE)');
          vacuumed = true;
        } finally {
          lock.release();
        }
      }
    }
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`store: optimize of ${dbPath} failed: ${errorLine(e)}`);
  } finally {
    db.close();
  }
  return { bytesBefore, bytesAfter: statSync(dbPath).size, vacuumed, vacuumSkipped };
}

/** Size of one table or index. */
export interface TableStat {
  name: string;
  /** 'table' or 'index'. */
  type: string;
  /** Rows (tables only; null for indexes). */
  rows: number | null;
  /** Bytes on disk (dbstat), null when dbstat is not compiled in. */
  bytes: number | null;
}

/** The result of {@link storeStats}. */
export interface StoreStats {
  path: string;
  /** Bytes of the main file, of `-wal` (0 when absent). */
  fileBytes: number;
  walBytes: number;
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  version: number;
  /** True when sizes come from the dbstat virtual table. */
  dbstat: boolean;
  /** Tables and indexes, largest first (by bytes, else by rows). */
  tables: TableStat[];
}

/** Bytes of a file, 0 when absent. */
export function fileBytes(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

/**
 * Size per table and index of the store (the `dbstat` virtual table when compiled in, else row
 * counts only), file and WAL sizes, page figures and schema version. Read-only.
 * @throws StoreError when the store is absent or unreadable.
 */
export function storeStats(dbPath: string): StoreStats {
  const db = openReadonly(dbPath);
  try {
    const objects = db
      .prepare(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name",
      )
      .all() as { name: string; type: string }[];
    let sizes: Map<string, number> | null = null;
    try {
      sizes = new Map(
        (
          db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as {
            name: string;
            bytes: number;
          }[]
        ).map((r) => [r.name, r.bytes]),
      );
    } catch {
      sizes = null;
    }
    const tables: TableStat[] = objects.map((o) => ({
      name: o.name,
      type: o.type,
      rows:
        o.type === 'table'
          ? (
              db.prepare(`SELECT COUNT(*) AS n FROM "${o.name.replace(/"/g, '""')}"`).get() as {
                n: number;
              }
            ).n
          : null,
      bytes: sizes ? (sizes.get(o.name) ?? 0) : null,
    }));
    tables.sort(
      (a, b) =>
        (b.bytes ?? 0) - (a.bytes ?? 0) ||
        (b.rows ?? 0) - (a.rows ?? 0) ||
        a.name.localeCompare(b.name),
    );
    return {
      path: dbPath,
      fileBytes: fileBytes(dbPath),
      walBytes: fileBytes(`${dbPath}-wal`),
      pageSize: db.pragma('page_size', { simple: true }) as number,
      pageCount: db.pragma('page_count', { simple: true }) as number,
      freelistCount: db.pragma('freelist_count', { simple: true }) as number,
      version: db.pragma('user_version', { simple: true }) as number,
      dbstat: sizes !== null,
      tables,
    };
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`store: ${dbPath} is not readable: ${errorLine(e)}`);
  } finally {
    db.close();
  }
}

/**
 * `PRAGMA quick_check` of the store, read-only: "ok" or the first problem (one line).
 * @throws StoreError when the store is absent or cannot be opened.
 */
export function quickCheck(dbPath: string): string {
  const db = openReadonly(dbPath);
  try {
    const rows = integrityRows(db, 'quick_check');
    return rows.length === 1 && rows[0] === 'ok' ? 'ok' : rows.slice(0, 2).join('; ');
  } finally {
    db.close();
  }
}
