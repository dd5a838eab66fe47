/**
 * The scan's hits: `discovery_hits` (one row per symbol and event date; prices in dollars, volume
 * in shares), `discovery_hit_rules` (the rules a hit met, value in percent),
 * `discovery_hit_fundamentals`, and their counts per day. The scan writes them in Store.commitDay
 * (store.ts); Store.hits wraps {@link storedHits}. Dates are trading dates YYYY-MM-DD; ranges are
 * inclusive.
 *
 * Every function takes an open connection (Store.db, or a read-only one) and throws the driver's
 * SqliteError when the store lacks a table read (a file that is not a gapctl store).
 */
import { stmt, type Db } from './db.js';
import { STORE_QUERIES } from './queries.js';
import { ruleRank, type RuleCode } from '../contracts/rules.js';
import type { PmHighSource, PmHighVenue } from '../providers/types.js';

/** One rule row of a hit: code and value in percent. */
export interface HitRule {
  rule: RuleCode;
  /** Percent, e.g. 69.7. */
  value: number;
}

/** A hit ready to be written (discovery_hits + rules + fundamentals). Prices dollars, volume shares. */
export interface HitRow {
  ticker: string;
  volume: number;
  prevClose: number | null;
  open: number;
  high: number;
  low: number;
  close: number;
  vwap: number | null;
  /** high / open - 1, percent. */
  intradayPushPct: number;
  pmHigh: number | null;
  pmHighSource: PmHighSource | null;
  pmHighVenue: PmHighVenue | null;
  exchange: string;
  securityType: string;
  isNearReverseSplit: boolean;
  rsExecDate: string | null;
  /** Event minus execution, trading days. */
  rsDaysAfter: number | null;
  /** Factor applied to the previous close for the split basis (1 when none). */
  basisFactor: number;
  rsNote: string | null;
  rules: HitRule[];
  fundamentals: {
    sharesOutstanding: number | null;
    marketCap: number | null;
    floatShares: number | null;
    /** Dollars: vwap x volume, close x volume when vwap is missing. */
    dollarVolume: number;
    dataSource: string;
  };
}

/** A stored hit as read back for validation and export. */
export interface StoredHit {
  hit_id: number;
  ticker: string;
  event_date: string;
  volume: number;
  prev_close: number | null;
  open: number;
  high: number;
  low: number;
  close: number;
  vwap: number | null;
  intraday_push_pct: number;
  pm_high: number | null;
  pm_high_source: string | null;
  pm_high_venue: string | null;
  exchange: string;
  security_type: string | null;
  is_near_reverse_split: number;
  rs_exec_date: string | null;
  rs_days_after: number | null;
  basis_factor: number;
  rs_note: string | null;
  shares_outstanding: number | null;
  market_cap: number | null;
  float_shares: number | null;
  dollar_volume: number | null;
  data_source: string | null;
  rules: HitRule[];
}

/** Every stored hit with its rules (in rule order R1..R4) and fundamentals, events in [start, end], by date then ticker. */
export function storedHits(db: Db, start: string, end: string): StoredHit[] {
  const rows = stmt(db, STORE_QUERIES.hits).all(start, end) as Omit<StoredHit, 'rules'>[];
  const rules = stmt(db, STORE_QUERIES.hitRules).all(start, end) as {
    hit_id: number;
    trigger_rule: HitRule['rule'];
    rule_value: number;
  }[];
  const byHit = new Map<number, HitRule[]>();
  for (const r of rules) {
    const list = byHit.get(r.hit_id) ?? [];
    list.push({ rule: r.trigger_rule, value: r.rule_value });
    byHit.set(r.hit_id, list);
  }
  return rows.map((r) => ({
    ...r,
    rules: (byHit.get(r.hit_id) ?? []).sort((a, b) => ruleRank(a.rule) - ruleRank(b.rule)),
  }));
}

/** A hit of one day as the day detail shows it (discovery_hits columns; dollars, shares). */
export interface DayHitRecord {
  hit_id: number;
  ticker: string;
  volume: number | null;
  prev_close: number | null;
  open: number;
  high: number;
  close: number;
  pm_high: number | null;
  pm_high_source: string | null;
  pm_high_venue: string | null;
  exchange: string | null;
  /** 1 when the hit is near a reverse split, else 0. */
  is_near_reverse_split: number;
  rs_exec_date: string | null;
  /** Trading days from the split's execution to the event. */
  rs_days_after: number | null;
  rs_note: string | null;
}

/** The hits of `date`, by ticker. */
export function dayHitRecords(db: Db, date: string): DayHitRecord[] {
  return stmt(
    db,
    `SELECT hit_id, ticker, volume, prev_close, open, high, close, pm_high, pm_high_source, pm_high_venue, exchange,
            is_near_reverse_split, rs_exec_date, rs_days_after, rs_note
     FROM discovery_hits WHERE event_date = ? ORDER BY ticker`,
  ).all(date) as DayHitRecord[];
}

/**
 * The rule rows of the hits of `date` in no set order: hit id, stored rule code (as stored: the
 * caller checks it is a known code) and value (percent).
 */
export function dayHitRuleRecords(
  db: Db,
  date: string,
): { hit_id: number; trigger_rule: string; rule_value: number }[] {
  return stmt(
    db,
    `SELECT r.hit_id, r.trigger_rule, r.rule_value FROM discovery_hit_rules r JOIN discovery_hits h ON h.hit_id = r.hit_id
     WHERE h.event_date = ?`,
  ).all(date) as { hit_id: number; trigger_rule: string; rule_value: number }[];
}

/** Hits of `date` holding the same rule more than once (ticker and rule code of each); [] when none. */
export function duplicateRuleRows(
  db: Db,
  date: string,
): { ticker: string; trigger_rule: string }[] {
  return stmt(
    db,
    `SELECT h.ticker, r.trigger_rule, COUNT(*) n FROM discovery_hit_rules r JOIN discovery_hits h ON h.hit_id = r.hit_id
     WHERE h.event_date = ? GROUP BY r.hit_id, r.trigger_rule HAVING n > 1`,
  ).all(date) as { ticker: string; trigger_rule: string }[];
}

/** Tickers stored more than once as hits of `date`; [] when none. */
export function duplicateHitTickers(db: Db, date: string): string[] {
  return (
    stmt(
      db,
      'SELECT ticker FROM discovery_hits WHERE event_date = ? GROUP BY ticker HAVING COUNT(*) > 1',
    ).all(date) as { ticker: string }[]
  ).map((r) => r.ticker);
}

/** Number of hits per event date of [start, end] (dates without a hit are absent). */
export function hitCountsByDay(db: Db, start: string, end: string): Map<string, number> {
  const rows = stmt(
    db,
    'SELECT event_date d, COUNT(*) n FROM discovery_hits WHERE event_date BETWEEN ? AND ? GROUP BY event_date',
  ).all(start, end) as { d: string; n: number }[];
  return new Map(rows.map((r) => [r.d, r.n]));
}

/** Number of hits per event date and stored rule code in [start, end] (one row per date and code met). */
export function ruleCountsByDay(
  db: Db,
  start: string,
  end: string,
): { date: string; rule: string; count: number }[] {
  return stmt(
    db,
    `SELECT h.event_date date, r.trigger_rule rule, COUNT(*) count FROM discovery_hit_rules r JOIN discovery_hits h ON h.hit_id = r.hit_id
     WHERE h.event_date BETWEEN ? AND ? GROUP BY h.event_date, r.trigger_rule`,
  ).all(start, end) as { date: string; rule: string; count: number }[];
}
