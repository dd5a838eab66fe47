/**
 * PREV (docs/domain.md section 4, step 3): the previous trading day's grouped daily and the splits
 * of the R4 window, giving each of the day's symbols its previous close on the day's basis.
 */
import { lastNTradingDays, nextTradingDay, prevTradingDay } from '../../calendar/index.js';
import type { GroupedBar, SplitInfo } from '../../providers/types.js';
import { R4_WINDOW_DAYS, basisFactor } from '../rules.js';
import { loadSplits } from '../splits.js';
import { loadGrouped } from './io.js';
import type { PrevClose, Stage, StageCounts } from './types.js';

/**
 * Input of PREV: the day's bars, a late input (a promise, awaited once the previous day's bars and
 * the splits are in), so PREV runs next to GROUPED.
 */
export interface PrevIn {
  bars: Promise<ReadonlyMap<string, GroupedBar>>;
}

/** Output of PREV. */
export interface PrevOut {
  /** The previous trading day. */
  prevDate: string;
  /** Its grouped daily by symbol. */
  prevBars: Map<string, GroupedBar>;
  /** Splits executing from the R4 window's first day to the next trading day, by symbol. */
  splitsBySymbol: Map<string, SplitInfo[]>;
  /** Previous close on the day's basis of every symbol of the day that has one. */
  prevAdj: Map<string, PrevClose>;
}

/**
 * PREV: writes dc.no_prev_close (the day's bars without a previous close).
 * @throws DayFailure / Error (one line) when Polygon fails for the bars or the splits.
 */
export const prevStage: Stage<PrevIn, PrevIn & { prevDate: string; counts: StageCounts }, PrevOut> =
  {
    name: 'PREV',
    plan(day, input) {
      const prevDate = prevTradingDay(day.date);
      return { ...input, prevDate, counts: { prev: prevDate } };
    },
    async run(day, input) {
      const { ctx, date, dc } = day;
      const { prevDate } = input;
      // Stored after the day's own pull (GROUPED): symbol ids in the same order on every run.
      const prevBars = await loadGrouped(ctx, prevDate, false, input.bars);
      const splitsBySymbol = await loadSplits(
        ctx,
        lastNTradingDays(date, R4_WINDOW_DAYS)[0]!,
        nextTradingDay(date),
      );
      const bars = await input.bars;
      const prevAdj = new Map<string, PrevClose>();
      for (const s of bars.keys()) {
        const p = prevBars.get(s);
        if (!p) {
          dc.no_prev_close++;
          continue;
        }
        const f = basisFactor(splitsBySymbol.get(s) ?? [], prevDate, date);
        prevAdj.set(s, { prevClose: p.close * f, factor: f });
      }
      return {
        out: { prevDate, prevBars, splitsBySymbol, prevAdj },
        counts: {
          prev_bars: prevBars.size,
          with_prev_close: prevAdj.size,
          no_prev_close: dc.no_prev_close,
        },
      };
    },
  };
