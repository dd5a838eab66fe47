/**
 * The provider-overlap report of premarket highs, `<reports>/provider_overlap_pm_<date>.csv`
 * (docs/domain.md section 14): where the day's flat file (Massive minute aggregates, premarket
 * window) and Theta trades (the source of record for R1) both gave a premarket high for a symbol
 * near or above the R1 threshold and the two disagree. One row per disagreeing symbol:
 *
 * `date,symbol,source_a,pm_high_a,source_b,pm_high_b,diff_pct,prev_close,r1_pct_a,r1_pct_b`
 *
 * with `source_a` = `flatfile` and `source_b` = `theta`, highs in dollars (empty: that source saw
 * no eligible premarket print), `diff_pct` = (pm_high_a / pm_high_b - 1) x 100 (empty when either
 * high is empty), `r1_pct_*` = each high's gap over the previous close in percent.
 *
 * It sits beside `provider_overlap_<date>.csv` (whose columns are fixed by the runbook) rather than
 * inside it: these rows have other columns. The file is written, header only when the two sources
 * agree, whenever the proof read a flat file; a scan of the day that read none removes an older one.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../store/state-files.js';

/** Columns of provider_overlap_pm_<date>.csv, in order. */
export const PM_OVERLAP_COLUMNS = [
  'date',
  'symbol',
  'source_a',
  'pm_high_a',
  'source_b',
  'pm_high_b',
  'diff_pct',
  'prev_close',
  'r1_pct_a',
  'r1_pct_b',
] as const;

/**
 * Two premarket highs differ when their relative difference exceeds this fraction (0.01%): a
 * rounding of the flat file's prices is not a disagreement.
 */
export const PM_OVERLAP_TOLERANCE = 1e-4;

/** One disagreement between the flat file and Theta over a symbol's premarket high. */
export interface PmOverlapRow {
  date: string;
  symbol: string;
  sourceA: 'flatfile';
  /** Flat-file premarket high, dollars; null: no premarket bar in the file. */
  highA: number | null;
  sourceB: 'theta';
  /** Theta eligible premarket high, dollars; null: Theta answered "no premarket trades". */
  highB: number | null;
  /** (highA / highB - 1) x 100; null when either high is null. */
  diffPct: number | null;
  /** Split-adjusted previous close, dollars. */
  prevClose: number;
  r1PctA: number | null;
  r1PctB: number | null;
}

/** Inputs of {@link premarketDisagreements}. */
export interface PmOverlapInput {
  date: string;
  /** Symbols to consider (eligible, with a previous close). */
  symbols: readonly string[];
  /** Flat-file premarket highs by symbol (absent: no premarket bar). */
  flatFile: ReadonlyMap<string, number>;
  /**
   * Theta answers by symbol: a number (eligible high, dollars), null (answered: no premarket
   * trades); absent or undefined: not asked or not answered (never compared).
   */
  theta: ReadonlyMap<string, number | null>;
  /** Previous close by symbol, dollars. */
  prevClose: (symbol: string) => number;
  /** Lower edge of the proof band, percent (R1_TH - R1_PROOF_BAND_PCT). */
  bandPct: number;
}

const gap = (h: number | null, prev: number): number | null =>
  h === null ? null : (h / prev - 1) * 100;

/**
 * The disagreements of a day: every symbol Theta answered for whose flat-file or Theta premarket
 * high reaches the proof band (gap over the previous close >= `bandPct`), where the two highs
 * differ by more than {@link PM_OVERLAP_TOLERANCE} or only one of them exists. Sorted by symbol.
 * Pure: no I/O.
 */
export function premarketDisagreements(input: PmOverlapInput): PmOverlapRow[] {
  const out: PmOverlapRow[] = [];
  const eps = 1e-9;
  for (const symbol of [...input.symbols].sort()) {
    if (!input.theta.has(symbol)) continue;
    const b = input.theta.get(symbol);
    if (b === undefined) continue;
    const a = input.flatFile.get(symbol) ?? null;
    const prev = input.prevClose(symbol);
    if (!(prev > 0)) continue;
    const ga = gap(a, prev);
    const gb = gap(b, prev);
    const inBand =
      (ga !== null && ga >= input.bandPct - eps) || (gb !== null && gb >= input.bandPct - eps);
    if (!inBand) continue;
    if (
      a !== null &&
      b !== null &&
      Math.abs(a - b) <= PM_OVERLAP_TOLERANCE * Math.max(Math.abs(a), Math.abs(b))
    )
      continue;
    if (a === null && b === null) continue;
    out.push({
      date: input.date,
      symbol,
      sourceA: 'flatfile',
      highA: a,
      sourceB: 'theta',
      highB: b,
      diffPct: a !== null && b !== null && b !== 0 ? (a / b - 1) * 100 : null,
      prevClose: prev,
      r1PctA: ga,
      r1PctB: gb,
    });
  }
  return out;
}

/** Path of a day's premarket provider-overlap report. */
export function pmOverlapPath(reportsDir: string, date: string): string {
  return join(reportsDir, `provider_overlap_pm_${date}.csv`);
}

const num = (x: number | null, digits: number): string =>
  x === null ? '' : String(Number(x.toFixed(digits)));

/**
 * Writes `provider_overlap_pm_<date>.csv` atomically (csv-stringify), header only when `rows` is
 * empty; `rows` null (no flat file was read) removes the day's older report instead.
 * @returns the path written, or null when removed.
 * @throws Error from the file system (a full disk) naming the path.
 */
export function writePmOverlap(
  reportsDir: string,
  date: string,
  rows: readonly PmOverlapRow[] | null,
): string | null {
  const path = pmOverlapPath(reportsDir, date);
  if (rows === null) {
    rmSync(path, { force: true });
    return null;
  }
  const csv = stringify(
    rows.map((r) => [
      r.date,
      r.symbol,
      r.sourceA,
      num(r.highA, 6),
      r.sourceB,
      num(r.highB, 6),
      num(r.diffPct, 4),
      num(r.prevClose, 6),
      num(r.r1PctA, 4),
      num(r.r1PctB, 4),
    ]),
    { header: true, columns: [...PM_OVERLAP_COLUMNS] },
  );
  writeFileAtomic(path, csv);
  return path;
}
