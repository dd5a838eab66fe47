/**
 * BACKUP_EVERY_MONTH: after a backfill month is complete (exported, validated, state advanced), a
 * verified online backup of the store into BACKUP_DIR (store/maintenance.ts backupStore, with the
 * BACKUP_KEEP / BACKUP_MAX_AGE_DAYS retention). A failed backup never halts the backfill: it is a
 * WARNING alert of kind `backup` (stored and emitted) and a log line.
 */
import { resolve } from 'node:path';
import { backupStore, type BackupResult } from '../store/maintenance.js';
import { errorLine } from '../util/errors.js';
import type { EngineContext } from './context.js';

/**
 * Takes the month's backup when BACKUP_EVERY_MONTH is on (else does nothing).
 * @param month `YYYY-MM` just completed; `lastDay` its last trading day (for the log line).
 * @returns the backup, or null when off or failed. Never throws.
 */
export async function backupAfterMonth(
  ctx: EngineContext,
  month: string,
  lastDay: string,
): Promise<BackupResult | null> {
  if (!ctx.cfg.BACKUP_EVERY_MONTH) return null;
  try {
    const r = await backupStore(ctx.store.path, {
      toDir: resolve(ctx.cfg.BACKUP_DIR),
      keep: ctx.cfg.BACKUP_KEEP,
      maxAgeDays: ctx.cfg.BACKUP_MAX_AGE_DAYS,
    });
    ctx.emit({
      type: 'log',
      date: lastDay,
      line: `backup after ${month}: ${r.path} (integrity ok, ${r.ms} ms${r.removed.length ? `, ${r.removed.length} old removed` : ''})`,
    });
    return r;
  } catch (e) {
    const message = `backup after ${month} failed: ${errorLine(e)}`;
    ctx.emit({ type: 'log', date: lastDay, line: message });
    try {
      const alert = ctx.store.addAlert({
        severity: 'WARNING',
        kind: 'backup',
        date: lastDay,
        message,
      });
      ctx.emit({ type: 'alert', alert });
    } catch {
      /* the log line stands */
    }
    return null;
  }
}
