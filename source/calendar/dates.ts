/**
 * Pure proleptic-Gregorian date arithmetic on 'YYYY-MM-DD' strings.
 *
 * No time zone is involved here: a date is a calendar day, and a "day number" is the count of days
 * since 1970-01-01 (day 0, a Thursday). Everything is integer math, so it is fast and exact.
 */

/** Bad input to the calendar or ET-time functions (malformed date/time, year out of range, bad count). */
export class CalendarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

/** Days before the 1st of each month (0-based month index) in a common year. */
const CUM_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** True for a Gregorian leap year. */
export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Number of days in month `m` (1-12) of year `y`. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** 'YYYY-MM-DD' from numeric parts (no validation; month 1-12). */
export function formatDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/**
 * Validate a real calendar date written exactly as 'YYYY-MM-DD' (zero-padded, year 0001-9999) and return it.
 * Rejects impossible dates such as 2018-02-30 and sloppy forms such as '2018-1-2'.
 * @param what optional context for the message, e.g. '--start'.
 * @throws CalendarError with a one-line message: `bad date "2018-02-30" for --start: expected YYYY-MM-DD`.
 */
export function assertDate(s: string, what?: string): string {
  if (typeof s === 'string') {
    const m = DATE_RE.exec(s);
    if (m) {
      const y = +m[1];
      const mo = +m[2];
      const d = +m[3];
      if (y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)) return s;
    }
  }
  throw new CalendarError(
    `bad date ${JSON.stringify(String(s))}${what ? ` for ${what}` : ''}: expected YYYY-MM-DD`,
  );
}

/**
 * Validate a month written as 'YYYY-MM' (zero-padded) and return [year, month 1-12].
 * @throws CalendarError `bad month "2018-13": expected YYYY-MM`.
 */
export function parseMonth(s: string, what?: string): [number, number] {
  if (typeof s === 'string') {
    const m = MONTH_RE.exec(s);
    if (m) {
      const y = +m[1];
      const mo = +m[2];
      if (y >= 1 && mo >= 1 && mo <= 12) return [y, mo];
    }
  }
  throw new CalendarError(
    `bad month ${JSON.stringify(String(s))}${what ? ` for ${what}` : ''}: expected YYYY-MM`,
  );
}

/** Split an already validated 'YYYY-MM-DD' into [year, month 1-12, day 1-31]. */
export function dateParts(s: string): [number, number, number] {
  return [+s.slice(0, 4), +s.slice(5, 7), +s.slice(8, 10)];
}

/** 0-based day of the year of a validated date (Jan 1 = 0). */
export function dayOfYear(s: string): number {
  const [y, m, d] = dateParts(s);
  return CUM_DAYS[m - 1] + (m > 2 && isLeapYear(y) ? 1 : 0) + d - 1;
}

/** Day number (days since 1970-01-01, may be negative) of a civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil [year, month 1-12, day] of a day number (inverse of daysFromCivil). */
export function civilFromDays(n: number): [number, number, number] {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

/** Day number (days since 1970-01-01) of a validated 'YYYY-MM-DD'. */
export function dayNumber(s: string): number {
  const [y, m, d] = dateParts(s);
  return daysFromCivil(y, m, d);
}

/** 'YYYY-MM-DD' of a day number. */
export function dateFromDayNumber(n: number): string {
  const [y, m, d] = civilFromDays(n);
  return formatDate(y, m, d);
}

/** Day of week of a day number: 0 = Sunday ... 6 = Saturday. */
export function weekdayOfDayNumber(n: number): number {
  return (((n + 4) % 7) + 7) % 7;
}

/**
 * Day of week of a date: 0 = Sunday ... 6 = Saturday.
 * @throws CalendarError on a malformed date.
 */
export function weekday(date: string): number {
  return weekdayOfDayNumber(dayNumber(assertDate(date)));
}

/**
 * The date `n` calendar days after `date` (negative n goes back).
 * @throws CalendarError on a malformed date or a non-integer n.
 */
export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n))
    throw new CalendarError(`bad day count ${String(n)}: expected an integer`);
  return dateFromDayNumber(dayNumber(assertDate(date)) + n);
}
