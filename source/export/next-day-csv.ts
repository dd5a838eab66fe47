/**
 * `next_day_outcomes_<start>_<end>.csv`: what each hit did on the next trading day (T+1), from the
 * stored grouped-daily bars (daily_raw, unadjusted) and the splits table. A pure function of the
 * database.
 */
import { splitBasisFactor } from '../util/basis.js';
import type { Store, StoredHit } from '../store/store.js';
import { symbolSplits } from '../store/meta.js';
import { fixedPoint } from './format.js';
import { discoveryRow } from './discovery-csv.js';
import { rangeCsvExport, type RangeExport } from './csv-write.js';
import type { TradingCalendar } from './trading-calendar.js';

/** The columns of next_day_outcomes_<start>_<end>.csv, in order (see {@link nextDayRow}). */
export const NEXT_DAY_COLUMNS: readonly string[] = Object.freeze([
  'hit_id',
  'ticker',
  'date',
  'rule_tags',
  'close',
  'next_date',
  'next_open',
  'next_high',
  'next_close',
  'next_day_return_pct',
  'next_day_high_pct',
  'basis_adjusted',
]);

/** A stored daily bar of the next trading day, dollars as stored (unadjusted). */
export interface NextDayBar {
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * A price in dollars: rounded to 4 decimals, trailing zeros dropped down to 2 decimals
 * (3.5 -> `3.50`, 0.12345 -> `0.1235`). '' when unknown or not finite.
 */
export function priceCell(x: number | null | undefined): string {
  const s = fixedPoint(x, 4);
  if (s === '') return '';
  const [int, frac = ''] = s.split('.');
  return `${int}.${frac.replace(/0+$/, '').padEnd(2, '0')}`;
}

/**
 * Split basis factor between a hit day and its next trading day: the product of split_from /
 * split_to of the symbol's splits executing in (date, nextDate] (a 1-for-10 reverse split, from 10
 * to 1, gives 10: next-day prices are 10x the hit day's basis). 1 when none. The scan's rule
 * (source/util/basis.ts) over rows of the splits table.
 */
export function nextDayBasisFactor(
  splits: readonly { execution_date: string; split_from: number; split_to: number }[],
  date: string,
  nextDate: string,
): number {
  return splitBasisFactor(
    splits.map((s) => ({
      executionDate: s.execution_date,
      splitFrom: s.split_from,
      splitTo: s.split_to,
    })),
    date,
    nextDate,
  );
}

/**
 * One row of next_day_outcomes, keyed by {@link NEXT_DAY_COLUMNS}; every cell a string, unknown = ''.
 * - `hit_id`, `ticker`, `date` (the hit's trading day), `rule_tags` (codes in rule order joined by
 *   `|`): as in discovery_hits_<start>_<end>.csv.
 * - `close`: the hit day's close, dollars (stored, unadjusted).
 * - `next_date`: the next NYSE trading day (always given).
 * - `next_open`, `next_high`, `next_close`: that day's bar, dollars, ON THE HIT DAY'S BASIS: when a
 *   split executes in (date, next_date] (`factor` != 1) the stored prices are divided by the factor
 *   and `basis_adjusted` is 1; otherwise they are as stored and `basis_adjusted` is 0.
 * - `next_day_return_pct` = next close / close - 1 and `next_day_high_pct` = next high / close - 1,
 *   percent with 1 decimal, both on the common basis.
 * When the next day's bar is not stored (the day is not scanned yet, or the symbol has no bar that
 * day: halt, delisting) the bar and percentage cells are empty.
 */
export function nextDayRow(
  h: StoredHit,
  nextDate: string,
  bar: NextDayBar | null,
  factor: number,
): Record<string, string> {
  const d = discoveryRow(h);
  const adjusted = factor !== 1;
  const k = adjusted ? factor : 1;
  const pct = (x: number) => (bar && h.close > 0 ? fixedPoint((x / k / h.close - 1) * 100, 1) : '');
  return {
    hit_id: d.hit_id!,
    ticker: d.ticker!,
    date: d.date!,
    rule_tags: d.rule_tags!,
    close: priceCell(h.close),
    next_date: nextDate,
    next_open: bar ? priceCell(bar.open / k) : '',
    next_high: bar ? priceCell(bar.high / k) : '',
    next_close: bar ? priceCell(bar.close / k) : '',
    next_day_return_pct: bar ? pct(bar.close) : '',
    next_day_high_pct: bar ? pct(bar.high) : '',
    basis_adjusted: adjusted ? '1' : '0',
  };
}

/**
 * The next_day_outcomes rows of the hits with event dates in [start, end], in the order of
 * discovery_hits_<start>_<end>.csv (by date, then ticker). Reads discovery_hits (+ rules),
 * the next trading day's stored bar of the same symbol (Store.getBar: daily_bar) and splits.
 * @throws CalendarError (from `cal`) on a malformed date.
 */
export function nextDayRows(
  store: Store,
  cal: TradingCalendar,
  start: string,
  end: string,
): Record<string, string>[] {
  const next = new Map<string, string>();
  return store.hits(start, end).map((h) => {
    let nextDate = next.get(h.event_date);
    if (nextDate === undefined) {
      nextDate = cal.nextTradingDay(h.event_date);
      next.set(h.event_date, nextDate);
    }
    const bar: NextDayBar | null = store.getBar(nextDate, h.ticker);
    const splits = symbolSplits(store.db, h.ticker, h.event_date, nextDate);
    return nextDayRow(h, nextDate, bar, nextDayBasisFactor(splits, h.event_date, nextDate));
  });
}

/**
 * Writes `<outDir>/next_day_outcomes_<name.start>_<name.end>.csv` atomically with the
 * {@link nextDayRows} of the hits in [start, end] (`name` defaults to the same range). Replaces an
 * existing file.
 * @throws CalendarError on malformed dates.
 */
export const exportNextDayOutcomes: RangeExport = rangeCsvExport(
  'next_day_outcomes',
  NEXT_DAY_COLUMNS,
  nextDayRows,
);
