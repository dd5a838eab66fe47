/**
 * One trading day, stage by stage (domain.md section 4): UNIVERSE, GROUPED, PREV, R2R3, R1, R4,
 * PERSIST, ENRICH, AUDIT, REPORT. Everything the day writes to the hit tables is committed in one
 * IMMEDIATE transaction at the end (REPORT), so a process killed at any moment leaves the day either
 * complete or absent. Each stage writes a begin and an end line to `scan_<date>.log`.
 */
import PQueue from 'p-queue';
import { failpoint } from '../util/failpoint.js';
import { isTradingDay, lastNTradingDays, nextTradingDay, prevTradingDay, tradingDaysBetween } from '../calendar/index.js';
import type { GroupedBar, PremarketAnswer, SplitInfo, UniverseTicker } from '../providers/types.js';
import { ProviderError } from '../providers/types.js';
import type { DayCompleteness, HitRow, HitRule, MissAuditRow, PmCacheRow } from '../store/store.js';
import { appendDayLog, writeDayJson, writeProviderOverlap, type OverlapRow } from './artifacts.js';
import { premarketDisagreements, writePmOverlap, type PmOverlapRow } from '../export/pm-overlap.js';
import { checkStopped, StoppedError, type EngineContext } from './context.js';
import type { DayStatus, ProofProgress, RuleCounts, StageName } from '../contracts/events.js';
import { countRules } from '../contracts/rules.js';
import { R4_WINDOW_DAYS, auditSample, basisFactor, exchangeOfMic, filterReason, meets, missRateUpper95, pctChange, surge7d, type FilterReason, type WindowBar } from './rules.js';
import { loadSplits } from './splits.js';
import { raiseSlaAlert } from './sla.js';
import { errorLine } from '../util/errors.js';

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

/** Premarket state of one symbol after R1 (from the cache or Theta). */
interface PmState {
  outcome: 'high' | 'no_trades' | 'unanswered';
  high: number | null;
  source: PmCacheRow['source'] | null;
  venue: PmCacheRow['venue'] | null;
  fromCache: boolean;
}

