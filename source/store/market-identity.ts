/**
 * One store, one market (docs/domain.md section 15): the store's id and the market identity of its days,
 * in the `store_meta` and `market_identity` tables (migration 3 of store/schema.ts).
 *
 * A store holds the days of one market: a replay dataset (by its manifest's SHA-256), a simulated
 * seed, or live (by the provider base URLs). The first market that opens a store for writing is
 * recorded (a store written before markets were recorded adopts it, and says so). Another market is
 * refused in one line naming both. An intended switch (`--switch-market`) is recorded with the first
 * trading day the new market applies to; the days before it keep their old market, and a day before
 * the switch is never scanned or validated under the new market.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from './db.js';
import { nowIso, StoreError } from './db.js';

/** What a market is, as the store records it. */
export interface MarketIdentity {
  kind: 'replay' | 'sim' | 'live';
  /**
   * Canonical identity: two markets are the same market when their keys are equal.
   * `replay:<dataset name>@<first 12 hex of the manifest SHA-256>`, `sim:<seed>` (plus
   * `/pm_fades=<value>` when SIM_PM_FADES is not the default), `live(polygon <url>, theta v3 <url>, v1 <url>)`.
   */
  key: string;
  /** Recorded details (dataset name, full manifest SHA-256 and path; seed; base URLs). Never keys. */
  detail: Record<string, string | number>;
}

/** One recorded market of the store (a row of market_identity). */
export interface MarketRecord {
  id: number;
  /** First trading day the market applies to; null for the first market (every day before the next switch). */
  fromDate: string | null;
  /** The identity key ({@link MarketIdentity.key}). */
  market: string;
  kind: string;
  detail: Record<string, unknown>;
  /** UTC ISO 8601. */
  recordedAt: string;
  /** 'created' (a new store), 'adopted' (a store of an older gapctl), 'switch' (--switch-market). */
  note: string | null;
}

/** A store's id and resolved path, as the backfill state file names its store. */
export interface StoreRef {
  /** Absolute path of the store file. */
  path: string;
  /** The random id recorded at creation (store_meta.store_id); null for a store of an older schema or no store yet. */
  id: string | null;
}

function hasTable(db: Db, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

/** The store's id (store_meta.store_id); null when the store predates it (opened read-only, not migrated). */
export function storeId(db: Db): string | null {
  if (!hasTable(db, 'store_meta')) return null;
  const r = db.prepare("SELECT value FROM store_meta WHERE key = 'store_id'").get() as
    { value: string } | undefined;
  return r?.value ?? null;
}

/** The reference of an open store for the state file: its resolved path and id. */
export function storeRefOf(db: Db, path: string): StoreRef {
  return { path: resolve(path), id: storeId(db) };
}

/**
 * The reference of the store at `path` without changing it: read-only, not migrated; `id` null when
 * the file does not exist, cannot be read or predates store ids.
 */
export function readStoreRef(path: string): StoreRef {
  const abs = resolve(path);
  if (!existsSync(abs)) return { path: abs, id: null };
  let db: Db | null = null;
  try {
    db = new Database(abs, { readonly: true, fileMustExist: true });
    return { path: abs, id: storeId(db) };
  } catch {
    return { path: abs, id: null };
  } finally {
    db?.close();
  }
}

/** The markets recorded in the store, oldest first; [] when none is recorded (or the table predates this build). */
export function marketHistory(db: Db): MarketRecord[] {
  if (!hasTable(db, 'market_identity')) return [];
  const rows = db
    .prepare(
      'SELECT id, from_date, market, kind, detail, recorded_at, note FROM market_identity ORDER BY id',
    )
    .all() as {
    id: number;
    from_date: string | null;
    market: string;
    kind: string;
    detail: string;
    recorded_at: string;
    note: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    fromDate: r.from_date,
    market: r.market,
    kind: r.kind,
    detail: safeJson(r.detail),
    recordedAt: r.recorded_at,
    note: r.note,
  }));
}

