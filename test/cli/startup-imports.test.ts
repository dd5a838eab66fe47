/**
 * Issue 11 point 5: a CLI child costs less when each thread loads only what it runs. A plain
 * `gapctl backfill` (CI set, no console) is run once on one day of the small replay sample with
 * test/helpers/module-log-hooks.mjs, which lists every ES module each thread loads; then:
 * - the command's main thread, which only checks the flags, the range and the store, locks it and
 *   prints the worker's snapshots, loads no engine module (except the follow clock), no export,
 *   provider, emulator or console module, and not chokidar, undici, csv-stringify, p-queue, Ink or
 *   React (today's main loaded the whole engine there through commands/backfill-plan.ts, and
 *   chokidar through runtime/host.ts);
 * - the engine worker loads the engine, but not the health checks nor the day-detail read model
 *   with chokidar, which only the console asks for.
 * The run itself must succeed (the hooks change nothing it does).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { runEnv } from '../helpers/outcome.js';
import { smallSample } from '../helpers/small-sample.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const HOOKS = join(REPO_ROOT, 'test/helpers/module-log-hooks.mjs');
const DIST = `file://${join(REPO_ROOT, 'dist')}/`;

/** `thread -> module names`: `dist/...` paths relative to dist/, packages as `pkg:<name>`. */
function loadedModules(log: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of log.split('\n').filter(Boolean)) {
    const [thread, url] = line.split(' ') as [string, string];
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    const name = pkg ? `pkg:${pkg[1]}` : url.startsWith(DIST) ? url.slice(DIST.length) : url;
    (out[thread] ??= []).push(name);
  }
  return out;
}

describe('modules a plain backfill loads, per thread', () => {
  it('the main thread loads no engine, export, provider, emulator or console module; the worker no console-only module', () => {
    const root = tempDir();
    const { env } = runEnv(root, { GAPCTL_TEST_MODULE_LOG: join(root, 'modules.log') });
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        HOOKS,
        CLI,
        'backfill',
        '--start',
        '2018-01-31',
        '--end',
        '2018-01-31',
        '--validate',
        'none',
        '--skip-phase0',
        '--market',
        `replay:${smallSample({ fillerEvery: 0 })}`,
      ],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2018-01-31 COMPLETE/);
    const mods = loadedModules(readFileSync(join(root, 'modules.log'), 'utf8'));
    const main = mods.main ?? [];
    const worker = mods.worker ?? [];
    // The hooks saw both threads (an empty list would make the checks below vacuous).
    expect(main).toContain('cli.js');
    expect(main).toContain('commands/backfill.js');
    expect(worker).toContain('runtime/worker.js');
    expect(worker).toContain('engine/day.js');

    const notInMain = main.filter(
      (m) =>
        (m.startsWith('engine/') && m !== 'engine/clock.js') ||
        /^(export|providers|market\/emulator|market\/sim)\//.test(m) ||
        (m.startsWith('ui/') && m !== 'ui/theme.js') ||
        /^pkg:(chokidar|undici|csv-stringify|p-queue|ink|react|@inkjs\/)/.test(m) ||
        m === 'runtime/day-detail.js' ||
        m === 'runtime/worker.js',
    );
    expect(notInMain).toEqual([]);

    const notInWorker = worker.filter(
      (m) =>
        m === 'runtime/health.js' ||
        m === 'runtime/day-detail.js' ||
        m.startsWith('ui/') ||
        /^pkg:(chokidar|ink|react|@inkjs\/)/.test(m),
    );
    expect(notInWorker).toEqual([]);
  });
});
