/**
 * Opening the SQLite store (better-sqlite3): pragmas (WAL, busy timeout, foreign keys), schema
 * migrations by `PRAGMA user_version`, and one-line errors for a locked, corrupt or foreign file.
 */
import Database from 'better-sqlite3';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { MIGRATIONS } from './schema.js';
import { errorLine } from '../util/errors.js';

/** The store could not be opened or used; the message is one line. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/** An open better-sqlite3 connection (one per thread). */
export type Db = Database.Database;

/** Options of {@link openDb}. */
export interface OpenDbOptions {
  /** Open without writing (the console's reader); no migrations. */
  readonly?: boolean;
  /** Busy timeout, ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * Read-only opens: run `PRAGMA quick_check` too (status, export, dry run), so a store with corrupt
   * pages is refused in one line. Writable opens always run it.
   */
  check?: boolean;
  /**
   * SQLite page cache of this connection, MB (`PRAGMA cache_size`; SQLITE_CACHE_MB); default:
   * SQLite's own (2 MB).
   */
  cacheMb?: number;
}

/** Why a path cannot be written (`EACCES`, `EROFS`, ...), or null when it can. */
function notWritable(path: string): string | null {
  try {
    accessSync(path, constants.W_OK);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'not writable';
  }
}

/**
 * Checks, before anything is opened or created, that a writer can use the store at `path`: the db
 * file and its `-wal`, `-shm` and `-journal` side files when they exist, and its folder (SQLite creates
 * the side files there; the nearest existing ancestor when the folder does not exist yet). A failing
 * check creates nothing, so fixing the permission is all it takes to go on.
 * @throws StoreError naming the first path that cannot be written.
 */
export function assertStoreWritable(path: string): void {
  if (path === ':memory:') return;
  const abs = resolve(path);
  for (const f of [abs, `${abs}-wal`, `${abs}-shm`, `${abs}-journal`]) {
    if (!existsSync(f)) continue;
    const why = notWritable(f);
    if (why)
      throw new StoreError(
        `store: ${f} is not writable (${why}); fix its permissions or use another --db, then run again (nothing was changed)`,
      );
  }
  let dir = dirname(abs);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const why = notWritable(dir);
  if (why)
    throw new StoreError(
      `store: folder ${dir} of ${abs} is not writable (${why}); SQLite needs it for its -wal and -shm files; fix its permissions or use another --db, then run again (nothing was changed)`,
    );
}

/** SQLite result codes of a read-only open that failed only for want of a writable folder or -shm. */
const READONLY_MEDIA_CODES = /^SQLITE_(READONLY|CANTOPEN)/;

/**
 * A read-only connection to a store on read-only media (a folder where SQLite cannot create the
 * `-shm` file a WAL store needs even to read): the db file and its `-wal` (committed pages not yet
 * checkpointed) are copied to a private temporary folder and opened there read-only. The copy is
 * removed when the connection is closed (or the process exits).
 */
function openSnapshot(path: string, timeoutMs: number): Db {
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-ro-'));
  const copy = join(dir, basename(path));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    const db = new Database(copy, { readonly: true, fileMustExist: true, timeout: timeoutMs });
    const close = db.close.bind(db);
    process.once('exit', cleanup);
    db.close = () => {
      const r = close();
      process.off('exit', cleanup);
      cleanup();
      return r;
    };
    return db;
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** Opens `path` read-only; on read-only media falls back to {@link openSnapshot}. */
function openReadonly(path: string, timeoutMs: number): Db {
  let db: Db | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: timeoutMs });
    db.pragma('user_version', { simple: true }); // the first read opens the WAL index (-shm)
    return db;
  } catch (e) {
    try {
      db?.close();
    } catch {
      /* failing already */
    }
    const code = (e as { code?: string }).code ?? '';
    const media =
      notWritable(dirname(resolve(path))) !== null ||
      (existsSync(`${path}-shm`) && notWritable(`${path}-shm`) !== null);
    if (!READONLY_MEDIA_CODES.test(code) || !media) throw e;
    return openSnapshot(path, timeoutMs);
  }
}

/** Schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) the store at `path`, sets WAL, busy_timeout and foreign keys, and
 * migrates it to {@link SCHEMA_VERSION} in one IMMEDIATE transaction. A writable open first checks
 * that the file, its side files and its folder can be written ({@link assertStoreWritable}). A
 * read-only open (`readonly`) writes nothing and works on read-only media too; with `check` it runs
 * `PRAGMA quick_check` like a writable open.
 * @throws StoreError when the file is not a SQLite database, is corrupt, is locked past the busy
 * timeout, was written by a newer gapctl, or (writable open) cannot be written.
 */
