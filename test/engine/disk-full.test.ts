/**
 * Issue 9.5: a full disk. Today the message names no path, current_state.json stays RUNNING and a
 * 0-byte FAIL_*.md stays behind. Here the disk fills up through the test-only injected write
 * failure `GAPCTL_FS_FAULT=ENOSPC:<substring>` (source/util/failpoint.ts: the write to a matching
 * path creates its file empty, then fails with ENOSPC as a real full disk does). What this proves:
 * how gapctl handles an ENOSPC error where it writes files (atomic writes, exports, FAIL reports,
 * the backfill's end state); it does not fill a real file system (no tmpfs in tests) and does not
 * cover SQLite's own SQLITE_FULL path beyond its classification.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testSession } from '../helpers/session.js';
import { tempDir } from '../helpers/paths.js';
import { runBackfill } from '../../source/engine/backfill.js';
import { validateDay } from '../../source/engine/validate.js';
import { readBackfillState, writeFileAtomic } from '../../source/store/state-files.js';
import { backfillHooks } from '../../source/runtime/hooks.js';
import { createSimMarket } from '../../source/market/sim/index.js';
import { isTradingDay, prevTradingDay } from '../../source/calendar/index.js';
import { isDiskFull } from '../../source/util/fs-errors.js';
import type { Session } from '../../source/runtime/session.js';

let open: Session[] = [];
afterEach(async () => {
  delete process.env.GAPCTL_FS_FAULT;
  for (const s of open) await s.close();
  open = [];
});

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const smallSim = () =>
  createSimMarket({ seed: 7, tickers: 400, calendar: { isTradingDay, prevTradingDay } });

describe('disk full', () => {
  it('an atomic write that runs out of space names the file and leaves no empty or temp file', () => {
    const dir = tempDir();
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'old\n');
    process.env.GAPCTL_FS_FAULT = 'ENOSPC:out.csv';
    let err: unknown;
    try {
      writeFileAtomic(path, 'new\n');
    } catch (e) {
      err = e;
    }
    expect(isDiskFull(err)).toBe(true);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/^ENOSPC: no space left on device/);
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(path, 'utf8')).toBe('old\n');
  });

  it('a backfill that fills the disk halts (not RUNNING, not FAILED) with the path and ENOSPC, leaves no empty file, and resumes', async () => {
    const t = await testSession({ market: 'sim:7', source: smallSim() });
    open.push(t.session);
    const ctx = t.session.ctx;
    const job = {
      start: '2024-03-04',
      end: '2024-03-05',
      validate: 'none' as const,
      skipPhase0: true,
    };
    process.env.GAPCTL_FS_FAULT = `ENOSPC:${join(t.dir, 'exports')}`;
    const r = await runBackfill(ctx, { ...job, ...backfillHooks(t.session, job) });
    expect(r.state).toBe('HALTED');
    expect(r.reason).toMatch(
      /^disk full \(ENOSPC\): no space left on device, write \(.*exports.*\.csv\)/,
    );
    const st = readBackfillState(ctx.stateDir)!;
    expect(st.status).toBe('HALTED');
    expect(st.halt_reason).toBe(r.reason);
    expect(readFileSync(join(ctx.stateDir, 'HELP_REQUEST.md'), 'utf8')).toContain('DISK_FULL');
    const all = [...files(t.dir)];
    expect(all.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(
      all.filter((f) => !f.endsWith('.db') && !/-(wal|shm)$/.test(f) && statSync(f).size === 0),
    ).toEqual([]);

    // Space freed: the same backfill resumes and finishes.
    delete process.env.GAPCTL_FS_FAULT;
    const again = await runBackfill(ctx, { ...job, ...backfillHooks(t.session, job) });
    expect(again.state).toBe('DONE');
    expect(readBackfillState(ctx.stateDir)).toMatchObject({ status: 'DONE', halt_reason: null });
  }, 120_000);

  it('a FAIL report that does not fit leaves no 0-byte FAIL_*.md and names the file', async () => {
    const t = await testSession({ market: 'sim:7', source: smallSim() });
    open.push(t.session);
    const ctx = t.session.ctx;
    const day = '2024-03-04';
    const job = { start: day, end: day, validate: 'none' as const, skipPhase0: true };
    expect((await runBackfill(ctx, { ...job, ...backfillHooks(t.session, job) })).state).toBe(
      'DONE',
    );
    // A gate that fails (no exchange allowed matches the hits) makes validation write its FAIL report.
    ctx.cfg = { ...ctx.cfg, ALLOWED_EXCHANGES: ['AMEX'] };
    process.env.GAPCTL_FS_FAULT = 'ENOSPC:FAIL_';
    await expect(validateDay(ctx, day)).rejects.toThrow(
      /ENOSPC: no space left on device, write \(.*FAIL_EXCHANGE_DOMAIN_2024-03-04\.md\)/,
    );
    expect(readdirSync(ctx.stateDir).filter((n) => n.startsWith('FAIL_'))).toEqual([]);
    delete process.env.GAPCTL_FS_FAULT;
    const v = await validateDay(ctx, day);
    // With space again the report is written whole (the first attempt already marked the day FAILED, so the gate named differs).
    expect(v.passed).toBe(false);
    expect(statSync(join(ctx.stateDir, `FAIL_${v.gate}_${day}.md`)).size).toBeGreaterThan(0);
  }, 120_000);
});
