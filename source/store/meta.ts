/**
 * Reference data about symbols: `splits` (Polygon's split history, cached by month in
 * `splits_fetched`) and `symbol_meta` (shares, market cap, type and exchange as of a date). The
 * cache writes and range reads are Store methods (store.ts); the per-symbol read is here. Dates
 * are YYYY-MM-DD.
 *
 * Every function takes an open connection (Store.db, or a read-only one) and throws the driver's
 * SqliteError when the store lacks a table read (a file that is not a gapctl store).
 */
import { stmt, type Db } from './db.js';

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
  return stmt(db, 'SELECT execution_date, split_from, split_to FROM splits WHERE symbol = ? AND execution_date > ? AND execution_date <= ?').all(symbol, after, upTo) as SymbolSplit[];
}
