/**
 * One trading day, stage by stage (domain.md section 4): UNIVERSE, GROUPED, PREV, R2R3, R1 (with
 * the proof), R4, PERSIST, ENRICH, AUDIT, REPORT. Each stage is a module under ./stages/ with a
 * typed input and output; the {@link StageRunner} owns their begin/end lines in `scan_<date>.log`,
 * events, failpoints, timing and the pause/stop checks. Everything the day writes to the hit tables
 * is committed in one IMMEDIATE transaction at the end (REPORT), so a process killed at any moment
 * leaves the day either complete or absent.
 */
import { isTradingDay } from '../calendar/index.js';
import type { DayCompleteness } from '../store/store.js';
import { appendDayLog } from './artifacts.js';
import { StoppedError, type EngineContext } from './context.js';
import type { DayStatus, RuleCounts } from '../contracts/events.js';
import { raiseSlaAlert } from './sla.js';
import { describeError, recordRequests, requestTotals } from './stages/io.js';
import { StageRunner } from './stages/runner.js';
import type { DayScope } from './stages/types.js';
import { universeStage } from './stages/universe.js';
import { groupedStage } from './stages/grouped.js';
import { prevStage } from './stages/prev.js';
import { applyFilters } from './stages/filters.js';
import { r2r3Stage } from './stages/r2r3.js';
import { r1Stage } from './stages/r1.js';
import { r4Stage } from './stages/r4.js';
import { persistStage } from './stages/persist.js';
import { enrichStage } from './stages/enrich.js';
import { auditStage } from './stages/audit.js';
import { reportStage } from './stages/report.js';

export { describeError, fetchPremarket, loadGrouped } from './stages/io.js';

/** Options of one day's scan. */
export interface ScanDayOptions {
  /** R1 candidate selection (default: cfg.R1_MODE). */
  mode?: 'prefilter' | 'exhaustive';
  /** Bulk backfill: the miss audit takes the top 30 gainers instead of MISS_AUDIT_TOP_N. */
  bulk?: boolean;
  /** Prove the day (default: cfg.R1_PROOF === 'auto'); exhaustive mode is a proof by itself. */
  proof?: boolean;
}

/** The outcome of one day's scan. */
export interface DayResult {
  date: string;
  status: DayStatus;
  /** Why the day is not COMPLETE (one line), else null. */
  reason: string | null;
  hits: RuleCounts;
  discoveries: number;
  durationMs: number;
}

/**
 * Scans one trading day end to end and commits it.
 * @returns the day's status and hit counts. A provider failure gives status FAILED (never throws
 * for it); premarket data missing for some candidates gives INCOMPLETE; a miss found by the audits
 * gives RETRY_NEEDED.
 * @throws StoppedError when ctx.signal aborted (nothing of the day is committed).
 * @throws Error when `date` is not a trading day.
 */
