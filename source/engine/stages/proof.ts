/**
 * The proof of a day's R1 (docs/domain.md section 14), run inside the R1 stage: the premarket high
 * of every eligible symbol with a previous close is known, or the day is not proven. Exhaustive
 * mode asked for all of them. Otherwise the day's flat file gives every ticker's premarket high from
 * the tape's minute bars (a symbol absent from it has no eligible premarket print); those within
 * R1_PROOF_BAND_PCT of the threshold or above are confirmed with Theta trades (the source of
 * record). Without a usable flat file, Theta answers for every eligible symbol not yet asked.
 */
import { premarketDisagreements, type PmOverlapRow } from '../../export/pm-overlap.js';
import type { ProofProgress } from '../../contracts/events.js';
import type { BulkPremarket } from '../../providers/flatfiles/client.js';
import { checkStopped } from '../context.js';
import { meets, pctChange } from '../rules.js';
import { describeError, fetchPremarket } from './io.js';
import type { R1Plan } from './r1.js';
import type { DayScope, PmState } from './types.js';

/** The day's flat file read, settled: its answer or the error it threw. */
export type FlatFileRead = { ok: BulkPremarket } | { error: unknown };

/**
 * Starts reading the day's flat file (premarket highs of every ticker) when the proof will want it
 * (prefilter mode, proof wanted, flat files configured), so the read runs next to R1's Theta
 * lookups; else null. Never rejects.
 */
export function startFlatFileRead(
  day: DayScope,
  mode: R1Plan['mode'],
): Promise<FlatFileRead> | null {
  const { ctx, date } = day;
  if (mode === 'exhaustive' || !day.proofWanted || !ctx.flatFiles) return null;
  return ctx.flatFiles.premarketHighs(date, ctx.signal).then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error }),
  );
}

/** What the proof starts from: R1's plan and answers so far. `pm` and `r1` are extended in place. */
export interface ProofIn {
  plan: R1Plan;
  pm: Map<string, PmState>;
  r1: Map<string, number>;
  /** toCheck symbols R1 left unanswered. */
  unanswered: number;
  /** The flat file read {@link startFlatFileRead} started (null: not started). */
  flatFile: Promise<FlatFileRead> | null;
}

/** The proof's outcome (dc.proof, proof_source, proof_checked and proof_found are written too). */
export interface ProofOut {
  /** Unanswered symbols, R1's and the proof's. */
  unanswered: number;
  /** R1 hits only the proof found. */
  found: string[];
  /** Symbols confirmed with Theta. */
  confirm: string[];
  /** Flat file vs Theta disagreements near the threshold (null without a usable flat file). */
  pmOverlap: PmOverlapRow[] | null;
}

/**
 * Runs the proof (nothing when not wanted in prefilter mode) and emits its `proof-progress` events.
 * @throws StoppedError on stop; the Theta client's error for a request it cannot make.
 */
