/**
 * The store's typed API over better-sqlite3, one object per thread: grouped-daily bars
 * (daily_bar, daily_raw_days) and pinned universes (universe_span, universe_days, symbol) with
 * their in-memory cache, the one-transaction commit of a scanned day, and thin methods over the
 * table groups' own modules (days.ts, hits.ts, validation.ts, pm-cache.ts, meta.ts, alerts.ts),
 * which hold their SQL. The engine thread is the only writer; every write transaction is begun
 * IMMEDIATE.
 *
 * Over 400 lines: the store's one typed API object over the table-group modules; the remaining
 * length is the grouped-daily and universe caches and the one-transaction day commit, which belong
 * together.
 */
import type { Db } from './db.js';
import { failpoint } from '../util/failpoint.js';
import { nowIso, openDb, stmt, type OpenDbOptions } from './db.js';
import { LruMap } from '../util/lru.js';
import { dayOf, encodePrice } from './compact.js';
import { pinDay, unpinDay, type MemberAttrs } from './universe-spans.js';
import type { GroupedBar, SplitInfo, UniverseTicker } from '../providers/types.js';
import type { AlertInfo } from '../contracts/events.js';
import { LEGACY_QUERIES, STORE_QUERIES } from './queries.js';
import {
  dayCompleteness,
  dayProofs,
  dayStatuses,
  proofCounts,
  type DayCompleteness,
  type DayStatusInfo,
} from './days.js';
import { storedHits, type HitRow, type StoredHit } from './hits.js';
import type { MissAuditRow } from './validation.js';
import { readPmCache, writePmCache, type PmCacheRow } from './pm-cache.js';
import {
  readMeta,
  splitsBetween,
  splitsFetched,
  writeMeta,
  writeSplits,
  type SymbolMetaRecord,
  type SymbolMetaRow,
} from './meta.js';
import { ackAlert, insertAlert, openAlerts, type NewAlert } from './alerts.js';

export { STORE_QUERIES } from './queries.js';
export type { DayCompleteness, DayStatusInfo } from './days.js';
export type { HitRule, HitRow, StoredHit } from './hits.js';
export type { MissAuditRow } from './validation.js';
export type { PmCacheRow } from './pm-cache.js';

/**
 * Days of grouped-daily bars the store keeps in memory by default (the R4 window, the previous day,
 * margin; STORE_BAR_CACHE_DAYS).
 */
export const RAW_CACHE_DAYS = 10;

/** Options of {@link Store.open}: the connection's ({@link OpenDbOptions}) and the store's caches. */
export interface StoreOptions extends OpenDbOptions {
  /** Days of grouped-daily bars kept in memory (STORE_BAR_CACHE_DAYS; default {@link RAW_CACHE_DAYS}). */
  barCacheDays?: number;
}

/** What one day's commit writes, atomically. */
export interface DayCommit {
  completeness: DayCompleteness;
  hits: HitRow[];
  missAudit: MissAuditRow[];
  /** Enhanced audit of the random sample (rule of three). */
  audit: {
    sampleSize: number;
    misses: number;
    missRateUpper95: number | null;
    auditPassed: boolean;
  } | null;
}

/** Schema version from which daily_raw is the compact table daily_bar (schema.ts migration 4). */
const COMPACT_SCHEMA = 4;
/** Schema version from which pinned universes are spans (schema.ts migration 5). */
const SPAN_SCHEMA = 5;

/** A stored grouped-daily bar as read back (dollars, shares): a GroupedBar without its symbol and OTC flag. */
export type StoredBar = Omit<GroupedBar, 'symbol' | 'otc'>;

/** Numbers a bar keeps in a {@link CompactDay}: open, high, low, close, volume, vwap, transactions. */
const BAR_COLS = 7;

/**
 * One day of grouped-daily bars as the store's cache holds it (issue 13 point 1): the symbols in
 * their stored order and one Float64Array of {@link BAR_COLS} numbers a bar (dollars, shares; a
 * null vwap or transactions as NaN). About 60 bytes a bar besides its symbol, where a Map of bar
 * objects took about 300 (each number of an object field is a boxed heap number in V8): a day of
 * 8,000 bars is ~0.5 MB instead of ~2.4 MB.
 */
interface CompactDay {
  readonly symbols: readonly string[];
  readonly cols: Float64Array;
}

