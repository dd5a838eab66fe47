/**
 * One trading day, stage by stage (docs/domain.md section 4): UNIVERSE, GROUPED, PREV, R2R3, R1 (with
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
import { describeError, recordRequests, requestTotals, type RequestTotals } from './stages/io.js';
import { handled, StageRunner } from './stages/runner.js';
import type { DayScope } from './stages/types.js';
import { universeStage, type UniverseOut } from './stages/universe.js';
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
import { dropPrefetch, startPrefetch } from './stages/prefetch.js';

export { describeError, fetchPremarket, loadGrouped } from './stages/io.js';

/** Options of one day's scan. */
export interface ScanDayOptions {
  /** R1 candidate selection (default: cfg.R1_MODE). */
  mode?: 'prefilter' | 'exhaustive';
  /** Bulk backfill: the miss audit takes the top 30 gainers instead of MISS_AUDIT_TOP_N. */
  bulk?: boolean;
  /** Prove the day (default: cfg.R1_PROOF === 'auto'); exhaustive mode is a proof by itself. */
  proof?: boolean;
  /**
   * The trading day a backfill scans next (a past day, its data final), or undefined: once this
   * day's Polygon work is done (R4 ended), that day's reference tickers and grouped daily are
   * fetched into memory while this day's R1 waits on Theta (./stages/prefetch.ts; nothing of it
   * is stored before that day runs; dropped when this day fails or is stopped).
   */
  next?: string;
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
export async function scanDay(
  ctx: EngineContext,
  date: string,
  opts: ScanDayOptions = {},
): Promise<DayResult> {
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
  const runner = new StageRunner(ctx, (dayCtx): DayScope => ({
    ctx: dayCtx,
    date,
    mode,
    bulk: !!opts.bulk,
    proofWanted: opts.proof ?? cfg.R1_PROOF === 'auto',
    dc,
    log,
    t0,
  }));

  try {
    const prefetch = opts.next ? () => startPrefetch(ctx, opts.next!) : null;
    const { status, reason, hits, counts } = await runStageGraph(runner, before, prefetch);
    await runner.settle();
    if (status !== 'COMPLETE') dropPrefetch(ctx); // a backfill halts on it: no next day
    const durationMs = Date.now() - t0;
    log(
      `DAY:end status=${status} hits=${hits.length} r1=${counts.r1} r2=${counts.r2} r3=${counts.r3} r4=${counts.r4} ms=${durationMs}${reason ? ` reason="${reason}"` : ''}`,
    );
    emit({
      type: 'day-end',
      date,
      status,
      hits: counts,
      discoveries: hits.length,
      durationMs,
      reason: reason ?? undefined,
      proof: dc.proof,
      proofSource: dc.proof_source,
      at: Date.now(),
    });
    return { date, status, reason, hits: counts, discoveries: hits.length, durationMs };
  } catch (thrown) {
    // Every running stage was aborted (stop, or the first failure); none writes after this.
    await runner.settle();
    dropPrefetch(ctx); // the run halts or stops here: the next day is not scanned next
    const current = runner.current;
    // The day's signal aborts only on a stop or after a failure: a StoppedError first is a stop.
    const first = runner.firstFailure ?? { error: thrown, stage: current };
    if (ctx.signal.aborted || first.error instanceof StoppedError) {
      log(`DAY:stopped${current ? ` during ${current}` : ''} (nothing committed)`);
      throw new StoppedError();
    }
    // The first failure is the day's (the others are the aborts it caused).
    const reason = describeError(first.error);
    const failed = first.stage;
    if (failed) {
      log(`${failed}:fail ${reason}`);
      emit({ type: 'stage', date, stage: failed, phase: 'fail', counts: {}, at: Date.now() });
    }
    runner.reportAborted(failed);
    dc.status = 'FAILED';
    dc.provider_status = `${failed ?? 'DAY'}: ${reason}`;
    dc.processing_ms = Date.now() - t0;
    dc.stage_ms = JSON.stringify(runner.stageMs);
    recordRequests(ctx, dc, before);
    store.commitDay({ completeness: dc, hits: [], missAudit: [], audit: null });
    raiseSlaAlert(ctx, dc);
    const durationMs = Date.now() - t0;
    log(`DAY:end status=FAILED reason="${dc.provider_status}"`);
    const zero = { r1: 0, r2: 0, r3: 0, r4: 0 };
    emit({
      type: 'day-end',
      date,
      status: 'FAILED',
      hits: zero,
      discoveries: 0,
      durationMs,
      reason: dc.provider_status,
      proof: dc.proof,
      proofSource: dc.proof_source,
      at: Date.now(),
    });
    return {
      date,
      status: 'FAILED',
      reason: dc.provider_status,
      hits: zero,
      discoveries: 0,
      durationMs,
    };
  }
}

/**
 * The day's stage graph (docs/architecture.md, "The day's stages"): each stage starts once the
 * outputs it takes are ready. Polygon's UNIVERSE, GROUPED and PREV run together (GROUPED takes the
 * universe late, for its coverage figure; PREV the day's bars, for the previous closes); the
 * universe is handed on as soon as it is known, and a new pin is written next to R1's first
 * lookups (UNIVERSE ends after it; REPORT waits for UNIVERSE); R1 (Theta,
 * with the proof's flat file read next to it) and R4 (Polygon's window pulls) run together once the
 * day is filtered; ENRICH and AUDIT run together after PERSIST; REPORT commits once all are done.
 * `prefetch` (a backfill's next day, ./stages/prefetch.ts) is started once R4 has ended: the day's
 * own Polygon work is done and R1 waits on Theta.
 * @returns REPORT's status and reason, with PERSIST's hits and rule counts.
 * @throws the first stage failure (DayFailure, provider errors) or StoppedError.
 */
async function runStageGraph(
  runner: StageRunner,
  before: RequestTotals,
  prefetch: (() => void) | null,
) {
  const { ctx, dc } = runner.day;
  // The universe as soon as UNIVERSE knows it (before a new pin is written: the stage ends after
  // it, and REPORT waits for the stage), or UNIVERSE's failure when it fails before that.
  let deliver!: (u: UniverseOut) => void;
  let failEarly!: (e: unknown) => void;
  const universe = handled(
    new Promise<UniverseOut>((resolve, reject) => {
      deliver = resolve;
      failEarly = reject;
    }),
  );
  // R1's input (settled once R1 can begin): a new universe is pinned after it, next to R1's lookups.
  let r1Ready!: () => void;
  const pinAfter = new Promise<void>((resolve) => (r1Ready = resolve));
  const universeStaged = runner.start(universeStage, { deliver, pinAfter });
  universeStaged.then(deliver, failEarly);
  const grouped = runner.start(groupedStage, {
    refBySymbol: handled(universe.then((u) => u.refBySymbol)),
  });
  const prev = runner.start(prevStage, { bars: handled(grouped.then((g) => g.bars)) });
  // The filters (section 3) of every bar of the day: not a stage; R1, R4 and PERSIST take them.
  const filtered = handled(
    Promise.all([universe, grouped, prev]).then(([u, g]) =>
      applyFilters(g.bars, u.refBySymbol, ctx.cfg, dc),
    ),
  );
  const day = handled(
    Promise.all([universe, grouped, prev, filtered]).then(([u, g, p, f]) => ({
      ...u,
      ...g,
      ...p,
      ...f,
    })),
  );
  const r2r3 = runner.start(r2r3Stage, day);
  const r1In = handled(Promise.all([day, r2r3]).then(([d, r]) => ({ ...d, ...r })));
  void r1In.then(r1Ready, r1Ready);
  const r1 = runner.start(r1Stage, r1In);
  // R4's window pulls store after a new universe pin: symbol ids are given in the same order on
  // every run (a rerun or a resume after a crash writes the same rows).
  const r4 = runner.start(
    r4Stage,
    Promise.all([day, universeStaged]).then(([d]) => d),
  );
  if (prefetch) void r4.then(prefetch, () => {});
  const persist = runner.start(
    persistStage,
    Promise.all([day, r2r3, r1, r4]).then(([d, r23, o1, o4]) => ({
      ...d,
      ...r23,
      pm: o1.pm,
      r1: o1.r1,
      r4: o4.r4,
    })),
  );
  const enrich = runner.start(enrichStage, persist);
  const audit = runner.start(
    auditStage,
    Promise.all([day, r1, persist]).then(([d, o1, p]) => ({
      ...d,
      plan: o1.plan,
      pm: o1.pm,
      r1: o1.r1,
      hitSymbols: p.hitSymbols,
    })),
  );
  const report = runner.start(
    reportStage,
    Promise.all([day, r2r3, r1, r4, persist, audit, enrich, universeStaged]).then(
      ([d, r23, o1, o4, p, a]) => ({
        ...r23,
        r1: o1.r1,
        r4: o4.r4,
        plan: o1.plan,
        pm: o1.pm,
        hits: p.hits,
        hitSymbols: p.hitSymbols,
        splitsBySymbol: d.splitsBySymbol,
        missAudit: a.missAudit,
        auditPm: a.auditPm,
        unanswered: o1.unanswered,
        auditUnanswered: a.auditUnanswered,
        auditMisses: a.auditMisses,
        sampleMisses: o1.sampleMisses,
        proofFound: o1.proofFound,
        proofConfirm: o1.proofConfirm,
        pmOverlap: o1.pmOverlap,
        before,
        stageMs: runner.stageMs,
      }),
    ),
  );
  const [{ status, reason }, { hits, counts }] = await Promise.all([report, persist]);
  return { status, reason, hits, counts };
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
