/**
 * The operators' exports (docs/domain.md sections 6 and 9): `exports/discovery_hits_<start>_<end>.csv`
 * from the stored hits, rules and fundamentals, and `exports/day_completeness.csv` from the
 * day_completeness table (its scan results, without timings and request counts). Both are written
 * atomically (temp file + rename) with csv-stringify: a header row, LF line endings, RFC 4180
 * quoting (a cell with a comma, quote or newline is quoted, quotes doubled).
 */
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { HitRule, Store, StoredHit } from '../store/store.js';
import { dayColumns, dayRecords } from '../store/days.js';
import { writeExportFile } from './csv-write.js';
import { fixedPoint, shareCount, sqlCell } from './format.js';
import { RULE_CODES, RULES, ruleRank } from '../contracts/rules.js';

/** The 25 columns of discovery_hits_<start>_<end>.csv, in order (docs/domain.md section 9). */
export const DISCOVERY_COLUMNS: readonly string[] = Object.freeze([
  'hit_id',
  'ticker',
  'date',
  'volume',
  'volume_millions',
  'dollar_volume_millions',
  'intraday_push_pct',
  'near_rs',
  'rs_exec_date',
  'rs_days_after',
  ...RULES.map((r) => r.csvColumn), // pm_gap_50, open_gap_50, intraday_push_50, surge_7d_300
  'rules_detail',
  'shares_outstanding_millions',
  'market_cap_millions',
  'float_millions',
  'dollar_volume',
  'data_source',
  'float_rotation',
  'exchange',
  'pm_high_source',
  'pm_high_venue',
  'rule_tags',
]);

/** Rule codes in export order (R1, R2, R3, R4), from the rule table (source/contracts/rules.ts). */
export const RULE_ORDER: readonly HitRule['rule'][] = RULE_CODES;

/** The 0/1 flag column of each rule code, from the rule table. */
export const RULE_FLAG_COLUMN: Readonly<Record<HitRule['rule'], string>> = Object.freeze(
  Object.fromEntries(RULES.map((r) => [r.code, r.csvColumn])) as Record<HitRule['rule'], string>,
);

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function text(v: string | null | undefined): string {
  return v ?? '';
}

/**
 * Formats one stored hit (from {@link Store.hits}) as the section-9 row, keyed by
 * {@link DISCOVERY_COLUMNS}. All cells are strings; unknown values are '' (never `null`, `NaN`,
 * `undefined`, `-0.0` or exponent notation).
 * - `volume`: shares, integer as stored (fractional counts keep up to 2 decimals);
 *   `volume_millions` = volume / 1e6 with 1 decimal.
 * - `dollar_volume` (dollars, 2 decimals) and `dollar_volume_millions` (1 decimal) from the stored
 *   fundamentals (vwap x volume, or close x volume when vwap was missing).
 * - `intraday_push_pct`: percent, 1 decimal. `near_rs`: 0/1; `rs_exec_date`, `rs_days_after`
 *   (trading days) when near a reverse split.
 * - rule flags 0/1; `rules_detail` = `CODE:value` (value percent, 1 decimal) in rule order R1..R4
 *   joined by `|`; `rule_tags` = the codes in the same order joined by `|`.
 * - `shares_outstanding_millions`, `market_cap_millions` (market cap in dollars / 1e6),
 *   `float_millions`: 3 decimals.
 * - `float_rotation` = volume / (float_millions x 1e6) computed from the ROUNDED float_millions,
 *   2 decimals; '' when the float is unknown or rounds to 0.
 */
