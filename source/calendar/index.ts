/**
 * gapctl trading calendar and ET time: the NYSE calendar (trading days, holidays, special closures,
 * 13:00 ET early closes) and America/New_York <-> UTC conversion across DST.
 *
 * Dates are 'YYYY-MM-DD' strings (ET calendar days) everywhere; instants are UTC epoch milliseconds.
 * Everything is computed locally from rules (spec docs/domain.md 11, docs/providers.md 3); no provider calls.
 * All functions throw CalendarError (a one-line message) on bad input.
 */
import { closeTimeEt } from './nyse.js';
import { etToUtcMs } from './et.js';

export { CalendarError, assertDate, addDays, weekday, daysInMonth, isLeapYear } from './dates.js';
export {
  CALENDAR_MIN_YEAR,
  CALENDAR_MAX_YEAR,
  SPECIAL_CLOSURES,
  isTradingDay,
  holidayName,
  fullClosures,
  regularHolidays,
  earlyCloses,
  isEarlyClose,
  closeTimeEt,
  prevTradingDay,
  nextTradingDay,
  tradingDays,
  tradingDaysOfMonth,
  monthsOfRange,
  tradingDaysBetween,
  lastNTradingDays,
} from './nyse.js';
export type { Closure, MonthChunk } from './nyse.js';
export {
  etToUtcMs,
  utcMsToEt,
  etOffsetMinutes,
  parseTimeOfDay,
  formatTimeOfDay,
  premarketWindowUtc,
  todayEt,
} from './et.js';
export type { EtClock } from './et.js';

/**
 * The regular session of a trading day as UTC epoch ms: [09:30 ET, close) where close is 13:00 ET on
 * early-close days and 16:00 ET otherwise (end exclusive).
 * @throws CalendarError when `date` is malformed or not a trading day.
 */
export function regularSessionUtc(date: string): { openMs: number; closeMs: number } {
  const close = closeTimeEt(date);
  return { openMs: etToUtcMs(date, '09:30:00'), closeMs: etToUtcMs(date, close) };
}
