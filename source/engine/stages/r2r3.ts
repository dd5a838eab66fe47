/**
 * R2R3 (docs/domain.md section 4, step 4): the open gap (R2, open vs previous close on the day's
 * basis) and the intraday push (R3, high vs open) of every bar of the day.
 */
import type { GroupedBar } from '../../providers/types.js';
import { meets, pctChange } from '../rules.js';
import type { PrevClose, Stage } from './types.js';

/** Input of R2R3. */
export interface R2R3In {
  bars: ReadonlyMap<string, GroupedBar>;
  prevAdj: ReadonlyMap<string, PrevClose>;
}

/** R2 and R3 values (percent) of the symbols meeting them. */
export interface R2R3Out {
  r2: Map<string, number>;
  r3: Map<string, number>;
}

/** R2R3: pure computation; counts the split artifacts (an R2 on the raw basis only). */
export const r2r3Stage: Stage<R2R3In, R2R3In & { counts?: undefined }, R2R3Out> = {
  name: 'R2R3',
  async run(day, { bars, prevAdj }) {
    const { cfg } = day.ctx;
    const r2 = new Map<string, number>();
    const r3 = new Map<string, number>();
    let splitArtifacts = 0;
    for (const [s, b] of bars) {
      const pc = prevAdj.get(s);
      if (pc) {
        const g = pctChange(b.open, pc.prevClose);
        if (meets(g, cfg.R2_TH)) r2.set(s, g);
        else if (pc.factor !== 1 && meets(pctChange(b.open, pc.prevClose / pc.factor), cfg.R2_TH))
          splitArtifacts++;
      }
      const push = pctChange(b.high, b.open);
      if (meets(push, cfg.R3_TH)) r3.set(s, push);
    }
    return {
      out: { r2, r3 },
      counts: { r2: r2.size, r3: r3.size, split_artifacts: splitArtifacts },
    };
  },
};
