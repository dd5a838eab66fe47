/**
 * Reads of the scan's hits beyond Store.hits (store.ts): `discovery_hits` (one row per symbol and
 * event date; prices in dollars, volume in shares), `discovery_hit_rules` (the rules a hit met,
 * value in percent) and their counts per day. The scan writes them in Store.commitDay. Dates are
 * trading dates YYYY-MM-DD; ranges are inclusive.
 *
 * Every function takes an open connection (Store.db, or a read-only one) and throws the driver's
 * SqliteError when the store lacks a table read (a file that is not a gapctl store).
 */
import { stmt, type Db } from './db.js';

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
export function dayHitRuleRecords(db: Db, date: string): { hit_id: number; trigger_rule: string; rule_value: number }[] {
  return stmt(
    db,
    `SELECT r.hit_id, r.trigger_rule, r.rule_value FROM discovery_hit_rules r JOIN discovery_hits h ON h.hit_id = r.hit_id
     WHERE h.event_date = ?`,
  ).all(date) as { hit_id: number; trigger_rule: string; rule_value: number }[];
}

/** Hits of `date` holding the same rule more than once (ticker and rule code of each); [] when none. */
export function duplicateRuleRows(db: Db, date: string): { ticker: string; trigger_rule: string }[] {
  return stmt(
    db,
    `SELECT h.ticker, r.trigger_rule, COUNT(*) n FROM discovery_hit_rules r JOIN discovery_hits h ON h.hit_id = r.hit_id
     WHERE h.event_date = ? GROUP BY r.hit_id, r.trigger_rule HAVING n > 1`,
  ).all(date) as { ticker: string; trigger_rule: string }[];
}

/** Tickers stored more than once as hits of `date`; [] when none. */
export function duplicateHitTickers(db: Db, date: string): string[] {
  return (stmt(db, 'SELECT ticker FROM discovery_hits WHERE event_date = ? GROUP BY ticker HAVING COUNT(*) > 1').all(date) as { ticker: string }[]).map((r) => r.ticker);
}

/** Number of hits per event date of [start, end] (dates without a hit are absent). */
export function hitCountsByDay(db: Db, start: string, end: string): Map<string, number> {
  const rows = stmt(db, 'SELECT event_date d, COUNT(*) n FROM discovery_hits WHERE event_date BETWEEN ? AND ? GROUP BY event_date').all(start, end) as { d: string; n: number }[];
  return new Map(rows.map((r) => [r.d, r.n]));
}

/** Number of hits per event date and stored rule code in [start, end] (one row per date and code met). */
export function ruleCountsByDay(db: Db, start: string, end: string): { date: string; rule: string; count: number }[] {
  return stmt(
    db,
    `SELECT h.event_date date, r.trigger_rule rule, COUNT(*) count FROM discovery_hit_rules r JOIN discovery_hits h ON h.hit_id = r.hit_id
     WHERE h.event_date BETWEEN ? AND ? GROUP BY h.event_date, r.trigger_rule`,
  ).all(start, end) as { date: string; rule: string; count: number }[];
}
