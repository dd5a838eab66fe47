/**
 * SQLite schema of the store, as ordered migrations applied by `PRAGMA user_version`.
 * Table and column names are the operators' runbook names (docs/domain.md section 5); columns may grow
 * in later migrations, never be renamed. Timestamps are UTC ISO 8601; dates are trading dates.
 */

import { dateSql, daySql, encodePriceSql, priceSql } from './compact.js';

/**
 * The compact tables of migration 4 (source/store/compact.ts has the encodings): `symbol` (ticker
 * ids), `daily_bar` (the whole market's grouped daily, one row per day and symbol, prices in
 * ten-thousandths, the provider only when it differs from the day's in daily_raw_days) and
 * `universe_member` (the pinned universe of each day). The runbooks' `daily_raw` and
 * `universe_day` become read-only views over them with the old columns and values.
 */
const COMPACT_TABLES = `
  CREATE TABLE symbol (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL UNIQUE);
  -- price columns (open .. close, vwap) are declared without a type: no affinity, so an INTEGER
  -- (ten-thousandths) stays INTEGER and a REAL (any other price) stays REAL
  CREATE TABLE daily_bar (
    day INTEGER NOT NULL, sym INTEGER NOT NULL REFERENCES symbol(id),
    open NOT NULL, high NOT NULL, low NOT NULL, close NOT NULL,
    volume REAL NOT NULL, vwap, transactions INTEGER, provider TEXT,
    PRIMARY KEY (day, sym)
  ) WITHOUT ROWID;
  CREATE TABLE universe_member (
    day INTEGER NOT NULL, sym INTEGER NOT NULL REFERENCES symbol(id),
    type TEXT, primary_exchange TEXT, active INTEGER NOT NULL, delisted_utc TEXT,
    PRIMARY KEY (day, sym)
  ) WITHOUT ROWID;
  CREATE INDEX splits_execution_date ON splits(execution_date);
`;

/** The read-only views keeping the runbooks' `daily_raw` and `universe_day` (same columns, same values). */
const COMPACT_VIEWS = `
  CREATE VIEW daily_raw (date, symbol, open, high, low, close, volume, vwap, transactions, provider) AS
    SELECT ${dateSql('b.day')}, s.symbol, ${priceSql('b.open')}, ${priceSql('b.high')}, ${priceSql('b.low')}, ${priceSql('b.close')},
      b.volume, ${priceSql('b.vwap')}, b.transactions, coalesce(b.provider, d.provider)
    FROM daily_bar b JOIN symbol s ON s.id = b.sym LEFT JOIN daily_raw_days d ON d.date = ${dateSql('b.day')};
  CREATE VIEW universe_day (date, symbol, type, primary_exchange, active, delisted_utc) AS
    SELECT ${dateSql('u.day')}, s.symbol, u.type, u.primary_exchange, u.active, u.delisted_utc
    FROM universe_member u JOIN symbol s ON s.id = u.sym;
`;