/** The compact form of stored bars (see {@link CompactDay}). */
function compactDay(rows: readonly (StoredBar & { symbol: string })[]): CompactDay {
  const symbols = new Array<string>(rows.length);
  const cols = new Float64Array(rows.length * BAR_COLS);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const o = i * BAR_COLS;
    symbols[i] = r.symbol;
    cols[o] = r.open;
    cols[o + 1] = r.high;
    cols[o + 2] = r.low;
    cols[o + 3] = r.close;
    cols[o + 4] = r.volume;
    cols[o + 5] = r.vwap ?? NaN;
    cols[o + 6] = r.transactions ?? NaN;
  }
  return { symbols, cols };
}

/** The bar at index `i` of a compact day (without its symbol and OTC flag). */
function storedBarAt(d: CompactDay, i: number): StoredBar {
  const c = d.cols;
  const o = i * BAR_COLS;
  const vwap = c[o + 5]!;
  const n = c[o + 6]!;
  return {
    open: c[o]!,
    high: c[o + 1]!,
    low: c[o + 2]!,
    close: c[o + 3]!,
    volume: c[o + 4]!,
    vwap: Number.isNaN(vwap) ? null : vwap,
    transactions: Number.isNaN(n) ? null : n,
  };
}

/** A fresh Map of GroupedBar objects by symbol, in stored order, from a compact day. */
function expandDay(d: CompactDay): Map<string, GroupedBar> {
  const out = new Map<string, GroupedBar>();
  for (let i = 0; i < d.symbols.length; i++) {
    const b = storedBarAt(d, i);
    // An object literal of one shape (see getDailyRaw).
    out.set(d.symbols[i]!, {
      symbol: d.symbols[i]!,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      vwap: b.vwap,
      transactions: b.transactions,
      otc: false,
    });
  }
  return out;
}

/**
 * The typed store. Construct with {@link Store.open}; one per thread.
 */
export class Store {
  /**
   * Recently read or written grouped-daily days by date (a backfill reads the same days again for
   * the previous close and the R4 window). Cleared per date on write; this process is the one writer.
   */
  private readonly rawCache: LruMap<string, CompactDay>;

  /** Symbol ids by ticker (the `symbol` table), loaded on first use; dropped when a write fails (its new ids were rolled back). */
  private symIds: Map<string, number> | null = null;

  /** True when the store has the compact table daily_bar (schema >= 4); false only for an older store opened read-only. */
  private readonly compact: boolean;
  /** True when pinned universes are spans (schema >= 5); false only for an older store opened read-only. */
  private readonly spans: boolean;

  private constructor(
    readonly db: Db,
    readonly path: string,
    barCacheDays: number,
  ) {
    this.rawCache = new LruMap(Math.max(1, barCacheDays));
    const version = db.pragma('user_version', { simple: true }) as number;
    this.compact = version >= COMPACT_SCHEMA;
    this.spans = version >= SPAN_SCHEMA;
  }

  /**
   * Opens the store at `path` (migrating it).
   * @throws StoreError on a locked, corrupt or foreign file.
   */
  static open(path: string, opts?: StoreOptions): Store {
    return new Store(openDb(path, opts), path, opts?.barCacheDays ?? RAW_CACHE_DAYS);
  }

  /** Days of grouped-daily bars held in memory now (at most STORE_BAR_CACHE_DAYS). */
  get barCacheSize(): number {
    return this.rawCache.size;
  }

