/**
 * Bad input to `gapctl backfill` (issue 4, point 7): each case is one clear line on stderr, a
 * non-zero exit, and nothing written (the state folder, the store and the exports are exactly as
 * before). Also the range rules: without --start a backfill resumes the state file's range, and
 * `--dry-run` lists what would be skipped and changes nothing.
 *
 * Refusals whose subject is the message and the code (bad flags and dates, a corrupt state file)
 * call the CLI's main in this process (test/helpers/cli-inprocess.ts); those that involve the
 * store's lock (a newer schema, a second writer) and the backfills themselves run dist/cli.js as
 * processes. The range-and-resume test backfills the small replay sample (test/helpers/small-sample.ts:
 * the same days, about 600 tickers): what it checks (the resumed range, market and skipped days)
 * does not depend on the number of tickers.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { readTree, runEnv } from '../helpers/outcome.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';
import { smallSample } from '../helpers/small-sample.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

function gapctl(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Everything a run could write under `root`, as text. SQLite's own `-wal`/`-shm` index files are left
 * out: a read-only connection to a WAL store creates them empty (SQLite needs them to read), they
 * hold no data, and the store file itself is compared byte for byte.
 */
function snapshotOf(root: string): Record<string, string> {
  return readTree(root, (rel) => !/\.db-(wal|shm)$/.test(rel));
}

/** `gapctl <args>` called in this process (no node start), with `env` as its whole environment. */
function gapctlHere(env: NodeJS.ProcessEnv, ...args: string[]) {
  return gapctlInProcess(args, { env });
}

