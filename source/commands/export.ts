/**
 * `gapctl export --start S --end E [--out DIR]`: writes the same set of files a backfill over the
 * range leaves (export/backfill-exports.ts): the month folders YYYY-MM/, the range-level
 * discovery_hits_, summary_ and next_day_outcomes_<start>_<end>.csv, day_completeness.csv, and the
 * 30-day QA report ending at each month's end in GAPCTL_REPORTS_DIR. Every file is written
 * atomically. Reads the store only, but never beside a writer: it takes the store's lock (refused
 * while a backfill, scan or validation holds it); on read-only media it opens the store read-only.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { schemaVersion, StoreError } from '../store/db.js';
import { lockStoreToRead } from './common.js';
import * as calendar from '../calendar/index.js';
import { Store } from '../store/store.js';
import { exportRange } from '../export/backfill-exports.js';
import { dayRuns } from './backfill-plan.js';

/**
 * The trading days of start..end that `store` never scanned (no day_completeness row); every day
 * of the range when the store was never migrated (schema version 0).
 */
export function neverScannedDays(store: Store, start: string, end: string): string[] {
  const days = calendar.tradingDays(start, end);
  if (schemaVersion(store.db) === 0) return days;
  const seen = store.dayStatuses(start, end);
  return days.filter((d) => !seen.has(d));
}

/**
 * Writes the files and prints each path with its row count; returns the exit code. Trading days of
 * the range that were never scanned are named (their runs) in one line on stderr; with
 * `refuseMissing` (the CLI without --allow-missing) that line is a refusal: exit 1, nothing written.
 * @throws StoreError on a missing, corrupt or unreadable store.
 * @throws LockError while another process writes the store.
 */
export async function exportCommand(o: {
  dbPath: string;
  start: string;
  end: string;
  outDir: string;
  reportsDir: string;
  refuseMissing?: boolean;
  write?: (l: string) => void;
  writeErr?: (l: string) => void;
}): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const writeErr = o.writeErr ?? ((l: string) => process.stderr.write(l + '\n'));
  if (!existsSync(o.dbPath))
    throw new StoreError(`store: ${o.dbPath} does not exist (nothing to export)`);
  const { lock, writable } = lockStoreToRead(o.dbPath, 'export');
  let store: Store;
  try {
    store = writable ? Store.open(o.dbPath) : Store.open(o.dbPath, { readonly: true, check: true });
  } catch (e) {
    lock?.release();
    throw e;
  }
  try {
    const missing = neverScannedDays(store, o.start, o.end);
    if (missing.length > 0) {
      const all = calendar.tradingDays(o.start, o.end);
      const what = `${missing.length} of ${all.length} trading day(s) of ${o.start}..${o.end} were never scanned: ${dayRuns(missing, all)}`;
      if (o.refuseMissing) {
        writeErr(
          `gapctl: export: ${what}; nothing written (scan them first, or --allow-missing to export what is there)`,
        );
        return 1;
      }
      writeErr(`gapctl: export: ${what}; exported without them`);
    }
    const files = exportRange(
      store,
      calendar,
      { exportDir: resolve(o.outDir), reportsDir: resolve(o.reportsDir) },
      o.start,
      o.end,
    );
    for (const f of files)
      write(`${f.path} (${f.rows} ${f.path.endsWith('.txt') ? 'lines' : 'rows'})`);
    return 0;
  } finally {
    store.close();
    lock?.release();
  }
}
