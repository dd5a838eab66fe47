/**
 * The store's shared helpers (source/store/db.ts): statements prepared once per connection and SQL
 * text, column lists, and the health probe that opens a file read-only without openDb's refusals.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../source/store/store.js';
import { probeStore, SCHEMA_VERSION, stmt, tableColumns } from '../../source/store/db.js';
import { dayProofRows } from '../../source/store/days.js';
import { tempDir } from '../helpers/paths.js';

describe('stmt', () => {
  it('prepares a statement once per connection and SQL text', () => {
    const dir = tempDir();
    const a = Store.open(join(dir, 'a.db'));
    const b = Store.open(join(dir, 'b.db'));
    try {
      const sql = 'SELECT COUNT(*) AS n FROM alerts';
      const first = stmt(a.db, sql);
      expect(stmt(a.db, sql)).toBe(first);
      expect(stmt(a.db, `${sql} WHERE id > 0`)).not.toBe(first);
      expect(stmt(b.db, sql)).not.toBe(first);
      a.addAlert({ severity: 'WARNING', kind: 'x', date: null, message: 'm' });
      expect(stmt(a.db, sql).get()).toEqual({ n: 1 });
      expect(stmt(b.db, sql).get()).toEqual({ n: 0 });
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('tableColumns', () => {
  it("lists a table's columns in order, [] for a missing table, and refuses a name that is not an identifier", () => {
    const store = Store.open(join(tempDir(), 's.db'));
    try {
      expect(tableColumns(store.db, 'gate_results')).toEqual([
        'date',
        'seq',
        'gate',
        'passed',
        'message',
      ]);
      expect(tableColumns(store.db, 'no_such_table')).toEqual([]);
      expect(() => tableColumns(store.db, 'alerts; DROP TABLE alerts')).toThrow(/not a table name/);
      expect(dayProofRows(store.db, '2024-01-01', '2024-12-31')).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe('probeStore', () => {
  it('opens a store read-only with its version and quick_check; reports a file that is not a database as unreadable', () => {
    const dir = tempDir();
    const path = join(dir, 's.db');
    Store.open(path).close();
    const p = probeStore(path, 1000);
    expect(p.kind).toBe('open');
    if (p.kind === 'open') {
      expect(p.version).toBe(SCHEMA_VERSION);
      expect(p.check).toBe('ok');
      expect(() => p.db.prepare('DELETE FROM alerts').run()).toThrow(/readonly/i);
      p.db.close();
    }
    const junk = join(dir, 'junk.db');
    writeFileSync(
      junk,
      'this is not a SQLite database, only text that is long enough to have a header'.repeat(20),
    );
    const bad = probeStore(junk, 1000);
    expect(bad.kind).toBe('unreadable');
    expect(probeStore(join(dir, 'absent.db'), 1000).kind).toBe('unopenable');
  });
});
