/**
 * Validation of a scanned day (Phase A, docs/domain.md section 7): the runbooks' acceptance gates in
 * order, the baseline cross-check (zero baseline-only hits allowed), the rule-of-three audit, the
 * qc_daily_summary row and the day status. Stops at the first failed gate, writes
 * FAIL_<GATE>_<date>.md and HELP_REQUEST.md and raises an alert (CRITICAL for baseline-only hits).
 *
 * A validation is all or nothing: the gates only compute, and their rows (baseline_hits, diffs,
 * enhanced_audit_log, qc_daily_summary, the day status) are written in one transaction at the end.
 * A stop (ctx.signal aborted) at any point ends it as "validation stopped": nothing of it is written
 * (no rows, no FAIL file, no alert) and the day keeps its previous validation state.
 *
 * Over 400 lines: the gates, the baseline cross-check and the audit end in one all-or-nothing
 * transaction; they share the day's computed state, which is why they are read in one place.
 */
import { mkdirSync, readFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { statePaths, writeFileAtomic } from '../store/state-files.js';
import { markBaselineProof, putValidationSummary, setDayStatus } from '../store/days.js';
import { duplicateHitTickers, duplicateRuleRows } from '../store/hits.js';
import {
  auditRecord,
  auditSampleMissSymbols,
  baselineLookupSql,
  putBaseline,
  putGateResults,
  setAuditVerdict,
} from '../store/validation.js';
import type { StoredHit } from '../store/store.js';
import { checkDiscoveryCsv } from '../export/csv-shape.js';
import { exportDiscoveryHits } from '../export/discovery-csv.js';
import type { EngineContext } from './context.js';
import { runBaseline, type BaselineHit, type BaselineProgress } from './baseline.js';
import { writeHelpRequest, type DayValidation } from './backfill.js';
import { missRateUpper95 } from './rules.js';
import { ruleOf } from '../contracts/rules.js';
import { describeError } from './day.js';

/** Gate names in the order they run. */
export const GATES = [
  'COMPLETENESS',
  'BASIS_SANITY',
  'RULE_UNIQUENESS',
  'EXCHANGE_DOMAIN',
  'MIN_VOLUME',
  'CSV_SHAPE',
  'PM_PROVENANCE',
  'R1_HEALTH',
  'RULE_TAGS',
  'BASELINE',
  'AUDIT',
] as const;
/** One gate. */
export type GateName = (typeof GATES)[number];

/** Outcome of one gate. */
export interface GateResult {
  gate: GateName;
  passed: boolean;
  message: string;
}

/** Full result of validating a day. `passed` only when every gate passed; `stopped` when a stop cut it short (then nothing was written). */
export interface ValidationReport extends DayValidation {
  gates: GateResult[];
  baselineHits: number;
  overlap: number;
  discoveryOnly: number;
  /** Files written on failure. */
  files: string[];
}

/** Options of {@link validateDay}. */
export interface ValidateOptions {
  /**
   * Called with the path of the day's exported CSV (project_state/artifacts/validate_hits_<date>.csv)
   * before the CSV gates read it: a test hook to corrupt the file on purpose.
   */
  afterExport?: (path: string) => void;
}

/**
 * What a gate's check returns: null (passed, message `ok`), a string (failed, the message) or
 * `{ passed: message }` (passed, with a detail line instead of `ok`).
 */
type GateOutcome = string | null | { passed: string };
type GateCheck = () => Promise<GateOutcome> | GateOutcome;

/** Period of the `validate-progress` heartbeat while a gate runs, ms. */
export const VALIDATE_PROGRESS_HEARTBEAT_MS = 1000;
/** Least spacing of `validate-progress` events for the baseline's lookups, ms. */
export const VALIDATE_PROGRESS_MIN_MS = 100;

/** Retries and backoff of every upstream so far (UpstreamMetrics.retries summed; backing off when any is). */
function upstreamRetries(ctx: EngineContext): { retries: number; backingOff: boolean } {
  const m = ctx.metrics();
  const all = [...m.theta, ...(m.polygon ? [m.polygon] : [])];
  return {
    retries: all.reduce((a, u) => a + (u.retries ?? 0), 0),
    backingOff: all.some((u) => u.backingOff),
  };
}

/**
 * Why no premarket lookup of `date` had data, for the R1_HEALTH gate's message: a market that holds
 * premarket data only for part of its span (a recording, `premarketSpan` from the embedded market)
 * says so when `date` lies outside it; otherwise the market may hold none for the day (or the
 * terminal is blind). Text only: the gate fails either way.
 * @param date the trading day, `YYYY-MM-DD`.
 * @param span dates with premarket data (EngineContext.premarketSpan), or undefined.
 */
export function noPremarketReason(date: string, span?: { start: string; end: string }): string {
  if (span && (date < span.start || date > span.end))
    return `no lookup had premarket data: the market holds premarket data only for ${span.start}..${span.end}`;
  return 'no lookup had premarket data: the market may hold none for this day';
}

/**
 * Validates `date` (which must have been scanned into ctx.store). Emits `validate-progress`
 * events while it runs and one `validate` event at the end.
 * @returns the report; `passed` only when every gate passed; `stopped` when ctx.signal aborted
 *   before the end (nothing was written: no rows, no FAIL file, no alert).
 */
export async function validateDay(
  ctx: EngineContext,
  date: string,
  opts: ValidateOptions = {},
): Promise<ValidationReport> {
  const { store, cfg } = ctx;
  const t0 = Date.now();
  const retries0 = upstreamRetries(ctx).retries;
  // Progress (engine event `validate-progress`): the gate running, the baseline's lookups, retries
  // since the validation began and whether a retry is backing off; also sent every second while a
  // gate runs, so a validation slowed by 429s never looks frozen.
  let progressGate: GateName = GATES[0];
  let lookups: BaselineProgress | null = null;
  const sendProgress = (): void => {
    const r = upstreamRetries(ctx);
    ctx.emit({
      type: 'validate-progress',
      date,
      gate: progressGate,
      gateIndex: GATES.indexOf(progressGate) + 1,
      gates: GATES.length,
      lookupsDone: lookups?.done ?? null,
      lookupsTotal: lookups?.total ?? null,
      unanswered: lookups?.unanswered ?? 0,
      retries: r.retries - retries0,
      backingOff: r.backingOff,
      startedAt: t0,
      at: Date.now(),
    });
  };
  const heartbeat = setInterval(sendProgress, VALIDATE_PROGRESS_HEARTBEAT_MS);
  heartbeat.unref?.();
  try {
    return await validateGates();
  } finally {
    clearInterval(heartbeat);
  }

  async function validateGates(): Promise<ValidationReport> {
    const dc = store.dayCompleteness(date);
    const hits = store.hits(date, date);
    const gates: GateResult[] = [];
    let baseline: {
      hits: BaselineHit[];
      overlap: number;
      discoveryOnly: number;
      baselineOnly: BaselineHit[];
    } | null = null;
    let auditInfo: { n: number; m: number; bound: number | null } | null = null;
    // Set when the AUDIT gate passed a proven day despite sample misses (a WARNING alert follows).
    let auditLeak: { m: number; n: number; symbols: string[]; proof: string } | null = null;
    // Premarket lookups the baseline answered from Theta after Polygon failed (set by the BASELINE gate).
    let fallbacks: { symbol: string; polygonError: string }[] = [];
    let fallbackOf = 0;
    let csvPath: string | null = null;
    /** Rows the gates computed, written in the final transaction (never when stopped). */
    const writes: (() => void)[] = [];

    const checks: [GateName, GateCheck][] = [
      [
        'COMPLETENESS',
        () => {
          if (!dc) return `${date} has not been scanned (no day_completeness row)`;
          if (dc.status === 'INCOMPLETE')
            return `${date} is INCOMPLETE: premarket data could not be fetched for ${dc.r1_unanswered} candidate(s); R1 is not proven (${dc.provider_status})`;
          if (dc.status !== 'COMPLETE')
            return `${date} status is ${dc.status}: ${dc.provider_status}`;
          return null;
        },
      ],
      ['BASIS_SANITY', () => basisSanity(ctx, date, hits)],
      [
        'RULE_UNIQUENESS',
        () => {
          const dup = duplicateRuleRows(store.db, date);
          const dupHits = duplicateHitTickers(store.db, date);
          if (dup.length)
            return `duplicate rule rows: ${dup.map((d) => `${d.ticker} ${d.trigger_rule}`).join(', ')}`;
          if (dupHits.length) return `duplicate hits: ${dupHits.join(', ')}`;
          return null;
        },
      ],
      [
        'EXCHANGE_DOMAIN',
        () => {
          const bad = hits.filter((h) => !cfg.ALLOWED_EXCHANGES.includes(h.exchange));
          return bad.length
            ? `hits outside ${cfg.ALLOWED_EXCHANGES.join(',')}: ${bad.map((h) => `${h.ticker}(${h.exchange || 'none'})`).join(', ')}`
            : null;
        },
      ],
      [
        'MIN_VOLUME',
        () => {
          const bad = hits.filter((h) => !(h.volume >= cfg.DISCOVERY_MIN_VOL));
          return bad.length
            ? `hits under DISCOVERY_MIN_VOL=${cfg.DISCOVERY_MIN_VOL}: ${bad.map((h) => `${h.ticker}(${h.volume})`).join(', ')}`
            : null;
        },
      ],
      [
        'CSV_SHAPE',
        () => {
          const { path } = exportDiscoveryHits(store, date, date, join(ctx.stateDir, 'artifacts'));
          csvPath = join(ctx.stateDir, 'artifacts', `validate_hits_${date}.csv`);
          renameSync(path, csvPath);
          opts.afterExport?.(csvPath);
          const issues = checkDiscoveryCsv(csvPath);
          return issues.length
            ? `${issues.length} CSV issue(s) in ${csvPath}: ${issues
                .slice(0, 5)
                .map((i) => `row ${i.row} ${i.column}: ${i.message}`)
                .join('; ')}`
            : null;
        },
      ],
      [
        'PM_PROVENANCE',
        () => {
          const bad = hits.filter(
            (h) =>
              h.rules.some((r) => r.rule === 'PM_GAP_50') &&
              (!h.pm_high_source || !h.pm_high_venue),
          );
          return bad.length
            ? `PM_GAP_50 hits without pm_high_source/venue: ${bad.map((h) => h.ticker).join(', ')}`
            : null;
        },
      ],
      [
        'R1_HEALTH',
        () => {
          const r3 = hits.filter((h) => h.rules.some((r) => r.rule === 'INTRADAY_PUSH_50')).length;
          if (r3 < 10) return null;
          const diagPath = join(ctx.stateDir, 'artifacts', `pm_diag_${date}.json`);
          if (!existsSync(diagPath))
            return `no pm_diag_${date}.json to judge R1 health (${r3} R3 hits)`;
          const diag = JSON.parse(readFileSync(diagPath, 'utf8')) as {
            by_source: Record<string, { '200': number; '204': number; '472': number }>;
          };
          let ok = 0;
          let all = 0;
          for (const c of Object.values(diag.by_source)) {
            ok += c['200'];
            all += c['200'] + c['204'] + c['472'];
          }
          const ratio = all ? ok / all : 0;
          const min = ctx.cfg.R1_HEALTH_MIN;
          if (ratio >= min) return null;
          // Not one lookup with data: the source has no premarket data for the day at all (HELP_REQUEST.md says what to do).
          const none = ok === 0 && all > 0 ? `; ${noPremarketReason(date, ctx.premarketSpan)}` : '';
          return `R1 health ${ratio.toFixed(3)} < ${min} (200=${ok} of ${all} premarket answers, ${r3} R3 hits${none})`;
        },
      ],
      [
        'RULE_TAGS',
        () => {
          // The exported rule_tags (codes joined with '|', rule order R1..R4) must say what the store says.
          const rows = parseCsv(readFileSync(csvPath!, 'utf8'), { columns: true }) as {
            ticker: string;
            rule_tags: string;
          }[];
          const exported = new Map(rows.map((r) => [r.ticker, r.rule_tags]));
          const problems: string[] = [];
          for (const h of hits) {
            const want = h.rules.map((r) => r.rule).join('|');
            const got = exported.get(h.ticker);
            if (!want) problems.push(`${h.ticker} has no rule`);
            else if (got === undefined) problems.push(`${h.ticker} is missing from the export`);
            else if (got !== want)
              problems.push(`${h.ticker} exported rule_tags "${got}" but the store has "${want}"`);
          }
          for (const t of exported.keys())
            if (!hits.some((h) => h.ticker === t))
              problems.push(`${t} is exported but not a stored hit`);
          return problems.length ? problems.slice(0, 8).join('; ') : null;
        },
      ],
      [
        'BASELINE',
        async () => {
          let sentAt = 0;
          const b = await runBaseline(ctx, date, (p) => {
            lookups = p;
            // At most one event per VALIDATE_PROGRESS_MIN_MS (and the first and last lookups): the
            // metrics it reads are not free, and the heartbeat covers the silent stretches.
            const now = Date.now();
            if (p.done === 0 || p.done === p.total || now - sentAt >= VALIDATE_PROGRESS_MIN_MS) {
              sentAt = now;
              sendProgress();
            }
          });
          fallbacks = b.thetaFallbacks;
          fallbackOf = b.premarketRequests;
          if (b.premarketFailed.length)
            return `baseline could not fetch premarket bars for ${b.premarketFailed.length} symbol(s) (${b.premarketFailed.slice(0, 5).join(', ')}): not a proof`;
          const disc = new Set<string>();
          for (const h of hits) for (const r of h.rules) disc.add(`${h.ticker}|${r.rule}`);
          const base = new Set(b.hits.map((h) => `${h.symbol}|${h.rule}`));
          const baselineOnly = b.hits.filter((h) => !disc.has(`${h.symbol}|${h.rule}`));
          const overlap = b.hits.length - baselineOnly.length;
          const discoveryOnly = [...disc].filter((k) => !base.has(k)).length;
          baseline = { hits: b.hits, overlap, discoveryOnly, baselineOnly };
          writes.push(() => {
            putBaseline(store.db, date, b.hits, {
              overlap,
              discoveryOnly,
              baselineOnly: baselineOnly.length,
              detail: {
                baseline_only: baselineOnly,
                universe: b.universe,
                premarket_requests: b.premarketRequests,
                premarket_sources: b.premarketSources,
                flatfile_fallback: b.flatFileFallback ?? null,
              },
            });
            // A complete baseline without a baseline-only hit proves an unproven day (docs/domain.md section 14).
            if (baselineOnly.length === 0) markBaselineProof(store.db, date, b.universe);
          });
          if (baselineOnly.length) {
            return `baseline-only hits: ${baselineOnly.length} (${baselineOnly
              .slice(0, 8)
              .map((h) => `${h.symbol} ${ruleOf(h.rule).short} ${h.pct.toFixed(1)}%`)
              .join(', ')})`;
          }
          return null;
        },
      ],
      [
        'AUDIT',
        () => {
          const row = auditRecord(store.db, date);
          if (!row) return 'no enhanced_audit_log row for the day';
          const bound = missRateUpper95(row.misses, row.sample_size);
          auditInfo = { n: row.sample_size, m: row.misses, bound };
          // The audit's figures are stored as they are, whatever the gate decides (audit_passed = 0 when m > 0).
          writes.push(() => {
            setAuditVerdict(store.db, date, bound, row.misses === 0);
          });
          if (row.misses === 0) return null;
          const figures = `audit sample: ${row.misses} miss(es) in ${row.sample_size}; 95% upper bound of the miss rate ${(bound! * 100).toFixed(2)}%`;
          // Decision (docs/domain.md section 7, "The AUDIT gate on a proven day"): the rule of three
          // bounds the prefilter's risk when nothing else proves the day. A day proven when the
          // validation began (exhaustive or baseline) whose sample misses are all stored R1 hits has
          // no miss left: the gate passes with a WARNING that the prefilter leaks.
          const proof = dc?.proof ?? 'sampled';
          if (proof !== 'exhaustive' && proof !== 'baseline')
            return `${figures}; the day is not proven (proof ${proof})`;
          const r1Hits = new Set(
            hits.filter((h) => h.rules.some((r) => r.rule === 'PM_GAP_50')).map((h) => h.ticker),
          );
          const symbols = auditSampleMissSymbols(store.db, date);
          const notStored = symbols.filter((s) => !r1Hits.has(s));
          if (symbols.length !== row.misses || notStored.length)
            return `${figures}; ${notStored.length ? `not stored as R1 hits: ${notStored.slice(0, 8).join(', ')}` : `${symbols.length} of them recorded in miss_audit`}`;
          auditLeak = { m: row.misses, n: row.sample_size, symbols, proof };
          return {
            passed: `${row.misses} prefilter miss(es) in the random sample (${symbols.slice(0, 8).join(', ')}), all stored as hits; the day's proof is ${proof}, no miss remains (${figures})`,
          };
        },
      ],
    ];

    let failed: GateResult | null = null;
    for (const [gate, check] of checks) {
      if (ctx.signal.aborted) return stoppedReport(gate);
      progressGate = gate;
      sendProgress();
      let outcome: GateOutcome;
      try {
        outcome = await check();
      } catch (e) {
        outcome = `gate error: ${describeError(e)}`;
      }
      // A gate that ran while a stop came in judged partial data (an aborted request is no answer):
      // its result, pass or fail, is discarded with the rest of the validation.
      if (ctx.signal.aborted) return stoppedReport(gate);
      const r: GateResult =
        outcome === null
          ? { gate, passed: true, message: 'ok' }
          : typeof outcome === 'string'
            ? { gate, passed: false, message: outcome }
            : { gate, passed: true, message: outcome.passed };
      gates.push(r);
      if (!r.passed) {
        failed = r;
        break;
      }
    }

    const b = baseline as {
      hits: BaselineHit[];
      overlap: number;
      discoveryOnly: number;
      baselineOnly: BaselineHit[];
    } | null;
    const a = auditInfo as { n: number; m: number; bound: number | null } | null;
    const baselineOnlyCount = b ? b.baselineOnly.length : 0;
    const files: string[] = [];
    if (ctx.signal.aborted) return stoppedReport(progressGate);
    // The gates' rows, the gate results, qc_daily_summary and the day status, in one transaction.
    store.write(() => {
      for (const w of writes) w();
      putGateResults(store.db, date, gates);
      putValidationSummary(store.db, date, {
        status: failed ? `FAILED_${failed.gate}` : 'VALIDATED',
        seconds: (Date.now() - t0) / 1000,
        r1: dc?.r1_hits ?? 0,
        r2: dc?.r2_hits ?? 0,
        r3: dc?.r3_hits ?? 0,
        r4: dc?.r4_hits ?? 0,
        baselineOnly: b ? baselineOnlyCount : null,
        auditPassed: a ? (a.m === 0 ? 1 : 0) : null,
      });
      if (dc && failed && failed.gate !== 'COMPLETENESS') {
        setDayStatus(
          store.db,
          date,
          failed.gate === 'BASELINE' || failed.gate === 'AUDIT' ? 'RETRY_NEEDED' : 'FAILED',
          `validate ${failed.gate}: ${failed.message}`,
        );
      }
    });

    if (fallbacks.length) {
      // The baseline's second source is Polygon; a Theta answer is the scan's own source, so those
      // symbols were not checked independently: say so, whatever the gates said (before the gate's
      // own alert, so a failure stays the newest alert).
      const first = fallbacks[0]!;
      const alert = store.addAlert({
        severity: 'WARNING',
        kind: 'baseline_fallback',
        date,
        message: `${date} baseline fell back to Theta for ${fallbacks.length} of ${fallbackOf} premarket lookup(s) after Polygon failed (${fallbacks
          .slice(0, 5)
          .map((f) => f.symbol)
          .join(
            ', ',
          )}; first error: ${first.polygonError}): not independent of the scan for those symbols`,
      });
      ctx.emit({ type: 'alert', alert });
    }
    const l = auditLeak as { m: number; n: number; symbols: string[]; proof: string } | null;
    if (l) {
      const alert = store.addAlert({
        severity: 'WARNING',
        kind: 'audit_prefilter_leak',
        date,
        message: `${date} the prefilter leaks: ${l.m} R1 hit(s) outside it in the random audit sample of ${l.n} (${l.symbols.slice(0, 5).join(', ')}), all stored as hits (proof ${l.proof}); consider a larger R1_PREFILTER_PCT or R1_MODE=exhaustive`,
      });
      ctx.emit({ type: 'alert', alert });
    }
    if (failed) {
      const p = statePaths(ctx.stateDir);
      mkdirSync(ctx.stateDir, { recursive: true });
      const failPath = p.failFile(failed.gate, date);
      // Atomic (temp + rename): a full disk leaves no empty FAIL report behind.
      writeFileAtomic(failPath, failReport(date, failed, gates, b?.baselineOnly ?? []));
      files.push(
        failPath,
        writeHelpRequest(
          ctx.stateDir,
          `${date} validation failed at gate ${failed.gate}: ${failed.message}`,
          date,
          failed.gate,
        ),
      );
      const critical = failed.gate === 'BASELINE' && baselineOnlyCount > 0;
      const alert = store.addAlert({
        severity: critical ? 'CRITICAL' : 'WARNING',
        kind: critical ? 'baseline_only' : `gate_${failed.gate.toLowerCase()}`,
        date,
        message: critical
          ? `${date} ${failed.message}`
          : `${date} gate ${failed.gate} failed: ${failed.message}`,
      });
      ctx.emit({ type: 'alert', alert });
    }
    const report: ValidationReport = {
      date,
      passed: failed === null,
      gate: failed?.gate,
      baselineOnly: baselineOnlyCount,
      message: failed ? failed.message : `all ${gates.length} gates passed`,
      gates,
      baselineHits: b?.hits.length ?? 0,
      overlap: b?.overlap ?? 0,
      discoveryOnly: b?.discoveryOnly ?? 0,
      files,
    };
    ctx.emit({
      type: 'validate',
      date,
      passed: report.passed,
      gate: report.gate,
      baselineOnly: report.baselineOnly,
      message: report.message,
    });
    return report;

    /** The report of a validation a stop cut short during `gate`: nothing written, the previous state kept. */
    function stoppedReport(gate: GateName): ValidationReport {
      const done = lookups ? `, ${lookups.done}/${lookups.total} baseline lookups done` : '';
      const message = `validation stopped during gate ${gate}${done}: nothing recorded, the day keeps its previous validation state`;
      ctx.emit({ type: 'validate', date, passed: false, stopped: true, baselineOnly: 0, message });
      return {
        date,
        passed: false,
        stopped: true,
        baselineOnly: 0,
        message,
        gates,
        baselineHits: 0,
        overlap: 0,
        discoveryOnly: 0,
        files: [],
      };
    }
  }
}

/**
 * Basis sanity: split-adjacent hits have whole-share volume, and the stored dollar volume is
 * within 0.5% of vwap x volume (close x volume when vwap is missing) recomputed from daily_raw.
 */
function basisSanity(ctx: EngineContext, date: string, hits: readonly StoredHit[]): string | null {
  const raw = ctx.store.getDailyRaw(date);
  const problems: string[] = [];
  for (const h of hits) {
    if (h.is_near_reverse_split && Math.abs(h.volume - Math.round(h.volume)) > 1e-9)
      problems.push(`${h.ticker} split-adjacent with fractional volume ${h.volume}`);
    const b = raw.get(h.ticker);
    if (!b) {
      problems.push(`${h.ticker} has no daily_raw bar`);
      continue;
    }
    const dv = (b.vwap ?? b.close) * b.volume;
    if (h.dollar_volume === null || Math.abs(h.dollar_volume - dv) > 0.005 * Math.max(dv, 1)) {
      problems.push(`${h.ticker} dollar volume ${h.dollar_volume} vs recomputed ${dv.toFixed(2)}`);
    }
  }
  return problems.length ? problems.slice(0, 8).join('; ') : null;
}

function failReport(
  date: string,
  failed: GateResult,
  gates: readonly GateResult[],
  baselineOnly: readonly BaselineHit[],
): string {
  return [
    `# FAIL ${failed.gate} ${date}`,
    '',
    `- when: ${new Date().toISOString()}`,
    `- gate: ${failed.gate}`,
    `- message: ${failed.message}`,
    '',
    '## Gates',
    '',
    ...gates.map((g) => `- ${g.passed ? 'PASS' : 'FAIL'} ${g.gate}: ${g.message}`),
    '',
    ...(baselineOnly.length
      ? [
          '## Baseline-only hits (CRITICAL)',
          '',
          ...baselineOnly.map((h) => `- ${h.symbol} ${h.rule} ${h.pct.toFixed(1)}%`),
          '',
          `Rerun the day exhaustively (\`gapctl scan-day --date ${date} --mode exhaustive\`), then validate again.`,
          '',
        ]
      : []),
    '## Where to look',
    '',
    `- project_state/artifacts/scan_${date}.log, pm_diag_${date}.json, miss_audit_filters_${date}.json`,
    `- ${baselineLookupSql(date)
      .map((q) => `\`${q}\``)
      .join(', ')}`,
    '',
  ].join('\n');
}
