/**
 * `gapctl export --start S --end E [--out DIR]`: writes discovery_hits_<start>_<end>.csv (section 9)
 * and day_completeness.csv atomically. Reads the store only.
 */
import { resolve } from 'node:path';
import { Store } from '../store/store.js';
import { exportDayCompleteness, exportDiscoveryHits } from '../export/discovery-csv.js';

/** Writes both CSVs and prints their paths and row counts; returns the exit code. */
export async function exportCommand(o: { dbPath: string; start: string; end: string; outDir: string; write?: (l: string) => void }): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const store = Store.open(o.dbPath);
  try {
    const out = resolve(o.outDir);
    const a = exportDiscoveryHits(store, o.start, o.end, out);
    const b = exportDayCompleteness(store, out);
    write(`${a.path} (${a.rows} hits)`);
    write(`${b.path} (${b.rows} days)`);
    return 0;
  } finally {
    store.close();
  }
}
