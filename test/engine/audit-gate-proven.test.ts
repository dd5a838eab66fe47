/**
 * The AUDIT gate on a proven day (docs/domain.md section 7, decision "The AUDIT gate on a proven
 * day"). The simulated market sim:7 at SIM_TICKERS=300 with a premarket fade forced under the
 * prefilter on 2024-02-05 (SIM_PM_FADES): R1's random audit sample happens to contain the fade, R1
 * stores it as a hit, so the rule of three counts m = 1. The same situation as the 3-year
 * simulated backfill's halt at 2023-04-24 (TFM), at a fraction of the cost.
 *
 * - The day is proven (exhaustive): the audit's figures are stored as before (m, n, the bound,
 *   audit_passed = 0), the gate passes with a detail line and a WARNING says the prefilter leaks;
 *   a backfill over the day runs to DONE.
 * - The same sample miss on a day that is not proven (stored proof `sampled`) fails the gate, the
 *   day needs a retry; without the proof (R1_PROOF=off) the backfill halts at the day.
 * - A proven day whose sample miss is not a stored R1 hit fails the gate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { testSession } from '../helpers/session.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { runEnv } from '../helpers/outcome.js';
import { scanDay } from '../../source/engine/day.js';
import { validateDay, GATES } from '../../source/engine/validate.js';
import { missRateUpper95 } from '../../source/engine/rules.js';
import type { Session } from '../../source/runtime/session.js';

const DAY = '2024-02-05';
const ENV = { SIM_TICKERS: '300', SIM_PM_FADES: DAY };
const CLI = join(REPO_ROOT, 'dist/cli.js');

let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

/** A session over sim:7 (SIM_TICKERS=300, the fade on DAY) with DAY scanned. */
async function scanned() {
  const t = await testSession({ market: 'sim:7', env: ENV });
  open.push(t.session);
  const r = await scanDay(t.session.ctx, DAY);
  return { ...t, scan: r, db: t.session.ctx.store.db };
}

/** The sample's miss symbols (miss_audit random_sample, missed_initially = 1). */
function sampleMisses(db: Database.Database): string[] {
  return (
    db
      .prepare(
        "SELECT symbol FROM miss_audit WHERE date = ? AND audit_type = 'random_sample' AND missed_initially = 1",
      )
      .all(DAY) as { symbol: string }[]
  ).map((r) => r.symbol);
}

