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
import { StoreError } from '../store/db.js';
import { lockStoreToRead } from './common.js';
import * as calendar from '../calendar/index.js';
import { Store } from '../store/store.js';
import { exportRange } from '../export/backfill-exports.js';

/**
 * Writes the files and prints each path with its row count; returns the exit code (0).
 * @throws StoreError on a missing, corrupt or unreadable store.
 * @throws LockError while another process writes the store.
 */
export async function exportCommand(o: { dbPath: string; start: string; end: string; outDir: string; reportsDir: string; write?: (l: string) => void }): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  if (!existsSync(o.dbPath)) throw new StoreError(`store: ${o.dbPath} does not exist (nothing to export)`);
  const { lock, writable } = lockStoreToRead(o.dbPath, 'export');
  let store: Store;
  try {
    store = writable ? Store.open(o.dbPath) : Store.open(o.dbPath, { readonly: true, check: true });
  } catch (e) {
    lock?.release();
    throw e;
  }
  try {
    const files = exportRange(store, calendar, { exportDir: resolve(o.outDir), reportsDir: resolve(o.reportsDir) }, o.start, o.end);
    for (const f of files) write(`${f.path} (${f.rows} ${f.path.endsWith('.txt') ? 'lines' : 'rows'})`);
    return 0;
  } finally {
    store.close();
    lock?.release();
  }
}
