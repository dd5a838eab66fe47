/**
 * Number formatting for the exported CSVs (docs/domain.md section 9): fixed-point text that never shows
 * `-0`, exponent notation, `NaN`, `Infinity`, `null` or `undefined`. Unknown values become ''.
 */

/** Matches a fixed-point zero with a sign, e.g. `-0`, `-0.0`, `-0.000`. */
const NEGATIVE_ZERO = /^-0(\.0+)?$/;

/**
 * Formats `x` with exactly `decimals` digits after the point (Number#toFixed rounding, i.e. of the
 * exact binary value). Returns '' for null, undefined, NaN and ±Infinity; prints `-0.0` as `0.0`;
 * values with |x| >= 1e21 (where toFixed switches to exponent notation) are printed in full from
 * their exact integer value.
 * @throws RangeError when `decimals` is not an integer in 0..20.
 */
export function fixedPoint(x: number | null | undefined, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new RangeError(`fixedPoint: decimals must be an integer 0..20, got ${decimals}`);
  }
  if (x === null || x === undefined || !Number.isFinite(x)) return '';
  let s: string;
  if (Math.abs(x) >= 1e21) {
    // Every double this large is an integer: BigInt gives its exact digits.
    s = BigInt(x).toString() + (decimals > 0 ? '.' + '0'.repeat(decimals) : '');
  } else {
    s = x.toFixed(decimals);
  }
  return NEGATIVE_ZERO.test(s) ? s.slice(1) : s;
}

/**
 * Formats a share count: an integer as is (no decimals), a fractional count with up to 2 decimals
 * (trailing zeros dropped, e.g. 1234.5 -> `1234.5`, 1234.567 -> `1234.57`). '' when unknown.
 */
export function shareCount(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '';
  if (Number.isInteger(x)) return fixedPoint(x, 0);
  const s = fixedPoint(x, 2);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * Formats any stored number without exponent notation and without losing digits: integers in full,
 * other values with JavaScript's shortest round-trip digits (expanded when String() would use an
 * exponent). '' for null, undefined, NaN and ±Infinity; `-0` prints as `0`.
 */
export function plainNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '';
  if (Object.is(x, -0)) return '0';
  const s = String(x);
  if (!/e/i.test(s)) return s;
  if (Math.abs(x) >= 1e21) return fixedPoint(x, 0);
  // |x| < 1e-6: expand the mantissa/exponent form exactly.
  const m = /^(-?)(\d)(?:\.(\d+))?e-(\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', exp] = m;
  return `${sign}0.${'0'.repeat(Number(exp) - 1)}${lead}${frac}`;
}

/** A formatted SQLite cell: strings as is, numbers via {@link plainNumber}, bigints in full, null/other ''. */
export function sqlCell(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return plainNumber(v);
  if (typeof v === 'bigint') return v.toString();
  return '';
}
