/**
 * Reference data about symbols: `splits` (Polygon's split history, cached by month in
 * `splits_fetched`) and `symbol_meta` (shares, market cap, type and exchange as of a date). The
 * reads and writes are here; Store's splitsFetched, putSplits, getSplits, getMeta, putMeta wrap them. Dates
 * are YYYY-MM-DD; months YYYY-MM. Store (store.ts) wraps the writes in its write transaction.
 *
 * Every function takes an open connection (Store.db, or a read-only one) and throws the driver's
 * SqliteError when the store lacks a table read (a file that is not a gapctl store).
 */
import type { SplitInfo } from '../providers/types.js';
import { nowIso, stmt, type Db } from './db.js';
import { STORE_QUERIES } from './queries.js';

/** A cached split of one symbol: execution date and ratio (`split_from` old shares become `split_to` new ones). */
export interface SymbolSplit {
  execution_date: string;
  split_from: number;
  split_to: number;
}

/**
 * The cached splits of `symbol` executing after `after` and on or before `upTo` (the window a
 * price moves through from one day to a later one), in no set order. Prepared once per connection.
 */
export function symbolSplits(db: Db, symbol: string, after: string, upTo: string): SymbolSplit[] {
  return stmt(
    db,
    'SELECT execution_date, split_from, split_to FROM splits WHERE symbol = ? AND execution_date > ? AND execution_date <= ?',
  ).all(symbol, after, upTo) as SymbolSplit[];
}

/** True when the splits of `month` (YYYY-MM) have been fetched (splits_fetched). */
export function splitsFetched(db: Db, month: string): boolean {
  return !!stmt(db, 'SELECT 1 FROM splits_fetched WHERE month = ?').get(month);
}

/** Caches the splits of `month` (YYYY-MM) fetched from Polygon and records the month as fetched. Call inside a write transaction. */
export function writeSplits(db: Db, month: string, splits: readonly SplitInfo[]): void {
  const ins = stmt(
    db,
    'INSERT OR REPLACE INTO splits (symbol, execution_date, split_from, split_to) VALUES (?, ?, ?, ?)',
  );
  for (const s of splits) ins.run(s.symbol, s.executionDate, s.splitFrom, s.splitTo);
  stmt(db, 'INSERT OR REPLACE INTO splits_fetched (month, fetched_at, count) VALUES (?, ?, ?)').run(
    month,
    nowIso(),
    splits.length,
  );
}

/** Cached splits with execution dates in [from, to], by execution date then symbol. */
export function splitsBetween(db: Db, from: string, to: string): SplitInfo[] {
  return (
    stmt(db, STORE_QUERIES.splits).all(from, to) as {
      symbol: string;
      execution_date: string;
      split_from: number;
      split_to: number;
    }[]
  ).map((r) => ({
    symbol: r.symbol,
    executionDate: r.execution_date,
    splitFrom: r.split_from,
    splitTo: r.split_to,
  }));
}

/** Cached metadata of a symbol as of a date (symbol_meta): shares, market cap (dollars), float, source, type, exchange. */
export interface SymbolMetaRecord {
  shares_outstanding: number | null;
  market_cap: number | null;
  float_shares: number | null;
  source: string | null;
  security_type: string | null;
  primary_exchange: string | null;
}

/** Cached metadata of `symbol` as of `asOf`, or undefined. */
export function readMeta(db: Db, symbol: string, asOf: string): SymbolMetaRecord | undefined {
  return stmt(
    db,
    'SELECT shares_outstanding, market_cap, float_shares, source, security_type, primary_exchange FROM symbol_meta WHERE symbol = ? AND as_of = ?',
  ).get(symbol, asOf) as SymbolMetaRecord | undefined;
}

/** Metadata of a symbol to cache (see {@link writeMeta}). */
export interface SymbolMetaRow {
  symbol: string;
  asOf: string;
  primaryExchange: string | null;
  exchange: string | null;
  securityType: string | null;
  sharesOutstanding: number | null;
  /** Dollars. */
  marketCap: number | null;
  floatShares: number | null;
  source: string;
}

/** Caches metadata of `row.symbol` as of `row.asOf` (replacing it). Call inside a write transaction. */
export function writeMeta(db: Db, row: SymbolMetaRow): void {
  stmt(
    db,
    'INSERT OR REPLACE INTO symbol_meta (symbol, as_of, primary_exchange, exchange, security_type, shares_outstanding, market_cap, float_shares, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    row.symbol,
    row.asOf,
    row.primaryExchange,
    row.exchange,
    row.securityType,
    row.sharesOutstanding,
    row.marketCap,
    row.floatShares,
    row.source,
  );
}
