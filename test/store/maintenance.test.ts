/**
 * Database care (store/maintenance.ts): verified backups with retention by count and age, restore
 * (refused under a live lock, verifies first, keeps the replaced store and its WAL beside it),
 * integrity + foreign-key check, optimize (no VACUUM under a writer's lock) and stats.
 */
import { describe, expect, it } from 'vitest';
import {
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../../source/store/store.js';
import { acquireLock } from '../../source/store/lock.js';
import { SCHEMA_VERSION } from '../../source/store/db.js';
import {
  backupStamp,
  backupStore,
  checkStore,
  listBackups,
  optimizeStore,
  quickCheck,
  restoreStore,
  storeStats,
  verifyStoreFile,
} from '../../source/store/maintenance.js';
import { completeness } from '../export/fixtures.js';
import { tempDir } from '../helpers/paths.js';

/** A store with `days` committed COMPLETE days (March 2018). */
function storeWithDays(path: string, days: string[]): void {
  const s = Store.open(path);
  for (const d of days)
    s.commitDay({ completeness: completeness(d), hits: [], missAudit: [], audit: null });
  s.close();
}

function daysIn(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT date FROM day_completeness ORDER BY date').all() as {
    date: string;
  }[];
  db.close();
  return rows.map((r) => r.date);
}

/** Overwrites the store's pages after the first two with garbage (a corrupt file). */
function corrupt(path: string): void {
  const size = readFileSync(path).length;
  const fd = openSync(path, 'r+');
  const junk = Buffer.alloc(Math.max(0, size - 8192), 0xa5);
  writeSync(fd, junk, 0, junk.length, 8192);
  closeSync(fd);
}

describe('db backup', () => {
  it('writes a verified scanner-YYYYMMDDTHHMMSSZ.db holding every committed day, no temp left', async () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01', '2018-03-02']);
    const r = await backupStore(db, {
      toDir: join(dir, 'b'),
      keep: 7,
      maxAgeDays: 30,
      now: () => new Date('2026-11-29T08:01:02.345Z'),
    });
    expect(r.path).toBe(join(dir, 'b', 'scanner-20261129T080102Z.db'));
    expect(r.version).toBe(SCHEMA_VERSION);
    expect(readdirSync(join(dir, 'b'))).toEqual(['scanner-20261129T080102Z.db']);
    expect(daysIn(r.path)).toEqual(['2018-03-01', '2018-03-02']);
    expect(verifyStoreFile(r.path).version).toBe(SCHEMA_VERSION);
  });

  it('backups taken within one second list newest first (-2, -1, then the plain name) and retention keeps the newest', async () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01']);
    const now = () => new Date('2026-11-29T08:01:02.345Z');
    const paths: string[] = [];
    for (let i = 0; i < 3; i++)
      paths.push(
        (await backupStore(db, { toDir: join(dir, 'b'), keep: 0, maxAgeDays: 0, now })).path,
      );
    expect(listBackups(join(dir, 'b')).map((b) => b.path)).toEqual([...paths].reverse());
    const r = await backupStore(db, { toDir: join(dir, 'b'), keep: 2, maxAgeDays: 0, now });
    expect(listBackups(join(dir, 'b')).map((b) => b.path)).toEqual([r.path, paths[2]]);
  });

  it('retention keeps BACKUP_KEEP newest and drops those older than BACKUP_MAX_AGE_DAYS', async () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01']);
    const to = join(dir, 'b');
    let t = new Date('2026-10-01T00:00:00Z').getTime();
    const removedAll: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await backupStore(db, {
        toDir: to,
        keep: 3,
        maxAgeDays: 0,
        now: () => new Date(t),
      });
      removedAll.push(...r.removed);
      t += 86_400_000;
    }
    expect(listBackups(to).map((b) => b.at.toISOString().slice(0, 10))).toEqual([
      '2026-10-05',
      '2026-10-04',
      '2026-10-03',
    ]);
    expect(removedAll).toHaveLength(2);
    // Age: 40 days later only the new one survives a 30-day limit.
    const r = await backupStore(db, {
      toDir: to,
      keep: 0,
      maxAgeDays: 30,
      now: () => new Date(t + 40 * 86_400_000),
    });
    expect(listBackups(to).map((b) => b.path)).toEqual([r.path]);
    expect(r.removed).toHaveLength(3);
  });

  it('a corrupt store gives no backup: one-line error, nothing left in the folder', async () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(
      db,
      Array.from({ length: 20 }, (_, i) => `2018-03-${String(i + 1).padStart(2, '0')}`),
    );
    corrupt(db);
    await expect(
      backupStore(db, { toDir: join(dir, 'b'), keep: 7, maxAgeDays: 30 }),
    ).rejects.toThrow(/^backup: /);
    expect(existsSync(join(dir, 'b')) ? readdirSync(join(dir, 'b')) : []).toEqual([]);
  });
});

