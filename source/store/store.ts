/**
 * The store's typed API over better-sqlite3: raw bars, pinned universes, splits, the premarket
 * cache, metadata, and the one-transaction commit of a scanned day. The engine thread is the only
 * writer; every write transaction is begun IMMEDIATE.
 */
import type { Db } from './db.js';
import { failpoint } from '../util/failpoint.js';
import { nowIso, openDb, type OpenDbOptions } from './db.js';
import { LruMap } from '../util/lru.js';
import { dayOf, encodePrice, priceSql } from './compact.js';
import { pinDay, unpinDay, type MemberAttrs } from './universe-spans.js';
import type { GroupedBar, PmHighSource, PmHighVenue, SplitInfo, UniverseTicker } from '../providers/types.js';
import type { AlertInfo, DayStatus } from '../contracts/events.js';
import { ruleRank, type RuleCode } from '../contracts/rules.js';

/** Days of grouped-daily bars the store keeps in memory (the R4 window, the previous day, margin). */
export const RAW_CACHE_DAYS = 10;

/** A cached premarket answer (definitive answers only: a high, or no premarket trades). */
export interface PmCacheRow {
  symbol: string;
  source: PmHighSource;
  venue: PmHighVenue;
  outcome: 'high' | 'no_trades';
  /** Dollars; null for no_trades. */
  pmHigh: number | null;
}

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

/** One row of the miss audit (domain.md step 9 and the audit sample). */
export interface MissAuditRow {
  symbol: string;
  auditType: string;
  missedInitially: boolean;
  ruleTriggered: string | null;
  ruleValue: number | null;
}

/** day_completeness row (counters of one day). */
export interface DayCompleteness {
  date: string;
  total_universe: number;
  daily_raw_symbols: number;
  coverage_pct: number;
  discoveries: number;
  r1_hits: number;
  r2_hits: number;
  r3_hits: number;
  r4_hits: number;
  cand_pass1: number;
  r1_checked: number;
  r1_unanswered: number;
  miss_audit_sample: number;
  miss_audit_hits: number;
  status: DayStatus;
  provider_status: string;
  r1_mode: string;
  no_prev_close: number;
  filtered_exchange: number;
  filtered_type: number;
  filtered_unknown_type: number;
  filtered_volume: number;
  audit_sample_misses: number;
  processing_ms: number;
  theta_requests: number;
  theta_errors: number;
  polygon_requests: number;
  polygon_errors: number;
  /** JSON object stage -> ms. */
  stage_ms: string;
  /**
   * How the day's R1 completeness is known (docs/domain.md section 14): `exhaustive` (the premarket
   * high of every eligible symbol was answered), `baseline` (a complete validation found no
   * baseline-only hit), `sampled` (prefilter and audit only: not proven).
   */
  proof: 'exhaustive' | 'baseline' | 'sampled';
  /** Where the proof's premarket highs came from: `flatfile` (+ Theta confirmations), `theta`, or null (sampled). */
  proof_source: 'flatfile' | 'theta' | null;
  /** Eligible symbols whose premarket high (or its absence) the proof established. */
  proof_checked: number;
  /** R1 hits the proof found outside the prefilter, `TICKER:pct|...` (empty when none). */
  proof_found: string;
}

/** What one day's commit writes, atomically. */
export interface DayCommit {
  completeness: DayCompleteness;
  hits: HitRow[];
  missAudit: MissAuditRow[];
  /** Enhanced audit of the random sample (rule of three). */
  audit: { sampleSize: number; misses: number; missRateUpper95: number | null; auditPassed: boolean } | null;
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

/** Schema version from which daily_raw is the compact table daily_bar (schema.ts migration 4). */
const COMPACT_SCHEMA = 4;
/** Schema version from which pinned universes are spans (schema.ts migration 5). */
const SPAN_SCHEMA = 5;

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
  splits: 'SELECT symbol, execution_date, split_from, split_to FROM splits WHERE execution_date BETWEEN ? AND ? ORDER BY execution_date, symbol',
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
  dayStatuses: 'SELECT date, status, discoveries, r1_hits, r2_hits, r3_hits, r4_hits, provider_status FROM day_completeness WHERE date BETWEEN ? AND ? ORDER BY date',
} as const;

