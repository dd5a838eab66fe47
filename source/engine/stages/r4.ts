/**
 * R4 (docs/domain.md section 4, step 6): the 7-day surge of every eligible symbol, from the grouped
 * daily of the R4 window (Polygon, stored in daily_raw; the day's and the previous day's bars are
 * reused), split-corrected.
 */
import { lastNTradingDays } from '../../calendar/index.js';
import type { GroupedBar, SplitInfo } from '../../providers/types.js';
import { R4_WINDOW_DAYS, meets, surge7d, type WindowBar } from '../rules.js';
import { loadGrouped } from './io.js';
import { step, yieldToIo } from './runner.js';
import type { Stage, StageCounts } from './types.js';

/** Input of R4. */
export interface R4In {
  eligible: readonly string[];
  bars: ReadonlyMap<string, GroupedBar>;
  prevDate: string;
  prevBars: ReadonlyMap<string, GroupedBar>;
  splitsBySymbol: ReadonlyMap<string, SplitInfo[]>;
}

/** R4 values (percent, split-corrected) of the symbols meeting it. */
export interface R4Out {
  r4: Map<string, number>;
}

/**
 * R4: pulls the window's grouped dailies not stored yet.
 * @throws DayFailure on a provider error (a guessed window would be a silent error).
 */
export const r4Stage: Stage<R4In, R4In & { windowDays: string[]; counts: StageCounts }, R4Out> = {
  name: 'R4',
  plan(day, input) {
    const windowDays = lastNTradingDays(day.date, R4_WINDOW_DAYS);
    return { ...input, windowDays, counts: { window: `${windowDays[0]}..${day.date}` } };
  },
  async run(day, { eligible, bars, prevDate, prevBars, splitsBySymbol, windowDays }) {
    const { ctx, date } = day;
    const windowBars = new Map<string, WindowBar[]>();
    let missingDays = 0;
    for (const d of windowDays) {
      // R4 runs next to R1: each window day is a long synchronous step (a pull or a store read), so
      // the Theta answers that arrived meanwhile are handled between them; a pause holds here.
      await yieldToIo();
      await step(ctx);
      const dayBars =
        d === date ? bars : d === prevDate ? prevBars : await loadGrouped(ctx, d, false);
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
      if (meets(sv.corrected, ctx.cfg.R4_TH)) r4.set(s, sv.corrected);
      else if (meets(sv.raw, ctx.cfg.R4_TH)) r4Artifacts++;
    }
    return {
      out: { r4 },
      counts: {
        r4: r4.size,
        evaluated: eligible.length,
        window_days_without_bars: missingDays,
        split_artifacts: r4Artifacts,
      },
    };
  },
};
