/**
 * NYSE trading calendar (US equities; the same sessions apply to NASDAQ and NYSE American).
 *
 * Rule-based, no network: the rules of spec docs/domain.md section 11 and docs/providers.md section 3
 * (full holidays with weekend observance, early closes at 13:00 ET, an explicit list of
 * unscheduled closures). Everything is computed once per year and memoized, so lookups are
 * O(1) and range queries are array slices.
 *
 * Supported years: CALENDAR_MIN_YEAR..CALENDAR_MAX_YEAR (1990-2199). Full closures are exact for
 * the whole range as far as the published record goes (unscheduled closures after 2025-01 must be
 * added to SPECIAL_CLOSURES by hand). Early closes are checked from 2000; before that the same
 * rules are applied, which differs from history only in detail (e.g. 1990-1992 Christmas Eves
 * closed at 14:00, which this model reports as 13:00).
 *
 * Over 400 lines: the holiday rules, early closes, unscheduled closures and the memoized per-year
 * tables are one calendar: every lookup goes through the same per-year build, and splitting it
 * would separate each rule from the exceptions it must agree with.
 */
import {
  CalendarError,
  assertDate,
  dateFromDayNumber,
  dateParts,
  dayNumber,
  dayOfYear,
  daysFromCivil,
  daysInMonth,
  formatDate,
  isLeapYear,
  parseMonth,
  weekdayOfDayNumber,
} from './dates.js';

/** A full-day market closure (or a rule-based holiday): `date` is 'YYYY-MM-DD' (ET calendar day). */
export interface Closure {
  date: string;
  name: string;
}

/** First year the calendar answers for (earlier years throw CalendarError). */
export const CALENDAR_MIN_YEAR = 1990;
/** Last year the calendar answers for (later years throw CalendarError). */
export const CALENDAR_MAX_YEAR = 2199;

/**
 * Unscheduled full-day NYSE closures (weekdays), ascending. Source: NYSE closing history
 * (docs/providers.md 3.4; dates cross-checked with the NYSE closings record as used by
 * pandas_market_calendars). Add new national days of mourning / emergencies here.
 */
export const SPECIAL_CLOSURES: readonly Closure[] = Object.freeze(
  [
    { date: '1994-04-27', name: 'National Day of Mourning for President Nixon' },
    { date: '2001-09-11', name: 'September 11 attacks' },
    { date: '2001-09-12', name: 'September 11 attacks' },
    { date: '2001-09-13', name: 'September 11 attacks' },
    { date: '2001-09-14', name: 'September 11 attacks' },
    { date: '2004-06-11', name: 'National Day of Mourning for President Reagan' },
    { date: '2007-01-02', name: 'National Day of Mourning for President Ford' },
    { date: '2012-10-29', name: 'Hurricane Sandy' },
    { date: '2012-10-30', name: 'Hurricane Sandy' },
    { date: '2018-12-05', name: 'National Day of Mourning for President George H. W. Bush' },
    { date: '2025-01-09', name: 'National Day of Mourning for President Carter' },
  ].map((c) => Object.freeze(c)),
);

/**
 * One-off 13:00 ET early closes that no rule produces (day after Christmas). Source: NYSE closings
 * record (as in pandas_market_calendars' DayAfterChristmas1pmEarlyCloseAdhoc).
 */
const ADHOC_EARLY_CLOSES: readonly string[] = ['1997-12-26', '2003-12-26'];

/** Everything about one year, computed once. */
interface YearCal {
  year: number;
  /** Trading days ascending. */
  days: string[];
  /** cum[i] = number of trading days whose 0-based day-of-year is <= i. */
  cum: Uint16Array;
  /** Weekday full closures (regular observed + special) by date. */
  closures: Map<string, string>;
  regular: Closure[];
  full: Closure[];
  early: Set<string>;
}

const years = new Map<number, YearCal>();
const specialByYear = new Map<number, Closure[]>();
for (const c of SPECIAL_CLOSURES) {
  const y = +c.date.slice(0, 4);
  let list = specialByYear.get(y);
  if (!list) specialByYear.set(y, (list = []));
  list.push(c);
}

function checkYear(y: number): void {
  if (!Number.isInteger(y) || y < CALENDAR_MIN_YEAR || y > CALENDAR_MAX_YEAR) {
    throw new CalendarError(
      `year ${String(y)} is outside the supported calendar range ${CALENDAR_MIN_YEAR}-${CALENDAR_MAX_YEAR}`,
    );
  }
}

