/**
 * US Eastern time (America/New_York) <-> UTC epoch milliseconds, across DST.
 *
 * The offset rules come from the runtime's time-zone database through Intl.DateTimeFormat
 * (never a fixed offset). For speed, each UTC year's offset transitions are found once with
 * Intl (a few dozen format calls) and memoized; after that every conversion is arithmetic.
 */
import { CalendarError, assertDate, dateFromDayNumber, dayNumber, daysFromCivil } from './dates.js';

const TZ = 'America/New_York';
const DAY_MS = 86_400_000;
/** Keep one day of margin inside the Date range (±8.64e15 ms). */
const MAX_MS = 8.64e15 - DAY_MS;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{3}))?$/;

let fmt: Intl.DateTimeFormat | undefined;

/** ET offset from UTC in minutes (e.g. -300 for EST, -240 for EDT) at a UTC instant, straight from Intl. */
function intlOffsetMinutes(utcMs: number): number {
  fmt ??= new Intl.DateTimeFormat('en-US', {
    timeZone: TZ,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const p of fmt.formatToParts(new Date(utcMs))) {
    switch (p.type) {
      case 'year':
        y = +p.value;
        break;
      case 'month':
        mo = +p.value;
        break;
      case 'day':
        d = +p.value;
        break;
      case 'hour':
        h = +p.value;
        break;
      case 'minute':
        mi = +p.value;
        break;
      case 'second':
        s = +p.value;
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) y = 1 - y;
  const wall = daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000;
  const whole = Math.floor(utcMs / 1000) * 1000;
  return Math.round((wall - whole) / 60_000);
}

interface YearZone {
  /** Offset (minutes) at the start of the UTC year. */
  startOffset: number;
  /** Offset changes within the UTC year: from `atMs` (inclusive) the offset is `offset`. */
  transitions: { atMs: number; offset: number }[];
}

const zones = new Map<number, YearZone>();

function utcYear(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/** Find the transitions of one UTC year: sample the 1st of each month, then bisect to the second. */
function computeZone(y: number): YearZone {
  const points: number[] = [];
  for (let m = 1; m <= 12; m++) points.push(daysFromCivil(y, m, 1) * DAY_MS);
  points.push(daysFromCivil(y + 1, 1, 1) * DAY_MS);
  const startOffset = intlOffsetMinutes(points[0]);
  const transitions: YearZone['transitions'] = [];
  let prevOffset = startOffset;
  for (let i = 1; i < points.length; i++) {
    const o = intlOffsetMinutes(points[i]);
    if (o !== prevOffset) {
      // Bisect (whole seconds) for the first instant in (points[i-1], points[i]] with the new offset.
      let lo = points[i - 1]; // has prevOffset
      let hi = points[i]; // has o
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (intlOffsetMinutes(mid) === prevOffset) lo = mid;
        else hi = mid;
      }
      transitions.push({ atMs: hi, offset: o });
      prevOffset = o;
    }
  }
  return { startOffset, transitions };
}

function zoneOf(y: number): YearZone {
  let z = zones.get(y);
  if (!z) {
    z = computeZone(y);
    zones.set(y, z);
  }
  return z;
}

/**
 * ET offset from UTC in minutes at a UTC instant: -300 (EST) or -240 (EDT) in modern years.
 * @throws CalendarError when `utcMs` is not a finite number.
 */
export function etOffsetMinutes(utcMs: number): number {
  if (!Number.isFinite(utcMs) || Math.abs(utcMs) > MAX_MS) {
    throw new CalendarError(
      `bad epoch milliseconds ${String(utcMs)}: expected a finite number within the Date range`,
    );
  }
  const z = zoneOf(utcYear(utcMs));
  let o = z.startOffset;
  for (const t of z.transitions) {
    if (utcMs >= t.atMs) o = t.offset;
    else break;
  }
  return o;
}

/**
 * Parse an ET wall-clock time 'HH:MM:SS' or 'HH:MM:SS.mmm' (00:00:00 to 23:59:59.999) to ms after midnight.
 * @throws CalendarError `bad time "9:30": expected HH:MM:SS or HH:MM:SS.mmm`.
 */
export function parseTimeOfDay(time: string, what?: string): number {
  const m = typeof time === 'string' ? TIME_RE.exec(time) : null;
  if (!m) {
    throw new CalendarError(
      `bad time ${JSON.stringify(String(time))}${what ? ` for ${what}` : ''}: expected HH:MM:SS or HH:MM:SS.mmm`,
    );
  }
  return ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 + (m[4] ? +m[4] : 0);
}

/** 'HH:MM:SS.mmm' of ms after midnight (0 <= ms < 86,400,000). */
export function formatTimeOfDay(msOfDay: number): string {
  const ms = msOfDay % 1000;
  const totalS = (msOfDay - ms) / 1000;
  const s = totalS % 60;
  const mi = ((totalS - s) / 60) % 60;
  const h = Math.floor(totalS / 3600);
  const p2 = (n: number) => (n < 10 ? '0' : '') + n;
  return `${p2(h)}:${p2(mi)}:${p2(s)}.${String(ms).padStart(3, '0')}`;
}

/**
 * ET wall clock (America/New_York) on `date` at `time` -> UTC epoch milliseconds, DST-aware.
 * A time skipped by the spring-forward gap (02:00-02:59 ET) is read with the pre-transition offset,
 * i.e. it lands one hour later in EDT; a repeated fall-back time (01:00-01:59) takes the first
 * (EDT) occurrence.
 * @throws CalendarError on a malformed date or time.
 */
export function etToUtcMs(date: string, time: string): number {
  assertDate(date, 'date');
  const local = dayNumber(date) * DAY_MS + parseTimeOfDay(time, 'time');
  const before = etOffsetMinutes(local - DAY_MS);
  const after = etOffsetMinutes(local + DAY_MS);
  const u1 = local - before * 60_000;
  if (before === after) return u1;
  const u2 = local - after * 60_000;
  const ok1 = etOffsetMinutes(u1) === before;
  const ok2 = etOffsetMinutes(u2) === after;
  if (ok1 && ok2) return Math.min(u1, u2);
  if (ok2) return u2;
  return u1;
}

/** An instant as ET wall clock: see utcMsToEt. */
export interface EtClock {
  /** ET calendar date 'YYYY-MM-DD'. */
  date: string;
  /** ET wall-clock time 'HH:MM:SS.mmm'. */
  time: string;
  /** Milliseconds since ET midnight of `date` (wall clock, 0 to 86,399,999). */
  msOfDay: number;
}

/**
 * UTC epoch milliseconds -> ET (America/New_York) calendar date and wall-clock time, DST-aware.
 * @throws CalendarError when `ms` is not a finite number.
 */
export function utcMsToEt(ms: number): EtClock {
  const local = ms + etOffsetMinutes(ms) * 60_000;
  const day = Math.floor(local / DAY_MS);
  const msOfDay = local - day * DAY_MS;
  return { date: dateFromDayNumber(day), time: formatTimeOfDay(msOfDay), msOfDay };
}

/**
 * The premarket window of `date` as UTC epoch ms: [ET `start`, ET `end`) — end exclusive.
 * Defaults 04:00:00 to 09:30:00 ET (spec docs/providers.md 3.1). Does not check that `date` is a trading day.
 * @throws CalendarError on a malformed date/time or when end <= start.
 */
export function premarketWindowUtc(
  date: string,
  start = '04:00:00',
  end = '09:30:00',
): { startMs: number; endMs: number } {
  const startMs = etToUtcMs(date, start);
  const endMs = etToUtcMs(date, end);
  if (endMs <= startMs) {
    throw new CalendarError(
      `bad premarket window ${start}-${end} ET on ${date}: end must be after start`,
    );
  }
  return { startMs, endMs };
}

/**
 * Today's date in ET ('YYYY-MM-DD') at the instant `nowMs` (UTC epoch ms, default Date.now()).
 * @throws CalendarError when `nowMs` is not a finite number.
 */
export function todayEt(nowMs: number = Date.now()): string {
  return utcMsToEt(nowMs).date;
}
