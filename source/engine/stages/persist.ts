/**
 * PERSIST (docs/domain.md section 4, step 7): the day's hit rows (every eligible symbol meeting a
 * rule), with their bar, previous close, premarket high and reverse-split note. The rows are
 * written at the day's commit (REPORT), not here.
 */
import { tradingDaysBetween } from '../../calendar/index.js';
import { countRules } from '../../contracts/rules.js';
import type { RuleCounts } from '../../contracts/events.js';
import type { GroupedBar, SplitInfo, UniverseTicker } from '../../providers/types.js';
import type { HitRow, HitRule } from '../../store/store.js';
import { exchangeOfMic, meets, pctChange } from '../rules.js';
import type { PmState, PrevClose, Stage } from './types.js';

/** Input of PERSIST: the filtered day and every rule's values. */
export interface PersistIn {
  eligible: readonly string[];
  bars: ReadonlyMap<string, GroupedBar>;
  refBySymbol: ReadonlyMap<string, UniverseTicker>;
  prevAdj: ReadonlyMap<string, PrevClose>;
  splitsBySymbol: ReadonlyMap<string, SplitInfo[]>;
  pm: ReadonlyMap<string, PmState>;
  r1: ReadonlyMap<string, number>;
  r2: ReadonlyMap<string, number>;
  r3: ReadonlyMap<string, number>;
  r4: ReadonlyMap<string, number>;
}

/** The day's hits (fundamentals filled in by ENRICH). */
export interface PersistOut {
  hits: HitRow[];
  /** Symbols of the hits, in the order of `hits`. */
  hitSymbols: string[];
  counts: RuleCounts;
}

/** PERSIST: writes dc.discoveries and dc.r1_hits .. r4_hits. */
export const persistStage: Stage<PersistIn, PersistIn & { counts?: undefined }, PersistOut> = {
  name: 'PERSIST',
  async run(day, input) {
    const { date, dc } = day;
    const { eligible, bars, refBySymbol, prevAdj, splitsBySymbol, pm, r1, r2, r3, r4 } = input;
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
        fundamentals: {
          sharesOutstanding: null,
          marketCap: null,
          floatShares: null,
          dollarVolume,
          dataSource: '',
        },
      });
    }
    const counts: RuleCounts = countRules(hits.flatMap((h) => h.rules.map((r) => r.rule)));
    dc.discoveries = hits.length;
    dc.r1_hits = counts.r1;
    dc.r2_hits = counts.r2;
    dc.r3_hits = counts.r3;
    dc.r4_hits = counts.r4;
    return {
      out: { hits, hitSymbols, counts },
      counts: {
        hits: hits.length,
        r1: counts.r1,
        r2: counts.r2,
        r3: counts.r3,
        r4: counts.r4,
        filtered_exchange: dc.filtered_exchange,
        filtered_type: dc.filtered_type,
        filtered_unknown_type: dc.filtered_unknown_type,
        filtered_volume: dc.filtered_volume,
      },
    };
  },
};

/** The reverse split of this symbol executing within one trading day of `date`, if any. */
function nearReverseSplit(splits: readonly SplitInfo[], date: string): SplitInfo | null {
  for (const s of splits) {
    if (s.splitFrom > s.splitTo && Math.abs(tradingDaysBetween(s.executionDate, date)) <= 1)
      return s;
  }
  return null;
}