/** Day number of the n-th (1-based) weekday `wd` (0 = Sunday) of month m. */
function nthWeekday(y: number, m: number, wd: number, n: number): number {
  const first = daysFromCivil(y, m, 1);
  const offset = (wd - weekdayOfDayNumber(first) + 7) % 7;
  return first + offset + (n - 1) * 7;
}

/** Day number of the last weekday `wd` of month m. */
function lastWeekday(y: number, m: number, wd: number): number {
  const last = daysFromCivil(y, m, daysInMonth(y, m));
  return last - ((weekdayOfDayNumber(last) - wd + 7) % 7);
}

/** Day number of Easter Sunday (Gregorian computus, anonymous/Meeus algorithm). */
function easterSunday(y: number): number {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(y, month, day);
}

/**
 * Fixed-date holiday with NYSE weekend observance: Saturday -> Friday before, Sunday -> Monday after.
 * With `saturdayUnobserved` (New Year's Day) a Saturday holiday is simply not observed.
 */
function fixed(
  out: Closure[],
  y: number,
  m: number,
  d: number,
  name: string,
  saturdayUnobserved = false,
): void {
  const n = daysFromCivil(y, m, d);
  const wd = weekdayOfDayNumber(n);
  if (wd === 6) {
    if (!saturdayUnobserved)
      out.push({ date: dateFromDayNumber(n - 1), name: `${name} (observed)` });
  } else if (wd === 0) {
    out.push({ date: dateFromDayNumber(n + 1), name: `${name} (observed)` });
  } else {
    out.push({ date: formatDate(y, m, d), name });
  }
}

function computeRegular(y: number): Closure[] {
  const out: Closure[] = [];
  const push = (n: number, name: string) => out.push({ date: dateFromDayNumber(n), name });
  fixed(out, y, 1, 1, "New Year's Day", true);
  if (y >= 1998) push(nthWeekday(y, 1, 1, 3), 'Martin Luther King Jr. Day');
  push(nthWeekday(y, 2, 1, 3), "Washington's Birthday");
  push(easterSunday(y) - 2, 'Good Friday');
  push(lastWeekday(y, 5, 1), 'Memorial Day');
  if (y >= 2022) fixed(out, y, 6, 19, 'Juneteenth National Independence Day');
  fixed(out, y, 7, 4, 'Independence Day');
  push(nthWeekday(y, 9, 1, 1), 'Labor Day');
  push(nthWeekday(y, 11, 4, 4), 'Thanksgiving Day');
  fixed(out, y, 12, 25, 'Christmas Day');
  out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return out;
}

function computeYear(y: number): YearCal {
  const regular = computeRegular(y);
  const special = specialByYear.get(y) ?? [];
  const closures = new Map<string, string>();
  for (const c of regular) closures.set(c.date, c.name);
  for (const c of special) if (!closures.has(c.date)) closures.set(c.date, c.name);
  const full = [...closures].map(([date, name]) => ({ date, name }));
  full.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  const jan1 = daysFromCivil(y, 1, 1);
  const len = isLeapYear(y) ? 366 : 365;
  const days: string[] = [];
  const cum = new Uint16Array(len);
  for (let i = 0; i < len; i++) {
    const n = jan1 + i;
    const wd = weekdayOfDayNumber(n);
    if (wd !== 0 && wd !== 6) {
      const s = dateFromDayNumber(n);
      if (!closures.has(s)) days.push(s);
    }
    cum[i] = days.length;
  }
  const trading = new Set(days);

  // Early closes (13:00 ET), only on trading days.
  const early = new Set<string>();
  const addEarly = (n: number) => {
    const s = dateFromDayNumber(n);
    if (trading.has(s)) early.add(s);
  };
  const jul3 = daysFromCivil(y, 7, 3);
  const jul3wd = weekdayOfDayNumber(jul3);
  if (y >= 2013) {
    // July 3 when it is Mon-Thu (a Friday July 3 is the observed holiday; on a weekend there is no early close).
    if (jul3wd >= 1 && jul3wd <= 4) addEarly(jul3);
  } else {
    // Before 2013: Mon/Tue/Thu July 3; when July 4 was a Thursday the half day was Friday July 5 instead.
    if (jul3wd === 1 || jul3wd === 2 || jul3wd === 4) addEarly(jul3);
    if (jul3wd === 3 && y >= 1996) addEarly(jul3 + 2);
  }
  addEarly(nthWeekday(y, 11, 4, 4) + 1); // day after Thanksgiving
  const dec24 = daysFromCivil(y, 12, 24);
  const dec24wd = weekdayOfDayNumber(dec24);
  if (dec24wd >= 1 && dec24wd <= 4) addEarly(dec24); // a Friday Dec 24 is the observed Christmas
  for (const s of ADHOC_EARLY_CLOSES) if (+s.slice(0, 4) === y) addEarly(dayNumber(s));

  return { year: y, days, cum, closures, regular, full, early };
}

