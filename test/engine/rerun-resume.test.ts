/**
 * Issue 9.5: an interrupted `--rerun` is resumed. A real `gapctl backfill --rerun` over three sim
 * days is SIGKILLed inside the second day's transaction (failpoint store.commit:2); the next plain
 * `gapctl backfill` (no flags) must rescan exactly the two days the rerun had not rescanned, each
 * once, and leave the first alone (today's main says `DONE scanned=0 skipped=3` and never rescans
 * them). "Rescanned" is read from day_completeness.updated_at, which every scan of a day rewrites.
 * The simulated universe is SIM_TICKERS=1000: which days get rescanned does not depend on its size.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { runEnv } from '../helpers/outcome.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const DAYS = ['2024-03-04', '2024-03-05', '2024-03-06'];
const RANGE = [
  '--start',
  DAYS[0]!,
  '--end',
  DAYS[2]!,
  '--market',
  'sim:7',
  '--validate',
  'none',
  '--skip-phase0',
];

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

function updatedAt(db: string): Record<string, string> {
  const h = new Database(db, { readonly: true });
  try {
    const rows = h
      .prepare('SELECT date, updated_at, status FROM day_completeness ORDER BY date')
      .all() as { date: string; updated_at: string; status: string }[];
    for (const r of rows) expect(r.status).toBe('COMPLETE');
    return Object.fromEntries(rows.map((r) => [r.date, r.updated_at]));
  } finally {
    h.close();
  }
}

const root = tempDir();
/** A smaller simulated universe than the default 11,000 (the same in every run: one market). */
const SMALL = { SIM_TICKERS: '1000' };
const { env, dirs } = runEnv(root, SMALL);

beforeAll(async () => {
  const first = await run(['backfill', ...RANGE], env);
  expect(first.code, first.out).toBe(0);
}, 180_000);

describe('an interrupted --rerun is resumed by the next plain backfill', () => {
  it('rescans exactly the days the killed rerun had not rescanned, each once', async () => {
    const before = updatedAt(dirs.db);
    expect(Object.keys(before)).toEqual(DAYS);

    const rerunStart = new Date().toISOString();
    const killed = await run(['backfill', ...RANGE, '--rerun'], {
      ...runEnv(root, { ...SMALL, GAPCTL_FAILPOINT: 'store.commit:2' }).env,
    });
    expect(killed.signal, killed.out.slice(-400)).toBe('SIGKILL');
    const afterKill = updatedAt(dirs.db);
    expect(afterKill[DAYS[0]!]! >= rerunStart).toBe(true); // day 1 rescanned by the rerun
    expect(afterKill[DAYS[1]!]).toBe(before[DAYS[1]!]); // day 2's rescan died before its COMMIT
    expect(afterKill[DAYS[2]!]).toBe(before[DAYS[2]!]);
    const mid = JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8'));
    expect(mid.rerun).toMatchObject({ start: DAYS[0], end: DAYS[2] });

    const resumeStart = new Date().toISOString();
    const resumed = await run(['backfill'], env);
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toMatch(/\[backfill\] DONE scanned=2 skipped=1/);
    const after = updatedAt(dirs.db);
    expect(after[DAYS[0]!]).toBe(afterKill[DAYS[0]!]); // not rescanned again
    expect(after[DAYS[1]!]! >= resumeStart).toBe(true);
    expect(after[DAYS[2]!]! >= resumeStart).toBe(true);
    const state = JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8'));
    expect(state).toMatchObject({ status: 'DONE', rerun: null, last_completed_day: DAYS[2] });
  }, 240_000);
});
