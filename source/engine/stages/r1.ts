/**
 * R1 (docs/domain.md section 4, step 5): the premarket gap. Selects the symbols to ask (every
 * eligible symbol with a previous close in exhaustive mode; else the prefilter's candidates and a
 * random audit sample), adds the post-scan miss audit's top gainers (their premarket lookups go to
 * Theta in the same batch), asks pm_cache / Theta, then runs the proof (./proof.ts).
 */
import type { GroupedBar } from '../../providers/types.js';
import type { PmOverlapRow } from '../../export/pm-overlap.js';
import { auditSample, meets, pctChange, type FilterReason } from '../rules.js';
import { fetchPremarket } from './io.js';
import { runProof, startFlatFileRead } from './proof.js';
import type { PmState, PrevClose, R1Mode, Stage, StageCounts } from './types.js';

/** Input of R1. */
export interface R1In {
  bars: ReadonlyMap<string, GroupedBar>;
  prevAdj: ReadonlyMap<string, PrevClose>;
  eligible: readonly string[];
  filterOf: ReadonlyMap<string, FilterReason | null>;
  r2: ReadonlyMap<string, number>;
  r3: ReadonlyMap<string, number>;
}

/** What R1 asks, decided before it begins (pure). */
export interface R1Plan extends R1In {
  mode: R1Mode;
  /** Eligible symbols with a previous close. */
  withPrev: string[];
  candidates: string[];
  /** The random audit sample (prefilter mode), outside the candidates. */
  sample: string[];
  /** candidates + sample. */
  toCheck: string[];
  /** Size of the miss audit's top-gainers list. */
  topN: number;
  /** The top gainers that pass the filters (the miss audit's list). */
  audited: string[];
  /** The miss audit's filter counts (listed, unknown_type, exchange, type, volume, kept). */
  auditFilterCounts: Record<string, number>;
  /** Audited symbols not in toCheck whose premarket is asked in R1's batch (MISS_AUDIT_THETA). */
  needPm: string[];
  counts: StageCounts;
}

/** Output of R1. */
export interface R1Out {
  plan: R1Plan;
  /** R1 values (percent) of the hits, the proof's finds included. */
  r1: Map<string, number>;
  /** Premarket answers of every symbol asked (R1, audit, proof). */
  pm: Map<string, PmState>;
  /** Symbols of toCheck and the proof left unanswered. */
  unanswered: number;
  /** R1 hits in the audit sample. */
  sampleMisses: string[];
  /** R1 hits only the proof found. */
  proofFound: string[];
  /** Symbols the proof confirmed with Theta. */
  proofConfirm: string[];
  /** Flat file vs Theta disagreements (null without a usable flat file). */
  pmOverlap: PmOverlapRow[] | null;
}

