/**
 * The runbooks' 30-day QA report over `qc_daily_summary` (docs/domain.md section 5), for the 30 NYSE
 * trading days ending at a given date: `<reportsDir>/qa_30d_<end>.csv` (one row per day in the
 * table) and `<reportsDir>/qa_30d_<end>.txt` (a readable summary). Both come from the table alone
 * (no "generated at" time), so the same database gives the same report; unlike exports/, they do
 * carry the stored processing times and request counts.
 */
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { dayProofRows, qcColumns, qcRecords } from '../store/days.js';
import { fixedPoint, sqlCell } from './format.js';
import { ruleCountsText } from '../contracts/rules.js';
import { writeCsvAtomic, writeExportFile, type ExportedFile } from './csv-write.js';
import type { TradingCalendar } from './trading-calendar.js';

/** The processing SLA of one day, seconds (docs/domain.md section 10: at most 15 minutes). */
export const SLA_SECONDS = 900;

/** Trading days the QA report covers. */
export const QA_WINDOW_DAYS = 30;

/** The figures of a QA report (what the text shows). Times in seconds. */
export interface QaSummary {
  /** The date the window ends at (as given, `YYYY-MM-DD`). */
  end: string;
  /** The window's trading days, ascending (30 unless the calendar starts later). */
  window: string[];
  /** Days of the window with a qc_daily_summary row. */
  covered: number;
  /** Days of the window without a row, ascending. */
  missing: string[];
  /** Rows by status (COMPLETE, VALIDATED, FAILED_<GATE>, INCOMPLETE ...); a NULL status counts as ''. */
  statuses: Record<string, number>;
  /** Rows whose status is COMPLETE or VALIDATED (scanned complete; VALIDATED = gates passed too). */
  complete: number;
  /** Sums of r1_hits .. r4_hits. */
  hits: { r1: number; r2: number; r3: number; r4: number };
  /** Sum of baseline_only_count and the days where it is > 0. */
  baselineOnly: { total: number; days: string[] };
  /** Days with audit_passed = 0 (the random audit sample found a miss). */
  auditFailures: string[];
  /** Rows with audit_passed NULL (no audit recorded). */
  notAudited: number;
  /** Sums of theta_requests and theta_errors; errors / requests in percent (null without requests). */
  theta: { requests: number; errors: number; errorRatePct: number | null };
  /** processing_time_seconds over the rows that have one: nearest-rank p50 and p95, and the max (null without data). */
  processing: { days: number; p50: number | null; p95: number | null; max: number | null };
  /** Rows with processing_time_seconds > {@link SLA_SECONDS}, by date. */
  slaBreaches: { date: string; seconds: number }[];
  /**
   * How the rows' days are known (docs/domain.md section 14, from day_completeness.proof): rows by
   * proof (`exhaustive`, `baseline`, `sampled`; `''` for a row without a day_completeness row),
   * `proven` (exhaustive or baseline on a COMPLETE day) and the `unproven` days, ascending.
   */
  proof: { proven: number; byProof: Record<string, number>; unproven: string[] };
}

/** A QA report: the CSV columns and rows, the summary, and its text. */
export interface QaReport {
  columns: string[];
  rows: Record<string, string>[];
  summary: QaSummary;
  text: string;
}

