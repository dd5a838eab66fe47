/**
 * The SQL of the store's reads by key, in one place so that test/store/query-plan.test.ts can check
 * each against the schema with EXPLAIN QUERY PLAN. Used by store.ts, days.ts, hits.ts, pm-cache.ts,
 * meta.ts and validation.ts.
 */
import { priceSql } from './compact.js';

/**
 * The SQL of the store's key reads by the day's compact key (test/store/query-plan.test.ts checks
 * with EXPLAIN QUERY PLAN that each is answered through an index, never by a scan of its table).
 * Parameters are day numbers (source/store/compact.ts) and symbol ids, or dates for the day tables.
 */
export const STORE_QUERIES = {
  /** The pinned universe of one day (its day number, twice; the universe_days row says whether it is pinned). */
  universe: `SELECT s.symbol, u.type, u.primary_exchange, u.active, u.delisted_utc
    FROM universe_span u JOIN symbol s ON s.id = u.sym WHERE u.to_day >= ? AND u.from_day <= ? ORDER BY s.symbol`,
  /** Every stored bar of one day (day number). */
  dailyBars: `SELECT s.symbol, ${priceSql('b.open')} AS open, ${priceSql('b.high')} AS high, ${priceSql('b.low')} AS low,
      ${priceSql('b.close')} AS close, b.volume, ${priceSql('b.vwap')} AS vwap, b.transactions
    FROM daily_bar b JOIN symbol s ON s.id = b.sym WHERE b.day = ?`,
  /** One symbol's bar of one day (day number, symbol text). */
  dailyBar: `SELECT ${priceSql('b.open')} AS open, ${priceSql('b.high')} AS high, ${priceSql('b.low')} AS low, ${priceSql('b.close')} AS close,
      b.volume, ${priceSql('b.vwap')} AS vwap, b.transactions
    FROM daily_bar b WHERE b.day = ? AND b.sym = (SELECT id FROM symbol WHERE symbol = ?)`,
  /** Cached premarket answers of one date. */
  pmCache: 'SELECT symbol, source, venue, outcome, pm_high FROM pm_cache WHERE date = ?',
  /** Cached splits executing in a date range. */
  splits:
    'SELECT symbol, execution_date, split_from, split_to FROM splits WHERE execution_date BETWEEN ? AND ? ORDER BY execution_date, symbol',
  /** The hits of a date range. */
  hits: `SELECT h.*, f.shares_outstanding, f.market_cap, f.float_shares, f.dollar_volume, f.data_source
    FROM discovery_hits h LEFT JOIN discovery_hit_fundamentals f ON f.hit_id = h.hit_id
    WHERE h.event_date BETWEEN ? AND ? ORDER BY h.event_date, h.ticker`,
  /** The rules of the hits of a date range. */
  hitRules: `SELECT r.hit_id, r.trigger_rule, r.rule_value FROM discovery_hit_rules r JOIN discovery_hits h ON h.hit_id = r.hit_id
    WHERE h.event_date BETWEEN ? AND ?`,
  /** The miss audit rows of one date (day detail). */
  missAudit: 'SELECT symbol, missed_initially FROM miss_audit WHERE date = ? ORDER BY symbol',
  /** Day statuses of a date range. */
  dayStatuses:
    'SELECT date, status, discoveries, r1_hits, r2_hits, r3_hits, r4_hits, provider_status FROM day_completeness WHERE date BETWEEN ? AND ? ORDER BY date',
} as const;

/**
 * The same reads on an older store opened read-only (not migrated): text keys, through the old
 * tables (schema 3) or the runbooks' views (universe_day on schema 4: slower, the same rows).
 */
export const LEGACY_QUERIES = {
  universe:
    'SELECT symbol, type, primary_exchange, active, delisted_utc FROM universe_day WHERE date = ? ORDER BY symbol',
  dailyBars:
    'SELECT symbol, open, high, low, close, volume, vwap, transactions FROM daily_raw WHERE date = ?',
  dailyBar:
    'SELECT open, high, low, close, volume, vwap, transactions FROM daily_raw WHERE date = ? AND symbol = ?',
} as const;