/** A stage failure that makes the day FAILED (provider or data problem), with a one-line reason. */
class DayFailure extends Error {}


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
  const stageMs: Partial<Record<StageName, number>> = {};
  const before = requestTotals(ctx);
  const log = (line: string) => {
    const full = appendDayLog(ctx.stateDir, date, line);
    emit({ type: 'log', date, line: full });
  };
  let current: { stage: StageName; t: number } | null = null;
  const begin = (stage: StageName, counts: Record<string, number | string> = {}) => {
    current = { stage, t: Date.now() };
    failpoint(`stage:${stage}`);
    log(`${stage}:begin${fmtCounts(counts)}`);
    emit({ type: 'stage', date, stage, phase: 'begin', counts, at: Date.now() });
  };
  const end = (counts: Record<string, number | string> = {}) => {
    if (!current) return;
    stageMs[current.stage] = Date.now() - current.t;
    log(`${current.stage}:done${fmtCounts(counts)}`);
    emit({ type: 'stage', date, stage: current.stage, phase: 'end', counts, at: Date.now() });
    current = null;
  };
  const step = async () => {
    await ctx.gate.wait(ctx.signal);
    checkStopped(ctx.signal);
  };

  emit({ type: 'day-begin', date, mode, at: t0 });
  log(`DAY:begin date=${date} mode=${mode} market=${ctx.marketName}`);

  const dc: DayCompleteness = {
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

  try {
    // 1. UNIVERSE ------------------------------------------------------------------------------
    await step();
    begin('UNIVERSE');
    let universe = store.getUniverse(date);
    const pinnedBefore = universe !== null;
    if (!universe) {
      universe = await provider('reference tickers', () => ctx.polygon.referenceTickers(date, ctx.signal));
      if (universe.length === 0) throw new DayFailure(`universe: Polygon reference tickers returned no symbol for ${date}`);
      store.pinUniverse(date, universe);
    }
    const refBySymbol = new Map<string, UniverseTicker>(universe.map((u) => [u.symbol, u]));
    dc.total_universe = universe.length;
    end({ symbols: universe.length, cached: pinnedBefore ? 1 : 0 });

    // 2. GROUPED -------------------------------------------------------------------------------
    await step();
    begin('GROUPED');
    const bars = await loadGrouped(ctx, date, true);
    if (bars.size === 0) throw new DayFailure(`grouped daily: no bars for trading day ${date}`);
    let inUniverse = 0;
    for (const s of bars.keys()) if (refBySymbol.has(s)) inUniverse++;
    dc.daily_raw_symbols = bars.size;
    dc.coverage_pct = round2((inUniverse / universe.length) * 100);
    end({ bars: bars.size, coverage_pct: dc.coverage_pct });

    // 3. PREV ----------------------------------------------------------------------------------
    await step();
    const prevDate = prevTradingDay(date);
    begin('PREV', { prev: prevDate });
    const prevBars = await loadGrouped(ctx, prevDate, false);
    const splitsBySymbol = await loadSplits(ctx, lastNTradingDays(date, R4_WINDOW_DAYS)[0]!, nextTradingDay(date));
    const prevAdj = new Map<string, { prevClose: number; factor: number }>();
    for (const s of bars.keys()) {
      const p = prevBars.get(s);
      if (!p) {
        dc.no_prev_close++;
        continue;
      }
      const f = basisFactor(splitsBySymbol.get(s) ?? [], prevDate, date);
      prevAdj.set(s, { prevClose: p.close * f, factor: f });
    }
    end({ prev_bars: prevBars.size, with_prev_close: prevAdj.size, no_prev_close: dc.no_prev_close });

    // Filters (section 3) for every bar of the day, counted.
    const eligible: string[] = [];
    const filterOf = new Map<string, FilterReason | null>();
    for (const [s, b] of bars) {
      const reason = filterReason(refBySymbol.get(s), b.volume, cfg);
      filterOf.set(s, reason);
      if (reason === null) eligible.push(s);
      else if (reason === 'unknown_type') dc.filtered_unknown_type++;
      else if (reason === 'exchange') dc.filtered_exchange++;
      else if (reason === 'type') dc.filtered_type++;
      else dc.filtered_volume++;
    }
    eligible.sort();

    // 4. R2R3 ----------------------------------------------------------------------------------
    await step();
    begin('R2R3');
    const r2 = new Map<string, number>();
    const r3 = new Map<string, number>();
    let splitArtifacts = 0;
    for (const [s, b] of bars) {
      const pc = prevAdj.get(s);
      if (pc) {
        const g = pctChange(b.open, pc.prevClose);
        if (meets(g, cfg.R2_TH)) r2.set(s, g);
        else if (pc.factor !== 1 && meets(pctChange(b.open, pc.prevClose / pc.factor), cfg.R2_TH)) splitArtifacts++;
      }
      const push = pctChange(b.high, b.open);
      if (meets(push, cfg.R3_TH)) r3.set(s, push);
    }
    end({ r2: r2.size, r3: r3.size, split_artifacts: splitArtifacts });

    // 5. R1 ------------------------------------------------------------------------------------
    await step();
    const withPrev = eligible.filter((s) => prevAdj.has(s));
    let candidates: string[];
    let sample: string[] = [];
    if (mode === 'exhaustive') {
      candidates = withPrev;
    } else {
      const cand = new Set<string>();
      for (const s of withPrev) {
        const b = bars.get(s)!;
        const pc = prevAdj.get(s)!.prevClose;
        if (r2.has(s) || r3.has(s) || meets(pctChange(b.high, pc), cfg.R1_PREFILTER_PCT)) cand.add(s);
      }
      candidates = [...cand].sort();
      sample = auditSample(withPrev.filter((s) => !cand.has(s)), cfg.AUDIT_SAMPLE_N, cfg.AUDIT_SEED, date);
    }
    dc.cand_pass1 = candidates.length;
    const toCheck = [...candidates, ...sample];
    // The post-scan miss audit's list (top gainers by day high / previous close, filtered as in
    // section 3) is known now; its premarket lookups go through Theta in the same batch as R1's.
    const topN = opts.bulk ? Math.min(30, cfg.MISS_AUDIT_TOP_N) : cfg.MISS_AUDIT_TOP_N;
    const gainers = [...prevAdj.entries()]
      .map(([s, pc]) => ({ s, g: pctChange(bars.get(s)!.high, pc.prevClose) }))
      .filter((x) => Number.isFinite(x.g))
      .sort((a, b) => b.g - a.g || (a.s < b.s ? -1 : 1))
      .slice(0, topN);
    const auditFilterCounts: Record<string, number> = { listed: gainers.length, unknown_type: 0, exchange: 0, type: 0, volume: 0, kept: 0 };
    const audited: string[] = [];
    for (const { s } of gainers) {
      const reason = filterOf.get(s) ?? null;
      if (reason) auditFilterCounts[reason] = (auditFilterCounts[reason] ?? 0) + 1;
      else audited.push(s);
    }
    auditFilterCounts.kept = audited.length;
    const checkSet = new Set(toCheck);
    const needPm = cfg.MISS_AUDIT_THETA ? audited.filter((s) => !checkSet.has(s)) : [];
    begin('R1', { candidates: candidates.length, sample: sample.length, audit: needPm.length, mode });
    const pm = await fetchPremarket(ctx, date, [...toCheck, ...needPm], (done, total) => emit({ type: 'r1-progress', date, done, total }));
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
        if (meets(g, cfg.R1_TH)) r1.set(s, g);
      }
    }
    const sampleSet = new Set(sample);
    const sampleMisses = [...r1.keys()].filter((s) => sampleSet.has(s));

    // The proof (docs/domain.md section 14): the premarket high of every eligible symbol with a
    // previous close is known, or the day is not proven. Exhaustive mode asked for all of them.
    // Otherwise the day's flat file gives every ticker's premarket high from the tape's minute bars
    // (a symbol absent from it has no eligible premarket print); those within R1_PROOF_BAND_PCT of
    // the threshold or above are confirmed with Theta trades (the source of record). Without a
    // usable flat file, Theta answers for every eligible symbol not yet asked.
    const proofWanted = opts.proof ?? cfg.R1_PROOF === 'auto';
    const proofFound: string[] = [];
    let proofUnanswered = 0;
    const proofConfirm: string[] = [];
    let pmOverlap: PmOverlapRow[] | null = null;
    // The console's proof progress line (events.ts ProofProgress): at the start, per lookup, at the end.
    const proofStartedAt = Date.now();
    const proofEvent = (p: Omit<ProofProgress, 'date' | 'eligible' | 'startedAt' | 'at'>) =>
      emit({ type: 'proof-progress', date, eligible: withPrev.length, startedAt: proofStartedAt, at: Date.now(), ...p });
    if (mode === 'exhaustive') {
      dc.proof = unanswered === 0 ? 'exhaustive' : 'sampled';
      dc.proof_source = unanswered === 0 ? 'theta' : null;
      dc.proof_checked = dc.r1_checked;
      proofEvent({ phase: 'end', source: 'theta', answered: withPrev.length - unanswered, lookupsDone: toCheck.length, lookupsTotal: toCheck.length, unanswered, outcome: dc.proof, found: 0 });
    } else if (proofWanted) {
      const known = new Set(pm.keys());
      const rest = withPrev.filter((s) => !known.has(s) || pm.get(s)!.outcome === 'unanswered');
      let source: 'flatfile' | 'theta' = 'theta';
      let bulk: Map<string, number> | null = null;
      if (ctx.flatFiles) {
        proofEvent({ phase: 'flatfile', source: 'flatfile', answered: withPrev.length - rest.length, lookupsDone: 0, lookupsTotal: 0, unanswered: 0 });
        try {
          const r = await ctx.flatFiles.premarketHighs(date, ctx.signal);
          if (r.kind === 'ok') {
            bulk = r.highs;
            source = 'flatfile';
            log(`PROOF:flatfile rows=${r.rows} premarket_rows=${r.premarketRows} tickers=${r.highs.size} bytes=${r.bytes}${r.fromCache ? ' cached' : ''}`);
          } else log(`PROOF:flatfile ${r.kind}: ${r.reason}; falling back to Theta for ${rest.length} symbol(s)`);
        } catch (e) {
          checkStopped(ctx.signal);
          log(`PROOF:flatfile failed: ${describeError(e)}; falling back to Theta for ${rest.length} symbol(s)`);
        }
      }
      const band = cfg.R1_TH - cfg.R1_PROOF_BAND_PCT;
      for (const s of rest) {
        if (bulk === null) proofConfirm.push(s);
        else {
          const h = bulk.get(s);
          if (h !== undefined && pctChange(h, prevAdj.get(s)!.prevClose) >= band - 1e-9) proofConfirm.push(s);
        }
      }
      log(`PROOF:begin source=${source} eligible=${withPrev.length} known=${withPrev.length - rest.length} confirm=${proofConfirm.length}`);
      const settled = withPrev.length - proofConfirm.length;
      const more = await fetchPremarket(ctx, date, proofConfirm, (done, total) => {
        emit({ type: 'r1-progress', date, done, total });
        proofEvent({ phase: 'lookups', source, answered: settled + done, lookupsDone: done, lookupsTotal: total, unanswered: 0 });
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
      dc.r1_checked += proofConfirm.length - proofUnanswered;
      dc.r1_unanswered = unanswered;
      dc.proof = proofUnanswered === 0 && unanswered === 0 ? 'exhaustive' : 'sampled';
      dc.proof_source = dc.proof === 'exhaustive' ? source : null;
      dc.proof_checked = dc.proof === 'exhaustive' ? withPrev.length : 0;
      dc.proof_found = proofFound.map((s) => `${s}:${r1.get(s)!.toFixed(1)}`).join('|');
      for (const s of proofFound) log(`PROOF:found ${s} R1 ${r1.get(s)!.toFixed(1)}% (premarket high ${pm.get(s)!.high}; the prefilter did not select it)`);
      if (bulk !== null) {
        // Flat file vs Theta trades near the threshold: disagreements go to the provider-overlap report.
        const theta = new Map<string, number | null>();
        for (const [s, a] of pm) if (a.outcome !== 'unanswered') theta.set(s, a.outcome === 'high' ? a.high : null);
        pmOverlap = premarketDisagreements({ date, symbols: withPrev, flatFile: bulk, theta, prevClose: (s) => prevAdj.get(s)!.prevClose, bandPct: band });
        for (const d of pmOverlap.slice(0, 20)) log(`PROOF:disagree ${d.symbol} flatfile ${d.highA ?? 'none'} theta ${d.highB ?? 'none'}${d.diffPct === null ? '' : ` (${d.diffPct.toFixed(2)}%)`}`);
        if (pmOverlap.length > 0) log(`PROOF:disagree ${pmOverlap.length} symbol(s) between the flat file and Theta (provider_overlap_pm_${date}.csv)`);
      }
      if (proofUnanswered > 0) log(`PROOF:unproven premarket unanswered for ${proofUnanswered} symbol(s)`);
      proofEvent({ phase: 'end', source, answered: withPrev.length - unanswered, lookupsDone: proofConfirm.length, lookupsTotal: proofConfirm.length, unanswered, outcome: dc.proof, found: proofFound.length });
    }
    dc.r1_checked = toCheck.length - unanswered;
    dc.r1_unanswered = unanswered;
    dc.audit_sample_misses = sampleMisses.length;
    end({ checked: dc.r1_checked, r1: r1.size, unanswered, cached: [...pm.values()].filter((x) => x.fromCache).length, sample_misses: sampleMisses.length, proof: dc.proof, proof_found: proofFound.length });

    // 6. R4 ------------------------------------------------------------------------------------
    await step();
    const windowDays = lastNTradingDays(date, R4_WINDOW_DAYS);
    begin('R4', { window: `${windowDays[0]}..${date}` });
    const windowBars = new Map<string, WindowBar[]>();
    let missingDays = 0;
    for (const d of windowDays) {
      const dayBars = d === date ? bars : d === prevDate ? prevBars : await loadGrouped(ctx, d, false);
      if (dayBars.size === 0) missingDays++;
      for (const s of eligible) {
        const b = dayBars.get(s);
        if (!b) continue;
        let list = windowBars.get(s);
        if (!list) windowBars.set(s, (list = []));
        list.push({ date: d, high: b.high, low: b.low });
      }
    }
    const r4 = new Map<string, number>();
    let r4Artifacts = 0;
    for (const s of eligible) {
      const sv = surge7d(windowBars.get(s) ?? [], splitsBySymbol.get(s) ?? [], date);
      if (meets(sv.corrected, cfg.R4_TH)) r4.set(s, sv.corrected);
      else if (meets(sv.raw, cfg.R4_TH)) r4Artifacts++;
    }
    end({ r4: r4.size, evaluated: eligible.length, window_days_without_bars: missingDays, split_artifacts: r4Artifacts });

    // 7. PERSIST (filters -> hits; written at the day's commit) ----------------------------------
    await step();
    begin('PERSIST');
    const hitSymbols = eligible.filter((s) => r1.has(s) || r2.has(s) || r3.has(s) || r4.has(s));
    const hits: HitRow[] = [];
    for (const s of hitSymbols) {
      const b = bars.get(s)!;
      const ref = refBySymbol.get(s)!;
      const pc = prevAdj.get(s);
      const p = pm.get(s);
      const rules: HitRule[] = [];
      if (r1.has(s)) rules.push({ rule: 'PM_GAP_50', value: r1.get(s)! });
      if (r2.has(s)) rules.push({ rule: 'OPEN_GAP_50', value: r2.get(s)! });
      if (r3.has(s)) rules.push({ rule: 'INTRADAY_PUSH_50', value: r3.get(s)! });
      if (r4.has(s)) rules.push({ rule: 'SURGE_7D_300', value: r4.get(s)! });
      const near = nearReverseSplit(splitsBySymbol.get(s) ?? [], date);
      const dollarVolume = (b.vwap ?? b.close) * b.volume;
      const push = pctChange(b.high, b.open);
      let rsNote: string | null = null;
      if (near && dollarVolume >= 10_000_000 && meets(push, 50)) {
        rsNote = `heavy_runner_override: split-adjacent hit stays (dollar volume ${(dollarVolume / 1e6).toFixed(1)}M, push ${push.toFixed(1)}%)`;
      } else if (near) {
        rsNote = `reverse split ${near.splitFrom}:${near.splitTo} executed ${near.executionDate}; rules on the corrected basis`;
      }
      hits.push({
        ticker: s,
        volume: b.volume,
        prevClose: pc ? pc.prevClose : null,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        vwap: b.vwap,
        intradayPushPct: push,
        pmHigh: p && p.outcome === 'high' ? p.high : null,
        pmHighSource: p && p.outcome !== 'unanswered' ? p.source : null,
        pmHighVenue: p && p.outcome !== 'unanswered' ? p.venue : null,
        exchange: exchangeOfMic(ref.primaryExchange) ?? '',
        securityType: ref.type,
        isNearReverseSplit: !!near,
        rsExecDate: near ? near.executionDate : null,
        rsDaysAfter: near ? tradingDaysBetween(near.executionDate, date) : null,
        basisFactor: pc ? pc.factor : 1,
        rsNote,
        rules,
        fundamentals: { sharesOutstanding: null, marketCap: null, floatShares: null, dollarVolume, dataSource: '' },
      });
    }
    const counts: RuleCounts = countRules(hits.flatMap((h) => h.rules.map((r) => r.rule)));
    dc.discoveries = hits.length;
    dc.r1_hits = counts.r1;
    dc.r2_hits = counts.r2;
    dc.r3_hits = counts.r3;
    dc.r4_hits = counts.r4;
    end({
      hits: hits.length,
      r1: counts.r1,
      r2: counts.r2,
      r3: counts.r3,
      r4: counts.r4,
      filtered_exchange: dc.filtered_exchange,
      filtered_type: dc.filtered_type,
      filtered_unknown_type: dc.filtered_unknown_type,
      filtered_volume: dc.filtered_volume,
    });

    // 8. ENRICH --------------------------------------------------------------------------------
    await step();
    begin('ENRICH', { hits: hits.length });
    let enrichErrors = 0;
    let floatErrors = 0;
    await step();
    // All hits at once: the Polygon and FMP clients cap their own requests in flight.
    await Promise.all(
      hits.map(async (h) => {
        try {
          const floatFailure = await enrichHit(ctx, date, h);
          if (floatFailure !== null) {
            floatErrors++;
            if (floatErrors <= 3) log(`ENRICH:warn ${h.ticker} float unavailable (shares outstanding kept): ${floatFailure}`);
          }
        } catch (e) {
          if (ctx.signal.aborted) return;
          enrichErrors++;
          h.fundamentals.dataSource = `unavailable;dv=${h.vwap !== null ? 'vwap' : 'close'}`;
          if (enrichErrors <= 3) log(`ENRICH:warn ${h.ticker} ${describeError(e)}`);
        }
      }),
    );
    checkStopped(ctx.signal);
    end({ enriched: hits.length - enrichErrors, errors: enrichErrors, float_errors: floatErrors });

    // 9. AUDIT ---------------------------------------------------------------------------------
    await step();
    begin('AUDIT', { top_n: topN });
    const auditPm = new Map<string, PmState>();
    for (const sym of needPm) auditPm.set(sym, pm.get(sym)!);
    const hitSet = new Set(hitSymbols);
    const missAudit: MissAuditRow[] = [];
    let auditMisses = 0;
    let auditHits = 0;
    // The audit recomputes the rules inline on purpose: reusing the R2R3/R1 stage code would let a
    // bug in it pass its own audit.
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
      missAudit.push({ symbol: s, auditType: 'top_gainers', missedInitially: missed, ruleTriggered: found[0]?.[0] ?? null, ruleValue: found[0]?.[1] ?? null });
    }
    for (const s of sample) {
      const v = r1.get(s);
      missAudit.push({ symbol: s, auditType: 'random_sample', missedInitially: v !== undefined, ruleTriggered: v !== undefined ? 'PM_GAP_50' : null, ruleValue: v ?? null });
    }
    const auditUnanswered = [...auditPm.values()].filter((a) => a.outcome === 'unanswered').length;
    dc.miss_audit_sample = audited.length;
    dc.miss_audit_hits = auditHits;
    writeDayJson(ctx.stateDir, 'miss_audit_filters', date, { date, top_n: topN, ...auditFilterCounts, day: {
      bars: bars.size, eligible: eligible.length, no_prev_close: dc.no_prev_close, unknown_type: dc.filtered_unknown_type,
      exchange: dc.filtered_exchange, type: dc.filtered_type, volume: dc.filtered_volume } });
    end({ audited: audited.length, hits: auditHits, misses: auditMisses, unanswered: auditUnanswered });

    // 10. REPORT -------------------------------------------------------------------------------
    await step();
    begin('REPORT');
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
    recordRequests(ctx, dc, before);
    dc.processing_ms = Date.now() - t0;
    dc.stage_ms = JSON.stringify(stageMs);
    writeDayJson(ctx.stateDir, 'pm_diag', date, { date, mode, pm_high_policy: ctx.cfg.PM_HIGH_POLICY, by_source: ctx.theta.diagnostics(date), raw_high_differs: ctx.theta.rawHighs?.(date) ?? [] });
    const overlap: OverlapRow[] = [];
    const overlapSymbols = new Set<string>([...toCheck, ...hitSymbols, ...needPm, ...proofConfirm]);
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
        splitWindow: (splitsBySymbol.get(s) ?? []).length > 0,
      });
    }
    writeProviderOverlap(ctx.reportsDir, date, overlap);
    writePmOverlap(ctx.reportsDir, date, pmOverlap);
    checkStopped(ctx.signal);
    store.commitDay({ completeness: dc, hits, missAudit, audit });
    raiseSlaAlert(ctx, dc);
    if (proofFound.length > 0) {
      const alert = store.addAlert({
        severity: 'WARNING',
        kind: 'proof_found_hit',
        date,
        message: `the proof found ${proofFound.length} R1 hit(s) the prefilter missed: ${proofFound.slice(0, 5).map((x) => `${x} ${r1.get(x)!.toFixed(1)}%`).join(', ')}${proofFound.length > 5 ? ', ...' : ''} (stored with the day)`,
      });
      emit({ type: 'alert', alert });
    }
    end({ status, discoveries: hits.length, proof: dc.proof });
    const durationMs = Date.now() - t0;
    log(`DAY:end status=${status} hits=${hits.length} r1=${counts.r1} r2=${counts.r2} r3=${counts.r3} r4=${counts.r4} ms=${durationMs}${reason ? ` reason="${reason}"` : ''}`);
    emit({ type: 'day-end', date, status, hits: counts, discoveries: hits.length, durationMs, reason: reason ?? undefined, proof: dc.proof, proofSource: dc.proof_source, at: Date.now() });
    return { date, status, reason, hits: counts, discoveries: hits.length, durationMs };
  } catch (e) {
    if (e instanceof StoppedError || ctx.signal.aborted) {
      log(`DAY:stopped${current ? ` during ${(current as { stage: StageName }).stage}` : ''} (nothing committed)`);
      throw new StoppedError();
    }
    const reason = describeError(e);
    const failedStage: StageName | null = current ? (current as { stage: StageName }).stage : null;
    if (failedStage) {
      log(`${failedStage}:fail ${reason}`);
      emit({ type: 'stage', date, stage: failedStage, phase: 'fail', counts: {}, at: Date.now() });
    }
    dc.status = 'FAILED';
    dc.provider_status = `${failedStage ?? 'DAY'}: ${reason}`;
    dc.processing_ms = Date.now() - t0;
    dc.stage_ms = JSON.stringify(stageMs);
    recordRequests(ctx, dc, before);
    store.commitDay({ completeness: dc, hits: [], missAudit: [], audit: null });
    raiseSlaAlert(ctx, dc);
    const durationMs = Date.now() - t0;
    log(`DAY:end status=FAILED reason="${dc.provider_status}"`);
    const zero = { r1: 0, r2: 0, r3: 0, r4: 0 };
    emit({ type: 'day-end', date, status: 'FAILED', hits: zero, discoveries: 0, durationMs, reason: dc.provider_status, proof: dc.proof, proofSource: dc.proof_source, at: Date.now() });
    return { date, status: 'FAILED', reason: dc.provider_status, hits: zero, discoveries: 0, durationMs };
  }

  async function provider<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (ctx.signal.aborted) throw new StoppedError();
      throw new DayFailure(`${what}: ${describeError(e)}`);
    }
  }
}