function safeJson(s: string): Record<string, unknown> {
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The recorded market that holds `date` (the last one whose from_date is null or <= date); null when none is recorded. */
export function marketOn(history: readonly MarketRecord[], date: string): MarketRecord | null {
  let found: MarketRecord | null = null;
  for (const m of history) if (m.fromDate === null || m.fromDate <= date) found = m;
  return found;
}

/** The recorded markets holding some day of start..end, in order (empty when none is recorded). */
function marketsOver(history: readonly MarketRecord[], start: string, end: string): MarketRecord[] {
  const first = marketOn(history, start);
  const out = first ? [first] : [];
  for (const m of history)
    if (m !== first && m.fromDate !== null && m.fromDate > start && m.fromDate <= end) out.push(m);
  return out;
}

/** "from D on", "before D", "D .. before E" for a record in the history (empty when it is the only one). */
function spanText(history: readonly MarketRecord[], m: MarketRecord): string {
  if (history.length < 2) return '';
  const next = history[history.indexOf(m) + 1];
  if (m.fromDate === null) return next ? ` for days before ${next.fromDate}` : '';
  return next
    ? ` for days ${m.fromDate} .. before ${next.fromDate}`
    : ` for days from ${m.fromDate} on`;
}

/** The latest day any per-day table of the store holds data for (scanned days, raw pulls, universes, premarket cache); null when empty. */
export function latestStoredDay(db: Db): string | null {
  const r = db
    .prepare(
      `SELECT max(d) AS d FROM (
         SELECT max(date) AS d FROM day_completeness UNION ALL SELECT max(date) FROM daily_raw_days
         UNION ALL SELECT max(date) FROM universe_days UNION ALL SELECT max(date) FROM pm_cache)`,
    )
    .get() as { d: string | null };
  return r.d;
}

/** The store refused the market (another market, or a switch that cannot be recorded); one line, nothing written. */
export class MarketMismatchError extends StoreError {}

/** Options of {@link ensureMarket}. */
export interface EnsureMarketOptions {
  /** Record an intended switch to `identity` from the range's first day (refused when the store already holds days from then on). */
  switchMarket?: boolean;
  /** Check only: record nothing (a dry run, or a store opened read-only). */
  checkOnly?: boolean;
}

/** What {@link ensureMarket} did (or, checking only, would do). */
export interface EnsureMarketResult {
  action: 'same' | 'created' | 'adopted' | 'switched';
  /** One line for the log (null when the market is already the store's). */
  message: string | null;
}

const HOW_TO =
  'use --db with another file to start a new store, or --switch-market from the first day of the new market (--start or --date) to record an intended switch';

/**
 * Checks `identity` against the store's recorded market for the days `start..end` and records it
 * when the store has none (a new store: 'created'; a store written before markets were recorded:
 * 'adopted') or when `switchMarket` asks for a switch from `start` on ('switched'). One IMMEDIATE
 * transaction.
 * @param path the store path, for messages.
 * @throws MarketMismatchError (one line naming both markets, nothing written) when a day of the
 * range belongs to another market, or a switch is asked for where it cannot apply (the store holds
 * days from `start` on, or `start` is not after the latest switch).
 */
export function ensureMarket(
  db: Db,
  path: string,
  identity: MarketIdentity,
  start: string,
  end: string,
  opts: EnsureMarketOptions = {},
): EnsureMarketResult {
  const run = (): EnsureMarketResult => {
    const history = marketHistory(db);
    const record = (fromDate: string | null, note: string) => {
      if (opts.checkOnly) return;
      db.prepare(
        'INSERT INTO market_identity (from_date, market, kind, detail, recorded_at, note) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(fromDate, identity.key, identity.kind, JSON.stringify(identity.detail), nowIso(), note);
    };
    if (history.length === 0) {
      const latest = latestStoredDay(db);
      if (latest === null) {
        record(null, 'created');
        return {
          action: 'created',
          message: `store ${path}: market ${identity.key} recorded (store id ${storeId(db) ?? '?'})`,
        };
      }
      record(null, 'adopted');
      return {
        action: 'adopted',
        message: `store ${path} had no market recorded (written by an older gapctl, days up to ${latest}); it now holds market ${identity.key}, the first market that opened it for writing`,
      };
    }
    const over = marketsOver(history, start, end);
    const other = over.find((m) => m.market !== identity.key);
    if (!other) return { action: 'same', message: null };
    if (!opts.switchMarket) {
      throw new MarketMismatchError(
        `store ${path} holds market ${other.market}${spanText(history, other)}; refusing ${identity.key} (${HOW_TO}); nothing was changed`,
      );
    }
    const last = history[history.length - 1]!;
    if (last.market === identity.key || (last.fromDate !== null && start <= last.fromDate)) {
      throw new MarketMismatchError(
        `store ${path} holds market ${other.market}${spanText(history, other)}; refusing ${identity.key}: a switch applies from a day after the latest recorded market's first day${last.fromDate ? ` (${last.fromDate})` : ''} only, and days before a switch keep their market; nothing was changed`,
      );
    }
    const latest = latestStoredDay(db);
    if (latest !== null && latest >= start) {
      throw new MarketMismatchError(
        `store ${path} holds days of market ${last.market} up to ${latest}; refusing to switch to ${identity.key} from ${start}: a switch starts after the last stored day (give --start after ${latest}); nothing was changed`,
      );
    }
    record(start, 'switch');
    return {
      action: 'switched',
      message: `store ${path}: market switched from ${last.market} to ${identity.key} from ${start} on (recorded; days before ${start} keep ${last.market})`,
    };
  };
  return opts.checkOnly ? run() : db.transaction(run).immediate();
}
