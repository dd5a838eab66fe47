/**
 * An independent statement of the tape's premarket-high eligibility for the simulated market's
 * tests (written from providers.md section 2.11, not from source/): a print counts unless one of its
 * codes is in the "no high" list, it is a cancel record (40-44), or the record right after it is a
 * cancel (the simulated tape puts a cancel right after the print it cancels).
 */
import type { TradePrint } from '../../source/market/types.js';

const NOT_FOR_HIGH = [
  4, 9, 11, 12, 16, 19, 20, 26, 27, 28, 33, 40, 41, 42, 43, 44, 49, 50, 51, 59, 60, 61, 64, 66, 77,
  89, 105, 109, 115, 124, 147,
];
const CANCELS = [40, 41, 42, 43, 44];

/** The prints that may set a premarket high, in their order. */
export function eligiblePrints(prints: readonly TradePrint[]): TradePrint[] {
  return prints.filter((p, i) => {
    const codes = [p.condition, ...(p.ext ?? [])];
    if (codes.some((c) => NOT_FOR_HIGH.includes(c))) return false;
    const next = prints[i + 1];
    return !(next && CANCELS.includes(next.condition));
  });
}

/** Highest eligible price, dollars; -Infinity when none. */
export function eligibleHigh(prints: readonly TradePrint[]): number {
  return Math.max(...eligiblePrints(prints).map((p) => p.price));
}