/**
 * The grouped daily of `date` by symbol (Polygon `/v2/aggs/grouped/...`, unadjusted, OTC dropped):
 * from daily_raw when stored, else fetched and stored. With `required` (the scan day) a stored but
 * empty pull is fetched again. A provider error fails the stage for every day (scan day, previous
 * day, R4 lookback): a guessed previous close or window would be a silent error.
 * @throws DayFailure (one line) on a provider error; StoppedError on stop.
 */
export async function loadGrouped(ctx: EngineContext, date: string, required: boolean): Promise<Map<string, GroupedBar>> {
  // A pull stored by another market (the days before a recorded market switch) is never read for
  // this market's previous close or R4 window, nor replaced: this market's bars are fetched and kept in memory.
  const storedBy = ctx.store.dailyRawProvider(date);
  const otherMarket = storedBy !== null && storedBy !== ctx.barsProvider;
  if (storedBy !== null && !otherMarket) {
    const stored = ctx.store.getDailyRaw(date);
    if (stored.size > 0 || !required) return stored;
  }
  let bars: GroupedBar[];
  try {
    bars = await ctx.polygon.groupedDaily(date, ctx.signal);
  } catch (e) {
    if (ctx.signal.aborted) throw new StoppedError();
    throw new DayFailure(`grouped daily ${date}: ${describeError(e)}`);
  }
  bars = bars.filter((b) => !b.otc);
  if (otherMarket) return new Map(bars.map((b) => [b.symbol, b]));
  ctx.store.putDailyRaw(date, bars, ctx.barsProvider);
  return ctx.store.getDailyRaw(date);
}

