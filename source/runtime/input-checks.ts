/**
 * The checks of dates, ranges and commands that the command line and the headless runner's control
 * socket share: one function per rule, so that a command refused by `gapctl ...` is refused over the
 * socket with the same one-line message (issue 9, point 4), and every refusal is a
 * {@link UsageError} (exit code 2 on the command line; `{"ok":false,"error":...}` on the socket).
 *
 * Data source: the local NYSE calendar (source/calendar, years CALENDAR_MIN_YEAR..CALENDAR_MAX_YEAR).
 * Nothing here reads files or the network.
 */
import {
  CALENDAR_MAX_YEAR,
  CALENDAR_MIN_YEAR,
  CalendarError,
  assertDate,
  holidayName,
  isTradingDay,
  nextTradingDay,
  tradingDays,
  weekday,
} from '../calendar/index.js';
import type { ControlCommand } from '../contracts/events.js';
import { UsageError } from '../util/errors.js';

export { UsageError };

const WEEKDAY = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * A date flag `--name` (YYYY-MM-DD, a real calendar day, in the calendar's years 1990-2199).
 * @param value the flag's value (undefined or '' when missing)
 * @param name the flag's name without dashes, e.g. `start`
 * @returns the date unchanged
 * @throws UsageError `missing --start YYYY-MM-DD`, `bad date "2018-02-30" for --start: expected
 *   YYYY-MM-DD`, or `--start 1900-01-02 is outside the calendar (years 1990-2199)`.
 */
export function dateArg(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing --${name} YYYY-MM-DD`);
  try {
    assertDate(value, `--${name}`);
  } catch (e) {
    if (e instanceof CalendarError) throw new UsageError(e.message);
    throw e;
  }
  const year = Number(value.slice(0, 4));
  if (year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) {
    throw new UsageError(
      `--${name} ${value} is outside the calendar (years ${CALENDAR_MIN_YEAR}-${CALENDAR_MAX_YEAR})`,
    );
  }
  return value;
}

/**
 * A date flag that must be an NYSE trading day.
 * @throws UsageError as {@link dateArg}, or `--start 2018-01-15 is not a trading day (Martin Luther
 *   King Jr. Day); the next trading day is 2018-01-16` (a weekend names the weekday).
 */
export function tradingDayArg(value: string | undefined, name: string): string {
  const date = dateArg(value, name);
  if (isTradingDay(date)) return date;
  const why = holidayName(date) ?? `a ${WEEKDAY[weekday(date)]}`;
  let next = '';
  try {
    next = `; the next trading day is ${nextTradingDay(date)}`;
  } catch {
    // past the calendar's last year: no next day to name
  }
  throw new UsageError(`--${name} ${date} is not a trading day (${why})${next}`);
}

/** Options of {@link rangeArgs}. */
export interface RangeArgOptions {
  /** Both ends must be trading days (backfill); otherwise the range must hold at least one. */
  tradingDays?: boolean;
}

/**
 * A `--start S --end E` pair: both dates valid ({@link dateArg}), start not after end, and either
 * both ends trading days (`tradingDays`) or at least one trading day between them.
 * @throws UsageError `--start 2018-02-01 is after --end 2018-01-10`, `no trading day between S and
 *   E`, or the message of {@link dateArg} / {@link tradingDayArg}.
 */
export function rangeArgs(
  start: string | undefined,
  end: string | undefined,
  opts: RangeArgOptions = {},
): { start: string; end: string } {
  const check = opts.tradingDays ? tradingDayArg : dateArg;
  const s = check(start, 'start');
  const e = check(end, 'end');
  if (s > e) throw new UsageError(`--start ${s} is after --end ${e}`);
  if (!opts.tradingDays && tradingDays(s, e).length === 0)
    throw new UsageError(`no trading day between ${s} and ${e}`);
  return { start: s, end: e };
}

/** A backfill's range, both ends trading days `YYYY-MM-DD`. */
export interface BackfillBounds {
  start: string;
  end: string;
}

function inBounds(date: string, what: string, b: BackfillBounds): void {
  if (date < b.start || date > b.end)
    throw new UsageError(`${what} ${date} is outside the backfill's range ${b.start}..${b.end}`);
}

/**
 * Checks a command for a running backfill (control socket, attached console) before it is accepted:
 * every date a real trading day of the calendar (as the command line checks `--date`, `--start`,
 * `--end`), a range not reversed, and every day inside the backfill's range `bounds`. Commands
 * without dates (pause, resume, stop, ack, quit, detach) always pass.
 * @throws UsageError with the command line's one-line message, or `--date 2030-01-02 is outside the
 *   backfill's range 2024-03-04..2024-03-15`.
 */
export function checkControlCommand(cmd: ControlCommand, bounds: BackfillBounds): void {
  switch (cmd.type) {
    case 'rerun':
    case 'validate':
      inBounds(tradingDayArg(cmd.date, 'date'), '--date', bounds);
      return;
    case 'validate-range':
    case 'export': {
      const r = rangeArgs(cmd.start, cmd.end, { tradingDays: true });
      inBounds(r.start, '--start', bounds);
      inBounds(r.end, '--end', bounds);
      if (cmd.type === 'validate-range' && cmd.dates) {
        for (const d of cmd.dates) {
          tradingDayArg(d, 'date');
          if (d < r.start || d > r.end)
            throw new UsageError(`--date ${d} is outside --start ${r.start} .. --end ${r.end}`);
        }
      }
      return;
    }
    default:
      return;
  }
}
