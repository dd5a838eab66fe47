/**
 * `gapctl db ...` as an operator runs it (dist/cli.js, built by `pretest`): a backup taken while a
 * real `gapctl backfill` runs (after its first day is committed; the store is polled, no sleeps)
 * restores to a store that passes integrity and holds every day committed before the backup began;
 * restore is refused while the backfill holds the lock; check, stats and bad usage (through the
 * CLI's main in this process: their subject is the output and the exit code).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';
import { Store } from '../../source/store/store.js';
import { completeness } from '../export/fixtures.js';
import { dbCommand } from '../../source/commands/db.js';
import { loadConfig } from '../../source/config/index.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const pexec = promisify(execFile);

function env(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: 'true',
    GAPCTL_DB: join(dir, 'db', 'scanner.db'),
    GAPCTL_STATE_DIR: join(dir, 'project_state'),
    GAPCTL_EXPORT_DIR: join(dir, 'exports'),
    GAPCTL_REPORTS_DIR: join(dir, 'reports'),
    GAPCTL_LOG_DIR: join(dir, 'logs'),
    BACKUP_DIR: join(dir, 'backups'),
    // The backfill's market: a 1,000-symbol simulated universe (not 11,000; backups do not depend on
    // its size), its days paced by the emulated Theta latency rather than by CPU, so the backup is
    // still taken while the backfill runs.
    SIM_TICKERS: '1000',
    EMU_THETA_LATENCY_MS: '60',
  };
}

function run(args: string[], dir: string) {
  const r = spawnSync(process.execPath, [CLI, 'db', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: env(dir),
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * `gapctl db <args>` through the CLI's main in this process (source/commands/cli-main.ts runCli):
 * for the checks whose subject is the output and the exit code, not the process (no node start).
 */
function runHere(args: string[], dir: string) {
  return gapctlInProcess(['db', ...args], { cwd: REPO_ROOT, env: env(dir) });
}

/** Committed COMPLETE days of a store, read-only (null while the file is not there yet). */
function committedDays(path: string): string[] | null {
  if (!existsSync(path)) return null;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (
        db
          .prepare("SELECT date FROM day_completeness WHERE status = 'COMPLETE' ORDER BY date")
          .all() as { date: string }[]
      ).map((r) => r.date);
    } finally {
      db.close();
    }
  } catch {
    return null; // not migrated yet
  }
}

/** Polls `cond` every 25 ms up to `ms`. */
async function until<T>(
  cond: () => T | null | undefined | false,
  ms: number,
  what: string,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = cond();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('gapctl db', () => {
  it('a backup taken during a running backfill restores to a sound store holding every day committed before it began', async () => {
    const dir = tempDir();
    const db = join(dir, 'db', 'scanner.db');
    const child = spawn(
      process.execPath,
      [
        CLI,
        'backfill',
        '--market',
        'sim:7',
        '--start',
        '2021-03-01',
        '--end',
        '2021-03-04',
        '--no-tui',
        '--skip-phase0',
        '--validate',
        'none',
      ],
      {
        cwd: REPO_ROOT,
        env: env(dir),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += String(b)));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      await until(() => (committedDays(db)?.length ?? 0) >= 1, 60_000, 'the first committed day');
      const before = committedDays(db)!;
      expect(existsSync(`${db}.lock`)).toBe(true); // the backfill is still running
      const b = await pexec(process.execPath, [CLI, 'db', 'backup', '--json'], {
        cwd: REPO_ROOT,
        env: env(dir),
      });
      const backup = JSON.parse(b.stdout) as { path: string; ok: boolean };
      expect(backup.ok).toBe(true);
      expect(backup.path).toMatch(/backups\/scanner-\d{8}T\d{6}Z\.db$/);
      // Restore over the live store is refused while the backfill holds its lock.
      const refused = run(['restore', backup.path], dir);
      if (existsSync(`${db}.lock`)) {
        expect(refused.code).toBe(1);
        expect(refused.err).toMatch(/^gapctl: restore refused: backfill \(pid \d+ /);
        expect(refused.err.trim().split('\n')).toHaveLength(1);
      }
      // Restore into a fresh path: integrity ok, every day committed before the backup began.
      const target = join(dir, 'restored', 'scanner.db');
      const r = spawnSync(process.execPath, [CLI, 'db', 'restore', backup.path, '--db', target], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: env(dir),
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const check = spawnSync(process.execPath, [CLI, 'db', 'check', '--db', target], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: env(dir),
      });
      expect(check.status).toBe(0);
      expect(check.stdout).toMatch(/^integrity_check\s+ok$/m);
      const restored = committedDays(target)!;
      for (const d of before) expect(restored).toContain(d);
    } finally {
      const code = await exited;
      expect(stderr).toBe('');
      expect(code).toBe(0);
    }
    expect(committedDays(db)).toHaveLength(4);
  }, 120_000);

  it('check, stats --json, and one-line usage errors', async () => {
    const dir = tempDir();
    const db = join(dir, 'db', 'scanner.db');
    const s = Store.open(db);
    s.commitDay({ completeness: completeness('2018-03-01'), hits: [], missAudit: [], audit: null });
    s.close();
    const c = await runHere(['check'], dir);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/^foreign_key_check ok$/m);
    const st = await runHere(['stats', '--json'], dir);
    expect(st.code).toBe(0);
    expect(
      JSON.parse(st.out).tables.find((t: { name: string }) => t.name === 'day_completeness').rows,
    ).toBe(1);
    for (const [args, re] of [
      [[], /^gapctl: usage: gapctl db backup\|restore/],
      [['frobnicate'], /^gapctl: unknown db subcommand "frobnicate"/],
    ] as const) {
      const r = await runHere([...args], dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    const cfg = loadConfig({});
    for (const [input, to, re] of [
      [['restore'], undefined, /^usage: gapctl db restore FILE/],
      [['check'], 'x', /^--to belongs to gapctl db backup/],
      [['check', 'extra'], undefined, /^unexpected argument "extra"/],
    ] as const) {
      await expect(dbCommand({ cfg, input, dbPath: db, to, out: () => {} })).rejects.toThrow(re);
    }
    const missing = await runHere(['restore', join(dir, 'nope.db')], dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^gapctl: store: .*nope\.db does not exist$/m);
    expect(readdirSync(join(dir, 'db')).filter((f) => f.includes('replaced'))).toEqual([]);
  });
});