/** The read-only view keeping the runbooks' `universe_day` over the spans of migration 5. */
const UNIVERSE_SPAN_VIEW = `
  CREATE VIEW universe_day (date, symbol, type, primary_exchange, active, delisted_utc) AS
    SELECT d.date, s.symbol, u.type, u.primary_exchange, u.active, u.delisted_utc
    FROM universe_days d JOIN universe_span u ON u.from_day <= ${daySql('d.date')} AND u.to_day >= ${daySql('d.date')}
    JOIN symbol s ON s.id = u.sym;
`;

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
  // 3: one store, one market (docs/domain.md section 15). store_meta: key/value facts about the store
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
  // 4: a small store (issue 13.2; docs/domain.md section 5). daily_raw and universe_day move into
  // the compact tables above (day numbers, symbol ids, prices in ten-thousandths, WITHOUT ROWID, no
  // per-row provider, no daily_raw_symbol index: no query reads bars by symbol alone) and become
  // views with the old columns. Every row and value is kept (test/store/migration-4.test.ts).
  `
  ${COMPACT_TABLES}
  INSERT INTO symbol (symbol) SELECT symbol FROM universe_day UNION SELECT symbol FROM daily_raw ORDER BY 1;
  INSERT INTO daily_bar (day, sym, open, high, low, close, volume, vwap, transactions, provider)
    SELECT ${daySql('r.date')}, s.id, ${encodePriceSql('r.open')}, ${encodePriceSql('r.high')}, ${encodePriceSql('r.low')},
      ${encodePriceSql('r.close')}, r.volume, ${encodePriceSql('r.vwap')}, r.transactions,
      CASE WHEN d.provider IS r.provider THEN NULL ELSE r.provider END
    FROM daily_raw r JOIN symbol s ON s.symbol = r.symbol LEFT JOIN daily_raw_days d ON d.date = r.date
    ORDER BY 1, 2;
  INSERT INTO universe_member (day, sym, type, primary_exchange, active, delisted_utc)
    SELECT ${daySql('u.date')}, s.id, u.type, u.primary_exchange, u.active, u.delisted_utc
    FROM universe_day u JOIN symbol s ON s.symbol = u.symbol
    ORDER BY 1, 2;
  DROP TABLE daily_raw;
  DROP TABLE universe_day;
  ${COMPACT_VIEWS}
  `,
  // 5: pinned universes as spans (source/store/universe-spans.ts): one row per symbol and run of
  // consecutive pinned days with the same attributes instead of one per day and symbol (the
  // universe barely changes from a day to the next). A member row of a day that has no
  // universe_days row (never written by gapctl, which pins both in one transaction) gives that day
  // one, so that no row is lost. Every row is kept (test/store/migration-4.test.ts).
  `
  INSERT INTO universe_days (date, symbols, pinned_at)
    SELECT ${dateSql('day')}, count(*), 'migration 5' FROM universe_member
    WHERE ${dateSql('day')} NOT IN (SELECT date FROM universe_days) GROUP BY day;
  CREATE TABLE universe_span (
    sym INTEGER NOT NULL REFERENCES symbol(id), from_day INTEGER NOT NULL, to_day INTEGER NOT NULL,
    type TEXT, primary_exchange TEXT, active INTEGER NOT NULL, delisted_utc TEXT,
    PRIMARY KEY (sym, from_day)
  ) WITHOUT ROWID;
  CREATE INDEX universe_span_to ON universe_span(to_day);
  CREATE INDEX universe_span_from ON universe_span(from_day);
  WITH pinned AS (SELECT ${daySql('date')} AS day, row_number() OVER (ORDER BY date) AS r FROM universe_days),
    m AS (
      SELECT u.sym, u.day, u.type, u.primary_exchange, u.active, u.delisted_utc,
        p.r - row_number() OVER (PARTITION BY u.sym, u.type, u.primary_exchange, u.active, u.delisted_utc ORDER BY p.r) AS island
      FROM universe_member u JOIN pinned p ON p.day = u.day)
  INSERT INTO universe_span (sym, from_day, to_day, type, primary_exchange, active, delisted_utc)
    SELECT sym, min(day), max(day), type, primary_exchange, active, delisted_utc FROM m
    GROUP BY sym, type, primary_exchange, active, delisted_utc, island ORDER BY 1, 2;
  DROP VIEW universe_day;
  DROP TABLE universe_member;
  ${UNIVERSE_SPAN_VIEW}
  `,
  // 6: gate results in a table (issue 11.2; source/store/validation.ts): each gate a validation ran,
  // in order (seq from 1), passed 1/0 and its message, replaced whole by the next validation of the
  // day; read by the day detail instead of the FAIL_<GATE>_<date>.md report. Validations recorded
  // before this migration are LEFT EMPTY (no rows are invented: a failed validation's passing gates
  // were written only to its FAIL report); the day detail derives their view from
  // qc_daily_summary.status as before: VALIDATED = every gate passed, FAILED_<GATE> = that gate
  // failed with day_completeness.provider_status's reason (test/store/gate-results.test.ts).
  `
  CREATE TABLE gate_results (
    date TEXT NOT NULL, seq INTEGER NOT NULL, gate TEXT NOT NULL, passed INTEGER NOT NULL, message TEXT NOT NULL,
    PRIMARY KEY (date, seq)
  ) WITHOUT ROWID;
  `,
];
