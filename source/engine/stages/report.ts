/**
 * REPORT (docs/domain.md section 4, step 10): the day's status, its artifacts (pm_diag json,
 * provider-overlap reports) and its commit: hits, miss audit and completeness in one IMMEDIATE
 * transaction, so a process killed at any moment leaves the day either complete or absent. Then
 * the SLA alert and the proof's alert.
 */
import type { DayStatus, StageName } from '../../contracts/events.js';
import type { SplitInfo } from '../../providers/types.js';
import type { HitRow, MissAuditRow } from '../../store/store.js';
import { writeProviderOverlap, writeDayJson, type OverlapRow } from '../artifacts.js';
import { writePmOverlap, type PmOverlapRow } from '../../export/pm-overlap.js';
import { checkStopped } from '../context.js';
import { missRateUpper95 } from '../rules.js';
import { raiseSlaAlert } from '../sla.js';
import { recordRequests, type RequestTotals } from './io.js';
import type { R1Plan } from './r1.js';
import type { PmState, Stage } from './types.js';

/** Input of REPORT: every result of the day and the request totals and stage times so far. */
export interface ReportIn {
  plan: R1Plan;
  hits: HitRow[];
  hitSymbols: readonly string[];
  missAudit: MissAuditRow[];
  r1: ReadonlyMap<string, number>;
  r2: ReadonlyMap<string, number>;
  r3: ReadonlyMap<string, number>;
  r4: ReadonlyMap<string, number>;
  pm: ReadonlyMap<string, PmState>;
  auditPm: ReadonlyMap<string, PmState>;
  splitsBySymbol: ReadonlyMap<string, SplitInfo[]>;
  unanswered: number;
  auditUnanswered: number;
  auditMisses: number;
  sampleMisses: readonly string[];
  proofFound: readonly string[];
  proofConfirm: readonly string[];
  pmOverlap: PmOverlapRow[] | null;
  /** Request totals when the day began (the day's counts are the deltas). */
  before: RequestTotals;
  /** Wall ms of the stages that ended (REPORT's own is not in it). */
  stageMs: Partial<Record<StageName, number>>;
}

/** The day's status and the reason it is not COMPLETE (null when it is). */
export interface ReportOut {
  status: DayStatus;
  reason: string | null;
}

/**
 * REPORT: INCOMPLETE when premarket is unanswered for any symbol, RETRY_NEEDED when the miss audit
 * or (without a complete proof) the audit sample found a miss, else COMPLETE. Writes dc.status,
 * provider_status, the request counts, processing_ms and stage_ms, then commits the day.
 * @throws StoppedError on stop before the commit (nothing committed).
 */
export const reportStage: Stage<ReportIn, ReportIn & { counts?: undefined }, ReportOut> = {
  name: 'REPORT',
  async run(day, input) {
    const { ctx, date, dc } = day;
    const {
      plan,
      hits,
      hitSymbols,
      r1,
      r2,
      r3,
      r4,
      pm,
      auditPm,
      sampleMisses,
      proofFound,
      unanswered,
      auditUnanswered,
      auditMisses,
    } = input;
    const { mode, sample, toCheck, needPm, topN } = plan;
    const sampleSize = mode === 'exhaustive' ? dc.r1_checked : sample.length;
    const audit = {
      sampleSize,
      misses: sampleMisses.length,
      missRateUpper95: missRateUpper95(sampleMisses.length, sampleSize),
      auditPassed: sampleMisses.length === 0,
    };
    let status: DayStatus = 'COMPLETE';
    let reason: string | null = null;
    if (unanswered > 0 || auditUnanswered > 0) {
      status = 'INCOMPLETE';
      reason = `premarket unanswered for ${unanswered + auditUnanswered} symbol(s) (Theta): R1 is not proven for this day`;
    } else if (auditMisses > 0) {
      status = 'RETRY_NEEDED';
      reason = `post-scan miss audit found ${auditMisses} miss(es) among the top ${topN} gainers`;
    } else if (sampleMisses.length > 0 && dc.proof !== 'exhaustive') {
      // (With a complete proof the sample's R1 hits are hits of the day already.)
      status = 'RETRY_NEEDED';
      reason = `audit sample found ${sampleMisses.length} R1 hit(s) outside the prefilter (${sampleMisses.slice(0, 5).join(', ')}): rerun exhaustive`;
    }
    dc.status = status;
    dc.provider_status = reason ?? 'ok';
    recordRequests(ctx, dc, input.before);
    dc.processing_ms = Date.now() - day.t0;
    dc.stage_ms = JSON.stringify(input.stageMs);
    writeDayJson(ctx.stateDir, 'pm_diag', date, {
      date,
      mode,
      pm_high_policy: ctx.cfg.PM_HIGH_POLICY,
      by_source: ctx.theta.diagnostics(date),
      raw_high_differs: ctx.theta.rawHighs?.(date) ?? [],
    });
    const hitSet = new Set(hitSymbols);
    const overlap: OverlapRow[] = [];
    const overlapSymbols = new Set<string>([
      ...toCheck,
      ...hitSymbols,
      ...needPm,
      ...input.proofConfirm,
    ]);
    for (const s of [...overlapSymbols].sort()) {
      overlap.push({
        symbol: s,
        hit: hitSet.has(s),
        r1: r1.has(s) && hitSet.has(s),
        r2: r2.has(s) && hitSet.has(s),
        r3: r3.has(s) && hitSet.has(s),
        r4: r4.has(s) && hitSet.has(s),
        thetaUsed: pm.has(s) || auditPm.has(s),
        polygonUsed: true,
        splitWindow: (input.splitsBySymbol.get(s) ?? []).length > 0,
      });
    }
    writeProviderOverlap(ctx.reportsDir, date, overlap);
    writePmOverlap(ctx.reportsDir, date, input.pmOverlap);
    checkStopped(ctx.signal);
    ctx.store.commitDay({ completeness: dc, hits, missAudit: input.missAudit, audit });
    raiseSlaAlert(ctx, dc);
    if (proofFound.length > 0) {
      const alert = ctx.store.addAlert({
        severity: 'WARNING',
        kind: 'proof_found_hit',
        date,
        message: `the proof found ${proofFound.length} R1 hit(s) the prefilter missed: ${proofFound
          .slice(0, 5)
          .map((x) => `${x} ${r1.get(x)!.toFixed(1)}%`)
          .join(', ')}${proofFound.length > 5 ? ', ...' : ''} (stored with the day)`,
      });
      ctx.emit({ type: 'alert', alert });
    }
    return {
      out: { status, reason },
      counts: { status, discoveries: hits.length, proof: dc.proof },
    };
  },
};
