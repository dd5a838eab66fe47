/**
 * Private ET (America/New_York) wall-clock helpers for the emulator. Conversions go through the tz
 * database (`Intl.DateTimeFormat`, through the calendar module), never a fixed offset, so DST days
 * are right. The calendar is a leaf module shared by the engine and the embedded market.
 */
import { etOffsetMinutes } from '../../calendar/index.js';

const HOUR_MS = 3_600_000;
/** Milliseconds in a calendar day (24 h). */
export const DAY_MS = 86_400_000;

/**
 * The ET offset from UTC at an instant, in ms (e.g. -18_000_000 for EST, -14_400_000 for EDT),
 * from the calendar module's tz-database conversion.
 * @param utcMs UTC epoch milliseconds.
 */
export function etOffsetMs(utcMs: number): number {
  return etOffsetMinutes(utcMs) * 60_000;
}

/**
 * Parses a strict `YYYY-MM-DD` calendar date; returns the UTC midnight of that calendar day in ms
 * (a pure day number, not an instant in ET), or null when malformed or not a real date.
 */
export function parseIsoDate(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  return validYmd(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * Parses a strict `YYYYMMDD` date (ThetaData style); returns the `YYYY-MM-DD` form or null when
 * malformed or not a real date.
 */
export function compactToIso(s: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const day = validYmd(Number(m[1]), Number(m[2]), Number(m[3]));
  return day === null ? null : `${m[1]}-${m[2]}-${m[3]}`;
}

function validYmd(y: number, mo: number, d: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return null;
  return t;
}

/** `YYYY-MM-DD` of a UTC-midnight day number (as returned by {@link parseIsoDate}). */
export function dayToIso(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` → `YYYYMMDD` as an integer (ThetaData v2 `date` column). */
export function isoToInt(date: string): number {
  return Number(date.replace(/-/g, ''));
}

/**
 * The UTC instant (epoch ms) of an ET wall-clock time on an ET calendar date.
 * @param date `YYYY-MM-DD` (must be valid; throws otherwise).
 * @param msOfDay milliseconds since ET midnight (0 .. 86_399_999; larger values roll forward).
 */
export function etWallToUtc(date: string, msOfDay: number): number {
  const day = parseIsoDate(date);
  if (day === null) throw new Error(`invalid date: ${date}`);
  const base = day + msOfDay;
  const first = etOffsetMs(base + 5 * HOUR_MS);
  let utc = base - first;
  const second = etOffsetMs(utc);
  if (second !== first) utc = base - second;
  return utc;
}

/** ET calendar date (`YYYY-MM-DD`) and ms since ET midnight of a UTC instant. */
export function utcToEt(utcMs: number): { date: string; msOfDay: number } {
  const wall = utcMs + etOffsetMs(utcMs);
  const msOfDay = ((wall % DAY_MS) + DAY_MS) % DAY_MS;
  return { date: dayToIso(wall - msOfDay), msOfDay };
}

/** Naive ET timestamp `YYYY-MM-DDTHH:mm:ss.SSS` of a UTC instant (ThetaData v3 `timestamp`). */
export function formatEtTimestamp(utcMs: number): string {
  return new Date(utcMs + etOffsetMs(utcMs)).toISOString().slice(0, 23);
}

/**
 * Parses a ThetaData v3 wall-clock time `HH:MM:SS` or `HH:MM:SS.SSS` (ET) into ms since midnight;
 * null when malformed or out of range.
 */
export function parseHms(s: string): number | null {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const sec = Number(m[3]);
  if (h > 23 || mi > 59 || sec > 59) return null;
  const ms = m[4] === undefined ? 0 : Number(m[4].padEnd(3, '0'));
  return ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

/**
 * Inclusive list of `YYYY-MM-DD` calendar dates from `start` to `end`; empty when end < start.
 * Both must be valid `YYYY-MM-DD` dates.
 */
export function dateRange(start: string, end: string): string[] {
  const a = parseIsoDate(start);
  const b = parseIsoDate(end);
  if (a === null || b === null) throw new Error(`invalid date range: ${start}..${end}`);
  const out: string[] = [];
  for (let t = a; t <= b; t += DAY_MS) out.push(dayToIso(t));
  return out;
}
