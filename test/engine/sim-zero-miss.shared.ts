/**
 * What the two zero-miss files on the simulated market share (test/engine/sim-zero-miss.test.ts,
 * exhaustive mode; test/engine/sim-zero-miss-prefilter.test.ts, prefilter mode): the market
 * (seed 42, SIM_TICKERS=2000), the 33 trading days 2024-02-12 .. 2024-03-28 and the oracle's hits.
 */
import { tradingDays, isTradingDay, prevTradingDay } from '../../source/calendar/index.js';
import { createSimOracle, type OracleHit } from '../../source/market/sim/oracle.js';
import type { Session } from '../../source/runtime/session.js';

/** Seed of the simulated market. */
export const SEED = 42;
/** Universe size of the scanned market (SIM_TICKERS) and its oracle. */
export const TICKERS = 2000;
/** The scanned days: 33 trading days with every kind of planted event, two fades under the prefilter. */
export const DAYS = tradingDays('2024-02-12', '2024-03-28');
const oracle = createSimOracle({
  seed: SEED,
  tickers: TICKERS,
  calendar: { isTradingDay, prevTradingDay },
});
/** The oracle's true hits per scanned day. */
export const truth = new Map<string, OracleHit[]>(DAYS.map((d) => [d, oracle.hits(d)]));

/** `ticker|RULE_CODE`. */
export type Key = string;
/** The set of `ticker|RULE` keys of some hits. */
export const keysOf = (hits: { ticker: string; rules: { code: string }[] }[]): Set<Key> =>
  new Set(hits.flatMap((h) => h.rules.map((r) => `${h.ticker}|${r.code}`)));

/** The `ticker|RULE` keys the session's store holds for a day. */
export function storedKeys(session: Session, date: string): Set<Key> {
  return keysOf(
    session.ctx.store
      .hits(date, date)
      .map((h) => ({ ticker: h.ticker, rules: h.rules.map((r) => ({ code: r.rule })) })),
  );
}
