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
import type { Store } from '../store/store.js';
import type { TradingCalendar } from './trading-calendar.js';

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

/**
 * The rows of a range export: its cells already formatted as strings, keyed by column, for the
 * trading days in [start, end] (dates `YYYY-MM-DD`), read from `store`.
 * @throws CalendarError (from `cal`) on malformed dates.
 */
export type RangeRows = (
  store: Store,
  cal: TradingCalendar,
  start: string,
  end: string,
) => Record<string, string>[];

/**
 * Writes one range export of [start, end] into `outDir` as `<prefix>_<name.start>_<name.end>.csv`
 * (`name` defaults to the same range: a backfill's range-level file passes its whole range as the
 * name and the days exported so far as [start, end]), atomically, replacing an existing file.
 * @throws CalendarError on malformed dates.
 */
export type RangeExport = (
  store: Store,
  cal: TradingCalendar,
  start: string,
  end: string,
  outDir: string,
  name?: { start: string; end: string },
) => ExportedFile;

/**
 * The writer of a range export (next_day_outcomes, summary): the file
 * `<outDir>/<prefix>_<name.start>_<name.end>.csv` with `rows(store, cal, start, end)` under
 * `columns`, written with {@link writeCsvAtomic}.
 */
export function rangeCsvExport(
  prefix: string,
  columns: readonly string[],
  rows: RangeRows,
): RangeExport {
  return (store, cal, start, end, outDir, name = { start, end }) =>
    writeCsvAtomic(
      join(outDir, `${prefix}_${name.start}_${name.end}.csv`),
      columns,
      rows(store, cal, start, end),
    );
}
