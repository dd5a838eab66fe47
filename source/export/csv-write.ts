/**
 * Writing one export file the way every export does (docs/domain.md section 9): csv-stringify with a
 * header row, LF line endings and RFC 4180 quoting, written atomically (temp file in the same folder
 * + rename), so a reader or a crash never sees half a file. A temp copy of the same file left by a
 * process killed before its rename is removed when the file is written again.
 */
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { isStaleTemp, writeFileAtomic } from '../store/state-files.js';

/** A file an export wrote: its path and its number of data rows (lines for a text report). */
export interface ExportedFile {
  path: string;
  rows: number;
}

/**
 * Removes `<path>.<pid>.<ms>.tmp` files (writeFileAtomic's temp copies of `path`) whose process is
 * gone: what a crash between the temp write and the rename leaves behind. Missing folder: no-op.
 */
export function removeStaleTemps(path: string): void {
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (isStaleTemp(name, base)) rmSync(join(dirname(path), name), { force: true });
  }
}

/** Writes `data` to `path` atomically (temp + rename), replacing the file, after {@link removeStaleTemps}. */
export function writeExportFile(path: string, data: string): void {
  removeStaleTemps(path);
  writeFileAtomic(path, data);
}

/**
 * Writes `rows` (cells already formatted as strings, keyed by column) under a header of `columns`
 * to `path` atomically, replacing any existing file. A missing cell is written as ''.
 */
export function writeCsvAtomic(
  path: string,
  columns: readonly string[],
  rows: readonly Record<string, string>[],
): ExportedFile {
  const csv = stringify(rows as Record<string, string>[], {
    header: true,
    columns: [...columns],
    record_delimiter: 'unix',
  });
  writeExportFile(path, csv);
  return { path, rows: rows.length };
}
