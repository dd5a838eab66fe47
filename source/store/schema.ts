/**
 * SQLite schema of the store, as ordered migrations applied by `PRAGMA user_version`.
 * Table and column names are the operators' runbook names (domain.md section 5); columns may grow
 * in later migrations, never be renamed. Timestamps are UTC ISO 8601; dates are trading dates.
 */

/** Ordered migrations; migration i brings user_version from i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE daily_raw (
    date TEXT NOT NULL, symbol TEXT NOT NULL,
    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
    volume REAL NOT NULL, vwap REAL, transactions INTEGER, provider TEXT NOT NULL,
    PRIMARY KEY (date, symbol)
  ) WITHOUT ROWID;
  CREATE INDEX daily_raw_symbol ON daily_raw(symbol, date);
  -- which dates have a complete grouped-daily pull stored (an empty trading day is still 'stored')
  CREATE TABLE daily_raw_days (date TEXT PRIMARY KEY, symbols INTEGER NOT NULL, fetched_at TEXT NOT NULL, provider TEXT NOT NULL);

  CREATE TABLE universe_day (
    date TEXT NOT NULL, symbol TEXT NOT NULL, type TEXT, primary_exchange TEXT,
    active INTEGER NOT NULL, delisted_utc TEXT,
    PRIMARY KEY (date, symbol)
  ) WITHOUT ROWID;
  CREATE TABLE universe_days (date TEXT PRIMARY KEY, symbols INTEGER NOT NULL, pinned_at TEXT NOT NULL);

  CREATE TABLE symbol_meta (
    symbol TEXT NOT NULL, as_of TEXT NOT NULL, primary_exchange TEXT, exchange TEXT, security_type TEXT,
    shares_outstanding REAL, market_cap REAL, float_shares REAL, source TEXT,
    PRIMARY KEY (symbol, as_of)
  );
  CREATE TABLE splits (
    symbol TEXT NOT NULL, execution_date TEXT NOT NULL, split_from REAL NOT NULL, split_to REAL NOT NULL,
    PRIMARY KEY (symbol, execution_date)
  );
  -- months (YYYY-MM) whose splits have been fetched from Polygon
  CREATE TABLE splits_fetched (month TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, count INTEGER NOT NULL);

  CREATE TABLE pm_cache (
    symbol TEXT NOT NULL, date TEXT NOT NULL, source TEXT NOT NULL, venue TEXT NOT NULL,
    outcome TEXT NOT NULL, pm_high REAL, fetched_at TEXT NOT NULL,
    PRIMARY KEY (symbol, date, source, venue)
  );
  CREATE INDEX pm_cache_date ON pm_cache(date, symbol);

  CREATE TABLE discovery_hits (
    hit_id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticker TEXT NOT NULL, event_date TEXT NOT NULL,
    volume REAL, prev_close REAL, open REAL, high REAL, low REAL, close REAL, vwap REAL,
    intraday_push_pct REAL, pm_high REAL, pm_high_source TEXT, pm_high_venue TEXT, exchange TEXT,
    is_near_reverse_split INTEGER NOT NULL DEFAULT 0, rs_exec_date TEXT, rs_days_after INTEGER,
    security_type TEXT, basis_factor REAL NOT NULL DEFAULT 1, rs_note TEXT,
    UNIQUE (ticker, event_date)
  );
  CREATE INDEX discovery_hits_date ON discovery_hits(event_date);
  CREATE TABLE discovery_hit_rules (
    hit_id INTEGER NOT NULL REFERENCES discovery_hits(hit_id) ON DELETE CASCADE,
    trigger_rule TEXT NOT NULL, rule_value REAL NOT NULL,
    UNIQUE (hit_id, trigger_rule)
  );
  CREATE TABLE discovery_hit_fundamentals (
    hit_id INTEGER PRIMARY KEY REFERENCES discovery_hits(hit_id) ON DELETE CASCADE,
    shares_outstanding REAL, market_cap REAL, float_shares REAL, dollar_volume REAL, data_source TEXT
  );

  CREATE TABLE miss_audit (
    date TEXT NOT NULL, symbol TEXT NOT NULL, audit_type TEXT NOT NULL,
    missed_initially INTEGER NOT NULL, rule_triggered TEXT, rule_value REAL
  );
  CREATE INDEX miss_audit_date ON miss_audit(date);

  CREATE TABLE baseline_hits (date TEXT NOT NULL, symbol TEXT NOT NULL, event_type TEXT NOT NULL, pct_value REAL,
    PRIMARY KEY (date, symbol, event_type));
  CREATE TABLE diffs (date TEXT PRIMARY KEY, overlap_count INTEGER NOT NULL, discovery_only_count INTEGER NOT NULL,
    baseline_only_count INTEGER NOT NULL, detail TEXT, at TEXT);
  CREATE TABLE enhanced_audit_log (date TEXT PRIMARY KEY, sample_size INTEGER NOT NULL, misses INTEGER NOT NULL,
    miss_rate_upper_95 REAL, audit_passed INTEGER NOT NULL, at TEXT);

  CREATE TABLE day_completeness (
    date TEXT PRIMARY KEY, total_universe INTEGER, daily_raw_symbols INTEGER, coverage_pct REAL,
    discoveries INTEGER, r1_hits INTEGER, r2_hits INTEGER, r3_hits INTEGER, r4_hits INTEGER,
    cand_pass1 INTEGER, r1_checked INTEGER, r1_unanswered INTEGER, miss_audit_sample INTEGER, miss_audit_hits INTEGER,
    status TEXT NOT NULL, provider_status TEXT,
    r1_mode TEXT, no_prev_close INTEGER, filtered_exchange INTEGER, filtered_type INTEGER, filtered_unknown_type INTEGER,
    filtered_volume INTEGER, audit_sample_misses INTEGER, processing_ms INTEGER, theta_requests INTEGER, theta_errors INTEGER,
    polygon_requests INTEGER, polygon_errors INTEGER, stage_ms TEXT, updated_at TEXT
  );
  CREATE TABLE qc_daily_summary (
    date TEXT PRIMARY KEY, status TEXT, processing_time_seconds REAL,
    r1_hits INTEGER, r2_hits INTEGER, r3_hits INTEGER, r4_hits INTEGER,
    baseline_only_count INTEGER, audit_passed INTEGER, theta_requests INTEGER, theta_errors INTEGER, api_error_rate REAL
  );
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, severity TEXT NOT NULL, kind TEXT NOT NULL,
    date TEXT, message TEXT NOT NULL, acknowledged_at TEXT
  );
  `,
  // 2: how each day's R1 completeness is known (docs/domain.md section 14)
  `
  ALTER TABLE day_completeness ADD COLUMN proof TEXT;
  ALTER TABLE day_completeness ADD COLUMN proof_source TEXT;
  ALTER TABLE day_completeness ADD COLUMN proof_checked INTEGER;
  ALTER TABLE day_completeness ADD COLUMN proof_found TEXT;
  `,
  // 3: one store, one market (domain.md section 15). store_meta: key/value facts about the store
  // itself ('store_id': a random id given at creation or at this migration, named by the backfill
  // state file; 'created_at'). market_identity: the market of the store's days, one row per market
  // in the order recorded; from_date NULL for the first (every day up to the next row's from_date),
  // else the first trading day the market applies to (an intended switch, --switch-market).
  `
  CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO store_meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
  INSERT INTO store_meta (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  CREATE TABLE market_identity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    from_date TEXT,
    market TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    note TEXT
  );
  `,
];
