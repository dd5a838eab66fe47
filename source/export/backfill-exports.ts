/**
 * Every export of a backfill (issue 4, docs/domain.md sections 6 and 9), regenerated from the database
 * alone so that a rerun of a day replaces its rows everywhere and an interrupted + resumed backfill
 * writes the same bytes as a clean run:
 *
 *   <exportDir>/YYYY-MM/discovery_hits_<ms>_<me>.csv       the month's hits (section 9)
 *   <exportDir>/YYYY-MM/next_day_outcomes_<ms>_<me>.csv    T+1 of each of them
 *   <exportDir>/YYYY-MM/summary_<ms>_<me>.csv              the month row + TOTAL
 *   <exportDir>/YYYY-MM/day_completeness_<ms>_<me>.csv     the month's day rows
 *   <exportDir>/discovery_hits_<start>_<end>.csv           the backfill range so far
 *   <exportDir>/next_day_outcomes_<start>_<end>.csv
 *   <exportDir>/summary_<start>_<end>.csv
 *   <exportDir>/day_completeness.csv                       every scanned day
 *   <reportsDir>/qa_30d_<me>.csv, qa_30d_<me>.txt          the 30-day QA report ending at the month's end
 *
 * The backfill runs {@link exportBackfillMonth} when a month's days are scanned and
 * {@link exportValidationUpdate} after each spot validation; a rerun of a day calls
 * {@link reexportDay}; `gapctl export` runs {@link exportRange}.
 *
 * <ms>/<me> are the month's calendar bounds clipped to the backfill range (e.g. 2018-01-03 ..
 * 2018-01-31), <start>/<end> the backfill range. Files under exportDir carry no wall-clock time,
 * durations or request counts; every file is written atomically (temp + rename) with csv-stringify.
 */
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { readBackfillState } from '../store/state-files.js';
import {
  DISCOVERY_COLUMNS,
  discoveryRow,
  exportDayCompleteness,
  exportDiscoveryHits,
} from './discovery-csv.js';
import { writeCsvAtomic, type ExportedFile } from './csv-write.js';
import { exportNextDayOutcomes } from './next-day-csv.js';
import { exportSummary } from './summary-csv.js';
import { writeQaReport } from './qa-report.js';
import { exportMonths, monthBounds, type TradingCalendar } from './trading-calendar.js';

export type { ExportedFile } from './csv-write.js';
export type { TradingCalendar } from './trading-calendar.js';

/** Where the exports go: CSVs (GAPCTL_EXPORT_DIR or --out) and reports (GAPCTL_REPORTS_DIR). */
export interface ExportDirs {
  exportDir: string;
  reportsDir: string;
}

