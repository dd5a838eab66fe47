/**
 * Retention of the per-day artifacts in `<stateDir>/artifacts/` (issue 12.5): scan logs
 * (`scan_<date>.log`), `pm_diag_<date>.json`, `miss_audit_filters_<date>.json`,
 * `validate_hits_<date>.csv` and the other day files. A file not modified for `compressDays` days is
 * gzip-compressed to `<name>.gz` (written to a temp name, renamed, the original's mtime kept, then
 * the original removed); a file (compressed or not) not modified for `pruneDays` days is deleted.
 * Age is the file's modification time, not the trading day in its name: a backfill of 2018 writes
 * fresh 2018 logs that the console is about to show. Exports, the store, the state files and
 * reports are never touched (only the artifacts folder is read). Readers of a day's log fall back
 * to the `.gz` (runtime/day-detail.ts).
 */
import {
  existsSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** What one retention pass did (file names relative to the artifacts folder). */
export interface RetentionResult {
  compressed: string[];
  pruned: string[];
  /** Files that could not be handled, with the one-line reason. */
  errors: string[];
}

/** Options of {@link applyArtifactRetention}. Days 0 turn a step off. */
export interface RetentionOptions {
  /** Compress files older than this many days (ARTIFACTS_COMPRESS_DAYS; 0: never). */
  compressDays: number;
  /** Delete files older than this many days (ARTIFACTS_PRUNE_DAYS; 0: never). */
  pruneDays: number;
  /** Now, UTC epoch ms (tests inject it). */
  now?: number;
}

const DAY_MS = 86_400_000;
/** Day artifacts: a name holding a YYYY-MM-DD date; temp files of atomic writes are left alone. */
const DAY_FILE_RE = /\d{4}-\d{2}-\d{2}/;

/**
 * Compresses then prunes `<stateDir>/artifacts/` (see the module doc). Never throws: a file that
 * fails is listed in `errors` and the rest go on. Returns what was done.
 */
export function applyArtifactRetention(stateDir: string, o: RetentionOptions): RetentionResult {
  const dir = join(stateDir, 'artifacts');
  const out: RetentionResult = { compressed: [], pruned: [], errors: [] };
  if (!existsSync(dir)) return out;
  const now = o.now ?? Date.now();
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    out.errors.push(`${dir}: ${(e as Error).message}`);
    return out;
  }
  for (const name of names) {
    if (!DAY_FILE_RE.test(name) || name.includes('.tmp')) continue;
    const path = join(dir, name);
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      const ageDays = (now - st.mtimeMs) / DAY_MS;
      if (o.pruneDays > 0 && ageDays > o.pruneDays) {
        unlinkSync(path);
        out.pruned.push(name);
        continue;
      }
      if (o.compressDays > 0 && ageDays > o.compressDays && !name.endsWith('.gz')) {
        const gz = `${path}.gz`;
        const tmp = `${gz}.tmp-${process.pid}`;
        writeFileSync(tmp, gzipSync(readFileSync(path)));
        utimesSync(tmp, st.atime, st.mtime);
        renameSync(tmp, gz);
        unlinkSync(path);
        out.compressed.push(name);
      }
    } catch (e) {
      out.errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  return out;
}
