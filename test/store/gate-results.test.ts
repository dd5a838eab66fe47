/**
 * Gate results in the store (schema migration 6, source/store/validation.ts): written whole per
 * validation, read back in the order the gates ran; a store written before the migration (the
 * schema-3 fixture of migration-4.test.ts, validated on 2024-03-06) migrates with no gate rows
 * (left empty), and its day detail derives the validation from qc_daily_summary.status, migrated or
 * opened read-only without migrating.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { Store } from '../../source/store/store.js';
import { SCHEMA_VERSION } from '../../source/store/db.js';
import { GATE_RESULTS_SCHEMA, gateResults, putGateResults } from '../../source/store/validation.js';
import { loadDayDetail } from '../../source/runtime/day-detail.js';
import { GATES } from '../../source/engine/validate.js';
import { tempDir } from '../helpers/paths.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/store-v3/scanner-v3.db.gz');
const VALIDATED_DAY = '2024-03-06';

function v3Store(): string {
  const path = join(tempDir(), 'scanner.db');
  writeFileSync(path, gunzipSync(readFileSync(FIXTURE)));
  return path;
}

const ALL_OK = GATES.map((gate) => ({ gate, passed: true, message: 'ok' }));

describe('gate_results', () => {
  it("is the newest migration, and a validation replaces the day's gates whole, read back in the order they ran", () => {
    expect(SCHEMA_VERSION).toBe(GATE_RESULTS_SCHEMA);
    const store = Store.open(join(tempDir(), 's.db'));
    try {
      expect(gateResults(store.db, '2024-01-03')).toEqual([]);
      const failed = [
        { gate: 'COMPLETENESS', passed: true, message: 'ok' },
        { gate: 'BASIS_SANITY', passed: false, message: 'AAA dollar volume 1 vs recomputed 2.00' },
      ];
      store.write(() => putGateResults(store.db, '2024-01-03', failed));
      store.write(() => putGateResults(store.db, '2024-01-04', ALL_OK));
      expect(gateResults(store.db, '2024-01-03')).toEqual(failed);
      store.write(() => putGateResults(store.db, '2024-01-03', ALL_OK.slice(0, 3)));
      expect(gateResults(store.db, '2024-01-03')).toEqual(ALL_OK.slice(0, 3));
      expect(gateResults(store.db, '2024-01-04')).toEqual(ALL_OK);
    } finally {
      store.close();
    }
  });

  it('a store written before migration 6 migrates with no gate rows, and its validated day still shows every gate passed', () => {
    const path = v3Store();
    const store = Store.open(path);
    try {
      const n = (store.db.prepare('SELECT count(*) AS n FROM gate_results').get() as { n: number })
        .n;
      expect(n).toBe(0); // left empty: no gate result is invented
      const d = loadDayDetail(store.db, tempDir(), VALIDATED_DAY);
      expect(d.validation).toEqual({ status: 'VALIDATED', gates: ALL_OK });
      expect(loadDayDetail(store.db, tempDir(), '2024-03-05').validation).toBeNull();
    } finally {
      store.close();
    }
  });

  it('an older store opened read-only (not migrated, no gate_results table) reads no gate rows and the same derived view', () => {
    const path = v3Store();
    const store = Store.open(path, { readonly: true });
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(3);
      expect(gateResults(store.db, VALIDATED_DAY)).toEqual([]);
      expect(loadDayDetail(store.db, tempDir(), VALIDATED_DAY).validation).toEqual({
        status: 'VALIDATED',
        gates: ALL_OK,
      });
    } finally {
      store.close();
    }
  });

  it('a failed validation of an older store shows its failed gate with the reason the validation left on the day', () => {
    const path = v3Store();
    const db = new Database(path);
    db.prepare("UPDATE qc_daily_summary SET status = 'FAILED_AUDIT' WHERE date = ?").run(
      VALIDATED_DAY,
    );
    db.prepare(
      "UPDATE day_completeness SET status = 'RETRY_NEEDED', provider_status = 'validate AUDIT: audit sample: 1 miss(es) in 50' WHERE date = ?",
    ).run(VALIDATED_DAY);
    db.close();
    const store = Store.open(path);
    try {
      expect(loadDayDetail(store.db, tempDir(), VALIDATED_DAY).validation).toEqual({
        status: 'FAILED_AUDIT',
        gates: [{ gate: 'AUDIT', passed: false, message: 'audit sample: 1 miss(es) in 50' }],
      });
    } finally {
      store.close();
    }
  });
});