function yearCal(y: number): YearCal {
  let c = years.get(y);
  if (!c) {
    checkYear(y);
    c = computeYear(y);
    years.set(y, c);
  }
  return c;
}

/** Validated date -> its year's calendar (throws CalendarError on bad input or unsupported year). */
function calOf(date: string, what?: string): YearCal {
  assertDate(date, what);
  return yearCal(+date.slice(0, 4));
}

/** Number of trading days in the year of `date` on or before `date`. */
function countUpTo(cal: YearCal, date: string): number {
  return cal.cum[dayOfYear(date)];
}

/** Whether a validated date of this year's calendar is a trading day. */
function tradingIn(cal: YearCal, date: string): boolean {
  const doy = dayOfYear(date);
  return cal.cum[doy] !== (doy === 0 ? 0 : cal.cum[doy - 1]);
}

/**
 * True when the NYSE holds a regular session on `date` ('YYYY-MM-DD', ET calendar day):
 * a weekday that is neither an observed holiday nor a special closure. Early-close days are trading days.
 * @throws CalendarError on a malformed date or a year outside 1990-2199.
 */
export function isTradingDay(date: string): boolean {
  return tradingIn(calOf(date), date);
}

/**
 * Name of the full-day closure (observed holiday or special closure) on `date`, else null.
 * Weekends return null (they are not closures, just not trading days). Observed holidays carry
 * the suffix ' (observed)', e.g. 'Independence Day (observed)' on 2026-07-03.
 * @throws CalendarError on a malformed date or an unsupported year.
 */
export function holidayName(date: string): string | null {
  return calOf(date).closures.get(date) ?? null;
}

/**
 * All weekday full closures of `year`: rule-based holidays on their observed dates plus
 * SPECIAL_CLOSURES, sorted by date. A fresh array each call.
 * @throws CalendarError for a year outside 1990-2199.
 */
export function fullClosures(year: number): Closure[] {
  return yearCal(year).full.map((c) => ({ ...c }));
}

/**
 * Only the rule-based holidays of `year` on their observed (weekday) dates, sorted; no special
 * closures. A Saturday New Year's Day yields no entry (NYSE does not observe it on the Friday before).
 * @throws CalendarError for a year outside 1990-2199.
 */
export function regularHolidays(year: number): Closure[] {
  return yearCal(year).regular.map((c) => ({ ...c }));
}

/**
 * Early-close (13:00 ET) trading days of `year`, ascending: July 3 when a Mon-Thu trading day
 * (before 2013: Mon/Tue/Thu July 3, or Friday July 5 when July 4 was a Thursday), the day after
 * Thanksgiving, Christmas Eve when a Mon-Thu trading day, plus the one-off 2003-12-26.
 * @throws CalendarError for a year outside 1990-2199.
 */
export function earlyCloses(year: number): string[] {
  return [...yearCal(year).early].sort();
}

/**
 * True when `date` is a trading day with a 13:00 ET close (see earlyCloses). False on any
 * non-trading day. @throws CalendarError on bad input.
 */
export function isEarlyClose(date: string): boolean {
  return calOf(date).early.has(date);
}

/**
 * Regular-session close of a trading day as an ET wall-clock time: '13:00:00' on early-close days,
 * else '16:00:00'. @throws CalendarError when `date` is not a trading day (or is malformed).
 */
export function closeTimeEt(date: string): '13:00:00' | '16:00:00' {
  const cal = calOf(date);
  if (!tradingIn(cal, date)) {
    const why = cal.closures.get(date) ?? 'weekend';
    throw new CalendarError(`${date} is not a trading day (${why}): no close time`);
  }
  return cal.early.has(date) ? '13:00:00' : '16:00:00';
}

/**
 * The last trading day strictly before `date` (`date` itself need not be a trading day).
 * @throws CalendarError on bad input or when the answer falls before 1990.
 */
export function prevTradingDay(date: string): string {
  let cal = calOf(date);
  const k = countUpTo(cal, date) - (tradingIn(cal, date) ? 1 : 0); // trading days strictly before
  if (k > 0) return cal.days[k - 1];
  cal = yearCal(cal.year - 1);
  return cal.days[cal.days.length - 1];
}

/**
 * The first trading day strictly after `date` (`date` itself need not be a trading day).
 * @throws CalendarError on bad input or when the answer falls after 2199.
 */
export function nextTradingDay(date: string): string {
  let cal = calOf(date);
  const k = countUpTo(cal, date); // days[k] is the first trading day after date
  if (k < cal.days.length) return cal.days[k];
  cal = yearCal(cal.year + 1);
  return cal.days[0];
}

