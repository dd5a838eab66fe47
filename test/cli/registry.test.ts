/**
 * One command registry (source/commands/registry.ts): the CLI lists, helps and dispatches only what
 * the registry holds, and loads each command's modules only when it runs, so `gapctl --help` and
 * `gapctl status` start without the store's native module, the engine's HTTP client or Ink
 * (issue 11.9; before, every start loaded all of them: about 0.7 s of CPU).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../source/commands/registry.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

/** Runs dist/cli.js with a module hook that prints every npm package it loads; returns their names. */
function packagesLoaded(
  args: string[],
  cwd: string,
): { names: string[]; stdout: string; stderr: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-load-'));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `export async function resolve(spec, ctx, next) {
      const r = await next(spec, ctx);
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url);
      if (m) process.stderr.write('[load] ' + m[1] + '\\n');
      return r;
    }\n`,
  );
  const reg = join(dir, 'register.mjs');
  writeFileSync(
    reg,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(reg).href, CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GAPCTL_STATE_DIR: join(dir, 'state'), GAPCTL_DB: join(dir, 'none.db') },
  });
  const names = [...new Set([...r.stderr.matchAll(/^\[load\] (\S+)$/gm)].map((m) => m[1]!))];
  return {
    names,
    stdout: r.stdout,
    stderr: r.stderr.replace(/^\[load\] .*\n/gm, ''),
    status: r.status,
  };
}

const HEAVY = [
  'better-sqlite3',
  'ink',
  'react',
  'undici',
  'prom-client',
  'chokidar',
  'pino',
  'p-queue',
];

describe('one command registry', () => {
  it('gapctl --help lists exactly the registry, in its order', () => {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const listed = [...r.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(COMMANDS));
  });

  it('every registered command answers --help with its own help text, exit 0', async () => {
    // In-process (commands/cli-main.ts runCli): the subject is the text and the code; cli.test.ts
    // 'every command has --help' runs them as real processes.
    for (const [name, spec] of Object.entries(COMMANDS)) {
      const r = await gapctlInProcess([name, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.err, name).toBe('');
      expect(r.out.trimEnd(), name).toBe(spec.help);
    }
  });

  it('source/cli.ts names no command itself (no switch over command names)', () => {
    const cli = readFileSync(join(REPO_ROOT, 'source/cli.ts'), 'utf8');
    for (const name of Object.keys(COMMANDS))
      expect(cli, name).not.toMatch(new RegExp(`case '${name}'`));
  });

  it('--help and status load none of the heavy packages; a scan command does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gapctl-cwd-'));
    for (const args of [['--help'], ['status'], ['config', '--help']]) {
      const r = packagesLoaded(args, dir);
      expect(r.status, args.join(' ')).toBe(0);
      expect(
        r.names.filter(
          (n) => HEAVY.includes(n) && !(args[0] === 'status' && n === 'better-sqlite3'),
        ),
        args.join(' '),
      ).toEqual([]);
    }
    // The hook sees loads at all: a dry-run backfill on a sim market loads the engine's modules.
    const bf = packagesLoaded(
      [
        'backfill',
        '--market',
        'sim:1',
        '--start',
        '2024-01-03',
        '--end',
        '2024-01-04',
        '--dry-run',
      ],
      dir,
    );
    expect(bf.status).toBe(0);
    expect(bf.names).toContain('better-sqlite3');
  });

  it('a usage error (a bad date, a non-trading day, a bad --market, --max-months or --mode) is refused before the heavy packages load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gapctl-cwd-'));
    for (const [args, pattern] of [
      [
        ['backfill', '--start', '2018-13-01', '--end', '2018-01-31'],
        /bad date "2018-13-01" for --start/,
      ],
      [
        ['scan-day', '--market', 'sim:3', '--date', '2018-01-06'],
        /--date 2018-01-06 is not a trading day \(a Saturday\)/,
      ],
      [['validate', '--market', 'bogus', '--date', '2018-01-03'], /bad --market "bogus"/],
      [
        [
          'backfill',
          '--market',
          'sim:3',
          '--max-months',
          '0',
          '--start',
          '2018-01-03',
          '--end',
          '2018-01-04',
        ],
        /--max-months takes a whole number/,
      ],
      [
        ['backfill', '--mode', 'fast', '--start', '2018-01-03', '--end', '2018-01-04'],
        /bad --mode "fast"/,
      ],
    ] as const) {
      const r = packagesLoaded([...args], dir);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
      // better-sqlite3 only through commands/common.ts (the store-lock helpers) once a command runs.
      expect(
        r.names.filter((n) => HEAVY.includes(n) && n !== 'better-sqlite3'),
        args.join(' '),
      ).toEqual([]);
    }
  });
});
