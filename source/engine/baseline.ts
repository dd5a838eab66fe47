/**
 * The baseline pass of validation (docs/domain.md section 7): an independent second pass over the
 * whole filtered universe of a day, without the prefilter. It fetches its own bars (Polygon grouped
 * daily for the day and the six trading days before), its own splits, and a premarket high for
 * every symbol from a second source (Polygon one-minute aggregates with extended hours; Theta for a
 * symbol whose minute bars Polygon cannot serve; with BASELINE_PM_SOURCE=auto (the default, when
 * flat files are configured) or flatfile the same minute bars from the day's flat file, one object), and recomputes all four rules. It shares no code path with the scan's stages; only the filters of
 * section 3 (one definition for the whole product) are reused.
 */
import PQueue from 'p-queue';
import { lastNTradingDays, premarketWindowUtc, prevTradingDay } from '../calendar/index.js';
import type { GroupedBar, SplitInfo } from '../providers/types.js';
import { StoppedError, type EngineContext } from './context.js';
import { filterReason, R4_WINDOW_DAYS } from './rules.js';
import { compareRuleCodes, type RuleCode } from '../contracts/rules.js';

/** One baseline hit: symbol, rule code and value in percent. */
export interface BaselineHit {
  symbol: string;
  rule: RuleCode;
  pct: number;
}

/**
 * The baseline's answer for one symbol's premarket (04:00:00-09:29:59 ET):
 * - `high`: bars or trades found; `high` is the highest price, dollars;
 * - `none`: a source answered definitively that there was no premarket trading;
 * - `unanswered`: no source answered (failures after retries, or a stop aborted the lookup).
 * Only `none` may count as "no premarket high": an `unanswered` lookup is never evidence.
 */
export type BaselinePremarket =
  | { kind: 'high'; high: number; source: 'polygon' | 'theta' | 'flatfile' }
  | { kind: 'none'; source: 'polygon' | 'theta' | 'flatfile' }
  | { kind: 'unanswered'; reason: string };

/** Progress of the baseline's premarket lookups: done of total (answered or not), and failures so far. */
export interface BaselineProgress {
  done: number;
  total: number;
  /** Lookups that no source answered so far. */
  unanswered: number;
}

/** Result of the baseline pass. */
export interface BaselineResult {
  hits: BaselineHit[];
  /** Symbols of the filtered universe (with a bar and passing the filters). */
  universe: number;
  /** Premarket lookups made (Polygon minute aggregates), one per symbol; 0 when the flat file answered. */
  premarketRequests: number;
  /**
   * Premarket highs by source: Polygon minute bars (the second source), else Theta; `flatfile`:
   * the day's flat file (BASELINE_PM_SOURCE=auto with flat files configured, or flatfile), the same
   * minute bars in one object.
   */
  premarketSources: { polygon: number; theta: number; flatfile: number };
  /**
   * Why the flat file was not used when it was asked for (one line): BASELINE_PM_SOURCE=flatfile, or
   * auto with flat files configured (an unpublished, refused or broken file); else null.
   */
  flatFileFallback?: string | null;
  /** Symbols whose premarket could not be fetched from either (the baseline is then not a proof). */
  premarketFailed: string[];
  /**
   * Symbols whose Polygon lookup failed and whose answer came from Theta instead (sorted by
   * symbol), with Polygon's error line: for them the baseline is not independent of the scan
   * (validation raises a WARNING alert).
   */
  thetaFallbacks: { symbol: string; polygonError: string }[];
}

const EPS = 1e-9;

/**
 * Runs the baseline for `date`. `progress` is called once before the premarket lookups (done 0)
 * and after each lookup.
 * @returns the complete result; `premarketFailed` lists the symbols no source answered (the
 *   baseline is then not a proof).
 * @throws StoppedError when ctx.signal aborts at any point: a stopped baseline is partial and is
 *   never returned as a result.
 * @throws Error (one line) when Polygon fails for bars or splits.
 */