/**
 * Premarket answers for `symbols` on `date`: from pm_cache when cached, else from Theta through
 * R1_THREAD_WORKERS scheduled lookups (each waiting for the Theta cap). New definitive answers are
 * cached. Calls `progress(done, total)` after each answer.
 * @throws StoppedError on stop.
 */
export async function fetchPremarket(
  ctx: EngineContext,
  date: string,
  symbols: readonly string[],
  progress: (done: number, total: number) => void,
): Promise<Map<string, PmState>> {
  const cache = ctx.store.getPmCache(date);
  const out = new Map<string, PmState>();
  const toFetch: string[] = [];
  for (const s of symbols) {
    const c = cache.get(s);
    if (c) out.set(s, { outcome: c.outcome, high: c.pmHigh, source: c.source, venue: c.venue, fromCache: true });
    else toFetch.push(s);
  }
  let done = out.size;
  progress(done, symbols.length);
  const fresh: PmCacheRow[] = [];
  const q = new PQueue({ concurrency: ctx.cfg.R1_THREAD_WORKERS });
  let failure: unknown = null;
  for (const s of toFetch) {
    void q.add(async () => {
      await ctx.gate.wait(ctx.signal);
      if (ctx.signal.aborted || failure) return;
      let a: PremarketAnswer;
      try {
        a = await ctx.theta.premarketHigh(s, date, ctx.signal);
      } catch (e) {
        // A stop aborts in-flight requests: the day is abandoned below. Anything else is a bug
        // in the request (bad symbol or date) and fails the day after the queue drains.
        if (!ctx.signal.aborted) failure ??= e;
        return;
      }
      if (ctx.signal.aborted) return;
      out.set(s, { outcome: a.outcome, high: a.high, source: a.source, venue: a.venue, fromCache: false });
      if (a.outcome !== 'unanswered' && a.source && a.venue) {
        fresh.push({ symbol: s, source: a.source, venue: a.venue, outcome: a.outcome, pmHigh: a.high });
      }
      done++;
      progress(done, symbols.length);
    });
  }
  await q.onIdle();
  if (fresh.length) ctx.store.putPmCache(date, fresh);
  checkStopped(ctx.signal);
  if (failure) throw failure;
  return out;
}

