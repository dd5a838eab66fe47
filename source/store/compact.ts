/**
 * Compact encodings of the store's big per-day tables (schema migration 4, docs/domain.md section 5):
 *
 * - **Day numbers.** A trading date `YYYY-MM-DD` is stored as its day number, days since
 *   1970-01-01 UTC (2018-01-03 = 17534; two bytes on disk until 2059). SQL turns one back with
 *   `date(day * 86400, 'unixepoch')`.
 * - **Symbol ids.** A ticker is stored as the integer id of its row in `symbol` (assigned in the
 *   order symbols are first written; never reused or deleted).
 * - **Prices as ten-thousandths.** A price that is an exact multiple of $0.0001 (99.95% of the real
 *   stooq prices, every Polygon price quoted to four decimals) is stored as the INTEGER
 *   `price x 10000` (two to four bytes instead of eight); any other price is stored as the REAL it
 *   is. The price columns have no type affinity (declared without a type), so SQLite keeps each
 *   value's storage class and `typeof()` tells the two apart: decoding is exact, never rounded (an
 *   integer n decodes to n / 10000.0, the double nearest to the decimal, which is the double that
 *   was encoded: the encoder checks that round trip before choosing the integer form).
 *
 * Pure functions; no I/O.
 */

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Price scale: stored integers are ten-thousandths of a dollar. */
export const PRICE_SCALE = 10_000;

/**
 * Day number (days since 1970-01-01 UTC) of a `YYYY-MM-DD` date.
 * @throws RangeError when `date` is not `YYYY-MM-DD`.
 */
export function dayOf(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`store: not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

/** `YYYY-MM-DD` of a day number (inverse of {@link dayOf}). */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The stored form of a price (dollars): a BigInt of ten-thousandths when that is exact (bound as
 * an SQLite INTEGER), else the number itself (bound as REAL); null stays null.
 */
export function encodePrice(x: number | null | undefined): bigint | number | null {
  if (x === null || x === undefined) return null;
  const k = Math.round(x * PRICE_SCALE);
  return Number.isSafeInteger(k) && k / PRICE_SCALE === x ? BigInt(k) : x;
}

/** SQL decoding a column written by {@link encodePrice} back to dollars (exact). */
export function priceSql(col: string): string {
  return `(CASE typeof(${col}) WHEN 'integer' THEN ${col} / ${PRICE_SCALE}.0 ELSE ${col} END)`;
}

/**
 * SQL encoding a REAL dollar expression the way {@link encodePrice} does (the migration uses it):
 * the integer of ten-thousandths when it decodes back to exactly the same double, else the REAL.
 */
export function encodePriceSql(col: string): string {
  const k = `CAST(round(${col} * ${PRICE_SCALE}) AS INTEGER)`;
  return `(CASE WHEN ${col} IS NULL THEN NULL WHEN abs(${col}) < 9.0e11 AND ${k} / ${PRICE_SCALE}.0 = ${col} THEN ${k} ELSE ${col} END)`;
}

/** SQL of the `YYYY-MM-DD` text of a day-number column. */
export function dateSql(col: string): string {
  return `date(${col} * 86400, 'unixepoch')`;
}

/** SQL of the day number of a `YYYY-MM-DD` text expression. */
export function daySql(expr: string): string {
  return `CAST(unixepoch(${expr}) / 86400 AS INTEGER)`;
}