export async function runBaseline(
  ctx: EngineContext,
  date: string,
  progress: (p: BaselineProgress) => void = () => {},
): Promise<BaselineResult> {
  const { cfg } = ctx;
  const window = lastNTradingDays(date, R4_WINDOW_DAYS);
  const prevDate = prevTradingDay(date);
  const barsOf = new Map<string, Map<string, GroupedBar>>();
  for (const d of new Set([...window, prevDate])) {
    const bars = await ctx.polygon.groupedDaily(d, ctx.signal);
    barsOf.set(d, new Map(bars.filter((b) => !b.otc).map((b) => [b.symbol, b])));
  }
  const splits = await ctx.polygon.splits(window[0]!, date, ctx.signal);
  const splitsOf = new Map<string, SplitInfo[]>();
  for (const s of splits) splitsOf.set(s.symbol, [...(splitsOf.get(s.symbol) ?? []), s]);
  const universe =
    ctx.store.getUniverse(date) ?? (await ctx.polygon.referenceTickers(date, ctx.signal));
  const ref = new Map(universe.map((u) => [u.symbol, u]));
  const today = barsOf.get(date)!;
  const prev = barsOf.get(prevDate)!;

  // Factor that puts a price of day d on the scan day's basis: product of from/to of splits in (d, date].
  const factor = (symbol: string, d: string) => {
    let f = 1;
    for (const s of splitsOf.get(symbol) ?? [])
      if (s.executionDate > d && s.executionDate <= date && s.splitTo > 0)
        f *= s.splitFrom / s.splitTo;
    return f;
  };

  const hits: BaselineHit[] = [];
  const eligible: string[] = [];
  for (const [symbol, b] of today) {
    if (filterReason(ref.get(symbol), b.volume, cfg) !== null) continue;
    eligible.push(symbol);
    const p = prev.get(symbol);
    if (p) {
      const open = (b.open / (p.close * factor(symbol, prevDate)) - 1) * 100;
      if (open >= cfg.R2_TH - EPS) hits.push({ symbol, rule: 'OPEN_GAP_50', pct: open });
    }
    const push = (b.high / b.open - 1) * 100;
    if (push >= cfg.R3_TH - EPS) hits.push({ symbol, rule: 'INTRADAY_PUSH_50', pct: push });
    let hi = -Infinity;
    let lo = Infinity;
    for (const d of window) {
      const wb = barsOf.get(d)!.get(symbol);
      if (!wb) continue;
      const f = factor(symbol, d);
      hi = Math.max(hi, wb.high * f);
      lo = Math.min(lo, wb.low * f);
    }
    const surge = (hi / lo - 1) * 100;
    if (surge >= cfg.R4_TH - EPS) hits.push({ symbol, rule: 'SURGE_7D_300', pct: surge });
  }

  // Premarket high of every eligible symbol with a previous close, from Polygon minute aggregates.
  const win = premarketWindowUtc(date, cfg.PM_START, cfg.PM_END);
  const withPrev = eligible.filter((s) => prev.has(s)).sort();
  const failed: string[] = [];
  const fallbacks: { symbol: string; polygonError: string }[] = [];
  const sources = { polygon: 0, theta: 0, flatfile: 0 };
  let done = 0;
  const q = new PQueue({ concurrency: Math.max(1, cfg.POLYGON_CONCURRENCY) });
  const pmHits: BaselineHit[] = [];
  const answers = new Map<string, BaselinePremarket>();
  if (ctx.signal.aborted) throw new StoppedError();
  progress({ done: 0, total: withPrev.length, unanswered: 0 });
  const bulk = await flatFileHighs();
  let perSymbol = withPrev;
  if (bulk.highs) {
    // One object for every symbol: a ticker absent from the file's premarket window has no
    // eligible premarket bar (an answer, like Polygon's empty minute aggregates).
    for (const symbol of withPrev) {
      const high = bulk.highs.get(symbol);
      const a: BaselinePremarket =
        high !== undefined && high > 0
          ? { kind: 'high', high, source: 'flatfile' }
          : { kind: 'none', source: 'flatfile' };
      answers.set(symbol, a);
      sources.flatfile++;
      if (a.kind === 'high') {
        const pct = (a.high / (prev.get(symbol)!.close * factor(symbol, prevDate)) - 1) * 100;
        if (pct >= cfg.R1_TH - EPS) pmHits.push({ symbol, rule: 'PM_GAP_50', pct });
      }
    }
    done = withPrev.length;
    progress({ done, total: withPrev.length, unanswered: 0 });
    perSymbol = [];
  }
  /**
   * The day's flat-file premarket highs when BASELINE_PM_SOURCE is flatfile, or auto (the default),
   * and flat files are configured; `highs` null (with the reason) sends every symbol to the
   * per-symbol lookups. `auto` without flat files configured is the per-symbol baseline by choice
   * (no fallback reason); `flatfile` without them records why. A broken, refused or unpublished file
   * never answers.
   */
  async function flatFileHighs(): Promise<{
    highs: ReadonlyMap<string, number> | null;
    fallback: string | null;
  }> {
    if (cfg.BASELINE_PM_SOURCE === 'polygon') return { highs: null, fallback: null };
    if (!ctx.flatFiles)
      return {
        highs: null,
        fallback: cfg.BASELINE_PM_SOURCE === 'flatfile' ? 'flat files are not configured' : null,
      };
    try {
      const r = await ctx.flatFiles.premarketHighs(date, ctx.signal);
      if (r.kind === 'ok') return { highs: r.highs, fallback: null };
      return { highs: null, fallback: `flat file ${r.kind}: ${r.reason}` };
    } catch (e) {
      if (ctx.signal.aborted) throw new StoppedError();
      return {
        highs: null,
        fallback: `flat file failed: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }
  for (const symbol of perSymbol) {
    void q.add(async () => {
      if (ctx.signal.aborted) return;
      await ctx.gate.wait(ctx.signal);
      if (ctx.signal.aborted) return;
      const a = await premarketOf(symbol);
      // A lookup cut short by a stop is not an answer: the whole baseline is abandoned below.
      if (ctx.signal.aborted) return;
      answers.set(symbol, a);
      if (a.kind === 'unanswered') failed.push(symbol);
      else {
        sources[a.source]++;
        if (a.kind === 'high' && a.high > 0) {
          const pct = (a.high / (prev.get(symbol)!.close * factor(symbol, prevDate)) - 1) * 100;
          if (pct >= cfg.R1_TH - EPS) pmHits.push({ symbol, rule: 'PM_GAP_50', pct });
        }
      }
      progress({ done: ++done, total: withPrev.length, unanswered: failed.length });
    });
  }
  /** Premarket high of one symbol: Polygon minute bars, else Theta (never throws). */
  async function premarketOf(symbol: string): Promise<BaselinePremarket> {
    let polygonError: string;
    try {
      const aggs = await ctx.polygon.minuteAggs(symbol, date, ctx.signal);
      let high = -Infinity;
      for (const a of aggs)
        if (a.startMs >= win.startMs && a.startMs < win.endMs) high = Math.max(high, a.high);
      return high > 0
        ? { kind: 'high', high, source: 'polygon' }
        : { kind: 'none', source: 'polygon' };
    } catch (e) {
      if (ctx.signal.aborted) return { kind: 'unanswered', reason: 'stopped' };
      polygonError = e instanceof Error ? e.message : String(e);
    }
    // No second source for this symbol (e.g. a plan without minute bars): Theta, as the spec allows.
    const a = await ctx.theta.premarketHigh(symbol, date, ctx.signal).catch(() => null);
    if (ctx.signal.aborted) return { kind: 'unanswered', reason: 'stopped' };
    if (!a || a.outcome === 'unanswered')
      return {
        kind: 'unanswered',
        reason: `polygon: ${polygonError}; theta: ${a?.error ?? 'failed'}`,
      };
    fallbacks.push({ symbol, polygonError });
    if (a.outcome === 'high' && a.high !== null)
      return { kind: 'high', high: a.high, source: 'theta' };
    return { kind: 'none', source: 'theta' };
  }
  await q.onIdle();
  if (ctx.signal.aborted) throw new StoppedError();
  // Every lookup must have an outcome; a missing one is unanswered, never "no premarket high".
  for (const symbol of withPrev)
    if (!answers.has(symbol) && !failed.includes(symbol)) failed.push(symbol);
  hits.push(...pmHits);
  hits.sort((a, b) =>
    a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : compareRuleCodes(a.rule, b.rule),
  );
  return {
    hits,
    universe: eligible.length,
    premarketRequests: perSymbol.length,
    premarketSources: sources,
    premarketFailed: failed.sort(),
    flatFileFallback: bulk.fallback,
    thetaFallbacks: fallbacks.sort((a, b) =>
      a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0,
    ),
  };
}
