/**
 * Dates for the simulated market: day numbers, America/New_York offsets, and a small private NYSE
 * trading-day calendar (the project's calendar module can be plugged in instead through
 * `SimOptions.calendar`).
 *
 * A day number (`dn`) is the count of UTC calendar days since 1970-01-01. The simulated market
 * accepts dates 1970-01-01 .. 2099-12-31.
 */

const DAY_MS = 86_400_000;
const MIN_DN = 0; // 1970-01-01
const MAX_DN = 47_481; // 2099-12-31

const dnCache = new Map<string, number>();

/**
 * Day number of a `YYYY-MM-DD` date.
 * @throws Error (one line) when the text is not a real calendar date in 1970..2099.
 */
export function dnOf(date: string): number {
  const hit = dnCache.get(date);
  if (hit !== undefined) return hit;
  const m = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  if (!m) throw new Error(`sim: invalid date ${JSON.stringify(date)} (want YYYY-MM-DD)`);
  const y = Number(m[1]),
    mo = Number(m[2]),
    d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const dt = new Date(ms);
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) {
    throw new Error(`sim: invalid date ${JSON.stringify(date)} (no such calendar day)`);
  }
  const dn = Math.round(ms / DAY_MS);
  if (dn < MIN_DN || dn > MAX_DN)
    throw new Error(`sim: date ${date} outside 1970-01-01..2099-12-31`);
  if (dnCache.size > 200_000) dnCache.clear();
  dnCache.set(date, dn);
  return dn;
}

const dateCache: string[] = [];

/** `YYYY-MM-DD` of a day number. */
export function dateOf(dn: number): string {
  const c = dateCache[dn];
  if (c !== undefined) return c;
  const s = new Date(dn * DAY_MS).toISOString().slice(0, 10);
  if (dn >= 0 && dn <= MAX_DN + 400) dateCache[dn] = s;
  return s;
}

