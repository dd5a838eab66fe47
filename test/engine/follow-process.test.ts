/**
 * Issue 12.1, as a process: `gapctl backfill --follow` over the test-only GAPCTL_FAKE_CLOCK
 * (engine/clock.ts: starts at an instant, jumps over each wait up to a horizon, then waits for a
 * stop). Run 1 is SIGKILLed inside the transaction of Black Friday 2024-11-29 (failpoint
 * store.commit:4), after Thanksgiving was skipped; run 2 starts days later with no flags, catches up
 * 11-29, 12-02 and 12-03, then waits FOLLOWING for 12-04 (past its horizon) and stops on SIGTERM.
 * Every trading day is committed by exactly one of the runs, no holiday or weekend is scanned.
 * The simulated universe is SIM_TICKERS=1000: the schedule does not depend on its size.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { runEnv } from '../helpers/outcome.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

function start(
  args: string[],
  env: NodeJS.ProcessEnv,
): {
  child: ChildProcess;
  out: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, out: () => out, done };
}

describe('backfill --follow as a process: SIGKILL, restart, catch up', () => {
  it('commits each trading day once across a kill and a restart, then waits FOLLOWING', async () => {
    const root = tempDir();
    const base = ['--market', 'sim:7', '--validate', 'none', '--skip-phase0'];
    const r1 = start(
      ['backfill', '--follow', '--start', '2024-11-25', ...base],
      runEnv(root, {
        SIM_TICKERS: '1000',
        GAPCTL_FAKE_CLOCK: '2024-11-27T01:00:00Z..2024-12-10T00:00:00Z',
        GAPCTL_FAILPOINT: 'store.commit:4',
      }).env,
    );
    const k = await r1.done;
    expect(k.signal, r1.out().slice(-500)).toBe('SIGKILL');
    const { env, dirs } = runEnv(root, {
      SIM_TICKERS: '1000',
      GAPCTL_FAKE_CLOCK: '2024-12-03T15:00:00Z..2024-12-04T00:00:00Z',
    });
    expect(
      JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8')),
    ).toMatchObject({
      status: 'RUNNING',
      follow: true,
      range: { start: '2024-11-25', end: '2024-11-29' },
    });

    const r2 = start(['backfill', '--follow'], env);
    const deadline = Date.now() + 180_000;
    while (
      !/FOLLOWING next scan 2024-12-04/.test(r2.out()) &&
      Date.now() < deadline &&
      r2.child.exitCode === null
    )
      await new Promise((r) => setTimeout(r, 100));
    expect(r2.out()).toMatch(
      /FOLLOWING next scan 2024-12-04 at 2024-12-04 18:30 ET \(2024-12-04T23:30:00.000Z\)/,
    );
    const waiting = JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8'));
    expect(waiting).toMatchObject({
      status: 'FOLLOWING',
      next_scan_day: '2024-12-04',
      next_scan_at: '2024-12-04T23:30:00.000Z',
      range: { end: '2024-12-03' },
    });
    r2.child.kill('SIGTERM');
    const e2 = await r2.done;
    expect(e2.code).toBe(1);

    const scannedLines = (r1.out() + r2.out()).match(/^\d{4}-\d{2}-\d{2} COMPLETE/gm) ?? [];
    expect(scannedLines.map((l) => l.slice(0, 10)).sort()).toEqual([
      '2024-11-25',
      '2024-11-26',
      '2024-11-27',
      '2024-11-29',
      '2024-12-02',
      '2024-12-03',
    ]);
    const db = new Database(dirs.db, { readonly: true });
    const rows = db.prepare('SELECT date, status FROM day_completeness ORDER BY date').all();
    db.close();
    expect(rows).toEqual(
      ['2024-11-25', '2024-11-26', '2024-11-27', '2024-11-29', '2024-12-02', '2024-12-03'].map(
        (date) => ({ date, status: 'COMPLETE' }),
      ),
    );
    expect(
      JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8')),
    ).toMatchObject({ status: 'STOPPED', last_completed_day: '2024-12-03' });
  }, 300_000);
});
