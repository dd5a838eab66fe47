/**
 * `gapctl db backup|restore|check|optimize|stats`: database care over store/maintenance.ts. Each
 * prints a few lines (or one JSON object with --json) and returns the exit code; a bad subcommand
 * is a UsageError (exit 2), a failed operation one line and exit 1.
 */
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import {
  backupStore,
  checkStore,
  optimizeStore,
  restoreStore,
  storeStats,
} from '../store/maintenance.js';
import { UsageError } from './common.js';

/** Options of {@link dbCommand}. */
export interface DbCommandOptions {
  cfg: Config;
  /** Positional words after `db`: the subcommand, and FILE for restore. */
  input: readonly string[];
  dbPath: string;
  to?: string;
  json?: boolean;
  /** Output sink (default stdout). */
  out?: (line: string) => void;
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(2)} MB`;
}

/**
 * Runs one `gapctl db` subcommand.
 * @returns exit code: 0 done, 1 a problem found (check) or the operation failed.
 * @throws UsageError on a bad subcommand or missing FILE; StoreError / LockError (one line) on failure.
 */
export async function dbCommand(o: DbCommandOptions): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const [sub, file, extra] = o.input;
  const json = (v: unknown) => out(JSON.stringify(v, null, 2));
  if (extra !== undefined || (file !== undefined && sub !== 'restore'))
    throw new UsageError(`unexpected argument "${extra ?? file}" (gapctl db --help)`);
  if (o.to !== undefined && sub !== 'backup')
    throw new UsageError('--to belongs to gapctl db backup');
  switch (sub) {
    case 'backup': {
      const r = await backupStore(o.dbPath, {
        toDir: resolve(o.to ?? o.cfg.BACKUP_DIR),
        keep: o.cfg.BACKUP_KEEP,
        maxAgeDays: o.cfg.BACKUP_MAX_AGE_DAYS,
      });
      if (o.json) json({ ok: true, ...r });
      else {
        out(`backup ${r.path} (${mb(r.bytes)}, schema ${r.version}, integrity ok, ${r.ms} ms)`);
        for (const p of r.removed) out(`removed ${p} (retention)`);
      }
      return 0;
    }
    case 'restore': {
      if (!file) throw new UsageError('usage: gapctl db restore FILE');
      const r = restoreStore(file, o.dbPath);
      if (o.json) json({ ok: true, ...r, from: resolve(file) });
      else
        out(
          `restored ${resolve(file)} to ${r.dbPath} (schema ${r.version}, integrity ok)${r.replaced ? `; the replaced store is ${r.replaced}` : ''}`,
        );
      return 0;
    }
    case 'check': {
      const r = checkStore(o.dbPath);
      if (o.json) json(r);
      else {
        out(
          `integrity_check   ${r.integrity.length === 1 && r.integrity[0] === 'ok' ? 'ok' : `${r.integrity.length} problem(s): ${r.integrity.slice(0, 5).join('; ')}`}`,
        );
        out(
          `foreign_key_check ${
            r.foreignKeys.length === 0
              ? 'ok'
              : `${r.foreignKeys.length} violation(s): ${r.foreignKeys
                  .slice(0, 5)
                  .map((f) => `${f.table} row ${f.rowid} -> ${f.parent}`)
                  .join('; ')}`
          }`,
        );
        out(`schema version    ${r.version ?? 'unreadable'}`);
      }
      return r.ok ? 0 : 1;
    }
    case 'optimize': {
      const r = optimizeStore(o.dbPath);
      if (o.json) json(r);
      else
        out(
          `ANALYZE, PRAGMA optimize done; ${r.vacuumed ? `VACUUM done (${mb(r.bytesBefore)} -> ${mb(r.bytesAfter)})` : `VACUUM skipped: ${r.vacuumSkipped}`}`,
        );
      return 0;
    }
    case 'stats': {
      const s = storeStats(o.dbPath);
      if (o.json) {
        json(s);
        return 0;
      }
      out(
        `store ${s.path}: ${mb(s.fileBytes)} + WAL ${mb(s.walBytes)}, schema ${s.version}, ${s.pageCount} pages of ${s.pageSize} B, ${s.freelistCount} free`,
      );
      out(
        `${'name'.padEnd(40)} ${'type'.padEnd(6)} ${'rows'.padStart(10)} ${'bytes'.padStart(12)}`,
      );
      for (const t of s.tables)
        out(
          `${t.name.padEnd(40)} ${t.type.padEnd(6)} ${(t.rows ?? '').toString().padStart(10)} ${(t.bytes ?? 'n/a').toString().padStart(12)}`,
        );
      if (!s.dbstat) out('(dbstat is not compiled in: row counts only)');
      return 0;
    }
    case undefined:
      throw new UsageError(
        'usage: gapctl db backup|restore|check|optimize|stats (gapctl db --help)',
      );
    default:
      throw new UsageError(
        `unknown db subcommand "${sub}": expected backup, restore, check, optimize or stats`,
      );
  }
}
