/**
 * The runbooks' weekly and monthly operations reports over the store (qc_daily_summary and
 * day_completeness): per day the processing minutes, discoveries per rule, baseline-only count,
 * audit result, API error rate (Theta + Polygon) and the day's proof; over the period the hits per
 * rule, baseline-only total, audit pass rate, API error rate, SLA breaches and proof coverage, with
 * unicode sparklines of daily processing minutes and hits. The period figures that the 30-day QA
 * report also shows come from {@link qaReport} itself (one computation).
 *
 * Proof (docs/domain.md section 14): the day's stored `day_completeness.proof` (`exhaustive` or
 * `baseline`) counts only on a COMPLETE day; a day validated clean (qc VALIDATED, no baseline-only
 * hit) counts as `baseline`; rows written before the proof column fall back to `exhaustive` when
 * R1_MODE was exhaustive with nothing unanswered; everything else scanned is `sampled` (prefilter
 * and audits: not a proof); days not scanned are `absent`.
 */
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { qcRecords, reportDayRecords } from '../store/days.js';
import { fixedPoint } from './format.js';
import { ruleCountsText } from '../contracts/rules.js';
import { writeCsvAtomic, writeExportFile, type ExportedFile } from './csv-write.js';
import { qaReport, type QaSummary } from './qa-report.js';
import type { TradingCalendar } from './trading-calendar.js';

/** Which report. */
export type ReportPeriod = 'weekly' | 'monthly';

/** Trading days of the weekly report. */
export const WEEK_TRADING_DAYS = 5;

/** How a day's completeness is known (see the module comment). */
export type DayProof = 'exhaustive' | 'baseline' | 'sampled' | 'absent';

/** One day of the report. Times in minutes, rates as ratios 0-1; null when unknown. */
export interface ReportDay {
  date: string;
  /** day_completeness.status, or '' when the day was not scanned. */
  status: string;
  /** qc_daily_summary.status (COMPLETE, VALIDATED, FAILED_<GATE> ...), '' when none. */
  qcStatus: string;
  processingMin: number | null;
  hits: { r1: number; r2: number; r3: number; r4: number; total: number };
  baselineOnly: number;
  /** 1 passed, 0 failed, null not audited. */
  auditPassed: number | null;
  apiErrorRate: number | null;
  slaBreach: boolean;
  proof: DayProof;
}

/** A weekly or monthly report: days, period figures, its text and CSV. */
export interface OpsReport {
  period: ReportPeriod;
  start: string;
  end: string;
  days: ReportDay[];
  totals: {
    scanned: number;
    hits: { r1: number; r2: number; r3: number; r4: number; total: number };
    baselineOnly: number;
    audited: number;
    auditPassed: number;
    /** auditPassed / audited, null when nothing was audited. */
    auditPassRate: number | null;
    requests: number;
    errors: number;
    apiErrorRate: number | null;
    processingMin: { p50: number | null; p95: number | null; max: number | null };
    slaBreaches: string[];
    proof: Record<DayProof, number>;
  };
  /** The 30-day QA figures over the same days (statuses, missing days ...). */
  qa: QaSummary;
  columns: string[];
  rows: Record<string, string>[];
  text: string;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A unicode sparkline of `values` (null as a space), scaled from 0 to the maximum. */
export function sparkline(values: readonly (number | null)[]): string {
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  return values
    .map((v) => {
      if (v === null) return ' ';
      if (max <= 0) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))];
    })
    .join('');
}

/** The trading days a report covers: the 5 ending at `end`, or `end`'s month up to `end`. */
export function reportWindow(cal: TradingCalendar, period: ReportPeriod, end: string): string[] {
  if (period === 'weekly') return cal.lastNTradingDays(end, WEEK_TRADING_DAYS);
  return cal.tradingDays(`${end.slice(0, 7)}-01`, end);
}

function pct(x: number | null, digits = 1): string {
  return x === null ? 'n/a' : `${fixedPoint(x * 100, digits)}%`;
}

