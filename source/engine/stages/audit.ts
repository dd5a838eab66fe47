/**
 * AUDIT (docs/domain.md section 4, step 9): the post-scan miss audit. The top gainers of the day
 * that pass the filters are checked against every rule recomputed inline (on purpose: reusing the
 * R2R3/R1 stage code would let a bug in it pass its own audit); the random sample's R1 hits are
 * listed too. Writes `miss_audit_filters_<date>.json`.
 */
import type { GroupedBar } from '../../providers/types.js';
import type { MissAuditRow } from '../../store/store.js';
import { writeDayJson } from '../artifacts.js';
import type { R1Plan } from './r1.js';
import type { PmState, PrevClose, Stage, StageCounts } from './types.js';

/** Input of AUDIT. */
export interface AuditIn {
  plan: R1Plan;
  bars: ReadonlyMap<string, GroupedBar>;
  prevAdj: ReadonlyMap<string, PrevClose>;
  eligible: readonly string[];
  pm: ReadonlyMap<string, PmState>;
  r1: ReadonlyMap<string, number>;
  hitSymbols: readonly string[];
}

/** The audit's rows and figures. */
export interface AuditOut {
  missAudit: MissAuditRow[];
  /** Audited symbols meeting a rule that are not hits of the day. */
  auditMisses: number;
  /** Audit lookups (needPm) left unanswered. */
  auditUnanswered: number;
  /** Premarket answers of the audit's own lookups (needPm). */
  auditPm: Map<string, PmState>;
}

/** AUDIT: writes dc.miss_audit_sample and dc.miss_audit_hits. */
export const auditStage: Stage<AuditIn, AuditIn & { counts: StageCounts }, AuditOut> = {
  name: 'AUDIT',
  plan: (_day, input) => ({ ...input, counts: { top_n: input.plan.topN } }),
  async run(day, { plan, bars, prevAdj, eligible, pm, r1, hitSymbols }) {
    const { ctx, date, dc } = day;
    const { cfg } = ctx;
    const { audited, needPm, sample, topN, auditFilterCounts } = plan;
    const auditPm = new Map<string, PmState>();
    for (const sym of needPm) auditPm.set(sym, pm.get(sym)!);
    const hitSet = new Set(hitSymbols);
    const missAudit: MissAuditRow[] = [];
    let auditMisses = 0;
    let auditHits = 0;
    for (const s of audited) {
      const b = bars.get(s)!;
      const pc = prevAdj.get(s)!.prevClose;
      const found: [string, number][] = [];
      const g2 = (b.open / pc - 1) * 100;
      if (g2 >= cfg.R2_TH - 1e-9) found.push(['OPEN_GAP_50', g2]);
      const g3 = (b.high / b.open - 1) * 100;
      if (g3 >= cfg.R3_TH - 1e-9) found.push(['INTRADAY_PUSH_50', g3]);
      const a = pm.get(s) ?? auditPm.get(s);
      if (a && a.outcome === 'high' && a.high !== null) {
        const g1 = (a.high / pc - 1) * 100;
        if (g1 >= cfg.R1_TH - 1e-9) found.unshift(['PM_GAP_50', g1]);
      }
      if (found.length) auditHits++;
      const missed = found.length > 0 && !hitSet.has(s);
      if (missed) auditMisses++;
      missAudit.push({
        symbol: s,
        auditType: 'top_gainers',
        missedInitially: missed,
        ruleTriggered: found[0]?.[0] ?? null,
        ruleValue: found[0]?.[1] ?? null,
      });
    }
    for (const s of sample) {
      const v = r1.get(s);
      missAudit.push({
        symbol: s,
        auditType: 'random_sample',
        missedInitially: v !== undefined,
        ruleTriggered: v !== undefined ? 'PM_GAP_50' : null,
        ruleValue: v ?? null,
      });
    }
    const auditUnanswered = [...auditPm.values()].filter((a) => a.outcome === 'unanswered').length;
    dc.miss_audit_sample = audited.length;
    dc.miss_audit_hits = auditHits;
    writeDayJson(ctx.stateDir, 'miss_audit_filters', date, {
      date,
      top_n: topN,
      ...auditFilterCounts,
      day: {
        bars: bars.size,
        eligible: eligible.length,
        no_prev_close: dc.no_prev_close,
        unknown_type: dc.filtered_unknown_type,
        exchange: dc.filtered_exchange,
        type: dc.filtered_type,
        volume: dc.filtered_volume,
      },
    });
    return {
      out: { missAudit, auditMisses, auditUnanswered, auditPm },
      counts: {
        audited: audited.length,
        hits: auditHits,
        misses: auditMisses,
        unanswered: auditUnanswered,
      },
    };
  },
};