/** Day of week of a day number: 0 = Sunday .. 6 = Saturday. */
export function dowOf(dn: number): number {
  return (((dn + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

function dnYmd(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** Day number of the n-th (1-based) weekday `dow` of month m (1-12) of year y; n = -1 for the last. */
function nthDow(y: number, m: number, dow: number, n: number): number {
  if (n > 0) {
    const first = dnYmd(y, m, 1);
    const off = (dow - dowOf(first) + 7) % 7;
    return first + off + (n - 1) * 7;
  }
  const last = dnYmd(y, m + 1, 1) - 1;
  const off = (dowOf(last) - dow + 7) % 7;
  return last - off;
}

/**
 * UTC offset of America/New_York in hours (4 during daylight saving time, else 5) on the given
 * day, for wall-clock times after 02:00 (the premarket window). US rules: 2007 on, second Sunday of
 * March to first Sunday of November; 1987-2006, first Sunday of April to last Sunday of October;
 * before 1987, last Sunday of April to last Sunday of October.
 */
export function etOffsetHours(dn: number): number {
  const y = new Date(dn * DAY_MS).getUTCFullYear();
  let start: number, end: number;
  if (y >= 2007) {
    start = nthDow(y, 3, 0, 2);
    end = nthDow(y, 11, 0, 1);
  } else if (y >= 1987) {
    start = nthDow(y, 4, 0, 1);
    end = nthDow(y, 10, 0, -1);
  } else {
    start = nthDow(y, 4, 0, -1);
    end = nthDow(y, 10, 0, -1);
  }
  return dn >= start && dn < end ? 4 : 5;
}

/** UTC epoch ms of 00:00 America/New_York wall-clock on the day (valid for times after 02:00 ET). */
export function etMidnightUtcMs(dn: number): number {
  return dn * DAY_MS + etOffsetHours(dn) * 3_600_000;
}

/** Western (Gregorian) Easter Sunday of year y, as a day number (anonymous Gregorian algorithm). */
function easter(y: number): number {
  const a = y % 19,
    b = Math.floor(y / 100),
    c = y % 100;
  const d = Math.floor(b / 4),
    e = b % 4,
    f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dnYmd(y, month, day);
}

/** Unscheduled NYSE full-day closures (national days of mourning, 9/11, hurricane Sandy). */
const SPECIAL_CLOSURES = [
  '1985-09-27',
  '1994-04-27',
  '2001-09-11',
  '2001-09-12',
  '2001-09-13',
  '2001-09-14',
  '2004-06-11',
  '2007-01-02',
  '2012-10-29',
  '2012-10-30',
  '2018-12-05',
  '2025-01-09',
];

const holidayCache = new Map<number, Set<number>>();

/** NYSE full-day holidays of year y (day numbers), per domain spec section 11. */
function holidays(y: number): Set<number> {
  const hit = holidayCache.get(y);
  if (hit) return hit;
  const s = new Set<number>();
  const observed = (dn: number, newYear = false): void => {
    const w = dowOf(dn);
    if (w === 6) {
      if (!newYear) s.add(dn - 1);
    } else if (w === 0) s.add(dn + 1);
    else s.add(dn);
  };
  observed(dnYmd(y, 1, 1), true);
  if (y >= 1998) s.add(nthDow(y, 1, 1, 3)); // Martin Luther King Jr. Day (NYSE closes from 1998)
  s.add(nthDow(y, 2, 1, 3)); // Washington's Birthday
  s.add(easter(y) - 2); // Good Friday
  s.add(nthDow(y, 5, 1, -1)); // Memorial Day
  if (y >= 2022) observed(dnYmd(y, 6, 19)); // Juneteenth
  observed(dnYmd(y, 7, 4)); // Independence Day
  s.add(nthDow(y, 9, 1, 1)); // Labor Day
  s.add(nthDow(y, 11, 4, 4)); // Thanksgiving
  observed(dnYmd(y, 12, 25)); // Christmas
  for (const d of SPECIAL_CLOSURES) if (d.startsWith(String(y))) s.add(dnOf(d));
  holidayCache.set(y, s);
  return s;
}

/** True when the day number is an NYSE trading day under the private default calendar. */
export function defaultIsTradingDn(dn: number): boolean {
  const w = dowOf(dn);
  if (w === 0 || w === 6) return false;
  const y = new Date(dn * DAY_MS).getUTCFullYear();
  return !holidays(y).has(dn);
}

/** The pluggable calendar shape of `SimOptions.calendar` (dates `YYYY-MM-DD`). */
export interface SimCalendar {
  /** True when `d` is an NYSE trading day. */
  isTradingDay(d: string): boolean;
  /** The last NYSE trading day strictly before `d`. */
  prevTradingDay(d: string): string;
}

/**
 * The simulated market's default NYSE calendar: weekends, the section-11 holiday rules (MLK from
 * 1998, Juneteenth from 2022, Saturday New Year not observed) and a short list of special closures.
 * Early closes do not matter to the simulator.
 */
export const defaultSimCalendar: SimCalendar = {
  isTradingDay(d: string): boolean {
    return defaultIsTradingDn(dnOf(d));
  },
  prevTradingDay(d: string): string {
    let dn = dnOf(d) - 1;
    while (!defaultIsTradingDn(dn)) dn--;
    return dateOf(dn);
  },
};

/**
 * Day-number view of a {@link SimCalendar} with memoised answers (the injected calendar is called
 * at most once per date and question).
 */
export class CalendarDn {
  private readonly isTd = new Map<number, boolean>();
  private readonly prev = new Map<number, number>();
  private readonly next = new Map<number, number>();
  private readonly isDefault: boolean;
  constructor(private readonly cal: SimCalendar) {
    this.isDefault = cal === defaultSimCalendar;
  }
  /** True when dn is a trading day. */
  isTrading(dn: number): boolean {
    let v = this.isTd.get(dn);
    if (v === undefined) {
      v = this.isDefault ? defaultIsTradingDn(dn) : this.cal.isTradingDay(dateOf(dn));
      this.isTd.set(dn, v);
    }
    return v;
  }
  /** Last trading day strictly before dn. */
  prevTrading(dn: number): number {
    let v = this.prev.get(dn);
    if (v === undefined) {
      if (this.isDefault) {
        v = dn - 1;
        while (!defaultIsTradingDn(v)) v--;
      } else {
        v = dnOf(this.cal.prevTradingDay(dateOf(dn)));
        if (!(v < dn))
          throw new Error(`sim: calendar.prevTradingDay(${dateOf(dn)}) is not before it`);
      }
      this.prev.set(dn, v);
    }
    return v;
  }
  /** First trading day strictly after dn (searches at most 30 days ahead). */
  nextTrading(dn: number): number {
    let v = this.next.get(dn);
    if (v === undefined) {
      v = dn + 1;
      while (!this.isTrading(v)) {
        v++;
        if (v - dn > 30) throw new Error(`sim: no trading day within 30 days after ${dateOf(dn)}`);
      }
      this.next.set(dn, v);
    }
    return v;
  }
  /** dn itself when a trading day, else the next one. */
  onOrAfter(dn: number): number {
    return this.isTrading(dn) ? dn : this.nextTrading(dn);
  }
}
