/**
 * Issue 10 point 2: `backfill --dry-run` plans what the backfill will do about proofs. With proofs on
 * (the default) a COMPLETE day that is not proven is rescanned to prove it, so the plan lists it to
 * scan and says why; with `--no-proof` (proof off) every COMPLETE day is skipped as before.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { dryRunLines, dryRunPlan } from '../../source/commands/backfill-plan.js';
import { Store } from '../../source/store/store.js';
import { completeness } from '../export/fixtures.js';
import { tempDir } from '../helpers/paths.js';

describe('backfill --dry-run and proofs', () => {
  it('unproven COMPLETE days are to scan with proofs on, skipped with --no-proof', () => {
    const db = join(tempDir(), 's.db');
    const store = Store.open(db);
    store.commitDay({
      completeness: completeness('2018-01-29', { proof: 'exhaustive', proof_source: 'theta' }),
      hits: [],
      missAudit: [],
      audit: null,
    });
    store.commitDay({
      completeness: completeness('2018-01-30', { proof: 'sampled' }),
      hits: [],
      missAudit: [],
      audit: null,
    });
    store.commitDay({
      completeness: completeness('2018-01-31', { proof: 'baseline' }),
      hits: [],
      missAudit: [],
      audit: null,
    });
    store.close();
    const range = { start: '2018-01-29', end: '2018-01-31', from: 'flags' as const, state: null };

    const proving = dryRunPlan(db, range.start, range.end, false, true);
    expect(proving.months[0]).toMatchObject({
      complete: ['2018-01-29', '2018-01-31'],
      unproven: ['2018-01-30'],
      toScan: ['2018-01-30'],
    });
    const lines = dryRunLines(proving, range, { validate: 'none' });
    expect(lines[1]).toBe(
      '2018-01  3 days  2 complete (skipped)  1 to scan: 2018-01-30  (1 complete but unproven, rescanned to prove them: 2018-01-30)',
    );
    expect(lines.at(-1)).toMatch(/3 trading day\(s\), 2 already complete .*1 to scan/);

    const off = dryRunPlan(db, range.start, range.end, false, false);
    expect(off.months[0]).toMatchObject({
      complete: ['2018-01-29', '2018-01-30', '2018-01-31'],
      unproven: [],
      toScan: [],
    });
    expect(dryRunLines(off, range, {})[1]).toBe('2018-01  3 days  3 complete (skipped)  0 to scan');
  });
});
