/**
 * The built CLI (dist/cli.js, built by `pretest`) as an operator runs it: plain mode through the
 * engine worker thread (one line per day, exit 0), and bad input as one line with a non-zero exit
 * that changes nothing (bad flag, bad date, corrupt state file, corrupt database).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { smallSample } from '../helpers/small-sample.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

function run(args: string[], dir: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CI: 'true',
      GAPCTL_DB: join(dir, 'scanner.db'),
      GAPCTL_STATE_DIR: join(dir, 'project_state'),
      GAPCTL_EXPORT_DIR: join(dir, 'exports'),
      GAPCTL_REPORTS_DIR: join(dir, 'reports'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      ...env,
    },
    timeout: 240_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('gapctl CLI', () => {
  it('backfill in plain mode prints one line per day through the worker, exports, validates and exits 0; a rerun resumes', () => {
    const dir = tempDir();
    // The small dataset derived from the bundled sample (the same days and every ticker that can hit
    // a rule): plain mode, exports and validation do not depend on the number of quiet tickers.
    const market = ['--market', `replay:${smallSample()}`];
    const r = run(['backfill', '--start', '2018-03-01', '--end', '2018-03-07', ...market], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dayLines = r.out
      .split('\n')
      .filter((l) => /^2018-03-0\d (COMPLETE|FAILED|INCOMPLETE|RETRY_NEEDED)/.test(l));
    expect(dayLines.map((l) => l.slice(0, 10))).toEqual([
      '2018-03-01',
      '2018-03-02',
      '2018-03-05',
      '2018-03-06',
      '2018-03-07',
    ]);
    expect(r.out).toContain('[theta] init v3_limit=4 v1_limit=4 timeout=10');
    expect(r.out).toMatch(/\[validate\] 2018-03-0\d PASS/);
    expect(r.out).not.toMatch(/\x1b\[/); // no escape codes in plain mode
    const state = JSON.parse(readFileSync(join(dir, 'project_state/current_state.json'), 'utf8'));
    expect(state).toMatchObject({
      status: 'DONE',
      last_completed_month: '2018-03',
      last_completed_day: '2018-03-07',
    });
    expect(readFileSync(join(dir, 'project_state/task_log.md'), 'utf8')).toContain('## 2018-03');
    expect(existsSync(join(dir, 'exports/discovery_hits_2018-03-01_2018-03-07.csv'))).toBe(true);
    const again = run(
      [
        'backfill',
        '--start',
        '2018-03-01',
        '--end',
        '2018-03-07',
        '--skip-phase0',
        '--validate',
        'none',
        ...market,
      ],
      dir,
    );
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/DONE scanned=0 skipped=5/);
  });

  it('bad flags and bad dates are one line on stderr with exit 2', () => {
    const dir = tempDir();
    for (const args of [
      ['scan-day', '--date', '2018-02-30'],
      ['scan-day', '--date', '2018-01-06'],
      ['backfill', '--start', '2018-04-01', '--end', '2018-03-01'],
      ['scan-day', '--date', '2018-01-04', '--bogus'],
      ['scan-day', '--date', '2018-01-04', '--market', 'moon'],
      ['frobnicate'],
    ]) {
      const r = run(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err, args.join(' ')).not.toMatch(/at .*\.js:\d+/);
    }
  });

  it('a bad config value names the variable', () => {
    const r = run(['config'], tempDir(), { THETA_V3_MAX_OUTSTANDING: 'lots' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^gapctl: config: THETA_V3_MAX_OUTSTANDING="lots" is invalid: expected an integer 1-64\n$/,
    );
  });

  it('config redacts secrets', () => {
    const r = run(['config'], tempDir(), { POLYGON_API_KEY: 'test-secret-ABCDEFGHIJKLMNOP' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('POLYGON_API_KEY=<set, redacted>');
    expect(r.out).not.toContain('ABCDEFGHIJKLMNOP');
  });

  it('a corrupt state file stops the backfill with one line and is left untouched', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'project_state'), { recursive: true });
    const path = join(dir, 'project_state/current_state.json');
    writeFileSync(path, '{"version": 1, "range": ');
    const r = run(
      ['backfill', '--start', '2018-03-01', '--end', '2018-03-02', '--skip-phase0'],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/current_state\.json is corrupt/);
    expect(readFileSync(path, 'utf8')).toBe('{"version": 1, "range": ');
  });

  it('a corrupt database is one line and non-zero, and the file is left as it was', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    writeFileSync(
      db,
      'this is not a sqlite database, it is a text file of some length'.repeat(100),
    );
    const before = readFileSync(db);
    const r = run(['scan-day', '--date', '2018-01-04'], dir);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/store: .*scanner\.db/);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('every command has --help', () => {
    for (const cmd of [
      'backfill',
      'console',
      'scan-day',
      'scan-range',
      'validate',
      'export',
      'market',
      'config',
    ]) {
      const r = run([cmd, '--help'], tempDir());
      expect(r.code, cmd).toBe(0);
      expect(r.out, cmd).toMatch(/Usage: gapctl/);
    }
  });
});