export function openDb(path: string, opts: OpenDbOptions = {}): Db {
  if (path !== ':memory:' && !opts.readonly) {
    // Checked first: SQLite would otherwise open a read-only file read-only without a word, fail
    // on the first write and leave a -shm file behind.
    assertStoreWritable(path);
    mkdirSync(dirname(path), { recursive: true });
  }
  if (opts.readonly && path !== ':memory:' && !existsSync(path))
    throw new StoreError(`store: ${path} does not exist`);
  let db: Db;
  try {
    db =
      opts.readonly && path !== ':memory:'
        ? openReadonly(path, opts.busyTimeoutMs ?? 5000)
        : new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
  } catch (e) {
    throw new StoreError(`store: cannot open ${path}: ${errorLine(e)}`);
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    // The version first: a store of a newer gapctl is refused before anything (even WAL mode) is set.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `store: ${path} has schema version ${version}, newer than this gapctl (${SCHEMA_VERSION}); nothing was changed`,
      );
    }
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (opts.cacheMb !== undefined) db.pragma(`cache_size = ${-Math.round(opts.cacheMb * 1024)}`);
    if (!opts.readonly && version < SCHEMA_VERSION) {
      db.transaction(() => {
        for (let v = version; v < SCHEMA_VERSION; v++) {
          db.exec(MIGRATIONS[v]!);
          db.pragma(`user_version = ${v + 1}`);
        }
      }).immediate();
      if (path !== ':memory:') reclaimFreePages(db);
    }
    if (!opts.readonly || opts.check) {
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok')
        throw new StoreError(`store: ${path} is corrupt: failed its integrity check: ${check}`);
    }
  } catch (e) {
    try {
      db.close();
    } catch {
      /* already failing */
    }
    if (e instanceof StoreError) throw e;
    throw new StoreError(`store: ${path} is not usable: ${errorLine(e)}`);
  }
  return db;
}

/**
 * After a migration: when more than half of the file is free pages (migration 4 moves the big
 * per-day tables into their compact form and drops the old ones), VACUUM once so the file shrinks
 * to what the store holds. A VACUUM that fails (no room for its temporary copy) changes nothing:
 * the migrated store is complete either way, and `gapctl db optimize` can reclaim the space later.
 */
function reclaimFreePages(db: Db): void {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  if (free * 2 <= pages) return;
  try {
    db.exec('VACUUM');
  } catch {
    /* the store is whole without it; db optimize can run it later */
  }
}

/** Prepared statements by connection and SQL text (see {@link stmt}). */
const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * The statement of `sql` on `db`, prepared once per connection and SQL text and reused after (the
 * store's reads run per day or per hit; preparing again each call would cost more than the read).
 * Only for SQL whose text is fixed (a bounded set); never call `.raw()`, `.pluck()` or `.expand()`
 * on the result (the mode would stick to the shared statement).
 * @throws the driver's SqliteError when the SQL does not compile against the schema (e.g. a table
 *   of a newer schema on an older store opened read-only).
 */
export function stmt(db: Db, sql: string): Database.Statement {
  let byText = statements.get(db);
  if (!byText) {
    byText = new Map();
    statements.set(db, byText);
  }
  let s = byText.get(sql);
  if (!s) {
    s = db.prepare(sql);
    byText.set(sql, s);
  }
  return s;
}

/** The schema version of the store on `db` (`PRAGMA user_version`; 0 for a file never migrated). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * The column names of `table` in table order (`PRAGMA table_info`); [] when the table does not
 * exist (an older store opened read-only).
 * @throws Error when `table` is not a plain identifier (letters, digits, underscore).
 */
export function tableColumns(db: Db, table: string): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`);
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

/** What {@link probeStore} found. */
export type StoreProbe =
  /** The file could not be opened at all (not SQLite, no permission). */
  | { kind: 'unopenable'; error: unknown }
  /** Opened, but its first reads failed: locked past the timeout, or not a store / corrupt. */
  | { kind: 'unreadable'; error: unknown }
  /**
   * Opened read-only: its schema version and its `PRAGMA quick_check` result (`ok`, else up to two
   * problem lines joined with `; `). The caller closes `db`.
   */
  | { kind: 'open'; db: Db; version: number; check: string };

/**
 * Opens the file at `path` read-only for a health probe without any of {@link openDb}'s refusals
 * (a newer schema, a failed check are reported, not thrown): busy timeout `timeoutMs` (ms), then
 * the schema version and `PRAGMA quick_check`. Never writes, never migrates.
 */
export function probeStore(path: string, timeoutMs: number): StoreProbe {
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    return { kind: 'unopenable', error };
  }
  try {
    db.pragma(`busy_timeout = ${Math.round(timeoutMs)}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    const rows = (db.pragma('quick_check') as Record<string, string>[]).map((r) =>
      String(Object.values(r)[0]),
    );
    const check = rows.length === 1 && rows[0] === 'ok' ? 'ok' : rows.slice(0, 2).join('; ');
    return { kind: 'open', db, version, check };
  } catch (error) {
    db.close();
    return { kind: 'unreadable', error };
  }
}

/** Current UTC time as ISO 8601. */
export function nowIso(): string {
  return new Date().toISOString();
}