/**
 * The same reads on an older store opened read-only (not migrated): text keys, through the old
 * tables (schema 3) or the runbooks' views (universe_day on schema 4: slower, the same rows).
 */
const LEGACY_QUERIES = {
  universe: 'SELECT symbol, type, primary_exchange, active, delisted_utc FROM universe_day WHERE date = ? ORDER BY symbol',
  dailyBars: 'SELECT symbol, open, high, low, close, volume, vwap, transactions FROM daily_raw WHERE date = ?',
  dailyBar: 'SELECT open, high, low, close, volume, vwap, transactions FROM daily_raw WHERE date = ? AND symbol = ?',
} as const;

/** A stored grouped-daily bar as read back (dollars, shares). */
export interface StoredBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  transactions: number | null;
}

/**
 * The typed store. Construct with {@link Store.open}; one per thread.
 */
export class Store {
  /**
   * Recently read or written grouped-daily days by date (a backfill reads the same days again for
   * the previous close and the R4 window). Cleared per date on write; this process is the one writer.
   */
  private readonly rawCache = new LruMap<string, Map<string, GroupedBar>>(RAW_CACHE_DAYS);

  /** Symbol ids by ticker (the `symbol` table), loaded on first use; dropped when a write fails (its new ids were rolled back). */
  private symIds: Map<string, number> | null = null;

  /** True when the store has the compact table daily_bar (schema >= 4); false only for an older store opened read-only. */
  private readonly compact: boolean;
  /** True when pinned universes are spans (schema >= 5); false only for an older store opened read-only. */
  private readonly spans: boolean;

  private constructor(readonly db: Db, readonly path: string) {
    const version = db.pragma('user_version', { simple: true }) as number;
    this.compact = version >= COMPACT_SCHEMA;
    this.spans = version >= SPAN_SCHEMA;
  }