/** Nearest-rank percentile `p` (0-100] of ascending `sorted`; null when empty. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1;
  return sorted[i]!;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function secs(x: number | null): string {
  return x === null ? 'n/a' : `${fixedPoint(x, 1)} s`;
}

/** ` (exhaustive 2, baseline 1, sampled 1)` in that order (`no day row` for ''); '' when empty. */
function proofBy(by: Record<string, number>): string {
  const order = ['exhaustive', 'baseline', 'sampled', ''];
  const parts = order.filter((k) => by[k]).map((k) => `${k || 'no day row'} ${by[k]}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function list(days: readonly string[]): string {
  return days.length ? `: ${days.join(', ')}` : '';
}

/**
 * Builds the QA report of the {@link QA_WINDOW_DAYS} trading days ending at `end` (`end` included
 * when it is a trading day) from qc_daily_summary. CSV: every column of the table in table order
 * (columns added by later migrations included), one row per day of the window that has a row,
 * ordered by date, NULL as '', plus `sla_breach` (1 when processing_time_seconds >
 * {@link SLA_SECONDS}, 0 when not, '' when unknown) and `proof` (the day's stored proof from
 * day_completeness: `exhaustive` or `baseline` only on a COMPLETE day, else `sampled`, which is not
 * a proof; '' when the day has no day_completeness row).
 * The summary counts the proven days and lists the unproven ones.
 * @throws CalendarError (from `cal`) on a malformed date.
 */
export function qaReport(
  store: Store,
  cal: TradingCalendar,
  end: string,
  windowDays = QA_WINDOW_DAYS,
): QaReport {
  const window = cal.lastNTradingDays(end, windowDays);
  const tableColumns = qcColumns(store.db);
  const inWindow = new Set(window);
  const raw = (
    window.length ? qcRecords(store.db, window[0]!, window[window.length - 1]!) : []
  ) as Record<string, unknown>[];
  const records = raw.filter((r) => inWindow.has(String(r.date)));
  const proofOf = dayProofs(store, window);

  const rows = records.map((r) => {
    const t = num(r.processing_time_seconds);
    return {
      ...Object.fromEntries(tableColumns.map((c) => [c, sqlCell(r[c])])),
      sla_breach: t === null ? '' : t > SLA_SECONDS ? '1' : '0',
      proof: proofOf.get(String(r.date)) ?? '',
    };
  });
  const byProof: Record<string, number> = {};
  const unproven: string[] = [];
  for (const r of records) {
    const p = proofOf.get(String(r.date)) ?? '';
    byProof[p] = (byProof[p] ?? 0) + 1;
    if (p !== 'exhaustive' && p !== 'baseline') unproven.push(String(r.date));
  }

  const have = new Set(records.map((r) => String(r.date)));
  const statuses: Record<string, number> = {};
  const hits = { r1: 0, r2: 0, r3: 0, r4: 0 };
  const baselineDays: string[] = [];
  let baselineTotal = 0;
  const auditFailures: string[] = [];
  let notAudited = 0;
  let requests = 0;
  let errors = 0;
  const times: number[] = [];
  const slaBreaches: { date: string; seconds: number }[] = [];
  for (const r of records) {
    const date = String(r.date);
    const st = typeof r.status === 'string' ? r.status : '';
    statuses[st] = (statuses[st] ?? 0) + 1;
    hits.r1 += num(r.r1_hits) ?? 0;
    hits.r2 += num(r.r2_hits) ?? 0;
    hits.r3 += num(r.r3_hits) ?? 0;
    hits.r4 += num(r.r4_hits) ?? 0;
    const bo = num(r.baseline_only_count) ?? 0;
    baselineTotal += bo;
    if (bo > 0) baselineDays.push(date);
    if (r.audit_passed === 0) auditFailures.push(date);
    else if (r.audit_passed === null || r.audit_passed === undefined) notAudited++;
    requests += num(r.theta_requests) ?? 0;
    errors += num(r.theta_errors) ?? 0;
    const t = num(r.processing_time_seconds);
    if (t !== null) {
      times.push(t);
      if (t > SLA_SECONDS) slaBreaches.push({ date, seconds: t });
    }
  }
  times.sort((a, b) => a - b);
  const summary: QaSummary = {
    end,
    window,
    covered: have.size,
    missing: window.filter((d) => !have.has(d)),
    statuses,
    complete: (statuses.COMPLETE ?? 0) + (statuses.VALIDATED ?? 0),
    hits,
    baselineOnly: { total: baselineTotal, days: baselineDays },
    auditFailures,
    notAudited,
    theta: { requests, errors, errorRatePct: requests > 0 ? (errors / requests) * 100 : null },
    processing: {
      days: times.length,
      p50: nearestRank(times, 50),
      p95: nearestRank(times, 95),
      max: times.length ? times[times.length - 1]! : null,
    },
    slaBreaches,
    proof: { proven: records.length - unproven.length, byProof, unproven },
  };
  return {
    columns: [...tableColumns, 'sla_breach', 'proof'],
    rows,
    summary,
    text: qaText(summary),
  };
}

/**
 * The stored proof of each day of `window` that has a day_completeness row: `exhaustive` or
 * `baseline` on a COMPLETE day, else `sampled` (also for a NULL proof, and for every day of a store
 * older than the proof columns).
 */
function dayProofs(store: Store, window: readonly string[]): Map<string, string> {
  if (window.length === 0) return new Map();
  const rows = dayProofRows(store.db, window[0]!, window[window.length - 1]!);
  return new Map(
    rows.map((r) => [
      r.date,
      r.status === 'COMPLETE' && (r.proof === 'exhaustive' || r.proof === 'baseline')
        ? r.proof
        : 'sampled',
    ]),
  );
}

/** The readable text of a QA report (LF line endings, ends with a newline). */
export function qaText(s: QaSummary): string {
  const first = s.window[0] ?? s.end;
  const last = s.window[s.window.length - 1] ?? s.end;
  const statusList = Object.keys(s.statuses)
    .sort()
    .map((k) => `${k || '(none)'} ${s.statuses[k]}`)
    .join(', ');
  const lines = [
    `gapctl QA report: the ${s.window.length} trading days ending ${s.end} (qc_daily_summary)`,
    '',
    `window            ${first} .. ${last}`,
    `days covered      ${s.covered} of ${s.window.length}`,
    `missing           ${s.missing.length} day${s.missing.length === 1 ? '' : 's'} not in qc_daily_summary${list(s.missing)}`,
    `statuses          ${statusList || 'none'}`,
    `COMPLETE          ${s.complete} (status COMPLETE or VALIDATED)`,
    `hits per rule     ${ruleCountsText(s.hits, { sep: ', ', withCode: true })}`,
    `baseline-only     ${s.baselineOnly.total} on ${s.baselineOnly.days.length} day${s.baselineOnly.days.length === 1 ? '' : 's'}${list(s.baselineOnly.days)}`,
    `audit failures    ${s.auditFailures.length} day${s.auditFailures.length === 1 ? '' : 's'}${list(s.auditFailures)}; not audited ${s.notAudited}`,
    `theta             ${s.theta.requests} requests, ${s.theta.errors} errors, error rate ${s.theta.errorRatePct === null ? 'n/a' : `${fixedPoint(s.theta.errorRatePct, 2)}%`}`,
    `processing time   p50 ${secs(s.processing.p50)}, p95 ${secs(s.processing.p95)}, max ${secs(s.processing.max)} (${s.processing.days} day${s.processing.days === 1 ? '' : 's'})`,
    `SLA breaches      ${s.slaBreaches.length} day${s.slaBreaches.length === 1 ? '' : 's'} over ${SLA_SECONDS} s${s.slaBreaches.length ? `: ${s.slaBreaches.map((b) => `${b.date} (${secs(b.seconds)})`).join(', ')}` : ''}`,
    `proof             proven ${s.proof.proven} of ${s.covered} day${s.covered === 1 ? '' : 's'}${proofBy(s.proof.byProof)}; unproven ${s.proof.unproven.length}${list(s.proof.unproven)}`,
  ];
  return lines.join('\n') + '\n';
}

/**
 * Writes `<reportsDir>/qa_30d_<end>.csv` and `<reportsDir>/qa_30d_<end>.txt` atomically (see
 * {@link qaReport}), replacing existing files. Returns both (csv first; rows = data rows, lines
 * of text for the .txt).
 * @throws CalendarError on a malformed date.
 */
export function writeQaReport(
  store: Store,
  cal: TradingCalendar,
  end: string,
  reportsDir: string,
): ExportedFile[] {
  const r = qaReport(store, cal, end);
  const csv = writeCsvAtomic(join(reportsDir, `qa_30d_${end}.csv`), r.columns, r.rows);
  const txtPath = join(reportsDir, `qa_30d_${end}.txt`);
  writeExportFile(txtPath, r.text);
  return [csv, { path: txtPath, rows: r.text.split('\n').length - 1 }];
}