/** A date range, `YYYY-MM-DD` both ends inclusive. */
export interface DateRange {
  start: string;
  end: string;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function checkRange(r: DateRange, what: string): void {
  if (!DATE_RE.test(r.start) || !DATE_RE.test(r.end)) {
    throw new Error(
      `export: ${what} dates must be YYYY-MM-DD, got start=${JSON.stringify(r.start)} end=${JSON.stringify(r.end)}`,
    );
  }
  if (r.start > r.end) throw new Error(`export: ${what} start ${r.start} is after end ${r.end}`);
}

/**
 * Writes the month folder `<exportDir>/YYYY-MM/` for the month part [month.start, month.end]
 * (calendar days of one month): discovery_hits_, next_day_outcomes_, summary_ and
 * day_completeness_<start>_<end>.csv, each replaced whole. Returns the files in that order.
 * @throws Error on malformed dates, start > end, or a range spanning two months.
 */
export function exportMonthFolder(
  store: Store,
  cal: TradingCalendar,
  month: DateRange,
  exportDir: string,
): ExportedFile[] {
  checkRange(month, 'month');
  if (month.start.slice(0, 7) !== month.end.slice(0, 7))
    throw new Error(`export: ${month.start} .. ${month.end} is not within one month`);
  const dir = join(exportDir, month.start.slice(0, 7));
  const { start, end } = month;
  return [
    exportDiscoveryHits(store, start, end, dir),
    exportNextDayOutcomes(store, cal, start, end, dir),
    exportSummary(store, cal, start, end, dir),
    exportDayCompleteness(store, dir, {
      start,
      end,
      fileName: `day_completeness_${start}_${end}.csv`,
    }),
  ];
}

/**
 * Writes the range-level files of a backfill range, named by the whole range but holding the rows
 * of [range.start, min(through, range.end)] only (the days exported so far):
 * discovery_hits_, summary_ and next_day_outcomes_<range.start>_<range.end>.csv in `exportDir`.
 * Returns the files in that order.
 * @throws Error on malformed dates or range.start > range.end.
 */
export function exportRangeFiles(
  store: Store,
  cal: TradingCalendar,
  range: DateRange,
  through: string,
  exportDir: string,
): ExportedFile[] {
  checkRange(range, 'range');
  if (!DATE_RE.test(through))
    throw new Error(`export: through date must be YYYY-MM-DD, got ${JSON.stringify(through)}`);
  const to = through < range.end ? through : range.end;
  const name = { start: range.start, end: range.end };
  const hits = to >= range.start ? store.hits(range.start, to).map(discoveryRow) : [];
  return [
    writeCsvAtomic(
      join(exportDir, `discovery_hits_${range.start}_${range.end}.csv`),
      DISCOVERY_COLUMNS,
      hits,
    ),
    exportSummary(store, cal, range.start, to, exportDir, name),
    exportNextDayOutcomes(store, cal, range.start, to, exportDir, name),
  ];
}

/**
 * The export of a finished month of a backfill over `range` (what the backfill's exportMonth hook
 * runs): the month folder of [month.start, month.end], the range-level files with the rows through
 * month.end, exports/day_completeness.csv, and the 30-day QA report ending at month.end. Returns
 * every file written (month folder, range files, day_completeness.csv, QA csv, QA txt).
 * @throws Error on malformed dates; CalendarError from `cal`.
 */
export function exportBackfillMonth(
  store: Store,
  cal: TradingCalendar,
  dirs: ExportDirs,
  range: DateRange,
  month: DateRange,
): ExportedFile[] {
  checkRange(range, 'range');
  return [
    ...exportMonthFolder(store, cal, month, dirs.exportDir),
    ...exportRangeFiles(store, cal, range, month.end, dirs.exportDir),
    exportDayCompleteness(store, dirs.exportDir),
    ...writeQaReport(store, cal, month.end, dirs.reportsDir),
  ];
}

/**
 * After the spot validation of `date` during a backfill over `range` (the engine exports a month
 * BEFORE validating it): rewrites the files a validation changes, so that once the month's
 * validations are done the exports reflect them, whatever crash and resume happened in between:
 * the month folder's summary_ and day_completeness_ files (month = the month of `date` clipped to
 * the range), the range-level summary_<start>_<end>.csv through that month's end,
 * exports/day_completeness.csv and the QA report ending at the month's end. (Validation writes
 * qc_daily_summary and, on a failed gate, the day's status; hits, rules and bars are unchanged.)
 * Returns the files written.
 * @throws Error on malformed dates or a date outside the range.
 */
export function exportValidationUpdate(
  store: Store,
  cal: TradingCalendar,
  dirs: ExportDirs,
  range: DateRange,
  date: string,
): ExportedFile[] {
  checkRange(range, 'range');
  if (!DATE_RE.test(date) || date < range.start || date > range.end)
    throw new Error(
      `export: ${JSON.stringify(date)} is not a date of the range ${range.start} .. ${range.end}`,
    );
  const m = monthBounds(date, range);
  const dir = join(dirs.exportDir, m.month);
  return [
    exportSummary(store, cal, m.start, m.end, dir),
    exportDayCompleteness(store, dir, {
      start: m.start,
      end: m.end,
      fileName: `day_completeness_${m.start}_${m.end}.csv`,
    }),
    exportSummary(store, cal, range.start, m.end, dirs.exportDir, range),
    exportDayCompleteness(store, dirs.exportDir),
    ...writeQaReport(store, cal, m.end, dirs.reportsDir),
  ];
}

/**
 * `gapctl export --start --end`: the same set of files a backfill over [start, end] leaves once
 * every month is exported: each month folder and the QA report ending at each month's end, the
 * range-level files with every row of the range, and exports/day_completeness.csv.
 * @throws Error on malformed dates or start > end; CalendarError from `cal`.
 */
export function exportRange(
  store: Store,
  cal: TradingCalendar,
  dirs: ExportDirs,
  start: string,
  end: string,
): ExportedFile[] {
  const range = { start, end };
  checkRange(range, 'range');
  const out: ExportedFile[] = [];
  const months = exportMonths(cal, start, end);
  for (const m of months) out.push(...exportMonthFolder(store, cal, m, dirs.exportDir));
  out.push(...exportRangeFiles(store, cal, range, end, dirs.exportDir));
  out.push(exportDayCompleteness(store, dirs.exportDir));
  for (const m of months) out.push(...writeQaReport(store, cal, m.end, dirs.reportsDir));
  return out;
}

/**
 * Re-exports everything a rescanned `date` appears in, so its new rows replace the old ones
 * everywhere (call it after a rerun of a day). Reads `<stateDir>/current_state.json`:
 * - when the date lies in the state's backfill range: the month folder of its month (clipped to the
 *   range, as the backfill named it), the range-level files with rows through the later of that
 *   month's end and the end of `last_completed_month` (what they held before), day_completeness.csv
 *   and the QA report ending at the month's end;
 * - otherwise (no state file, or another range): the folder of the whole calendar month,
 *   day_completeness.csv and the QA report ending at the month's last day.
 * Returns the files written.
 * @throws Error on a malformed date; StateFileError when current_state.json is corrupt (nothing written).
 */
export function reexportDay(
  store: Store,
  cal: TradingCalendar,
  dirs: ExportDirs & { stateDir: string },
  date: string,
): ExportedFile[] {
  if (!DATE_RE.test(date))
    throw new Error(`export: date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const state = readBackfillState(dirs.stateDir);
  const range = state && state.range.start <= date && date <= state.range.end ? state.range : null;
  const month = monthBounds(date, range ?? undefined);
  const out = [...exportMonthFolder(store, cal, month, dirs.exportDir)];
  if (range) {
    const done = state!.last_completed_month
      ? monthBounds(`${state!.last_completed_month}-01`, range).end
      : month.end;
    out.push(
      ...exportRangeFiles(store, cal, range, done > month.end ? done : month.end, dirs.exportDir),
    );
  }
  out.push(exportDayCompleteness(store, dirs.exportDir));
  out.push(...writeQaReport(store, cal, month.end, dirs.reportsDir));
  return out;
}