/** The R1 plan of the day (see {@link R1Plan}). */
export function planR1(
  day: {
    date: string;
    mode: R1Mode;
    bulk: boolean;
    ctx: { cfg: import('../../config/index.js').Config };
  },
  input: R1In,
): R1Plan {
  const { cfg } = day.ctx;
  const { bars, prevAdj, eligible, filterOf, r2, r3 } = input;
  const withPrev = eligible.filter((s) => prevAdj.has(s));
  let candidates: string[];
  let sample: string[] = [];
  if (day.mode === 'exhaustive') {
    candidates = withPrev;
  } else {
    const cand = new Set<string>();
    for (const s of withPrev) {
      const b = bars.get(s)!;
      const pc = prevAdj.get(s)!.prevClose;
      if (r2.has(s) || r3.has(s) || meets(pctChange(b.high, pc), cfg.R1_PREFILTER_PCT)) cand.add(s);
    }
    candidates = [...cand].sort();
    sample = auditSample(
      withPrev.filter((s) => !cand.has(s)),
      cfg.AUDIT_SAMPLE_N,
      cfg.AUDIT_SEED,
      day.date,
    );
  }
  const toCheck = [...candidates, ...sample];
  // The post-scan miss audit's list (top gainers by day high / previous close, filtered as in
  // section 3) is known now; its premarket lookups go through Theta in the same batch as R1's.
  const topN = day.bulk ? Math.min(30, cfg.MISS_AUDIT_TOP_N) : cfg.MISS_AUDIT_TOP_N;
  const gainers = [...prevAdj.entries()]
    .map(([s, pc]) => ({ s, g: pctChange(bars.get(s)!.high, pc.prevClose) }))
    .filter((x) => Number.isFinite(x.g))
    .sort((a, b) => b.g - a.g || (a.s < b.s ? -1 : 1))
    .slice(0, topN);
  const auditFilterCounts: Record<string, number> = {
    listed: gainers.length,
    unknown_type: 0,
    exchange: 0,
    type: 0,
    volume: 0,
    kept: 0,
  };
  const audited: string[] = [];
  for (const { s } of gainers) {
    const reason = filterOf.get(s) ?? null;
    if (reason) auditFilterCounts[reason] = (auditFilterCounts[reason] ?? 0) + 1;
    else audited.push(s);
  }
  auditFilterCounts.kept = audited.length;
  const checkSet = new Set(toCheck);
  const needPm = cfg.MISS_AUDIT_THETA ? audited.filter((s) => !checkSet.has(s)) : [];
  return {
    ...input,
    mode: day.mode,
    withPrev,
    candidates,
    sample,
    toCheck,
    topN,
    audited,
    auditFilterCounts,
    needPm,
    counts: {
      candidates: candidates.length,
      sample: sample.length,
      audit: needPm.length,
      mode: day.mode,
    },
  };
}

/**
 * R1: writes dc.cand_pass1, r1_checked, r1_unanswered, audit_sample_misses and the proof fields.
 * @throws StoppedError on stop; the Theta client's error for a request it cannot make.
 */
export const r1Stage: Stage<R1In, R1Plan, R1Out> = {
  name: 'R1',
  plan: planR1,
  async run(day, plan) {
    const { ctx, date, dc } = day;
    const { toCheck, needPm, prevAdj, sample } = plan;
    dc.cand_pass1 = plan.candidates.length;
    // The proof's flat file (another provider) is read while Theta answers R1's lookups.
    const flatFile = startFlatFileRead(day, plan.mode);
    let pm: Map<string, PmState>;
    try {
      pm = await fetchPremarket(ctx, date, [...toCheck, ...needPm], (done, total) =>
        ctx.emit({ type: 'r1-progress', date, done, total }),
      );
    } catch (e) {
      await flatFile; // (never rejects; a stop aborts it) nothing of the day runs on after the stage
      throw e;
    }
    const r1 = new Map<string, number>();
    let unanswered = 0;
    for (const s of toCheck) {
      const a = pm.get(s)!;
      if (a.outcome === 'unanswered') {
        unanswered++;
        continue;
      }
      if (a.outcome === 'high' && a.high !== null) {
        const g = pctChange(a.high, prevAdj.get(s)!.prevClose);
        if (meets(g, ctx.cfg.R1_TH)) r1.set(s, g);
      }
    }
    const sampleSet = new Set(sample);
    const sampleMisses = [...r1.keys()].filter((s) => sampleSet.has(s));
    const proof = await runProof(day, { plan, pm, r1, unanswered, flatFile });
    unanswered = proof.unanswered;
    dc.r1_checked = toCheck.length - unanswered;
    dc.r1_unanswered = unanswered;
    dc.audit_sample_misses = sampleMisses.length;
    const counts = {
      checked: dc.r1_checked,
      r1: r1.size,
      unanswered,
      cached: [...pm.values()].filter((x) => x.fromCache).length,
      sample_misses: sampleMisses.length,
      proof: dc.proof,
      proof_found: proof.found.length,
    };
    return {
      out: {
        plan,
        r1,
        pm,
        unanswered,
        sampleMisses,
        proofFound: proof.found,
        proofConfirm: proof.confirm,
        pmOverlap: proof.pmOverlap,
      },
      counts,
    };
  },
};