function nearest(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/**
 * Builds the report of `period` ending at `end` from the store (reads only).
 * `slaMaxSec` / `slaMaxErrorRate`: the SLA limits (SLA_MAX_PROCESSING_SEC, SLA_MAX_ERROR_RATE).
 * @throws CalendarError on a malformed date.
 */
export function opsReport(
  store: Store,
  cal: TradingCalendar,
  period: ReportPeriod,
  end: string,
  sla: { maxSec: number; maxErrorRate: number },
): OpsReport {
  const window = reportWindow(cal, period, end);
  const start = window[0] ?? end;
  const qc = new Map(
    (qcRecords(store.db, start, end) as Record<string, unknown>[]).map((r) => [String(r.date), r]),
  );
  const dcs = new Map(
    (reportDayRecords(store.db, start, end) as Record<string, unknown>[]).map((r) => [
      String(r.date),
      r,
    ]),
  );
  const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const days: ReportDay[] = window.map((date) => {
    const q = qc.get(date);
    const d = dcs.get(date);
    const status = d ? String(d.status ?? '') : '';
    const qcStatus = q && typeof q.status === 'string' ? q.status : '';
    const ms = n(d?.processing_ms);
    const processingMin =
      ms !== null
        ? ms / 60000
        : n(q?.processing_time_seconds) !== null
          ? n(q?.processing_time_seconds)! / 60
          : null;
    const requests = (n(d?.theta_requests) ?? 0) + (n(d?.polygon_requests) ?? 0);
    const errors = (n(d?.theta_errors) ?? 0) + (n(d?.polygon_errors) ?? 0);
    const apiErrorRate = d ? (requests > 0 ? errors / requests : 0) : n(q?.api_error_rate);
    const h = {
      r1: n(d?.r1_hits ?? q?.r1_hits) ?? 0,
      r2: n(d?.r2_hits ?? q?.r2_hits) ?? 0,
      r3: n(d?.r3_hits ?? q?.r3_hits) ?? 0,
      r4: n(d?.r4_hits ?? q?.r4_hits) ?? 0,
      total: 0,
    };
    h.total = h.r1 + h.r2 + h.r3 + h.r4;
    const baselineOnly = n(q?.baseline_only_count) ?? 0;
    let proof: DayProof = 'absent';
    if (d) {
      const stored = typeof d.proof === 'string' ? d.proof : null;
      if (status === 'COMPLETE' && (stored === 'exhaustive' || stored === 'baseline'))
        proof = stored;
      else if (
        status === 'COMPLETE' &&
        stored === null &&
        d.r1_mode === 'exhaustive' &&
        (n(d.r1_unanswered) ?? 0) === 0
      )
        proof = 'exhaustive';
      else if (qcStatus === 'VALIDATED' && baselineOnly === 0) proof = 'baseline';
      else proof = 'sampled';
    }
    return {
      date,
      status,
      qcStatus,
      processingMin,
      hits: h,
      baselineOnly,
      auditPassed: q ? (n(q.audit_passed) as number | null) : null,
      apiErrorRate,
      slaBreach:
        (processingMin !== null && processingMin * 60 > sla.maxSec) ||
        (apiErrorRate !== null && apiErrorRate > sla.maxErrorRate),
      proof,
    };
  });
  const scanned = days.filter((d) => d.status !== '');
  const hits = { r1: 0, r2: 0, r3: 0, r4: 0, total: 0 };
  for (const d of scanned)
    for (const k of ['r1', 'r2', 'r3', 'r4', 'total'] as const) hits[k] += d.hits[k];
  const audited = days.filter((d) => d.auditPassed !== null);
  const auditPassed = audited.filter((d) => d.auditPassed === 1).length;
  let requests = 0;
  let errors = 0;
  for (const date of window) {
    const d = dcs.get(date);
    if (!d) continue;
    requests += (n(d.theta_requests) ?? 0) + (n(d.polygon_requests) ?? 0);
    errors += (n(d.theta_errors) ?? 0) + (n(d.polygon_errors) ?? 0);
  }
  const mins = scanned
    .map((d) => d.processingMin)
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  const proof: Record<DayProof, number> = { exhaustive: 0, baseline: 0, sampled: 0, absent: 0 };
  for (const d of days) proof[d.proof]++;
  const totals: OpsReport['totals'] = {
    scanned: scanned.length,
    hits,
    baselineOnly: days.reduce((s, d) => s + d.baselineOnly, 0),
    audited: audited.length,
    auditPassed,
    auditPassRate: audited.length ? auditPassed / audited.length : null,
    requests,
    errors,
    apiErrorRate: requests ? errors / requests : null,
    processingMin: {
      p50: nearest(mins, 50),
      p95: nearest(mins, 95),
      max: mins.length ? mins[mins.length - 1]! : null,
    },
    slaBreaches: days.filter((d) => d.slaBreach).map((d) => d.date),
    proof,
  };
  const qa = qaReport(store, cal, end, window.length).summary;
  const columns = [
    'date',
    'status',
    'qc_status',
    'processing_min',
    'r1_hits',
    'r2_hits',
    'r3_hits',
    'r4_hits',
    'hits',
    'baseline_only',
    'audit_passed',
    'api_error_rate',
    'sla_breach',
    'proof',
  ];
  const rows = days.map((d) => ({
    date: d.date,
    status: d.status,
    qc_status: d.qcStatus,
    processing_min: d.processingMin === null ? '' : fixedPoint(d.processingMin, 2),
    r1_hits: String(d.hits.r1),
    r2_hits: String(d.hits.r2),
    r3_hits: String(d.hits.r3),
    r4_hits: String(d.hits.r4),
    hits: String(d.hits.total),
    baseline_only: String(d.baselineOnly),
    audit_passed: d.auditPassed === null ? '' : String(d.auditPassed),
    api_error_rate: d.apiErrorRate === null ? '' : fixedPoint(d.apiErrorRate, 4),
    sla_breach: d.status === '' ? '' : d.slaBreach ? '1' : '0',
    proof: d.proof,
  }));
  const r: OpsReport = { period, start, end, days, totals, qa, columns, rows, text: '' };
  r.text = opsText(r, sla);
  return r;
}

/** The readable text of a report (LF line endings, ends with a newline). */
export function opsText(r: OpsReport, sla: { maxSec: number; maxErrorRate: number }): string {
  const t = r.totals;
  const m = (x: number | null) => (x === null ? 'n/a' : `${fixedPoint(x, 2)} min`);
  const lines = [
    `gapctl ${r.period} report: ${r.start} .. ${r.end} (${r.days.length} trading days, ${t.scanned} scanned)`,
    '',
    `processing min/day ${sparkline(r.days.map((d) => d.processingMin))}  p50 ${m(t.processingMin.p50)}, p95 ${m(t.processingMin.p95)}, max ${m(t.processingMin.max)}`,
    `hits/day           ${sparkline(r.days.map((d) => (d.status ? d.hits.total : null)))}  ${t.hits.total} in all`,
    `discoveries        ${ruleCountsText(t.hits, { sep: ', ', withCode: true })}`,
    `baseline-only      ${t.baselineOnly}${
      t.baselineOnly
        ? ` (CRITICAL: ${r.days
            .filter((d) => d.baselineOnly > 0)
            .map((d) => d.date)
            .join(', ')})`
        : ''
    }`,
    `audit pass rate    ${t.audited ? `${t.auditPassed} of ${t.audited} audited days (${pct(t.auditPassRate)})` : 'no audited day'}`,
    `API error rate     ${pct(t.apiErrorRate, 2)} (${t.errors} errors of ${t.requests} requests, Theta + Polygon)`,
    `SLA                ${t.slaBreaches.length} day(s) over ${sla.maxSec} s or ${pct(sla.maxErrorRate)} API errors${t.slaBreaches.length ? `: ${t.slaBreaches.join(', ')}` : ''}`,
    `proof coverage     exhaustive ${t.proof.exhaustive}, baseline ${t.proof.baseline}, sampled ${t.proof.sampled} (not a proof), absent ${t.proof.absent}`,
    `statuses           ${
      Object.keys(r.qa.statuses)
        .sort()
        .map((k) => `${k || '(none)'} ${r.qa.statuses[k]}`)
        .join(', ') || 'none'
    }`,
    '',
    `${'date'.padEnd(10)}  ${'status'.padEnd(15)} ${'min'.padStart(6)} ${'R1'.padStart(3)} ${'R2'.padStart(3)} ${'R3'.padStart(3)} ${'R4'.padStart(3)} ${'b-only'.padStart(6)} audit ${'err%'.padStart(6)} sla proof`,
    ...r.days.map((d) =>
      [
        d.date,
        ' ',
        (d.qcStatus || d.status || 'absent').padEnd(15),
        (d.processingMin === null ? '' : fixedPoint(d.processingMin, 2)).padStart(6),
        String(d.hits.r1).padStart(3),
        String(d.hits.r2).padStart(3),
        String(d.hits.r3).padStart(3),
        String(d.hits.r4).padStart(3),
        String(d.baselineOnly).padStart(6),
        (d.auditPassed === null ? '-' : d.auditPassed ? 'pass' : 'FAIL').padEnd(5),
        (d.apiErrorRate === null ? '' : fixedPoint(d.apiErrorRate * 100, 2)).padStart(6),
        (d.status === '' ? '' : d.slaBreach ? 'BR' : 'ok').padEnd(3),
        d.proof,
      ].join(' '),
    ),
  ];
  return lines.join('\n') + '\n';
}

/**
 * Writes `<dir>/report_<period>_<end>.csv` and `.txt` atomically.
 * @returns both files (csv first).
 */
export function writeOpsReport(r: OpsReport, dir: string): ExportedFile[] {
  const csv = writeCsvAtomic(join(dir, `report_${r.period}_${r.end}.csv`), r.columns, r.rows);
  const txtPath = join(dir, `report_${r.period}_${r.end}.txt`);
  writeExportFile(txtPath, r.text);
  return [csv, { path: txtPath, rows: r.text.split('\n').length - 1 }];
}
