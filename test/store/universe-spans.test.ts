/**
 * Pinned universes as spans (source/store/universe-spans.ts, schema migration 5): whatever the
 * order days are pinned and re-pinned in, every pinned day reads back exactly the universe pinned
 * for it, and the spans are the canonical ones (the maximal runs of consecutive pinned days with
 * the same attributes), so a resumed backfill leaves the same rows as an uninterrupted one.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../source/store/store.js';
import { dayOf } from '../../source/store/compact.js';
import type { UniverseTicker } from '../../source/providers/types.js';
import { tempDir } from '../helpers/paths.js';

const DATES = [
  '2024-03-04',
  '2024-03-05',
  '2024-03-06',
  '2024-03-07',
  '2024-03-08',
  '2024-03-11',
  '2024-03-12',
  '2024-03-13',
  '2024-03-14',
  '2024-03-15',
];
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF'];

/** A small deterministic generator (LCG). */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** A random universe: each symbol in or out, with one of two types and maybe delisted. */
function randomUniverse(r: () => number): UniverseTicker[] {
  const out: UniverseTicker[] = [];
  for (const symbol of SYMBOLS) {
    if (r() < 0.25) continue;
    const changed = r() < 0.2;
    out.push({
      symbol,
      type: changed ? 'WARRANT' : 'CS',
      primaryExchange: 'XNAS',
      market: 'stocks',
      active: !changed,
      delistedUtc: changed && r() < 0.5 ? '2024-04-01T00:00:00Z' : null,
    });
  }
  return out;
}

/** The canonical spans of a model (date -> universe): maximal runs over consecutive pinned days. */
function canonicalSpans(model: Map<string, UniverseTicker[]>): string[] {
  const days = [...model.keys()].sort();
  const out: string[] = [];
  for (const symbol of SYMBOLS) {
    let open: { from: string; to: string; key: string } | null = null;
    for (const d of days) {
      const t = model.get(d)!.find((u) => u.symbol === symbol);
      const key = t
        ? JSON.stringify([t.type, t.primaryExchange, t.active ? 1 : 0, t.delistedUtc])
        : null;
      if (open && key === open.key) open.to = d;
      else {
        if (open) out.push(`${symbol} ${open.from}..${open.to} ${open.key}`);
        open = key ? { from: d, to: d, key } : null;
      }
    }
    if (open) out.push(`${symbol} ${open.from}..${open.to} ${open.key}`);
  }
  return out.sort();
}

function storedSpans(store: Store): string[] {
  const rows = store.db
    .prepare(
      "SELECT s.symbol, date(u.from_day * 86400, 'unixepoch') f, date(u.to_day * 86400, 'unixepoch') t, u.type, u.primary_exchange, u.active, u.delisted_utc FROM universe_span u JOIN symbol s ON s.id = u.sym",
    )
    .all() as {
    symbol: string;
    f: string;
    t: string;
    type: string;
    primary_exchange: string;
    active: number;
    delisted_utc: string | null;
  }[];
  return rows
    .map(
      (r) =>
        `${r.symbol} ${r.f}..${r.t} ${JSON.stringify([r.type, r.primary_exchange, r.active, r.delisted_utc])}`,
    )
    .sort();
}

describe('universe spans', () => {
  it('random pins and re-pins in random order read back exactly, with canonical spans', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = rng(seed);
      const store = Store.open(join(tempDir(), `s${seed}.db`));
      const model = new Map<string, UniverseTicker[]>();
      for (let step = 0; step < 25; step++) {
        const date = DATES[Math.floor(r() * DATES.length)]!;
        // a few universes repeat the previous day's exactly, as real ones mostly do
        const prev = [...model.entries()]
          .filter(([d]) => d < date)
          .sort()
          .pop();
        const u = prev && r() < 0.5 ? prev[1] : randomUniverse(r);
        store.pinUniverse(date, u);
        model.set(date, u);
        for (const d of DATES) {
          const want = model.get(d);
          const got = store.getUniverse(d);
          expect({ seed, step, d, got }).toEqual({
            seed,
            step,
            d,
            got: want ? [...want].sort((a, b) => a.symbol.localeCompare(b.symbol)) : null,
          });
        }
        expect({ seed, step, spans: storedSpans(store) }).toEqual({
          seed,
          step,
          spans: canonicalSpans(model),
        });
      }
      // the runbooks' view gives one row per pinned day and member
      const viewRows = (
        store.db.prepare('SELECT count(*) n FROM universe_day').get() as { n: number }
      ).n;
      expect(viewRows).toBe([...model.values()].reduce((n, u) => n + u.length, 0));
      store.close();
    }
  });

  it('a backfill pinning day after day keeps one span per symbol while nothing changes', () => {
    const store = Store.open(join(tempDir(), 'scanner.db'));
    const u: UniverseTicker[] = SYMBOLS.map((symbol) => ({
      symbol,
      type: 'CS',
      primaryExchange: 'XNYS',
      market: 'stocks',
      active: true,
      delistedUtc: null,
    }));
    for (const d of DATES)
      store.pinUniverse(d, d >= '2024-03-12' ? u.filter((t) => t.symbol !== 'CCC') : u);
    const rows = store.db
      .prepare('SELECT sym, from_day, to_day FROM universe_span ORDER BY sym')
      .all() as { sym: number; from_day: number; to_day: number }[];
    expect(rows).toHaveLength(SYMBOLS.length);
    expect(rows.filter((x) => x.to_day === dayOf('2024-03-11'))).toHaveLength(1); // CCC left the universe on 2024-03-12
    store.close();
  });
});