describe('db restore', () => {
  it('puts a backup in place, keeps the replaced store and its WAL beside it, and never reads the old WAL', async () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01']);
    const b = await backupStore(db, { toDir: join(dir, 'b'), keep: 7, maxAgeDays: 30 });
    // Later days, with a WAL left behind by an open connection (as a killed backfill leaves it).
    storeWithDays(db, ['2018-03-02', '2018-03-05']);
    const holder = new Database(db);
    holder.pragma('wal_autocheckpoint = 0');
    holder
      .prepare(
        "INSERT INTO alerts (at, severity, kind, date, message) VALUES ('x', 'INFO', 'k', NULL, 'in the wal')",
      )
      .run();
    expect(existsSync(`${db}-wal`)).toBe(true);
    const r = restoreStore(b.path, db, { now: () => new Date('2026-11-29T09:00:00Z') });
    holder.close();
    expect(r.replaced).toBe(`${db}.replaced-20261129T090000Z`);
    expect(daysIn(db)).toEqual(['2018-03-01']);
    expect(quickCheck(db)).toBe('ok');
    // The kept store still has everything, WAL included.
    expect(daysIn(r.replaced!)).toEqual(['2018-03-01', '2018-03-02', '2018-03-05']);
    const old = new Database(r.replaced!, { readonly: true });
    expect(
      (
        old.prepare("SELECT COUNT(*) AS n FROM alerts WHERE message = 'in the wal'").get() as {
          n: number;
        }
      ).n,
    ).toBe(1);
    old.close();
    // No lock left behind.
    expect(existsSync(`${db}.lock`)).toBe(false);
  });

  it('is refused while a writer holds the lock (one line naming the pid), nothing changed', async () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01']);
    const b = await backupStore(db, { toDir: join(dir, 'b'), keep: 7, maxAgeDays: 30 });
    storeWithDays(db, ['2018-03-02']);
    const lock = acquireLock(db, 'backfill');
    try {
      expect(() => restoreStore(b.path, db)).toThrow(
        new RegExp(`^restore refused: backfill \\(pid ${process.pid} `),
      );
    } finally {
      lock.release();
    }
    expect(daysIn(db)).toEqual(['2018-03-01', '2018-03-02']);
    expect(readdirSync(dir).filter((f) => f.includes('replaced'))).toEqual([]);
  });

  it('refuses a corrupt file and a SQLite file that is not a gapctl store, nothing changed', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01']);
    const bad = join(dir, 'bad.db');
    storeWithDays(
      bad,
      Array.from({ length: 20 }, (_, i) => `2018-04-${String(i + 1).padStart(2, '0')}`),
    );
    corrupt(bad);
    expect(() => restoreStore(bad, db)).toThrow(/failed integrity_check|not a usable|malformed/);
    const foreign = join(dir, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    expect(() => restoreStore(foreign, db)).toThrow(/is not a gapctl store/);
    writeFileSync(join(dir, 'text.db'), 'hello');
    expect(() => restoreStore(join(dir, 'text.db'), db)).toThrow(/^store: /);
    expect(daysIn(db)).toEqual(['2018-03-01']);
    expect(readdirSync(dir).filter((x) => x.includes('replaced'))).toEqual([]);
  });
});

describe('db check, optimize, stats', () => {
  it('check: ok on a sound store; a foreign-key violation and a corrupt file are problems', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01']);
    expect(checkStore(db)).toMatchObject({ ok: true, integrity: ['ok'], foreignKeys: [] });
    const w = new Database(db);
    w.pragma('foreign_keys = OFF');
    w.prepare(
      'INSERT INTO discovery_hit_rules (hit_id, trigger_rule, rule_value) VALUES (999, ?, 1)',
    ).run('R2');
    w.close();
    const c = checkStore(db);
    expect(c.ok).toBe(false);
    expect(c.foreignKeys[0]).toMatchObject({
      table: 'discovery_hit_rules',
      parent: 'discovery_hits',
    });
    const bad = join(dir, 'bad.db');
    storeWithDays(
      bad,
      Array.from({ length: 20 }, (_, i) => `2018-04-${String(i + 1).padStart(2, '0')}`),
    );
    corrupt(bad);
    expect(checkStore(bad).ok).toBe(false);
  });

  it('optimize: ANALYZE always, VACUUM only without a writer holding the lock', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01', '2018-03-02']);
    const lock = acquireLock(db, 'backfill');
    try {
      const r = optimizeStore(db);
      expect(r.vacuumed).toBe(false);
      expect(r.vacuumSkipped).toContain(`pid ${process.pid}`);
    } finally {
      lock.release();
    }
    const r = optimizeStore(db);
    expect(r.vacuumed).toBe(true);
    expect(existsSync(`${db}.lock`)).toBe(false);
    const d = new Database(db, { readonly: true });
    expect(
      (
        d.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'").get() as {
          n: number;
        }
      ).n,
    ).toBe(1);
    d.close();
  });

  it('stats: bytes per table from dbstat, rows, schema version', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    storeWithDays(db, ['2018-03-01', '2018-03-02']);
    const s = storeStats(db);
    expect(s.version).toBe(SCHEMA_VERSION);
    expect(s.dbstat).toBe(true);
    const dc = s.tables.find((t) => t.name === 'day_completeness')!;
    expect(dc.rows).toBe(2);
    expect(dc.bytes).toBeGreaterThan(0);
    expect(s.pageCount * s.pageSize).toBeGreaterThan(0);
  });

  it('backupStamp is the UTC second', () => {
    expect(backupStamp(new Date('2026-01-02T03:04:05.999Z'))).toBe('20260102T030405Z');
  });
});
