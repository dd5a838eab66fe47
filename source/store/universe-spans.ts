/**
 * Pinned universes as spans (schema migration 5, docs/domain.md section 5). The universe of a
 * trading day barely changes from the day before, so instead of one row per day and symbol the
 * store keeps `universe_span(sym, from_day, to_day, type, primary_exchange, active, delisted_utc)`:
 * the symbol is a member, with those attributes, of the pinned universe of every pinned day (a day
 * with a `universe_days` row) from `from_day` to `to_day` (day numbers, both pinned days).
 *
 * Spans are kept canonical: the maximal runs of consecutive pinned days on which a symbol is a
 * member with the same attributes. So the table depends only on which universes are pinned, never
 * on the order they were pinned in (a resumed backfill leaves the same rows as an uninterrupted
 * one). Pinning a day between pinned days splits the spans that run across it; re-pinning a day
 * first takes it out of every span that covers it.
 *
 * Runs inside the caller's write transaction; plain SQL over better-sqlite3, no I/O of its own.
 */
import type { Db } from './db.js';

/** The attributes a span carries (a universe member's, without the symbol). */
export interface MemberAttrs {
  type: string | null;
  primary_exchange: string | null;
  active: number;
  delisted_utc: string | null;
}

/** One span row. */
interface Span extends MemberAttrs {
  sym: number;
  from_day: number;
  to_day: number;
}

function sameAttrs(a: MemberAttrs, b: MemberAttrs): boolean {
  return (
    a.type === b.type &&
    a.primary_exchange === b.primary_exchange &&
    a.active === b.active &&
    a.delisted_utc === b.delisted_utc
  );
}

/** Statements of one connection. */
class SpanSql {
  readonly insert;
  readonly remove;
  readonly setTo;
  constructor(readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO universe_span (sym, from_day, to_day, type, primary_exchange, active, delisted_utc) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.remove = db.prepare('DELETE FROM universe_span WHERE sym = ? AND from_day = ?');
    this.setTo = db.prepare('UPDATE universe_span SET to_day = ? WHERE sym = ? AND from_day = ?');
  }
  add(s: Span): void {
    this.insert.run(
      s.sym,
      s.from_day,
      s.to_day,
      s.type,
      s.primary_exchange,
      s.active,
      s.delisted_utc,
    );
  }
  /** Moves the span starting at `s.from_day` to start at `from` (from_day is in the key). */
  moveFrom(s: Span, from: number): void {
    this.remove.run(s.sym, s.from_day);
    this.add({ ...s, from_day: from });
  }
}

const cache = new WeakMap<Db, SpanSql>();
function sqlOf(db: Db): SpanSql {
  let s = cache.get(db);
  if (!s) cache.set(db, (s = new SpanSql(db)));
  return s;
}

/** The pinned day numbers before and after `day` (excluding it), from `pinnedDays` (sorted). */
function neighbours(
  pinnedDays: readonly number[],
  day: number,
): { prev: number | null; next: number | null } {
  let prev: number | null = null;
  let next: number | null = null;
  for (const d of pinnedDays) {
    if (d < day) prev = d;
    else if (d > day) {
      next = d;
      break;
    }
  }
  return { prev, next };
}

/**
 * Takes `day` out of every span covering it (before a re-pin): a span of that day alone goes, a span
 * starting or ending on it shrinks to the neighbouring pinned day, a span running across it is cut
 * in two. `pinnedDays`: every pinned day number, sorted, `day` included or not.
 */
export function unpinDay(db: Db, pinnedDays: readonly number[], day: number): void {
  const sql = sqlOf(db);
  const { prev, next } = neighbours(pinnedDays, day);
  const covering = db
    .prepare('SELECT * FROM universe_span WHERE from_day <= ? AND to_day >= ?')
    .all(day, day) as Span[];
  for (const s of covering) {
    if (s.from_day === day && s.to_day === day) sql.remove.run(s.sym, s.from_day);
    else if (s.from_day === day) sql.moveFrom(s, next!);
    else if (s.to_day === day) sql.setTo.run(prev!, s.sym, s.from_day);
    else {
      sql.setTo.run(prev!, s.sym, s.from_day);
      sql.add({ ...s, from_day: next! });
    }
  }
}

/**
 * Adds the universe `members` (symbol id -> attributes) of `day`, a day not pinned yet, keeping the
 * spans canonical. `pinnedDays`: the other pinned day numbers, sorted (without `day`).
 */
export function pinDay(
  db: Db,
  pinnedDays: readonly number[],
  day: number,
  members: ReadonlyMap<number, MemberAttrs>,
): void {
  const sql = sqlOf(db);
  const { prev, next } = neighbours(pinnedDays, day);
  const done = new Set<number>();
  // spans running across the new day (from_day <= prev, to_day >= next)
  if (prev !== null && next !== null) {
    const across = db
      .prepare('SELECT * FROM universe_span WHERE to_day >= ? AND from_day <= ?')
      .all(next, prev) as Span[];
    for (const s of across) {
      const m = members.get(s.sym);
      if (m && sameAttrs(m, s)) {
        done.add(s.sym); // it now covers the new day too
        continue;
      }
      sql.setTo.run(prev, s.sym, s.from_day);
      sql.add({ ...s, from_day: next });
    }
  }
  const endingBefore = new Map<number, Span>();
  if (prev !== null)
    for (const s of db.prepare('SELECT * FROM universe_span WHERE to_day = ?').all(prev) as Span[])
      endingBefore.set(s.sym, s);
  const startingAfter = new Map<number, Span>();
  if (next !== null)
    for (const s of db
      .prepare('SELECT * FROM universe_span WHERE from_day = ?')
      .all(next) as Span[])
      startingAfter.set(s.sym, s);
  for (const [sym, m] of members) {
    if (done.has(sym)) continue;
    const left = endingBefore.get(sym);
    const right = startingAfter.get(sym);
    const joinLeft = left !== undefined && sameAttrs(left, m);
    const joinRight = right !== undefined && sameAttrs(right, m);
    if (joinLeft && joinRight) {
      sql.remove.run(sym, right.from_day);
      sql.setTo.run(right.to_day, sym, left.from_day);
    } else if (joinLeft) sql.setTo.run(day, sym, left.from_day);
    else if (joinRight) sql.moveFrom(right, day);
    else sql.add({ sym, from_day: day, to_day: day, ...m });
  }
}
