/**
 * The premarket cache, `pm_cache`: definitive premarket answers (a high in dollars, or no premarket
 * trades) per symbol, date, source and venue, so that a rescan or a resumed backfill asks no
 * provider twice for the same answer. Unanswered or failed lookups are never cached. Written and
 * read by the engine through Store.getPmCache / Store.putPmCache (store.ts), which wrap these.
 */
import type { PmHighSource, PmHighVenue } from '../providers/types.js';
import { nowIso, stmt, type Db } from './db.js';
import { STORE_QUERIES } from './queries.js';

/** A cached premarket answer (definitive answers only: a high, or no premarket trades). */
export interface PmCacheRow {
  symbol: string;
  source: PmHighSource;
  venue: PmHighVenue;
  outcome: 'high' | 'no_trades';
  /** Dollars; null for no_trades. */
  pmHigh: number | null;
}

/** Preference between sources when a symbol has several cached answers for a date: lower wins. */
const SOURCE_RANK: Record<string, number> = { v3_trades: 0, v1_trades: 1, v1_ohlc_1m: 2 };

/** Cached definitive premarket answers of `date` by symbol (v3 trades preferred over v1 trades over v1 1-minute OHLC). */
export function readPmCache(db: Db, date: string): Map<string, PmCacheRow> {
  const rows = stmt(db, STORE_QUERIES.pmCache).all(date) as {
    symbol: string;
    source: PmHighSource;
    venue: PmHighVenue;
    outcome: 'high' | 'no_trades';
    pm_high: number | null;
  }[];
  const out = new Map<string, PmCacheRow>();
  for (const r of rows) {
    const prev = out.get(r.symbol);
    if (!prev || SOURCE_RANK[r.source]! < SOURCE_RANK[prev.source]!) {
      out.set(r.symbol, {
        symbol: r.symbol,
        source: r.source,
        venue: r.venue,
        outcome: r.outcome,
        pmHigh: r.pm_high,
      });
    }
  }
  return out;
}

/** Caches definitive premarket answers of `date` (replacing the same symbol, source and venue), stamped now. Call inside a write transaction. */
export function writePmCache(db: Db, date: string, rows: readonly PmCacheRow[]): void {
  const ins = stmt(
    db,
    'INSERT OR REPLACE INTO pm_cache (symbol, date, source, venue, outcome, pm_high, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const at = nowIso();
  for (const r of rows) ins.run(r.symbol, date, r.source, r.venue, r.outcome, r.pmHigh, at);
}