  /**
   * Opens the store at `path` (migrating it).
   * @throws StoreError on a locked, corrupt or foreign file.
   */
  static open(path: string, opts?: OpenDbOptions): Store {
    return new Store(openDb(path, opts), path);
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
      this.symIds = new Map((this.db.prepare('SELECT id, symbol FROM symbol').all() as { id: number; symbol: string }[]).map((r) => [r.symbol, r.id]));
    }
    let id = this.symIds.get(symbol);
    if (id === undefined) {
      id = Number(this.db.prepare('INSERT INTO symbol (symbol) VALUES (?)').run(symbol).lastInsertRowid);
      this.symIds.set(symbol, id);
    }
    return id;
  }

  // ---- universe_day -------------------------------------------------------------------------

  /** The pinned universe of `date`, or null when not pinned yet. */
  getUniverse(date: string): UniverseTicker[] | null {
    const pinned = this.db.prepare('SELECT symbols FROM universe_days WHERE date = ?').get(date);
    if (!pinned) return null;
    const rows = this.db
      .prepare(this.spans ? STORE_QUERIES.universe : LEGACY_QUERIES.universe)
      .all(...(this.spans ? [dayOf(date), dayOf(date)] : [date])) as { symbol: string; type: string | null; primary_exchange: string | null; active: number; delisted_utc: string | null }[];
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
      const pinned = (this.db.prepare('SELECT date FROM universe_days ORDER BY date').all() as { date: string }[]).map((r) => dayOf(r.date));
      if (pinned.includes(day)) unpinDay(this.db, pinned, day);
      const members = new Map<number, MemberAttrs>();
      for (const t of tickers) {
        members.set(this.symbolId(t.symbol), { type: t.type, primary_exchange: t.primaryExchange, active: t.active ? 1 : 0, delisted_utc: t.delistedUtc });
      }
      pinDay(this.db, pinned.filter((d) => d !== day), day, members);
      this.db.prepare('INSERT OR REPLACE INTO universe_days (date, symbols, pinned_at) VALUES (?, ?, ?)').run(date, tickers.length, nowIso());
    });
  }

  // ---- daily_raw ----------------------------------------------------------------------------

  /** True when the grouped daily of `date` has been stored (even if it was empty). */
  hasDailyRaw(date: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM daily_raw_days WHERE date = ?').get(date);
  }

  /** The provider that stored the grouped daily of `date` (daily_raw_days.provider, e.g. `polygon` or `polygon-emulated:sim:5`); null when none is stored. */
  dailyRawProvider(date: string): string | null {
    const r = this.db.prepare('SELECT provider FROM daily_raw_days WHERE date = ?').get(date) as { provider: string } | undefined;
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
        ins.run(day, this.symbolId(b.symbol), encodePrice(b.open), encodePrice(b.high), encodePrice(b.low), encodePrice(b.close), b.volume, encodePrice(b.vwap), b.transactions);
      }
      this.db
        .prepare('INSERT OR REPLACE INTO daily_raw_days (date, symbols, fetched_at, provider) VALUES (?, ?, ?, ?)')
        .run(date, bars.length, nowIso(), provider);
    });
  }

  /** The stored bars of `date` by symbol (empty map when none). The map is shared: do not modify it. */
  getDailyRaw(date: string): Map<string, GroupedBar> {
    const cached = this.rawCache.get(date);
    if (cached) return cached;
    const rows = this.db
      .prepare(this.compact ? STORE_QUERIES.dailyBars : LEGACY_QUERIES.dailyBars)
      .all(this.dayKey(date)) as { symbol: string; open: number; high: number; low: number; close: number; volume: number; vwap: number | null; transactions: number | null }[];
    const out = new Map<string, GroupedBar>();
    for (const r of rows) out.set(r.symbol, { ...r, otc: false });
    this.rawCache.set(date, out);
    return out;
  }

  /** The stored bar of `symbol` on `date` (dollars, shares), or null when none is stored. */
  getBar(date: string, symbol: string): StoredBar | null {
    const cached = this.rawCache.get(date)?.get(symbol);
    if (cached) return { open: cached.open, high: cached.high, low: cached.low, close: cached.close, volume: cached.volume, vwap: cached.vwap, transactions: cached.transactions };
    const r = this.db.prepare(this.compact ? STORE_QUERIES.dailyBar : LEGACY_QUERIES.dailyBar).get(this.dayKey(date), symbol) as StoredBar | undefined;
    return r ?? null;
  }

  // ---- splits -------------------------------------------------------------------------------

  /** True when the splits of `month` (YYYY-MM) have been fetched. */
  splitsFetched(month: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM splits_fetched WHERE month = ?').get(month);
  }

  /** Caches the splits of `month` (YYYY-MM) fetched from Polygon. */
  putSplits(month: string, splits: readonly SplitInfo[]): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO splits (symbol, execution_date, split_from, split_to) VALUES (?, ?, ?, ?)');
    this.write(() => {
      for (const s of splits) ins.run(s.symbol, s.executionDate, s.splitFrom, s.splitTo);
      this.db.prepare('INSERT OR REPLACE INTO splits_fetched (month, fetched_at, count) VALUES (?, ?, ?)').run(month, nowIso(), splits.length);
    });
  }

  /** Cached splits with execution dates in [from, to]. */
  getSplits(from: string, to: string): SplitInfo[] {
    return (
      this.db
        .prepare(STORE_QUERIES.splits)
        .all(from, to) as { symbol: string; execution_date: string; split_from: number; split_to: number }[]
    ).map((r) => ({ symbol: r.symbol, executionDate: r.execution_date, splitFrom: r.split_from, splitTo: r.split_to }));
  }

  // ---- pm_cache -----------------------------------------------------------------------------

  /** Cached definitive premarket answers of `date` by symbol (v3 preferred over v1 over ohlc). */
  getPmCache(date: string): Map<string, PmCacheRow> {
    const rank: Record<string, number> = { v3_trades: 0, v1_trades: 1, v1_ohlc_1m: 2 };
    const rows = this.db.prepare(STORE_QUERIES.pmCache).all(date) as {
      symbol: string;
      source: PmHighSource;
      venue: PmHighVenue;
      outcome: 'high' | 'no_trades';
      pm_high: number | null;
    }[];
    const out = new Map<string, PmCacheRow>();
    for (const r of rows) {
      const prev = out.get(r.symbol);
      if (!prev || rank[r.source]! < rank[prev.source]!) {
        out.set(r.symbol, { symbol: r.symbol, source: r.source, venue: r.venue, outcome: r.outcome, pmHigh: r.pm_high });
      }
    }
    return out;
  }

  /** Caches definitive premarket answers of `date`; one transaction. */
  putPmCache(date: string, rows: readonly PmCacheRow[]): void {
    if (rows.length === 0) return;
    const ins = this.db.prepare(
      'INSERT OR REPLACE INTO pm_cache (symbol, date, source, venue, outcome, pm_high, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const at = nowIso();
    this.write(() => {
      for (const r of rows) ins.run(r.symbol, date, r.source, r.venue, r.outcome, r.pmHigh, at);
    });
  }

  // ---- symbol_meta --------------------------------------------------------------------------

  /** Cached metadata of `symbol` as of `asOf`, or undefined. */
  getMeta(symbol: string, asOf: string): { shares_outstanding: number | null; market_cap: number | null; float_shares: number | null; source: string | null; security_type: string | null; primary_exchange: string | null } | undefined {
    return this.db
      .prepare('SELECT shares_outstanding, market_cap, float_shares, source, security_type, primary_exchange FROM symbol_meta WHERE symbol = ? AND as_of = ?')
      .get(symbol, asOf) as never;
  }

  /** Caches metadata of `symbol` as of `asOf`. */
  putMeta(row: { symbol: string; asOf: string; primaryExchange: string | null; exchange: string | null; securityType: string | null; sharesOutstanding: number | null; marketCap: number | null; floatShares: number | null; source: string }): void {
    this.write(() =>
      this.db
        .prepare(
          'INSERT OR REPLACE INTO symbol_meta (symbol, as_of, primary_exchange, exchange, security_type, shares_outstanding, market_cap, float_shares, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(row.symbol, row.asOf, row.primaryExchange, row.exchange, row.securityType, row.sharesOutstanding, row.marketCap, row.floatShares, row.source),
    );
  }

  // ---- the day commit -----------------------------------------------------------------------

  /**
   * Writes a scanned day in ONE immediate transaction: deletes the day's old hits, rules,
   * fundamentals, miss audit and audit rows, then inserts the new ones, the day_completeness row
   * and the qc_daily_summary row. A process killed at any moment leaves the day complete or absent.
   */
  commitDay(c: DayCommit): void {
    const date = c.completeness.date;
    const insHit = this.db.prepare(
      `INSERT INTO discovery_hits (ticker, event_date, volume, prev_close, open, high, low, close, vwap, intraday_push_pct,
        pm_high, pm_high_source, pm_high_venue, exchange, is_near_reverse_split, rs_exec_date, rs_days_after, security_type, basis_factor, rs_note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insRule = this.db.prepare('INSERT INTO discovery_hit_rules (hit_id, trigger_rule, rule_value) VALUES (?, ?, ?)');
    const insFund = this.db.prepare(
      'INSERT INTO discovery_hit_fundamentals (hit_id, shares_outstanding, market_cap, float_shares, dollar_volume, data_source) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insMiss = this.db.prepare(
      'INSERT INTO miss_audit (date, symbol, audit_type, missed_initially, rule_triggered, rule_value) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const dc = c.completeness;
    this.write(() => {
      this.deleteDayRows(date);
      for (const h of c.hits) {
        const info = insHit.run(
          h.ticker, date, h.volume, h.prevClose, h.open, h.high, h.low, h.close, h.vwap, h.intradayPushPct,
          h.pmHigh, h.pmHighSource, h.pmHighVenue, h.exchange, h.isNearReverseSplit ? 1 : 0, h.rsExecDate, h.rsDaysAfter,
          h.securityType, h.basisFactor, h.rsNote,
        );
        const id = Number(info.lastInsertRowid);
        for (const r of h.rules) insRule.run(id, r.rule, r.value);
        const f = h.fundamentals;
        insFund.run(id, f.sharesOutstanding, f.marketCap, f.floatShares, f.dollarVolume, f.dataSource);
      }
      for (const m of c.missAudit) insMiss.run(date, m.symbol, m.auditType, m.missedInitially ? 1 : 0, m.ruleTriggered, m.ruleValue);
      if (c.audit) {
        this.db
          .prepare('INSERT OR REPLACE INTO enhanced_audit_log (date, sample_size, misses, miss_rate_upper_95, audit_passed, at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(date, c.audit.sampleSize, c.audit.misses, c.audit.missRateUpper95, c.audit.auditPassed ? 1 : 0, nowIso());
      }
      const cols = Object.keys(dc);
      this.db
        .prepare(`INSERT OR REPLACE INTO day_completeness (${cols.join(', ')}, updated_at) VALUES (${cols.map(() => '?').join(', ')}, ?)`)
        .run(...cols.map((k) => (dc as unknown as Record<string, unknown>)[k]), nowIso());
      const requests = dc.theta_requests + dc.polygon_requests;
      this.db
        .prepare(
          `INSERT OR REPLACE INTO qc_daily_summary (date, status, processing_time_seconds, r1_hits, r2_hits, r3_hits, r4_hits,
            baseline_only_count, audit_passed, theta_requests, theta_errors, api_error_rate)
           VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT baseline_only_count FROM diffs WHERE date = ?), ?, ?, ?, ?)`,
        )
        .run(
          date, dc.status, dc.processing_ms / 1000, dc.r1_hits, dc.r2_hits, dc.r3_hits, dc.r4_hits, date,
          c.audit ? (c.audit.auditPassed ? 1 : 0) : null, dc.theta_requests, dc.theta_errors,
          requests > 0 ? (dc.theta_errors + dc.polygon_errors) / requests : 0,
        );
      failpoint('store.commit');
    });
  }

  /** Deletes a day's scan output (hits, rules, fundamentals, miss audit, audit row); inside a transaction. */
  private deleteDayRows(date: string): void {
    this.db.prepare('DELETE FROM discovery_hit_rules WHERE hit_id IN (SELECT hit_id FROM discovery_hits WHERE event_date = ?)').run(date);
    this.db.prepare('DELETE FROM discovery_hit_fundamentals WHERE hit_id IN (SELECT hit_id FROM discovery_hits WHERE event_date = ?)').run(date);
    this.db.prepare('DELETE FROM discovery_hits WHERE event_date = ?').run(date);
    this.db.prepare('DELETE FROM miss_audit WHERE date = ?').run(date);
    this.db.prepare('DELETE FROM enhanced_audit_log WHERE date = ?').run(date);
  }

  // ---- reads --------------------------------------------------------------------------------

  /** Status and discoveries of every scanned day in [start, end]. */
  dayStatuses(start: string, end: string): Map<string, { status: DayStatus; discoveries: number; r1: number; r2: number; r3: number; r4: number; providerStatus: string | null }> {
    const rows = this.db
      .prepare(STORE_QUERIES.dayStatuses)
      .all(start, end) as { date: string; status: DayStatus; discoveries: number | null; r1_hits: number | null; r2_hits: number | null; r3_hits: number | null; r4_hits: number | null; provider_status: string | null }[];
    return new Map(
      rows.map((r) => [r.date, { status: r.status, discoveries: r.discoveries ?? 0, r1: r.r1_hits ?? 0, r2: r.r2_hits ?? 0, r3: r.r3_hits ?? 0, r4: r.r4_hits ?? 0, providerStatus: r.provider_status }]),
    );
  }

  /**
   * How the scanned days of [start, end] are known (docs/domain.md section 14): `days` scanned,
   * `proven` (COMPLETE with proof exhaustive or baseline), `unproven` (the other scanned days, sorted).
   */
  proofCounts(start: string, end: string): { days: number; proven: number; byProof: Record<string, number>; unproven: string[] } {
    const rows = this.db.prepare('SELECT date, status, proof FROM day_completeness WHERE date BETWEEN ? AND ? ORDER BY date').all(start, end) as { date: string; status: string; proof: string | null }[];
    const byProof: Record<string, number> = {};
    const unproven: string[] = [];
    for (const r of rows) {
      const p = r.proof ?? 'sampled';
      byProof[p] = (byProof[p] ?? 0) + 1;
      if (r.status !== 'COMPLETE' || p === 'sampled') unproven.push(r.date);
    }
    return { days: rows.length, proven: rows.length - unproven.length, byProof, unproven };
  }

  /**
   * The stored proof of each scanned day of [start, end] (day_completeness.proof; a NULL proof, a row
   * written before the proof column was filled, reads `sampled`: not proven).
   */
  dayProofs(start: string, end: string): Map<string, 'exhaustive' | 'baseline' | 'sampled'> {
    const rows = this.db.prepare('SELECT date, proof FROM day_completeness WHERE date BETWEEN ? AND ?').all(start, end) as { date: string; proof: string | null }[];
    return new Map(rows.map((r) => [r.date, r.proof === 'exhaustive' || r.proof === 'baseline' ? r.proof : 'sampled']));
  }

  /** The day_completeness row of `date`, or undefined. */
  dayCompleteness(date: string): (DayCompleteness & { updated_at: string }) | undefined {
    return this.db.prepare('SELECT * FROM day_completeness WHERE date = ?').get(date) as never;
  }

  /** Every stored hit with its rules and fundamentals, events in [start, end], by date then ticker. */
  hits(start: string, end: string): StoredHit[] {
    const rows = this.db
      .prepare(STORE_QUERIES.hits)
      .all(start, end) as Omit<StoredHit, 'rules'>[];
    const rules = this.db
      .prepare(STORE_QUERIES.hitRules)
      .all(start, end) as { hit_id: number; trigger_rule: HitRule['rule']; rule_value: number }[];
    const byHit = new Map<number, HitRule[]>();
    for (const r of rules) {
      const list = byHit.get(r.hit_id) ?? [];
      list.push({ rule: r.trigger_rule, value: r.rule_value });
      byHit.set(r.hit_id, list);
    }
    return rows.map((r) => ({ ...r, rules: (byHit.get(r.hit_id) ?? []).sort((a, b) => ruleRank(a.rule) - ruleRank(b.rule)) }));
  }

  // ---- alerts -------------------------------------------------------------------------------

  /** Inserts an alert and returns it. */
  addAlert(a: { severity: AlertInfo['severity']; kind: string; date: string | null; message: string }): AlertInfo {
    const at = nowIso();
    const info = this.write(() =>
      this.db.prepare('INSERT INTO alerts (at, severity, kind, date, message) VALUES (?, ?, ?, ?, ?)').run(at, a.severity, a.kind, a.date, a.message),
    );
    return { id: Number(info.lastInsertRowid), at, severity: a.severity, kind: a.kind, date: a.date, message: a.message, acknowledged: false };
  }

  /** Unacknowledged alerts, newest first (at most `limit`). */
  openAlerts(limit = 20): AlertInfo[] {
    return (
      this.db
        .prepare('SELECT id, at, severity, kind, date, message, acknowledged_at FROM alerts WHERE acknowledged_at IS NULL ORDER BY id DESC LIMIT ?')
        .all(limit) as { id: number; at: string; severity: AlertInfo['severity']; kind: string; date: string | null; message: string; acknowledged_at: string | null }[]
    ).map((r) => ({ id: r.id, at: r.at, severity: r.severity, kind: r.kind, date: r.date, message: r.message, acknowledged: r.acknowledged_at !== null }));
  }

  /** Marks an alert acknowledged. */
  ackAlert(id: number): void {
    this.write(() => this.db.prepare('UPDATE alerts SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL').run(nowIso(), id));
  }
}