describe('the AUDIT gate on a proven day', () => {
  it('a proven day whose random sample caught a prefilter miss stored as a hit passes with a WARNING; the audit figures are kept', async () => {
    const t = await scanned();
    expect(t.scan.status).toBe('COMPLETE');
    expect(t.session.ctx.store.dayCompleteness(DAY)!.proof).toBe('exhaustive');
    const audit = t.db
      .prepare('SELECT sample_size, misses FROM enhanced_audit_log WHERE date = ?')
      .get(DAY) as { sample_size: number; misses: number };
    expect(audit).toEqual({ sample_size: 50, misses: 1 });
    const [missed] = sampleMisses(t.db);
    expect(missed).toBeDefined();
    // The miss is a stored R1 hit.
    expect(
      t.session.ctx.store
        .hits(DAY, DAY)
        .find((h) => h.ticker === missed)
        ?.rules.map((x) => x.rule),
    ).toContain('PM_GAP_50');

    const r = await validateDay(t.session.ctx, DAY);
    expect(r.passed, r.message).toBe(true);
    expect(r.gates.map((g) => g.gate)).toEqual([...GATES]);
    const gate = r.gates.find((g) => g.gate === 'AUDIT')!;
    expect(gate.passed).toBe(true);
    expect(gate.message).toMatch(
      new RegExp(
        `^1 prefilter miss\\(es\\) in the random sample \\(${missed}\\), all stored as hits; the day's proof is exhaustive, no miss remains \\(audit sample: 1 miss\\(es\\) in 50; 95% upper bound of the miss rate 9\\.\\d\\d%\\)$`,
      ),
    );
    // The audit's figures exactly as before: m, n, the bound, audit_passed = 0.
    const bound = missRateUpper95(1, 50)!;
    expect(
      t.db
        .prepare(
          'SELECT sample_size, misses, miss_rate_upper_95, audit_passed FROM enhanced_audit_log WHERE date = ?',
        )
        .get(DAY),
    ).toEqual({ sample_size: 50, misses: 1, miss_rate_upper_95: bound, audit_passed: 0 });
    expect(
      t.db.prepare('SELECT status, audit_passed FROM qc_daily_summary WHERE date = ?').get(DAY),
    ).toEqual({ status: 'VALIDATED', audit_passed: 0 });
    expect(t.session.ctx.store.dayCompleteness(DAY)!.status).toBe('COMPLETE');
    expect(existsSync(join(t.session.ctx.stateDir, `FAIL_AUDIT_${DAY}.md`))).toBe(false);
    const alerts = t.db
      .prepare('SELECT severity, kind, message FROM alerts WHERE date = ? ORDER BY id')
      .all(DAY) as { severity: string; kind: string; message: string }[];
    const leak = alerts.filter((a) => a.kind === 'audit_prefilter_leak');
    expect(leak).toHaveLength(1);
    expect(leak[0]!.severity).toBe('WARNING');
    expect(leak[0]!.message).toContain(`${DAY} the prefilter leaks: 1 R1 hit(s) outside it`);
    expect(leak[0]!.message).toContain(missed!);
    expect(leak[0]!.message).toContain('R1_PREFILTER_PCT');
    expect(leak[0]!.message).toContain('R1_MODE=exhaustive');
    expect(alerts.some((a) => a.kind.startsWith('gate_'))).toBe(false);
  }, 60_000);

  it('the same sample miss on a day whose proof is sampled fails the gate and the day needs a retry', async () => {
    const t = await scanned();
    t.db.prepare("UPDATE day_completeness SET proof = 'sampled' WHERE date = ?").run(DAY);
    const r = await validateDay(t.session.ctx, DAY);
    expect(r.passed).toBe(false);
    expect(r.gate).toBe('AUDIT');
    expect(r.message).toMatch(
      /^audit sample: 1 miss\(es\) in 50; 95% upper bound of the miss rate 9\.\d\d%; the day is not proven \(proof sampled\)$/,
    );
    expect(existsSync(join(t.session.ctx.stateDir, `FAIL_AUDIT_${DAY}.md`))).toBe(true);
    expect(t.session.ctx.store.dayCompleteness(DAY)!.status).toBe('RETRY_NEEDED');
    expect(
      t.db.prepare('SELECT misses, audit_passed FROM enhanced_audit_log WHERE date = ?').get(DAY),
    ).toEqual({ misses: 1, audit_passed: 0 });
    expect(
      t.db.prepare("SELECT COUNT(*) AS n FROM alerts WHERE kind = 'audit_prefilter_leak'").get(),
    ).toEqual({ n: 0 });
    expect(
      t.db.prepare("SELECT severity FROM alerts WHERE date = ? AND kind = 'gate_audit'").all(DAY),
    ).toEqual([{ severity: 'WARNING' }]);
  }, 60_000);

  it('a proven day whose sample miss is not a stored R1 hit fails the gate', async () => {
    const t = await scanned();
    // A sampled symbol that is no hit, recorded as a sample miss: the audit's count no longer
    // matches what the store holds as hits (the baseline sees nothing wrong: it is no real hit).
    const other = (
      t.db
        .prepare(
          "SELECT symbol FROM miss_audit WHERE date = ? AND audit_type = 'random_sample' AND missed_initially = 0 ORDER BY symbol LIMIT 1",
        )
        .get(DAY) as { symbol: string }
    ).symbol;
    t.db
      .prepare(
        "UPDATE miss_audit SET missed_initially = 1 WHERE date = ? AND audit_type = 'random_sample' AND symbol = ?",
      )
      .run(DAY, other);
    t.db.prepare('UPDATE enhanced_audit_log SET misses = 2 WHERE date = ?').run(DAY);
    const r = await validateDay(t.session.ctx, DAY);
    expect(r.passed).toBe(false);
    expect(r.gate).toBe('AUDIT');
    expect(r.message).toMatch(
      new RegExp(`^audit sample: 2 miss\\(es\\) in 50; .*; not stored as R1 hits: ${other}$`),
    );
    expect(t.session.ctx.store.dayCompleteness(DAY)!.status).toBe('RETRY_NEEDED');
  }, 60_000);

  it('a backfill over the day runs to DONE on the proof; without the proof (R1_PROOF=off) it halts at the day', () => {
    const run = (extra: Record<string, string>) => {
      const { env, dirs } = runEnv(tempDir(), { ...ENV, ...extra });
      const p = spawnSync(
        process.execPath,
        [
          CLI,
          'backfill',
          '--market',
          'sim:7',
          '--start',
          DAY,
          '--end',
          DAY,
          '--validate',
          'all',
          '--skip-phase0',
        ],
        { env, encoding: 'utf8' },
      );
      const state = JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8'));
      const db = new Database(dirs.db, { readonly: true });
      try {
        const kinds = (
          db.prepare('SELECT kind FROM alerts WHERE date = ? ORDER BY id').all(DAY) as {
            kind: string;
          }[]
        ).map((a) => a.kind);
        return { p, state, kinds };
      } finally {
        db.close();
      }
    };
    const proven = run({});
    expect(proven.p.status, proven.p.stdout + proven.p.stderr).toBe(0);
    expect(proven.state.status).toBe('DONE');
    expect(proven.kinds).toContain('audit_prefilter_leak');

    const unproven = run({ R1_PROOF: 'off' });
    expect(unproven.p.status).toBe(1);
    expect(unproven.state).toMatchObject({ status: 'HALTED', halted_day: DAY });
    expect(unproven.kinds).not.toContain('audit_prefilter_leak');
  }, 90_000);
});
