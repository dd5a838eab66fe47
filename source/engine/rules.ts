/**
 * The four rules as pure functions (docs/domain.md section 1), the split basis, and the filters of
 * section 3. Percentages are percent (69.7 means +69.7%); prices dollars; volumes shares.
 */
import type { Config } from '../config/index.js';
import { splitBasisFactor } from '../util/basis.js';
import type { SplitInfo } from '../providers/types.js';
import { fnv1a, mulberry32 } from '../util/prng.js';

export { mulberry32 };

/**
 * Tolerance of a threshold comparison, in percentage points: a value within 1e-9 of the
 * threshold meets it (so 1.5 / 1.0 - 1 = 49.99999999999999 from float rounding still counts as 50).
 */
export const THRESHOLD_EPSILON_PCT = 1e-9;

/** value / base - 1, in percent. NaN when base <= 0 or either is not finite. */
export function pctChange(value: number, base: number): number {
  if (!(base > 0) || !Number.isFinite(value) || !Number.isFinite(base)) return NaN;
  return (value / base - 1) * 100;
}

/** True when `pct` (percent) meets the threshold `th` (percent), within {@link THRESHOLD_EPSILON_PCT}. */
export function meets(pct: number, th: number): boolean {
  return Number.isFinite(pct) && pct >= th - THRESHOLD_EPSILON_PCT;
}

/**
 * Basis factor of a previous close for splits executing in (prevDate, date]: the product of
 * split_from / split_to (a 1-for-10 reverse split, from 10 to 1, gives 10: the previous close is
 * rescaled to the post-split basis). 1 when no split. `splits` are this symbol's records.
 */
export function basisFactor(splits: readonly SplitInfo[], prevDate: string, date: string): number {
  return splitBasisFactor(splits, prevDate, date);
}

/** R4 looks at the last 7 trading days, the scan day included. */
export const R4_WINDOW_DAYS = 7;

/** One daily bar for R4: high and low, dollars, of a trading day. */
export interface WindowBar {
  date: string;
  high: number;
  low: number;
}

/**
 * R4 surge over a window of bars (the last 7 trading days, scan day included, only days with a bar):
 * highest high / lowest low - 1 in percent, each earlier bar rescaled to the scan day's basis by the
 * symbol's splits executing after it (through `scanDate`). Also returns the raw (uncorrected)
 * value, to count split artifacts. NaN when no bar.
 */
export function surge7d(
  bars: readonly WindowBar[],
  splits: readonly SplitInfo[],
  scanDate: string,
): { corrected: number; raw: number } {
  let hi = -Infinity;
  let lo = Infinity;
  let rawHi = -Infinity;
  let rawLo = Infinity;
  for (const b of bars) {
    // A bar before a 1-for-10 reverse split (from 10, to 1) is at 1/10 of the post-split basis: multiply by 10.
    const k = basisFactor(splits, b.date, scanDate);
    hi = Math.max(hi, b.high * k);
    lo = Math.min(lo, b.low * k);
    rawHi = Math.max(rawHi, b.high);
    rawLo = Math.min(rawLo, b.low);
  }
  return { corrected: pctChange(hi, lo), raw: pctChange(rawHi, rawLo) };
}

/** Exchange name of a Polygon primary-exchange MIC; null for venues that are not NYSE/NASDAQ/AMEX. */
export function exchangeOfMic(mic: string): 'NYSE' | 'NASDAQ' | 'AMEX' | null {
  switch (mic) {
    case 'XNYS':
      return 'NYSE';
    case 'XNAS':
    case 'XNGS':
    case 'XNMS':
    case 'XNCM':
      return 'NASDAQ';
    case 'XASE':
      return 'AMEX';
    default:
      return null;
  }
}

/** Why a symbol is not eligible to be a hit (filters of docs/domain.md section 3), or null when it passes. */
export type FilterReason = 'unknown_type' | 'exchange' | 'type' | 'volume';

/**
 * Applies the filters of section 3 to one symbol of the day: `ref` is its pinned universe entry
 * (undefined when the bar's ticker is not in the universe: unknown type), `volume` the scan-day
 * volume in shares. Order: unknown type, exchange, security type, volume.
 */
export function filterReason(
  ref: { type: string; primaryExchange: string } | undefined,
  volume: number,
  cfg: Config,
): FilterReason | null {
  if (!ref) return 'unknown_type';
  const exchange = exchangeOfMic(ref.primaryExchange);
  if (!exchange || !cfg.ALLOWED_EXCHANGES.includes(exchange)) return 'exchange';
  if (cfg.EXCLUDE_DERIVATIVES) {
    if (!ref.type) return 'unknown_type';
    if (!cfg.ALLOW_SECURITY_TYPES.includes(ref.type)) return 'type';
  }
  if (!(volume >= cfg.DISCOVERY_MIN_VOL)) return 'volume';
  return null;
}

/**
 * Exact (Clopper-Pearson) one-sided 95% upper bound of a miss rate after `misses` misses among
 * `n` audited symbols; the rule of three (3 / n) when misses = 0. Ratio 0..1; null when n = 0.
 */
export function missRateUpper95(misses: number, n: number): number | null {
  if (n <= 0) return null;
  if (misses <= 0) return Math.min(1, 3 / n);
  if (misses >= n) return 1;
  // Upper bound p solves P(X <= misses | n, p) = 0.05; bisection on the binomial CDF.
  const cdf = (p: number) => {
    let term = Math.pow(1 - p, n);
    let sum = term;
    for (let k = 1; k <= misses; k++) {
      term *= ((n - k + 1) / k) * (p / (1 - p));
      sum += term;
    }
    return sum;
  };
  let lo = misses / n;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The seeded random audit sample: `n` symbols drawn without replacement from `pool` (sorted first,
 * so the result depends only on the set, the seed and the date).
 */
export function auditSample(
  pool: readonly string[],
  n: number,
  seed: number,
  date: string,
): string[] {
  const arr = [...pool].sort();
  const rnd = mulberry32(fnv1a(`${seed}:${date}`));
  const k = Math.min(n, arr.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rnd() * (arr.length - i));
    [arr[i], arr[j]] = [arr[j]!, arr[i]!];
  }
  return arr.slice(0, k).sort();
}