/** The reverse split of this symbol executing within one trading day of `date`, if any. */
function nearReverseSplit(splits: readonly SplitInfo[], date: string): SplitInfo | null {
  for (const s of splits) {
    if (s.splitFrom > s.splitTo && Math.abs(tradingDaysBetween(s.executionDate, date)) <= 1) return s;
  }
  return null;
}

/**
 * Fundamentals of a hit (domain.md step 8): shares outstanding and market cap from Polygon ticker
 * details as of the date (cached in symbol_meta), float from FMP when configured (else shares
 * outstanding stand in), dollar volume from vwap (close when vwap is missing). `data_source` says
 * where each came from, e.g. `shares=polygon;float=fmp;dv=vwap`.
 *
 * A float failure (FMP error after its retries) never discards Polygon's shares outstanding and
 * market cap: the float falls back to shares outstanding (`float=shares_outstanding(fmp_error)`),
 * the row is not cached in symbol_meta (a rerun asks FMP again), and the error is returned for the
 * day's log. Returns null when FMP answered (or is not configured).
 * @throws whatever the Polygon ticker-details call throws (the caller marks the hit `unavailable`).
 */
async function enrichHit(ctx: EngineContext, date: string, h: HitRow): Promise<string | null> {
  let fmpFailure: string | null = null;
  let meta = ctx.store.getMeta(h.ticker, date);
  if (!meta) {
    const d = await ctx.polygon.tickerDetails(h.ticker, date, ctx.signal);
    let float: number | null = null;
    let floatSrc = 'none';
    if (ctx.fmp) {
      try {
        float = await ctx.fmp.floatShares(h.ticker, date, ctx.signal);
        if (float !== null) floatSrc = 'fmp';
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        fmpFailure = describeError(e);
      }
    }
    const shares = d?.sharesOutstanding ?? null;
    if (float === null && shares !== null) {
      float = shares;
      floatSrc = fmpFailure ? 'shares_outstanding(fmp_error)' : 'shares_outstanding';
    } else if (float === null && fmpFailure) {
      floatSrc = 'none(fmp_error)';
    }
    const source = `shares=${shares !== null ? 'polygon' : 'none'};float=${floatSrc}`;
    if (!fmpFailure) ctx.store.putMeta({
      symbol: h.ticker,
      asOf: date,
      primaryExchange: d?.primaryExchange ?? null,
      exchange: d ? exchangeOfMic(d.primaryExchange) : null,
      securityType: d?.type ?? null,
      sharesOutstanding: shares,
      marketCap: d?.marketCap ?? null,
      floatShares: float,
      source,
    });
    meta = { shares_outstanding: shares, market_cap: d?.marketCap ?? null, float_shares: float, source, security_type: d?.type ?? null, primary_exchange: d?.primaryExchange ?? null };
  }
  h.fundamentals.sharesOutstanding = meta.shares_outstanding;
  h.fundamentals.marketCap = meta.market_cap;
  h.fundamentals.floatShares = meta.float_shares;
  h.fundamentals.dataSource = `${meta.source ?? 'none'};dv=${h.vwap !== null ? 'vwap' : 'close'}`;
  return fmpFailure;
}

