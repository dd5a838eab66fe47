/**
 * Opening the SQLite store (better-sqlite3): pragmas (WAL, busy timeout, foreign keys), schema
 * migrations by `PRAGMA user_version`, and one-line errors for a locked, corrupt or foreign file.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
}

/** Schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) the store at `path`, sets WAL, busy_timeout and foreign keys, and
 * migrates it to {@link SCHEMA_VERSION} in one IMMEDIATE transaction.
 * @throws StoreError when the file is not a SQLite database, is corrupt, is locked past the busy
 * timeout, or was written by a newer gapctl.
 */
export function openDb(path: string, opts: OpenDbOptions = {}): Db {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  if (opts.readonly && path !== ':memory:' && !existsSync(path)) throw new StoreError(`store: ${path} does not exist`);
  let db: Db;
  try {
    db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
  } catch (e) {
    throw new StoreError(`store: cannot open ${path}: ${errorLine(e)}`);
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    // The version first: a store of a newer gapctl is refused before anything (even WAL mode) is set.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`store: ${path} has schema version ${version}, newer than this gapctl (${SCHEMA_VERSION}); nothing was changed`);
    }
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (!opts.readonly && version < SCHEMA_VERSION) {
      db.transaction(() => {
        for (let v = version; v < SCHEMA_VERSION; v++) {
          db.exec(MIGRATIONS[v]!);
          db.pragma(`user_version = ${v + 1}`);
        }
      }).immediate();
    }
    if (!opts.readonly) {
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') throw new StoreError(`store: ${path} failed its integrity check: ${check}`);
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

/** Current UTC time as ISO 8601. */
export function nowIso(): string {
  return new Date().toISOString();
}
