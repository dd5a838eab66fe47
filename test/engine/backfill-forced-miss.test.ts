/**
 * Stop on the first failure, resume once the cause is fixed (issue 4): a simulated backfill with a
 * forced prefilter miss (SIM_PM_FADES puts one premarket fade under the prefilter on 2024-02-06)
 * halts at that day on the baseline's CRITICAL baseline-only hit, says where and why (state file,
 * HELP_REQUEST.md, exit code), then continues after an exhaustive rerun of the day and completes.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { runEnv } from '../helpers/outcome.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const MISS_DAY = '2024-02-06';

describe('backfill halts on a forced prefilter miss and resumes after an exhaustive rerun', () => {
  // Four CLI runs made with spawnSync (vitest judges the time only after each returns): the guard
  // is set for a busy 2-CPU machine, where the whole suite at load 20 took this test 125 s (23 s of
  // CPU) and failed it on the 120 s default.
  it('halts at the day, then completes the range', () => {
    // R1_PROOF=off: this test is about halting and resuming on a baseline-only hit, which the day's
    // proof (the default) would have prevented by finding the fade (test/engine/proof.test.ts).
    // SIM_TICKERS=300: the forced fade is planted in this universe too (the first run fails if it
    // is not: it must halt at MISS_DAY on a baseline-only R1 hit); the size proves nothing about
    // halting and resuming, and every validation's baseline looks up the premarket of each listed
    // symbol, so a small universe keeps the ten validated days cheap (2000: 28 s of CPU, 1000: 22 s;
    // whole file at load 15-19: 1000: 25.2 s, 300: 17.8 s).
    const { env, dirs } = runEnv(tempDir(), {
      SIM_PM_FADES: MISS_DAY,
      R1_PROOF: 'off',
      SIM_TICKERS: '300',
    });
    const gapctl = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });

    const first = gapctl(
      'backfill',
      '--market',
      'sim:11',
      '--start',
      '2024-01-29',
      '--end',
      '2024-02-09',
      '--validate',
      'all',
      '--skip-phase0',
    );
    expect(first.status, first.stderr).toBe(1);
    expect(first.stdout).toMatch(
      new RegExp(`${MISS_DAY} FAIL gate BASELINE: baseline-only hits: 1 \\(\\w+ R1 `),
    );
    const halted = JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8'));
    expect(halted).toMatchObject({
      status: 'HALTED',
      halted_day: MISS_DAY,
      last_completed_month: '2024-01',
    });
    expect(halted.halt_reason).toContain('BASELINE');
    const help = readFileSync(join(dirs.stateDir, 'HELP_REQUEST.md'), 'utf8');
    expect(help).toContain(MISS_DAY);
    expect(help).toContain('BASELINE');
    expect(help).toContain(`gapctl scan-day --date ${MISS_DAY} --mode exhaustive`);
    // The days before the miss were validated clean; nothing after the halt was validated.
    const db = new Database(dirs.db, { readonly: true });
    const diffs = db
      .prepare('SELECT date, baseline_only_count AS n FROM diffs ORDER BY date')
      .all() as { date: string; n: number }[];
    db.close();
    expect(diffs.filter((d) => d.n > 0).map((d) => d.date)).toEqual([MISS_DAY]);
    expect(diffs.every((d) => d.date <= MISS_DAY)).toBe(true);

    // Resuming without fixing the cause halts again at the same day.
    const again = gapctl('backfill'); // a resume: the state file's range, market and validation
    expect(again.status).toBe(1);
    expect(
      JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8')).halted_day,
    ).toBe(MISS_DAY);

    // The fix: rerun the day exhaustively (R1 over the whole universe), then resume.
    const rerun = gapctl(
      'scan-day',
      '--market',
      'sim:11',
      '--date',
      MISS_DAY,
      '--mode',
      'exhaustive',
    );
    expect(rerun.status, rerun.stderr).toBe(0);
    const resumed = gapctl('backfill');
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`${MISS_DAY} PASS`));
    const done = JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8'));
    expect(done).toMatchObject({
      status: 'DONE',
      last_completed_month: '2024-02',
      last_completed_day: '2024-02-09',
      halt_reason: null,
    });
    const db2 = new Database(dirs.db, { readonly: true });
    const bad = db2
      .prepare('SELECT COUNT(*) AS n FROM diffs WHERE baseline_only_count > 0')
      .get() as { n: number };
    const validated = db2.prepare('SELECT COUNT(*) AS n FROM diffs').get() as { n: number };
    db2.close();
    expect(bad.n).toBe(0);
    expect(validated.n).toBe(10);
    expect(existsSync(join(dirs.exportDir, '2024-02'))).toBe(true);
  }, 240_000);
});
