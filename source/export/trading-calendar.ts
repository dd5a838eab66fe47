/**
 * The trading-calendar functions the exports need, passed in by the caller. The export layer may
 * import only the store and util (test/architecture.test.ts), so the runtime and the commands hand
 * over `source/calendar` itself (`import * as calendar from '../calendar/index.js'` satisfies this
 * interface); tests may pass the same module.
 */

/** NYSE trading-day arithmetic. Dates are `YYYY-MM-DD` (ET calendar days). */
export interface TradingCalendar {
  /** Trading days in [start, end] inclusive, ascending; [] when start > end. */
  tradingDays(start: string, end: string): string[];
  /** The first trading day strictly after `date`. */
  nextTradingDay(date: string): string;
  /** The `n` trading days ending at `date` (included when it is a trading day), ascending. */
  lastNTradingDays(date: string, n: number): string[];
  /**
   * [start, end] split month by month: each month's calendar bounds clipped to the range and its
   * trading days (at least one; months without one are left out). [] when start > end.
   */
  monthsOfRange(start: string, end: string): ExportMonth[];
}

/** One month of a date range: its calendar bounds clipped to the range, and its trading days. */
export interface ExportMonth {
  /** `YYYY-MM`. */
  month: string;
  /** max(range start, 1st of the month), `YYYY-MM-DD` (a calendar day, not necessarily a trading day). */
  start: string;
  /** min(range end, last of the month), `YYYY-MM-DD`. */
  end: string;
  /** Trading days in [start, end], ascending, at least one. */
  days: string[];
}

function lastOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(d).padStart(2, '0')}`;
}

/**
 * Splits [start, end] month by month, exactly as the backfill plans it: `cal.monthsOfRange` (the
 * calendar's own split, so the exports and the backfill cannot disagree): partial months at the
 * ends are clipped to the range; months without a trading day in the range are left out. [] when
 * start > end.
 * @throws CalendarError (from `cal`) on malformed dates.
 */
export function exportMonths(cal: TradingCalendar, start: string, end: string): ExportMonth[] {
  return cal.monthsOfRange(start, end);
}

/** The calendar month of `date` (`YYYY-MM-DD`) clipped to [start, end] when given: its bounds. */
export function monthBounds(
  date: string,
  clip?: { start: string; end: string },
): { month: string; start: string; end: string } {
  const month = date.slice(0, 7);
  let start = `${month}-01`;
  let end = lastOfMonth(month);
  if (clip) {
    if (clip.start > start) start = clip.start;
    if (clip.end < end) end = clip.end;
  }
  return { month, start, end };
}