function expectOneLineRefusal(r: { code: number | null; err: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
}

const STATE = {
  version: 1,
  range: { start: '2018-01-03', end: '2018-01-31' },
  status: 'HALTED',
  last_completed_month: null,
  last_completed_day: '2018-01-05',
  halt_reason: 'x',
  halted_day: '2018-01-08',
  market: 'replay:2018q1',
  r1_mode: 'prefilter',
  updated_at: '2018-01-08T00:00:00.000Z',
};

describe('gapctl backfill: bad input changes nothing', () => {
  it.each([
    [
      'an end before the start',
      ['--start', '2018-02-01', '--end', '2018-01-10'],
      /--start 2018-02-01 is after --end 2018-01-10/,
    ],
    [
      'a start on a holiday',
      ['--start', '2018-01-15', '--end', '2018-01-31'],
      /--start 2018-01-15 is not a trading day \(Martin Luther King Jr\. Day\); the next trading day is 2018-01-16/,
    ],
    [
      'an end on a weekend',
      ['--start', '2018-01-16', '--end', '2018-01-20'],
      /--end 2018-01-20 is not a trading day \(a Saturday\)/,
    ],
    ['a date that does not exist', ['--start', '2018-02-30', '--end', '2018-03-01'], /--start/],
    [
      'a bad --validate',
      ['--validate', 'some', '--start', '2018-01-03', '--end', '2018-01-04'],
      /bad --validate "some"/,
    ],
    [
      'a bad --max-months',
      ['--max-months', '0', '--start', '2018-01-03', '--end', '2018-01-04'],
      /--max-months takes a whole number/,
    ],
  ])('%s', async (_name, args, pattern) => {
    const root = tempDir();
    const { env } = runEnv(root);
    const r = await gapctlHere(env, 'backfill', ...args);
    expectOneLineRefusal(r, pattern);
    expect(snapshotOf(root)).toEqual({});
  });

  it.each([
    ['not JSON', '{"version": 1, "range": '],
    [
      'a hand-edited date that does not exist',
      JSON.stringify({ ...STATE, last_completed_day: '2018-01-32' }),
    ],
    ['a hand-edited status', JSON.stringify({ ...STATE, status: 'ALMOST_DONE' })],
    [
      'a range turned around',
      JSON.stringify({ ...STATE, range: { start: '2018-02-01', end: '2018-01-03' } }),
    ],
  ])(
    'a corrupt or hand-edited state file (%s) is refused and left as it was',
    async (_name, text) => {
      const root = tempDir();
      const { env, dirs } = runEnv(root);
      mkdirSync(dirs.stateDir, { recursive: true });
      writeFileSync(join(dirs.stateDir, 'current_state.json'), text);
      const before = snapshotOf(root);
      for (const args of [[], ['--start', '2018-01-03', '--end', '2018-01-31'], ['--dry-run']]) {
        const r = await gapctlHere(env, 'backfill', ...args);
        expectOneLineRefusal(r, /current_state\.json is corrupt .*nothing was changed/);
      }
      expect(snapshotOf(root)).toEqual(before);
    },
  );

  it('a database of a newer schema is refused, nothing written', () => {
    const root = tempDir();
    const { env, dirs } = runEnv(root);
    mkdirSync(join(dirs.db, '..'), { recursive: true });
    const db = new Database(dirs.db);
    db.pragma('user_version = 99');
    db.close();
    const bytes = readFileSync(dirs.db);
    for (const args of [
      ['--start', '2018-01-03', '--end', '2018-01-04'],
      ['--start', '2018-01-03', '--end', '2018-01-04', '--dry-run'],
    ]) {
      const r = gapctl(env, 'backfill', ...args);
      expectOneLineRefusal(r, /schema version 99, newer than this gapctl/);
    }
    expect(readFileSync(dirs.db).equals(bytes)).toBe(true);
    expect(existsSync(dirs.stateDir)).toBe(false);
    expect(existsSync(dirs.exportDir)).toBe(false);
  });

  it('a second backfill on the same database is refused while the first runs; a stale lock is taken over', async () => {
    const root = tempDir();
    // A 1,000-symbol simulated universe (not 11,000): the lock does not depend on its size; days stay
    // paced by the emulated Theta latency.
    const { env, dirs } = runEnv(root, { EMU_THETA_LATENCY_MS: '20', SIM_TICKERS: '1000' });
    const first = spawn(
      process.execPath,
      [
        CLI,
        'backfill',
        '--market',
        'sim:3',
        '--start',
        '2024-01-02',
        '--end',
        '2024-01-31',
        '--validate',
        'none',
        '--skip-phase0',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      // Wait until the first has finished a day: it holds the lock and has written its state.
      await new Promise<void>((resolve, reject) => {
        let out = '';
        first.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (/^2024-01-02 COMPLETE/m.test(out)) resolve();
        });
        first.on('exit', () => reject(new Error(`first backfill ended early: ${out}`)));
      });
      const stateBefore = readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8');
      const second = gapctl(
        env,
        'backfill',
        '--market',
        'sim:3',
        '--start',
        '2024-01-02',
        '--end',
        '2024-01-31',
        '--validate',
        'none',
        '--skip-phase0',
      );
      expectOneLineRefusal(
        second,
        new RegExp(`another backfill \\(pid ${first.pid} .*is using .*scanner\\.db`),
      );
      const scan = gapctl(env, 'scan-day', '--market', 'sim:3', '--date', '2024-01-03');
      expectOneLineRefusal(scan, /another backfill/);
      // The first run's state moved on only by its own hand: the refused runs wrote nothing to it.
      const stateNow = JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8'));
      expect(stateNow.range).toEqual(JSON.parse(stateBefore).range);
    } finally {
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
    }
    // The killed run left its lock behind; its pid is gone, so the next run takes it over.
    expect(existsSync(`${dirs.db}.lock`)).toBe(true);
    const dry = gapctl(env, 'backfill', '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(
      /^plan 2024-01-02 \.\. 2024-01-31 market sim:3 \(resuming: state RUNNING/m,
    );
    expect(dry.out).toMatch(/2024-01 +21 days +\d+ complete \(skipped\)/);
  });
});

describe('gapctl backfill: range and dry run', () => {
  it('without --start resumes the state file range; --dry-run lists skipped days and writes nothing', () => {
    const root = tempDir();
    const { env } = runEnv(root);
    const first = gapctl(
      env,
      'backfill',
      '--market',
      `replay:${smallSample()}`,
      '--start',
      '2018-01-29',
      '--end',
      '2018-02-02',
      '--validate',
      'none',
      '--skip-phase0',
      '--max-months',
      '1',
    );
    expect(first.code, first.err).toBe(0);
    const before = snapshotOf(root);
    const dry = gapctl(env, 'backfill', '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain('plan 2018-01-29 .. 2018-02-02');
    expect(dry.out).toContain(`market replay:${smallSample()} (resuming`); // the state's market, not the default
    expect(dry.out).toContain('resuming: state STOPPED, last completed month 2018-01');
    expect(dry.out).toMatch(/^2018-01 +3 days +3 complete \(skipped\) +0 to scan$/m);
    expect(dry.out).toMatch(
      /^2018-02 +2 days +0 complete \(skipped\) +2 to scan: 2018-02-01\.\.2018-02-02$/m,
    );
    expect(dry.out).toMatch(
      /5 trading day\(s\), 3 already complete .* 2 to scan; validation none; ETA about .*; nothing changed/,
    );
    expect(snapshotOf(root)).toEqual(before);
    const rest = gapctl(env, 'backfill');
    expect(rest.code, rest.err).toBe(0);
    expect(rest.out).toContain('[backfill] DONE scanned=2 skipped=3');
  });
});