/** Writes the day's Theta and Polygon request and error counts (deltas since `before`) into `dc`. */
function recordRequests(ctx: EngineContext, dc: DayCompleteness, before: ReturnType<typeof requestTotals>): void {
  const after = requestTotals(ctx);
  dc.theta_requests = after.thetaRequests - before.thetaRequests;
  dc.theta_errors = after.thetaErrors - before.thetaErrors;
  dc.polygon_requests = after.polygonRequests - before.polygonRequests;
  dc.polygon_errors = after.polygonErrors - before.polygonErrors;
}

/** Request and error totals of the Theta terminals and Polygon so far (live metrics). */
function requestTotals(ctx: EngineContext) {
  const m = ctx.metrics();
  let thetaRequests = 0;
  let thetaErrors = 0;
  for (const t of m.theta) {
    thetaRequests += t.requests;
    thetaErrors += t.errors;
  }
  return { thetaRequests, thetaErrors, polygonRequests: m.polygon?.requests ?? 0, polygonErrors: m.polygon?.errors ?? 0 };
}

function fmtCounts(c: Record<string, number | string>): string {
  const parts = Object.entries(c).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ' ' + parts.join(' ') : '';
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** One-line, redacted message of any error; a ProviderError is prefixed with its upstream and status. */
export function describeError(e: unknown): string {
  return e instanceof ProviderError ? `${e.upstream} ${e.status ?? e.kind}: ${errorLine(e)}` : errorLine(e);
}
