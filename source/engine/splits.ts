/**
 * The splits reference (Polygon `/v3/reference/splits`), cached in SQLite month by month, for the
 * split basis of R1/R2 (previous close) and R4 (the seven-day window) and the near-reverse-split flag.
 */
import { todayEt } from '../calendar/index.js';
import type { SplitInfo } from '../providers/types.js';
import { StoppedError, type EngineContext } from './context.js';
import { errorLine } from '../util/errors.js';

/** Months `YYYY-MM` from the month of `from` to the month of `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endKey = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= endKey) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** Last calendar day `YYYY-MM-DD` of a month `YYYY-MM`. */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(d).padStart(2, '0')}`;
}

/**
 * Splits executing in [from, to] by symbol. Months not cached yet are fetched from Polygon and
 * cached; the current (unfinished) month is fetched every time and cached only once it has ended.
 * @throws Error (one line) when Polygon fails: the split basis must not be guessed.
 */
export async function loadSplits(
  ctx: EngineContext,
  from: string,
  to: string,
): Promise<Map<string, SplitInfo[]>> {
  const today = todayEt();
  const live: SplitInfo[] = [];
  for (const month of monthsBetween(from, to)) {
    if (ctx.store.splitsFetched(month)) continue;
    let splits: SplitInfo[];
    try {
      splits = await ctx.polygon.splits(`${month}-01`, monthEnd(month), ctx.signal);
    } catch (e) {
      if (ctx.signal.aborted) throw new StoppedError();
      throw new Error(`splits ${month}: ${errorLine(e)}`, { cause: e });
    }
    if (monthEnd(month) < today) ctx.store.putSplits(month, splits);
    else live.push(...splits);
  }
  const out = new Map<string, SplitInfo[]>();
  for (const s of [
    ...ctx.store.getSplits(from, to),
    ...live.filter((s) => s.executionDate >= from && s.executionDate <= to),
  ]) {
    const list = out.get(s.symbol) ?? [];
    if (!list.some((x) => x.executionDate === s.executionDate)) list.push(s);
    out.set(s.symbol, list);
  }
  return out;
}