  /** Closes the connection (checkpointing WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one IMMEDIATE write transaction. */
  write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      this.symIds = null; // symbol ids given inside the failed transaction were rolled back
      throw e;
    }
  }

  /** Day key of `date` in this store's per-day tables: its day number, or the date itself on a legacy store. */
  private dayKey(date: string): number | string {
    return this.compact ? dayOf(date) : date;
  }

  /**
   * The id of `symbol` in the `symbol` table, giving it the next id when it is new. Call inside a
   * write transaction.
   */
  private symbolId(symbol: string): number {
    if (!this.symIds) {
      this.symIds = new Map(
        (
          this.db.prepare('SELECT id, symbol FROM symbol').all() as { id: number; symbol: string }[]
        ).map((r) => [r.symbol, r.id]),
      );
    }
    let id = this.symIds.get(symbol);
    if (id === undefined) {
      id = Number(
        stmt(this.db, 'INSERT INTO symbol (symbol) VALUES (?)').run(symbol).lastInsertRowid,
      );
      this.symIds.set(symbol, id);
    }
    return id;
  }

  // ---- universe_day -------------------------------------------------------------------------

  /** True when the universe of `date` is pinned (one indexed lookup; {@link getUniverse} reads it whole). */
  isUniversePinned(date: string): boolean {
    return stmt(this.db, 'SELECT 1 FROM universe_days WHERE date = ?').get(date) !== undefined;
  }

  /** The pinned universe of `date`, or null when not pinned yet. */
  getUniverse(date: string): UniverseTicker[] | null {
    const pinned = stmt(this.db, 'SELECT symbols FROM universe_days WHERE date = ?').get(date);
    if (!pinned) return null;
    const rows = stmt(this.db, this.spans ? STORE_QUERIES.universe : LEGACY_QUERIES.universe).all(
      ...(this.spans ? [dayOf(date), dayOf(date)] : [date]),
    ) as {
      symbol: string;
      type: string | null;
      primary_exchange: string | null;
      active: number;
      delisted_utc: string | null;
    }[];
    return rows.map((r) => ({
      symbol: r.symbol,
      type: r.type ?? '',
      primaryExchange: r.primary_exchange ?? '',
      market: 'stocks',
      active: r.active === 1,
      delistedUtc: r.delisted_utc,
    }));
  }

  /**
   * Pins the universe of `date` (replacing any previous pin), one transaction: its members join the
   * universe spans (source/store/universe-spans.ts) and universe_days records the pin.
   */
  pinUniverse(date: string, tickers: readonly UniverseTicker[]): void {
    const day = dayOf(date);
    this.write(() => {
      const pinned = (
        this.db.prepare('SELECT date FROM universe_days ORDER BY date').all() as { date: string }[]
      ).map((r) => dayOf(r.date));
      if (pinned.includes(day)) unpinDay(this.db, pinned, day);
      const members = new Map<number, MemberAttrs>();
      for (const t of tickers) {
        members.set(this.symbolId(t.symbol), {
          type: t.type,
          primary_exchange: t.primaryExchange,
          active: t.active ? 1 : 0,
          delisted_utc: t.delistedUtc,
        });
      }
      pinDay(
        this.db,
        pinned.filter((d) => d !== day),
        day,
        members,
      );
      stmt(
        this.db,
        'INSERT OR REPLACE INTO universe_days (date, symbols, pinned_at) VALUES (?, ?, ?)',
      ).run(date, tickers.length, nowIso());
    });
  }

  // ---- daily_raw ----------------------------------------------------------------------------

  /** True when the grouped daily of `date` has been stored (even if it was empty). */
  hasDailyRaw(date: string): boolean {
    return !!stmt(this.db, 'SELECT 1 FROM daily_raw_days WHERE date = ?').get(date);
  }

  /** The provider that stored the grouped daily of `date` (daily_raw_days.provider, e.g. `polygon` or `polygon-emulated:sim:5`); null when none is stored. */
  dailyRawProvider(date: string): string | null {
    const r = stmt(this.db, 'SELECT provider FROM daily_raw_days WHERE date = ?').get(date) as
      { provider: string } | undefined;
    return r?.provider ?? null;
  }

  /** Stores a grouped-daily pull (unadjusted) for `date`, replacing the old one; one transaction. */
  putDailyRaw(date: string, bars: readonly GroupedBar[], provider: string): void {
    this.rawCache.delete(date);
    // provider is left NULL: it is the day's (daily_raw_days.provider), shown by the daily_raw view
    const ins = this.db.prepare(
      'INSERT OR REPLACE INTO daily_bar (day, sym, open, high, low, close, volume, vwap, transactions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const day = dayOf(date);
    this.write(() => {
      this.db.prepare('DELETE FROM daily_bar WHERE day = ?').run(day);
      for (const b of bars) {
        ins.run(
          day,
          this.symbolId(b.symbol),
          encodePrice(b.open),
          encodePrice(b.high),
          encodePrice(b.low),
          encodePrice(b.close),
          b.volume,
          encodePrice(b.vwap),
          b.transactions,
        );
      }
      this.db
        .prepare(
          'INSERT OR REPLACE INTO daily_raw_days (date, symbols, fetched_at, provider) VALUES (?, ?, ?, ?)',
        )
        .run(date, bars.length, nowIso(), provider);
    });
  }

  /**
   * The stored bars of `date` by symbol (empty map when none): a fresh Map each call, built from
   * the day's compact cache entry (read from SQLite on a miss; see {@link CompactDay}), so the
   * caller may keep or drop it and the cache holds no bar objects.
   */
  getDailyRaw(date: string): Map<string, GroupedBar> {
    const cached = this.rawCache.get(date);
    if (cached) return expandDay(cached);
    // better-sqlite3's rows are dictionary-mode objects: they are read into the compact form and
    // dropped, never kept (a spread copy of each got its own hidden class; issue 13.1).
    const rows = this.db
      .prepare(this.compact ? STORE_QUERIES.dailyBars : LEGACY_QUERIES.dailyBars)
      .all(this.dayKey(date)) as (StoredBar & { symbol: string })[];
    const day = compactDay(rows);
    this.rawCache.set(date, day);
    return expandDay(day);
  }

  /** The stored bar of `symbol` on `date` (dollars, shares), or null when none is stored. */
  getBar(date: string, symbol: string): StoredBar | null {
    const cached = this.rawCache.get(date);
    if (cached) {
      const i = cached.symbols.indexOf(symbol);
      return i < 0 ? null : storedBarAt(cached, i);
    }
    const r = stmt(this.db, this.compact ? STORE_QUERIES.dailyBar : LEGACY_QUERIES.dailyBar).get(
      this.dayKey(date),
      symbol,
    ) as StoredBar | undefined;
    return r ?? null;
  }

  // ---- splits, symbol_meta (meta.ts) ---------------------------------------------------------

  /** True when the splits of `month` (YYYY-MM) have been fetched. */
  splitsFetched(month: string): boolean {
    return splitsFetched(this.db, month);
  }

  /** Caches the splits of `month` (YYYY-MM) fetched from Polygon; one transaction. */
  putSplits(month: string, splits: readonly SplitInfo[]): void {
    this.write(() => writeSplits(this.db, month, splits));
  }

  /** Cached splits with execution dates in [from, to]. */
  getSplits(from: string, to: string): SplitInfo[] {
    return splitsBetween(this.db, from, to);
  }

  /** Cached metadata of `symbol` as of `asOf`, or undefined. */
  getMeta(symbol: string, asOf: string): SymbolMetaRecord | undefined {
    return readMeta(this.db, symbol, asOf);
  }

  /** Caches metadata of `symbol` as of `asOf`; one transaction. */
  putMeta(row: SymbolMetaRow): void {
    this.write(() => writeMeta(this.db, row));
  }

  // ---- pm_cache (pm-cache.ts) -----------------------------------------------------------------

  /** Cached definitive premarket answers of `date` by symbol (v3 preferred over v1 over ohlc). */
  getPmCache(date: string): Map<string, PmCacheRow> {
    return readPmCache(this.db, date);
  }

  /** Caches definitive premarket answers of `date`; one transaction (none when `rows` is empty). */
  putPmCache(date: string, rows: readonly PmCacheRow[]): void {
    if (rows.length === 0) return;
    this.write(() => writePmCache(this.db, date, rows));
  }

  // ---- the day commit -----------------------------------------------------------------------

  /**
   * Writes a scanned day in ONE immediate transaction: deletes the day's old hits, rules,
   * fundamentals, miss audit and audit rows, then inserts the new ones, the day_completeness row
   * and the qc_daily_summary row. A process killed at any moment leaves the day complete or absent.
   */
  commitDay(c: DayCommit): void {
    const date = c.completeness.date;
    const insHit = stmt(
      this.db,
      `INSERT INTO discovery_hits (ticker, event_date, volume, prev_close, open, high, low, close, vwap, intraday_push_pct,
        pm_high, pm_high_source, pm_high_venue, exchange, is_near_reverse_split, rs_exec_date, rs_days_after, security_type, basis_factor, rs_note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insRule = stmt(
      this.db,
      'INSERT INTO discovery_hit_rules (hit_id, trigger_rule, rule_value) VALUES (?, ?, ?)',
    );
    const insFund = stmt(
      this.db,
      'INSERT INTO discovery_hit_fundamentals (hit_id, shares_outstanding, market_cap, float_shares, dollar_volume, data_source) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insMiss = stmt(
      this.db,
      'INSERT INTO miss_audit (date, symbol, audit_type, missed_initially, rule_triggered, rule_value) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const dc = c.completeness;
    this.write(() => {
      this.deleteDayRows(date);
      for (const h of c.hits) {
        const info = insHit.run(
          h.ticker,
          date,
          h.volume,
          h.prevClose,
          h.open,
          h.high,
          h.low,
          h.close,
          h.vwap,
          h.intradayPushPct,
          h.pmHigh,
          h.pmHighSource,
          h.pmHighVenue,
          h.exchange,
          h.isNearReverseSplit ? 1 : 0,
          h.rsExecDate,
          h.rsDaysAfter,
          h.securityType,
          h.basisFactor,
          h.rsNote,
        );
        const id = Number(info.lastInsertRowid);
        for (const r of h.rules) insRule.run(id, r.rule, r.value);
        const f = h.fundamentals;
        insFund.run(
          id,
          f.sharesOutstanding,
          f.marketCap,
          f.floatShares,
          f.dollarVolume,
          f.dataSource,
        );
      }
      for (const m of c.missAudit)
        insMiss.run(
          date,
          m.symbol,
          m.auditType,
          m.missedInitially ? 1 : 0,
          m.ruleTriggered,
          m.ruleValue,
        );
      if (c.audit) {
        stmt(
          this.db,
          'INSERT OR REPLACE INTO enhanced_audit_log (date, sample_size, misses, miss_rate_upper_95, audit_passed, at) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(
          date,
          c.audit.sampleSize,
          c.audit.misses,
          c.audit.missRateUpper95,
          c.audit.auditPassed ? 1 : 0,
          nowIso(),
        );
      }
      const cols = Object.keys(dc);
      stmt(
        this.db,
        `INSERT OR REPLACE INTO day_completeness (${cols.join(', ')}, updated_at) VALUES (${cols.map(() => '?').join(', ')}, ?)`,
      ).run(...cols.map((k) => (dc as unknown as Record<string, unknown>)[k]), nowIso());
      const requests = dc.theta_requests + dc.polygon_requests;
      this.db
        .prepare(
          `INSERT OR REPLACE INTO qc_daily_summary (date, status, processing_time_seconds, r1_hits, r2_hits, r3_hits, r4_hits,
            baseline_only_count, audit_passed, theta_requests, theta_errors, api_error_rate)
           VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT baseline_only_count FROM diffs WHERE date = ?), ?, ?, ?, ?)`,
        )
        .run(
          date,
          dc.status,
          dc.processing_ms / 1000,
          dc.r1_hits,
          dc.r2_hits,
          dc.r3_hits,
          dc.r4_hits,
          date,
          c.audit ? (c.audit.auditPassed ? 1 : 0) : null,
          dc.theta_requests,
          dc.theta_errors,
          requests > 0 ? (dc.theta_errors + dc.polygon_errors) / requests : 0,
        );
      failpoint('store.commit');
    });
  }

  /** Deletes a day's scan output (hits, rules, fundamentals, miss audit, audit row); inside a transaction. */
  private deleteDayRows(date: string): void {
    stmt(
      this.db,
      'DELETE FROM discovery_hit_rules WHERE hit_id IN (SELECT hit_id FROM discovery_hits WHERE event_date = ?)',
    ).run(date);
    stmt(
      this.db,
      'DELETE FROM discovery_hit_fundamentals WHERE hit_id IN (SELECT hit_id FROM discovery_hits WHERE event_date = ?)',
    ).run(date);
    stmt(this.db, 'DELETE FROM discovery_hits WHERE event_date = ?').run(date);
    stmt(this.db, 'DELETE FROM miss_audit WHERE date = ?').run(date);
    stmt(this.db, 'DELETE FROM enhanced_audit_log WHERE date = ?').run(date);
  }

  // ---- reads (days.ts, hits.ts) ---------------------------------------------------------------

  /** Status and discoveries of every scanned day in [start, end]. */
  dayStatuses(start: string, end: string): Map<string, DayStatusInfo> {
    return dayStatuses(this.db, start, end);
  }

  /** How the scanned days of [start, end] are known (see days.ts proofCounts). */
  proofCounts(
    start: string,
    end: string,
  ): { days: number; proven: number; byProof: Record<string, number>; unproven: string[] } {
    return proofCounts(this.db, start, end);
  }

  /** The stored proof of each scanned day of [start, end] (see days.ts dayProofs). */
  dayProofs(start: string, end: string): Map<string, 'exhaustive' | 'baseline' | 'sampled'> {
    return dayProofs(this.db, start, end);
  }

  /** The day_completeness row of `date`, or undefined. */
  dayCompleteness(date: string): (DayCompleteness & { updated_at: string }) | undefined {
    return dayCompleteness(this.db, date);
  }

  /** Every stored hit with its rules and fundamentals, events in [start, end], by date then ticker. */
  hits(start: string, end: string): StoredHit[] {
    return storedHits(this.db, start, end);
  }

  // ---- alerts (alerts.ts) -----------------------------------------------------------------------

  /** Inserts an alert and returns it; one transaction. */
  addAlert(a: NewAlert): AlertInfo {
    return this.write(() => insertAlert(this.db, a));
  }

  /** Unacknowledged alerts, newest first (at most `limit`). */
  openAlerts(limit = 20): AlertInfo[] {
    return openAlerts(this.db, limit);
  }

  /** Marks an alert acknowledged; one transaction. */
  ackAlert(id: number): void {
    this.write(() => ackAlert(this.db, id));
  }
}
