/**
 * The split basis rule, shared by the scan (previous close and R4 window, source/engine/rules.ts)
 * and the exports (next-day outcomes): prices before a split are put on the post-split basis by the
 * product of split_from / split_to of the splits executing in between.
 */

/** One split of a symbol: on `executionDate` (YYYY-MM-DD trading date), `splitFrom` old shares became `splitTo` new ones (Polygon's split_from / split_to). */
export interface SplitRatio {
  executionDate: string;
  splitFrom: number;
  splitTo: number;
}

/**
 * Basis factor (a ratio) for splits executing in (afterDate, throughDate]: the product of
 * splitFrom / splitTo (a 1-for-10 reverse split, from 10 to 1, gives 10: a price before it is
 * multiplied by 10 to compare with prices after it). 1 when there is none; records with a
 * non-positive side are ignored. `splits` are one symbol's records, in any order.
 */
export function splitBasisFactor(
  splits: readonly SplitRatio[],
  afterDate: string,
  throughDate: string,
): number {
  let f = 1;
  for (const s of splits)
    if (
      s.executionDate > afterDate &&
      s.executionDate <= throughDate &&
      s.splitTo > 0 &&
      s.splitFrom > 0
    )
      f *= s.splitFrom / s.splitTo;
  return f;
}