/**
 * Trading days in [start, end] inclusive, ascending; [] when start > end.
 * @throws CalendarError on malformed dates or unsupported years.
 */
export function tradingDays(start: string, end: string): string[] {
  assertDate(start, 'start');
  assertDate(end, 'end');
  if (start > end) return [];
  const y0 = +start.slice(0, 4);
  const y1 = +end.slice(0, 4);
  const out: string[] = [];
  for (let y = y0; y <= y1; y++) {
    const cal = yearCal(y);
    const from = y === y0 ? countUpTo(cal, start) - (tradingIn(cal, start) ? 1 : 0) : 0;
    const to = y === y1 ? countUpTo(cal, end) : cal.days.length;
    for (let i = from; i < to; i++) out.push(cal.days[i]);
  }
  return out;
}

/**
 * Trading days of a month given as 'YYYY-MM', ascending.
 * @throws CalendarError on a malformed month or unsupported year.
 */
export function tradingDaysOfMonth(month: string): string[] {
  const [y, m] = parseMonth(month);
  return tradingDays(formatDate(y, m, 1), formatDate(y, m, daysInMonth(y, m)));
}

/** One month of a date range: see monthsOfRange. */
export interface MonthChunk {
  /** 'YYYY-MM'. */
  month: string;
  /** First calendar day of the chunk: max(range start, 1st of month) ('YYYY-MM-DD'). */
  start: string;
  /** Last calendar day of the chunk: min(range end, last of month) ('YYYY-MM-DD'). */
  end: string;
  /** Trading days in [start, end], ascending, at least one. */
  days: string[];
}

/**
 * Split [start, end] month by month. The first and last chunks are partial months clipped to the
 * range (start/end are calendar days, not necessarily trading days); months with no trading day in
 * the range are left out. [] when start > end.
 * @throws CalendarError on malformed dates or unsupported years.
 */
export function monthsOfRange(start: string, end: string): MonthChunk[] {
  const out: MonthChunk[] = [];
  for (const d of tradingDays(start, end)) {
    const month = d.slice(0, 7);
    const last = out[out.length - 1];
    if (last && last.month === month) {
      last.days.push(d);
    } else {
      const [y, m] = dateParts(d);
      const first = formatDate(y, m, 1);
      const lastDay = formatDate(y, m, daysInMonth(y, m));
      out.push({
        month,
        start: start > first ? start : first,
        end: end < lastDay ? end : lastDay,
        days: [d],
      });
    }
  }
  return out;
}

/**
 * Signed number of trading days moved going from `from` to `to`: the count of trading days in
 * (from, to] when from <= to, and minus the count in (to, from] otherwise. 0 when equal;
 * tradingDaysBetween(d, nextTradingDay(d)) = 1; antisymmetric. Either date may be a non-trading day.
 * @throws CalendarError on malformed dates or unsupported years.
 */
export function tradingDaysBetween(from: string, to: string): number {
  assertDate(from, 'from');
  assertDate(to, 'to');
  if (from === to) return 0;
  const [a, b, sign] = from < to ? [from, to, 1] : [to, from, -1];
  const ya = +a.slice(0, 4);
  const yb = +b.slice(0, 4);
  const ca = yearCal(ya);
  let n: number;
  if (ya === yb) {
    n = countUpTo(ca, b) - countUpTo(ca, a);
  } else {
    n = ca.days.length - countUpTo(ca, a);
    for (let y = ya + 1; y < yb; y++) n += yearCal(y).days.length;
    n += countUpTo(yearCal(yb), b);
  }
  return n === 0 ? 0 : sign * n;
}

/**
 * The `n` trading days ending at `date` (included when it is a trading day), ascending.
 * n = 0 gives []. @throws CalendarError on a bad date, a non-integer or negative n, or when
 * the window reaches before 1990.
 */
export function lastNTradingDays(date: string, n: number): string[] {
  if (!Number.isInteger(n) || n < 0) {
    throw new CalendarError(`bad trading-day count ${String(n)}: expected an integer >= 0`);
  }
  let cal = calOf(date);
  const out: string[] = [];
  let k = countUpTo(cal, date); // days[0..k-1] are <= date
  while (out.length < n) {
    if (k === 0) {
      cal = yearCal(cal.year - 1);
      k = cal.days.length;
      continue;
    }
    const take = Math.min(k, n - out.length);
    const chunk = cal.days.slice(k - take, k);
    for (let i = chunk.length - 1; i >= 0; i--) out.push(chunk[i]);
    k -= take;
  }
  return out.reverse();
}
