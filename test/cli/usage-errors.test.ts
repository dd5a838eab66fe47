/**
 * Issue 9, point 6: usage errors are usage errors. Each case asserts the exact exit code (2 for
 * usage, 1 for a refused run), the one line on stderr, and that nothing was written (the run's folder
 * holds exactly what it held before). The subject is the message and the code, so the cases call the
 * CLI's main in this process (source/commands/cli-main.ts runCli, test/helpers/cli-inprocess.ts: no
 * node start per case); 'the same refusals through the built CLI' runs a few of them as real
 * processes (dist/cli.js), so the exit code a shell sees is checked too:
 *
 * - a bad `--market` (bogus, sim:-1, sim:abc) and a date outside the calendar (1900) exit 2;
 * - `--db` (or `--out`) without a value is refused instead of opening the working directory;
 * - an unknown flag is echoed as typed (`--foo-bar`, `--fooBar`, `-z`);
 * - a garbage line in `.env` is named by its number (not shown: it may hold a secret);
 * - a replay range outside the dataset's span is refused up front, naming the span;
 * - `backfill` with no range and no state says in one line that it takes the dataset's span;
 * - `export` over days never scanned names their runs, exits 1 and writes nothing, unless
 *   `--allow-missing`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { readTree } from '../helpers/outcome.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';
import { dotenvBadLine } from '../../source/config/index.js';
import { Store } from '../../source/store/store.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

/** The environment of a run in `dir`: every state path inside it, no gapctl variable inherited. */
function envIn(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  for (const k of Object.keys(env))
    if (/^(GAPCTL_|EMU_|POLYGON_|THETA_|R1_|FMP_)/.test(k)) delete env[k];
  Object.assign(env, {
    GAPCTL_DB: join(dir, 'db', 'scanner.db'),
    GAPCTL_STATE_DIR: join(dir, 'project_state'),
    GAPCTL_EXPORT_DIR: join(dir, 'exports'),
    GAPCTL_REPORTS_DIR: join(dir, 'reports'),
    GAPCTL_LOG_DIR: join(dir, 'logs'),
  });
  return env;
}

/** Runs gapctl as a real process (dist/cli.js) in `dir` (its working directory). */
function runProcess(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    env: envIn(dir),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs gapctl's main in this process, in `dir` (its working directory). */
function run(dir: string, ...args: string[]) {
  return gapctlInProcess(args, { cwd: dir, env: envIn(dir) });
}

type Run = (dir: string, ...args: string[]) => Promise<{ code: number | null; err: string }>;

/** Exact exit code, exactly one line on stderr matching `pattern`, and the folder unchanged. */
async function expectRefusal(
  dir: string,
  args: string[],
  code: 1 | 2,
  pattern: RegExp,
  runner: Run = run,
): Promise<void> {
  const tree = () => readTree(dir, (rel) => !/\.db-(wal|shm)$/.test(rel));
  const before = tree();
  const r = await runner(dir, ...args);
  expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(code);
  expect(r.err.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
  expect(r.err.trimEnd(), args.join(' ')).toMatch(pattern);
  expect(tree(), args.join(' ')).toEqual(before);
}

const REFUSALS: [string, string[], RegExp][] = [
  [
    '--market bogus',
    ['scan-day', '--date', '2018-01-04', '--market', 'bogus'],
    /^gapctl: bad --market "bogus": expected replay\[:PATH\], sim\[:SEED\] or live$/,
  ],
  [
    '--market sim:-1',
    ['backfill', '--market', 'sim:-1', '--start', '2024-01-02', '--end', '2024-01-03'],
    /^gapctl: bad --market "sim:-1"/,
  ],
  [
    '--market sim:abc',
    ['validate', '--market', 'sim:abc', '--date', '2024-01-03'],
    /^gapctl: bad --market "sim:abc"/,
  ],
  [
    '--start 1900-01-02',
    ['backfill', '--start', '1900-01-02', '--end', '1900-01-05'],
    /^gapctl: --start 1900-01-02 is outside the calendar \(years 1990-2199\)$/,
  ],
  [
    '--db without a value',
    ['scan-day', '--date', '2018-01-04', '--db'],
    /^gapctl: --db needs a value/,
  ],
  [
    '--db followed by a flag',
    ['backfill', '--db', '--start', '2018-01-03', '--end', '2018-01-04'],
    /^gapctl: --db needs a value/,
  ],
  [
    '--max-months without its number',
    ['backfill', '--max-months', '--start', '2018-01-03', '--end', '2018-01-04', '--dry-run'],
    /^gapctl: --max-months needs a value/,
  ],
  [
    '--out= empty',
    ['export', '--start', '2018-01-03', '--end', '2018-01-04', '--out='],
    /^gapctl: --out needs a value/,
  ],
  [
    'an unknown kebab-case flag',
    ['scan-day', '--date', '2018-01-04', '--foo-bar'],
    /^gapctl: unknown flag --foo-bar \(--help lists the flags\)$/,
  ],
  ['an unknown camelCase flag', ['backfill', '--dryRunX'], /^gapctl: unknown flag --dryRunX /],
  ['an unknown short flag', ['status', '-z'], /^gapctl: unknown flag -z /],
  [
    'a replay range before the dataset',
    ['backfill', '--start', '2018-01-02', '--end', '2018-01-10'],
    /^gapctl: --start 2018-01-02 is outside the replay dataset 2018q1 \(2018-01-02\.\.2018-04-10; scannable 2018-01-03\.\.2018-04-10: the first day has no previous close\)$/,
  ],
  [
    'a replay range after the dataset',
    ['backfill', '--start', '2018-04-02', '--end', '2018-05-01'],
    /^gapctl: --end 2018-05-01 is outside the replay dataset 2018q1 \(2018-01-02\.\.2018-04-10;/,
  ],
  [
    'a replay scan-day after the dataset',
    ['scan-day', '--date', '2019-01-03'],
    /^gapctl: --end 2019-01-03 is outside the replay dataset/,
  ],
  [
    'a replay validate after the dataset',
    ['validate', '--start', '2018-04-02', '--end', '2018-04-20'],
    /^gapctl: --end 2018-04-20 is outside the replay dataset/,
  ],
];

describe('usage errors exit 2 with one line and write nothing', () => {
  it.each(REFUSALS)('%s', async (_name, args, pattern) => {
    const dir = tempDir();
    await expectRefusal(dir, args, 2, pattern);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the same refusals through the built CLI (a bad market, a date, a flag, a replay span): exit 2 as a process', async () => {
    for (const name of [
      '--market sim:-1',
      '--start 1900-01-02',
      '--db followed by a flag',
      'an unknown short flag',
      'a replay scan-day after the dataset',
    ]) {
      const [, args, pattern] = REFUSALS.find(([n]) => n === name)!;
      const dir = tempDir();
      await expectRefusal(dir, args, 2, pattern, async (d, ...a) => runProcess(d, ...a));
      expect(readdirSync(dir), name).toEqual([]);
    }
  });

  it('a garbage line in .env is named by its number, not shown, exit 2; quoted multi-line values are fine', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, '.env'),
      '# keys\nPOLYGON_API_KEY=abc\n\nexport R1_MODE=exhaustive\nsk-live-SECRET-pasted-without-a-name\nR1_TH=60\n',
    );
    await expectRefusal(
      dir,
      ['config'],
      2,
      /^gapctl: \.env: line 5 of .*\.env is not KEY=VALUE, a comment or blank/,
    );
    expect((await run(dir, 'config')).err).not.toContain('SECRET');
    writeFileSync(
      join(dir, '.env'),
      'R1_MODE=exhaustive\nFMP_API_KEY="first\nsecond line"\n  # an indented comment\nR1_TH: 60\n',
    );
    const ok = await run(dir, 'config');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('R1_MODE=exhaustive');
    expect(ok.out).toContain('R1_TH=60');
  });

  it('dotenvBadLine: blank, comments, KEY=VALUE, export, KEY: VALUE and quoted continuations pass; anything else is named', () => {
    expect(dotenvBadLine('A=1\n\n# c\nexport B=2\nC: 3\nD="x\ny"\nE=\n')).toBeNull();
    expect(dotenvBadLine('A=1\nnot a line\n')).toBe(2);
    expect(dotenvBadLine('A=1\r\nB=2\r\n=3\r\n')).toBe(3);
    expect(dotenvBadLine("A='open\nstill\nclosed'\njunk")).toBe(4);
  });
});

