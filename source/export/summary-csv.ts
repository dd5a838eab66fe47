/**
 * `summary_<start>_<end>.csv`: one row per month of a backfill range and a final `TOTAL` row, read
 * from the store only (day_completeness, discovery_hits, discovery_hit_rules, qc_daily_summary), so
 * the file is a pure function of the database: no wall-clock time, durations or request counts.
 */
import type { Store } from '../store/store.js';
import { dayStatusRows, qcRecords } from '../store/days.js';
import { hitCountsByDay, ruleCountsByDay } from '../store/hits.js';
import { rangeCsvExport, type RangeExport } from './csv-write.js';
import { exportMonths, type TradingCalendar } from './trading-calendar.js';
import { RULES, ruleOf } from '../contracts/rules.js';

/** The columns of summary_<start>_<end>.csv, in order (see {@link summaryRows} for each one's meaning). */
export const SUMMARY_COLUMNS: readonly string[] = Object.freeze([
  'month',
  'first_day',
  'last_day',
  'trading_days',
  'complete_days',
  'other_days',
  'absent_days',
  'hits',
  ...RULES.map((r) => r.summaryColumn), // r1_hits .. r4_hits
  'validated_days',
  'baseline_only',
  'audit_passed_days',
]);

interface Counts {
  trading_days: number;
  complete_days: number;
  other_days: number;
  absent_days: number;
  hits: number;
  r1_hits: number;
  r2_hits: number;
  r3_hits: number;
  r4_hits: number;
  validated_days: number;
  baseline_only: number;
  audit_passed_days: number;
}

function zero(): Counts {
  return {
    trading_days: 0,
    complete_days: 0,
    other_days: 0,
    absent_days: 0,
    hits: 0,
    r1_hits: 0,
    r2_hits: 0,
    r3_hits: 0,
    r4_hits: 0,
    validated_days: 0,
    baseline_only: 0,
    audit_passed_days: 0,
  };
}

function add(a: Counts, b: Counts): void {
  for (const k of Object.keys(a) as (keyof Counts)[]) a[k] += b[k];
}

function row(month: string, first: string, last: string, c: Counts): Record<string, string> {
  return {
    month,
    first_day: first,
    last_day: last,
    ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)])),
  };
}

/**
 * The rows of summary_<start>_<end>.csv for the trading days in [start, end]: one per month of the
 * range that has a trading day (partial months at the ends clipped, as the backfill plans them),
 * then `TOTAL` over the whole range. All counts are whole numbers of the stored state:
 * - `month`: `YYYY-MM` (`TOTAL` on the last row); `first_day`, `last_day`: the first and last NYSE
 *   trading day of the month within the range ('' on TOTAL when the range has no trading day);
 * - `trading_days`: NYSE trading days of the month within the range;
 * - `complete_days`: those with a day_completeness row of status `COMPLETE`;
 * - `other_days`: those with a day_completeness row of any other status (FAILED, INCOMPLETE,
 *   RETRY_NEEDED ...); `absent_days`: those without a row (not scanned, or lost to a crash);
 *   trading_days = complete_days + other_days + absent_days;
 * - `hits`: discovery_hits with event_date in the month's part of the range (one per symbol and
 *   day); `r1_hits`..`r4_hits`: how many of them carry PM_GAP_50, OPEN_GAP_50, INTRADAY_PUSH_50,
 *   SURGE_7D_300 (a hit with several rules counts under each);
 * - `validated_days`: days whose qc_daily_summary status is `VALIDATED` (every gate passed at the
 *   last validation; a rescan resets it to the scan status);
 * - `baseline_only`: sum of qc_daily_summary.baseline_only_count (symbols the independent baseline
 *   found and the scan did not; NULL = not validated counts 0);
 * - `audit_passed_days`: days whose qc_daily_summary.audit_passed is 1 (the random audit sample
 *   found no miss).
 * @throws CalendarError (from `cal`) on malformed dates.
 */
export function summaryRows(
  store: Store,
  cal: TradingCalendar,
  start: string,
  end: string,
): Record<string, string>[] {
  const months = exportMonths(cal, start, end);
  const status = new Map<string, string>(
    dayStatusRows(store.db, start, end).map((r) => [r.date, r.status]),
  );
  const hits = hitCountsByDay(store.db, start, end);
  const rules = ruleCountsByDay(store.db, start, end).map((r) => ({
    d: r.date,
    rule: r.rule,
    n: r.count,
  }));
  const rulesByDay = new Map<string, { rule: string; n: number }[]>();
  for (const r of rules) rulesByDay.set(r.d, [...(rulesByDay.get(r.d) ?? []), r]);
  const qc = new Map(
    (
      qcRecords(store.db, start, end) as unknown as {
        date: string;
        status: string | null;
        baseline_only_count: number | null;
        audit_passed: number | null;
      }[]
    ).map((r) => [r.date, r]),
  );

  const out: Record<string, string>[] = [];
  const total = zero();
  for (const m of months) {
    const c = zero();
    for (const d of m.days) {
      c.trading_days++;
      const st = status.get(d);
      if (st === undefined) c.absent_days++;
      else if (st === 'COMPLETE') c.complete_days++;
      else c.other_days++;
      c.hits += hits.get(d) ?? 0;
      for (const r of rulesByDay.get(d) ?? []) {
        // An unknown stored rule code throws (UnknownRuleError): it is never dropped from the counts.
        c[ruleOf(r.rule).summaryColumn] += r.n;
      }
      const q = qc.get(d);
      if (q?.status === 'VALIDATED') c.validated_days++;
      c.baseline_only += q?.baseline_only_count ?? 0;
      if (q?.audit_passed === 1) c.audit_passed_days++;
    }
    add(total, c);
    out.push(row(m.month, m.days[0]!, m.days[m.days.length - 1]!, c));
  }
  const first = months[0]?.days[0] ?? '';
  const lastMonth = months[months.length - 1];
  out.push(row('TOTAL', first, lastMonth ? lastMonth.days[lastMonth.days.length - 1]! : '', total));
  return out;
}

/**
 * Writes `<outDir>/summary_<name.start>_<name.end>.csv` atomically with the {@link summaryRows} of
 * [start, end] (`name` defaults to the same range: a backfill's range-level file passes its whole
 * range as the name and the days exported so far as [start, end]). Replaces an existing file.
 * @throws CalendarError on malformed dates.
 */
export const exportSummary: RangeExport = rangeCsvExport('summary', SUMMARY_COLUMNS, summaryRows);