export async function runProof(day: DayScope, input: ProofIn): Promise<ProofOut> {
  const { ctx, date, dc, log } = day;
  const { cfg, emit } = ctx;
  const { plan, pm, r1 } = input;
  const { withPrev, toCheck, prevAdj } = plan;
  let unanswered = input.unanswered;
  const proofFound: string[] = [];
  let proofUnanswered = 0;
  const proofConfirm: string[] = [];
  let pmOverlap: PmOverlapRow[] | null = null;
  // The console's proof progress line (events.ts ProofProgress): at the start, per lookup, at the end.
  const proofStartedAt = Date.now();
  const proofEvent = (p: Omit<ProofProgress, 'date' | 'eligible' | 'startedAt' | 'at'>) =>
    emit({
      type: 'proof-progress',
      date,
      eligible: withPrev.length,
      startedAt: proofStartedAt,
      at: Date.now(),
      ...p,
    });
  if (plan.mode === 'exhaustive') {
    dc.proof = unanswered === 0 ? 'exhaustive' : 'sampled';
    dc.proof_source = unanswered === 0 ? 'theta' : null;
    // (dc.r1_checked is written by R1 after the proof: 0 here, as before the stage modules.)
    dc.proof_checked = dc.r1_checked;
    proofEvent({
      phase: 'end',
      source: 'theta',
      answered: withPrev.length - unanswered,
      lookupsDone: toCheck.length,
      lookupsTotal: toCheck.length,
      unanswered,
      outcome: dc.proof,
      found: 0,
    });
  } else if (day.proofWanted) {
    // Settled: the symbols R1 itself decided (asked and answered). A symbol only the miss audit's
    // top-gainers list asked (plan.needPm) has an answer R1 never judged: the proof judges it below
    // without a new lookup. (Counting every answer in `pm` as settled let a premarket fade in the
    // audit's list through unproven: sim:7 2024-01-03 at SIM_TICKERS=300, QZL +119%.)
    const decided = new Set(
      plan.toCheck.filter((s) => pm.has(s) && pm.get(s)!.outcome !== 'unanswered'),
    );
    const judgeNow: string[] = [];
    const rest: string[] = [];
    for (const s of withPrev) {
      if (decided.has(s)) continue;
      const a = pm.get(s);
      if (a && a.outcome !== 'unanswered') judgeNow.push(s);
      else rest.push(s);
    }
    for (const s of judgeNow) {
      const a = pm.get(s)!;
      if (a.outcome === 'high' && a.high !== null) {
        const g = pctChange(a.high, prevAdj.get(s)!.prevClose);
        if (meets(g, cfg.R1_TH) && !r1.has(s)) {
          r1.set(s, g);
          proofFound.push(s);
        }
      }
    }
    let source: 'flatfile' | 'theta' = 'theta';
    let bulk: Map<string, number> | null = null;
    if (ctx.flatFiles) {
      proofEvent({
        phase: 'flatfile',
        source: 'flatfile',
        answered: withPrev.length - rest.length,
        lookupsDone: 0,
        lookupsTotal: 0,
        unanswered: 0,
      });
      try {
        const read = await (input.flatFile ?? startFlatFileRead(day, plan.mode))!;
        if ('error' in read) throw read.error;
        const r = read.ok;
        if (r.kind === 'ok') {
          bulk = r.highs;
          source = 'flatfile';
          log(
            `PROOF:flatfile rows=${r.rows} premarket_rows=${r.premarketRows} tickers=${r.highs.size} bytes=${r.bytes}${r.fromCache ? ' cached' : ''}`,
          );
        } else
          log(
            `PROOF:flatfile ${r.kind}: ${r.reason}; falling back to Theta for ${rest.length} symbol(s)`,
          );
      } catch (e) {
        checkStopped(ctx.signal);
        log(
          `PROOF:flatfile failed: ${describeError(e)}; falling back to Theta for ${rest.length} symbol(s)`,
        );
      }
    }
    const band = cfg.R1_TH - cfg.R1_PROOF_BAND_PCT;
    for (const s of rest) {
      if (bulk === null) proofConfirm.push(s);
      else {
        const h = bulk.get(s);
        if (h !== undefined && pctChange(h, prevAdj.get(s)!.prevClose) >= band - 1e-9)
          proofConfirm.push(s);
      }
    }
    log(
      `PROOF:begin source=${source} eligible=${withPrev.length} known=${withPrev.length - rest.length} judged=${judgeNow.length} confirm=${proofConfirm.length}`,
    );
    const settled = withPrev.length - proofConfirm.length;
    const more = await fetchPremarket(ctx, date, proofConfirm, (done, total) => {
      emit({ type: 'r1-progress', date, done, total });
      proofEvent({
        phase: 'lookups',
        source,
        answered: settled + done,
        lookupsDone: done,
        lookupsTotal: total,
        unanswered: 0,
      });
    });
    for (const s of proofConfirm) {
      const a = more.get(s)!;
      pm.set(s, a);
      if (a.outcome === 'unanswered') {
        proofUnanswered++;
        continue;
      }
      if (a.outcome === 'high' && a.high !== null) {
        const g = pctChange(a.high, prevAdj.get(s)!.prevClose);
        if (meets(g, cfg.R1_TH) && !r1.has(s)) {
          r1.set(s, g);
          proofFound.push(s);
        }
      }
    }
    unanswered += proofUnanswered;
    dc.r1_unanswered = unanswered;
    dc.proof = proofUnanswered === 0 && unanswered === 0 ? 'exhaustive' : 'sampled';
    dc.proof_source = dc.proof === 'exhaustive' ? source : null;
    dc.proof_checked = dc.proof === 'exhaustive' ? withPrev.length : 0;
    dc.proof_found = proofFound.map((s) => `${s}:${r1.get(s)!.toFixed(1)}`).join('|');
    for (const s of proofFound)
      log(
        `PROOF:found ${s} R1 ${r1.get(s)!.toFixed(1)}% (premarket high ${pm.get(s)!.high}; the prefilter did not select it)`,
      );
    if (bulk !== null) {
      // Flat file vs Theta trades near the threshold: disagreements go to the provider-overlap report.
      const theta = new Map<string, number | null>();
      for (const [s, a] of pm)
        if (a.outcome !== 'unanswered') theta.set(s, a.outcome === 'high' ? a.high : null);
      pmOverlap = premarketDisagreements({
        date,
        symbols: withPrev,
        flatFile: bulk,
        theta,
        prevClose: (s) => prevAdj.get(s)!.prevClose,
        bandPct: band,
      });
      for (const d of pmOverlap.slice(0, 20))
        log(
          `PROOF:disagree ${d.symbol} flatfile ${d.highA ?? 'none'} theta ${d.highB ?? 'none'}${d.diffPct === null ? '' : ` (${d.diffPct.toFixed(2)}%)`}`,
        );
      if (pmOverlap.length > 0)
        log(
          `PROOF:disagree ${pmOverlap.length} symbol(s) between the flat file and Theta (provider_overlap_pm_${date}.csv)`,
        );
    }
    if (proofUnanswered > 0)
      log(`PROOF:unproven premarket unanswered for ${proofUnanswered} symbol(s)`);
    proofEvent({
      phase: 'end',
      source,
      answered: withPrev.length - unanswered,
      lookupsDone: proofConfirm.length,
      lookupsTotal: proofConfirm.length,
      unanswered,
      outcome: dc.proof,
      found: proofFound.length,
    });
  }
  return { unanswered, found: proofFound, confirm: proofConfirm, pmOverlap };
}