export function discoveryRow(h: StoredHit): Record<string, string> {
  // Unknown stored codes pass through (last) for the CSV_SHAPE gate to report.
  const rules = [...h.rules].sort((a, b) => ruleRank(a.rule) - ruleRank(b.rule));
  const codes = new Set<string>(rules.map((r) => r.rule));
  const floatMillions = fixedPoint(h.float_shares === null ? null : h.float_shares / 1e6, 3);
  const roundedFloat = floatMillions === '' ? 0 : Number(floatMillions);
  const volumeKnown = typeof h.volume === 'number' && Number.isFinite(h.volume);
  const floatRotation =
    roundedFloat > 0 && volumeKnown ? fixedPoint(h.volume / (roundedFloat * 1e6), 2) : '';
  const millions = (x: number | null | undefined, d: number) =>
    fixedPoint(x === null || x === undefined ? null : x / 1e6, d);
  return {
    hit_id: fixedPoint(h.hit_id, 0),
    ticker: text(h.ticker),
    date: text(h.event_date),
    volume: shareCount(h.volume),
    volume_millions: millions(h.volume, 1),
    dollar_volume_millions: millions(h.dollar_volume, 1),
    intraday_push_pct: fixedPoint(h.intraday_push_pct, 1),
    near_rs: h.is_near_reverse_split ? '1' : '0',
    rs_exec_date: text(h.rs_exec_date),
    rs_days_after: fixedPoint(h.rs_days_after, 0),
    ...Object.fromEntries(RULES.map((r) => [r.csvColumn, codes.has(r.code) ? '1' : '0'])),
    rules_detail: rules.map((r) => `${r.rule}:${fixedPoint(r.value, 1)}`).join('|'),
    shares_outstanding_millions: millions(h.shares_outstanding, 3),
    market_cap_millions: millions(h.market_cap, 3),
    float_millions: floatMillions,
    dollar_volume: fixedPoint(h.dollar_volume, 2),
    data_source: text(h.data_source),
    float_rotation: floatRotation,
    exchange: text(h.exchange),
    pm_high_source: text(h.pm_high_source),
    pm_high_venue: text(h.pm_high_venue),
    rule_tags: rules.map((r) => r.rule).join('|'),
  };
}

/**
 * Writes `<outDir>/discovery_hits_<start>_<end>.csv` atomically from the hits with event dates in
 * [start, end] (the store's discovery_hits, discovery_hit_rules, discovery_hit_fundamentals; by
 * date then ticker): a header row and one {@link discoveryRow} per hit. An existing file is
 * replaced whole. Returns the path and the number of data rows.
 * @throws Error when start/end are not `YYYY-MM-DD` or start > end.
 */
export function exportDiscoveryHits(
  store: Store,
  start: string,
  end: string,
  outDir: string,
): { path: string; rows: number } {
  if (!DATE_RE.test(start) || !DATE_RE.test(end)) {
    throw new Error(
      `export: dates must be YYYY-MM-DD, got start=${JSON.stringify(start)} end=${JSON.stringify(end)}`,
    );
  }
  if (start > end) throw new Error(`export: start ${start} is after end ${end}`);
  const rows = store.hits(start, end).map(discoveryRow);
  const csv = stringify(rows, {
    header: true,
    columns: [...DISCOVERY_COLUMNS],
    record_delimiter: 'unix',
  });
  const path = join(outDir, `discovery_hits_${start}_${end}.csv`);
  writeExportFile(path, csv);
  return { path, rows: rows.length };
}

/**
 * day_completeness columns left out of day_completeness.csv: wall-clock time (`updated_at`),
 * durations (`processing_ms`, `stage_ms`) and request counts (`theta_*`, `polygon_*`), which differ
 * between two runs of the same day (a resumed backfill rescans a day with a warm premarket cache).
 * Without them the exports are a pure function of the scan results; the columns stay in the table,
 * and the QA report (db/reports/qa_30d_<end>.*) shows times and requests.
 */
export const DAY_COMPLETENESS_RUN_COLUMNS: readonly string[] = Object.freeze([
  'processing_ms',
  'stage_ms',
  'theta_requests',
  'theta_errors',
  'polygon_requests',
  'polygon_errors',
  'updated_at',
]);

/**
 * Writes `<outDir>/day_completeness.csv` (or `<outDir>/<opts.fileName>`) atomically: the columns
 * of the day_completeness table in table order (including columns added by later migrations)
 * except {@link DAY_COMPLETENESS_RUN_COLUMNS}, one row per scanned day ordered by date (every day
 * of the table, or those in [opts.start, opts.end] when given). Numbers without exponent notation,
 * NULL as ''. An existing file is replaced whole. Returns the path and the number of data rows.
 */
export function exportDayCompleteness(
  store: Store,
  outDir: string,
  opts: { start?: string; end?: string; fileName?: string } = {},
): { path: string; rows: number } {
  const columns = dayColumns(store.db).filter((c) => !DAY_COMPLETENESS_RUN_COLUMNS.includes(c));
  const raw = dayRecords(store.db, opts.start, opts.end);
  const rows = raw.map((r) => Object.fromEntries(columns.map((c) => [c, sqlCell(r[c])])));
  const csv = stringify(rows, { header: true, columns, record_delimiter: 'unix' });
  const path = join(outDir, opts.fileName ?? 'day_completeness.csv');
  writeExportFile(path, csv);
  return { path, rows: rows.length };
}