describe('ranges that cannot be served are named up front', () => {
  it('backfill with no range and no state says it takes the dataset span (dry run: nothing written)', async () => {
    const dir = tempDir();
    const r = await run(dir, 'backfill', '--dry-run');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe(
      "gapctl: no --start/--end and no backfill to resume here: backfilling the replay dataset's span 2018-01-03..2018-04-10 (give --start S --end E for another range)\n",
    );
    expect(r.out).toContain('plan 2018-01-03 .. 2018-04-10');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('export over days never scanned lists their runs, exits 1 and writes nothing; --allow-missing exports', async () => {
    const dir = tempDir();
    // An empty store (created, nothing scanned), then one day scanned (a COMPLETE row, as a scan leaves it).
    mkdirSync(join(dir, 'db'));
    Store.open(join(dir, 'db', 'scanner.db')).close();
    await expectRefusal(
      dir,
      ['export', '--start', '2018-03-01', '--end', '2018-03-09'],
      1,
      /^gapctl: export: 7 of 7 trading day\(s\) of 2018-03-01\.\.2018-03-09 were never scanned: 2018-03-01\.\.2018-03-09; nothing written \(scan them first, or --allow-missing to export what is there\)$/,
    );
    expect(readdirSync(dir)).toEqual(['db']);
    const store = Store.open(join(dir, 'db', 'scanner.db'));
    store.db
      .prepare(
        "INSERT INTO day_completeness (date, status, discoveries, updated_at) VALUES ('2018-03-05', 'COMPLETE', 0, '2018-03-05T22:00:00Z')",
      )
      .run();
    store.close();
    await expectRefusal(
      dir,
      ['export', '--start', '2018-03-01', '--end', '2018-03-09'],
      1,
      /never scanned: 2018-03-01\.\.2018-03-02 2018-03-06\.\.2018-03-09; nothing written/,
    );
    expect(existsSync(join(dir, 'exports'))).toBe(false);
    const ok = await run(
      dir,
      'export',
      '--start',
      '2018-03-01',
      '--end',
      '2018-03-09',
      '--allow-missing',
    );
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err).toMatch(
      /^gapctl: export: 6 of 7 trading day\(s\) of 2018-03-01\.\.2018-03-09 were never scanned: 2018-03-01\.\.2018-03-02 2018-03-06\.\.2018-03-09; exported without them\n$/,
    );
    expect(existsSync(join(dir, 'exports', 'discovery_hits_2018-03-01_2018-03-09.csv'))).toBe(true);
    const full = await run(dir, 'export', '--start', '2018-03-05', '--end', '2018-03-05');
    expect(full.code, full.err).toBe(0);
    expect(full.err).toBe('');
  });
});