export async function scanDay(ctx: EngineContext, date: string, opts: ScanDayOptions = {}): Promise<DayResult> {
  if (!isTradingDay(date)) throw new Error(`scan: ${date} is not a trading day`);
  const { cfg, store, emit } = ctx;
  const mode = opts.mode ?? cfg.R1_MODE;
  const t0 = Date.now();
  const before = requestTotals(ctx);
  const log = (line: string) => {
    const full = appendDayLog(ctx.stateDir, date, line);
    emit({ type: 'log', date, line: full });
  };

  emit({ type: 'day-begin', date, mode, at: t0 });
  log(`DAY:begin date=${date} mode=${mode} market=${ctx.marketName}`);

  const dc = newCompleteness(date, mode);
  const day: DayScope = { ctx, date, mode, bulk: !!opts.bulk, proofWanted: opts.proof ?? cfg.R1_PROOF === 'auto', dc, log, t0 };
  const runner = new StageRunner(day);

  try {
    const { refBySymbol } = await runner.run(universeStage, undefined);
    const { bars } = await runner.run(groupedStage, { refBySymbol });
    const { prevDate, prevBars, splitsBySymbol, prevAdj } = await runner.run(prevStage, { bars });
    const { eligible, filterOf } = applyFilters(bars, refBySymbol, cfg, dc);
    const { r2, r3 } = await runner.run(r2r3Stage, { bars, prevAdj });
    const r1o = await runner.run(r1Stage, { bars, prevAdj, eligible, filterOf, r2, r3 });
    const { r1, pm, plan } = r1o;
    const { r4 } = await runner.run(r4Stage, { eligible, bars, prevDate, prevBars, splitsBySymbol });
    const { hits, hitSymbols, counts } = await runner.run(persistStage, { eligible, bars, refBySymbol, prevAdj, splitsBySymbol, pm, r1, r2, r3, r4 });
    await runner.run(enrichStage, { hits });
    const audit = await runner.run(auditStage, { plan, bars, prevAdj, eligible, pm, r1, hitSymbols });
    const { status, reason } = await runner.run(reportStage, {
      plan, hits, hitSymbols, missAudit: audit.missAudit, r1, r2, r3, r4, pm, auditPm: audit.auditPm, splitsBySymbol,
      unanswered: r1o.unanswered, auditUnanswered: audit.auditUnanswered, auditMisses: audit.auditMisses,
      sampleMisses: r1o.sampleMisses, proofFound: r1o.proofFound, proofConfirm: r1o.proofConfirm, pmOverlap: r1o.pmOverlap,
      before, stageMs: runner.stageMs,
    });
    const durationMs = Date.now() - t0;
    log(`DAY:end status=${status} hits=${hits.length} r1=${counts.r1} r2=${counts.r2} r3=${counts.r3} r4=${counts.r4} ms=${durationMs}${reason ? ` reason="${reason}"` : ''}`);
    emit({ type: 'day-end', date, status, hits: counts, discoveries: hits.length, durationMs, reason: reason ?? undefined, proof: dc.proof, proofSource: dc.proof_source, at: Date.now() });
    return { date, status, reason, hits: counts, discoveries: hits.length, durationMs };
  } catch (e) {
    const current = runner.current;
    if (e instanceof StoppedError || ctx.signal.aborted) {
      log(`DAY:stopped${current ? ` during ${current}` : ''} (nothing committed)`);
      throw new StoppedError();
    }
    const reason = describeError(e);
    if (current) {
      log(`${current}:fail ${reason}`);
      emit({ type: 'stage', date, stage: current, phase: 'fail', counts: {}, at: Date.now() });
    }
    dc.status = 'FAILED';
    dc.provider_status = `${current ?? 'DAY'}: ${reason}`;
    dc.processing_ms = Date.now() - t0;
    dc.stage_ms = JSON.stringify(runner.stageMs);
    recordRequests(ctx, dc, before);
    store.commitDay({ completeness: dc, hits: [], missAudit: [], audit: null });
    raiseSlaAlert(ctx, dc);
    const durationMs = Date.now() - t0;
    log(`DAY:end status=FAILED reason="${dc.provider_status}"`);
    const zero = { r1: 0, r2: 0, r3: 0, r4: 0 };
    emit({ type: 'day-end', date, status: 'FAILED', hits: zero, discoveries: 0, durationMs, reason: dc.provider_status, proof: dc.proof, proofSource: dc.proof_source, at: Date.now() });
    return { date, status: 'FAILED', reason: dc.provider_status, hits: zero, discoveries: 0, durationMs };
  }
}

/** A day's completeness row before its first stage: every count 0, status RUNNING, proof sampled. */
function newCompleteness(date: string, mode: 'prefilter' | 'exhaustive'): DayCompleteness {
  return {
    date,
    total_universe: 0,
    daily_raw_symbols: 0,
    coverage_pct: 0,
    discoveries: 0,
    r1_hits: 0,
    r2_hits: 0,
    r3_hits: 0,
    r4_hits: 0,
    cand_pass1: 0,
    r1_checked: 0,
    r1_unanswered: 0,
    miss_audit_sample: 0,
    miss_audit_hits: 0,
    status: 'RUNNING',
    provider_status: 'ok',
    r1_mode: mode,
    no_prev_close: 0,
    filtered_exchange: 0,
    filtered_type: 0,
    filtered_unknown_type: 0,
    filtered_volume: 0,
    audit_sample_misses: 0,
    processing_ms: 0,
    theta_requests: 0,
    theta_errors: 0,
    polygon_requests: 0,
    polygon_errors: 0,
    stage_ms: '{}',
    proof: 'sampled',
    proof_source: null,
    proof_checked: 0,
    proof_found: '',
  };
}
