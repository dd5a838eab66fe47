/**
 * Issue 9, points 3 and 5 at the command line (dist/cli.js, built by `pretest`):
 * - every command that writes the store takes its lock: validate and export refuse while a backfill
 *   holds it, and a --db reached through a symlink is the same store;
 * - a read-only store file fails a backfill up front in one line naming the file, with no side file
 *   and no state written, and the same backfill runs once the permission is fixed;
 * - on a read-only folder, status, export and backfill --dry-run still work (they only read; even the
 *   pages still in the -wal are seen) while writers are refused naming the folder;
 * - status (and export, dry run) say a store with corrupt pages is corrupt: one line, exit 1.
 *
 * The lock's and the corrupt store's refusals call the CLI's main in this process (their subject is
 * the message, the exit code and the files left as they were; a node start per call cost ~1 s of
 * CPU each); the permission checks run dist/cli.js as processes, as another user when root. The
 * backfill that runs once the store file is writable again scans one day of the small replay
 * sample (test/helpers/small-sample.ts): a permission does not depend on the number of tickers.
 *
 * Permissions: tests usually run as root, which ignores file modes. Then the CLI runs as the
 * unprivileged user nobody (uid/gid 65534, spawn's `uid`/`gid`) on files chowned to it, so the
 * chmods below are real permission failures (EACCES), not simulated ones. Not as root, the chmods
 * apply to the test's own user directly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { runEnv } from '../helpers/outcome.js';
import { Store } from '../../source/store/store.js';
import { acquireLock, type HeldLock } from '../../source/store/lock.js';
import { writeBackfillState } from '../../source/store/state-files.js';
import { completeness } from '../export/fixtures.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';
import { smallSample } from '../helpers/small-sample.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

/** A temp folder nobody may write (the run's private TMPDIR belongs to root), as a user's /tmp would be. */
let nobodyTmp: string | null = null;
function tmpForNobody(): string {
  if (!nobodyTmp) {
    nobodyTmp = tempDir();
    if (ROOT) chownSync(nobodyTmp, NOBODY, NOBODY);
  }
  return nobodyTmp;
}

/** Runs gapctl; `unprivileged`: as nobody when the tests run as root. */
function gapctl(env: NodeJS.ProcessEnv, cwd: string, args: string[], unprivileged = false) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: unprivileged && ROOT ? { ...env, TMPDIR: tmpForNobody() } : env,
    cwd,
    encoding: 'utf8',
    timeout: 90_000,
    ...(unprivileged && ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Runs `gapctl <args>` in this process (test/helpers/cli-inprocess.ts: no node start, the modules
 * loaded once per file), for checks whose subject is a command's message, exit code and effect on
 * the files, not the process: the lock's refusals (the lock is held by this test process, a live
 * holder like any other) and the corrupt store's.
 */
async function here(env: NodeJS.ProcessEnv, cwd: string, args: string[]) {
  const r = await gapctlInProcess(args, { env, cwd });
  return { code: r.code, out: r.out, err: r.err };
}

/** Gives the tree under `dir` to nobody (when root) so an unprivileged gapctl can use it. */
function giveAway(dir: string): void {
  if (!ROOT) return;
  chownSync(dir, NOBODY, NOBODY);
  if (!statSync(dir).isDirectory()) return;
  for (const n of readdirSync(dir)) giveAway(join(dir, n));
}

function expectOneLine(r: { code: number | null; err: string }, pattern: RegExp, code = 1): void {
  expect(r.code, r.err).toBe(code);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
}

const held: HeldLock[] = [];
afterEach(() => {
  for (const h of held.splice(0)) h.release();
});

/** A store of three COMPLETE days (2018-03-01, 02, 05) and a DONE backfill state over them. */
function threeDays(dirs: { db: string; stateDir: string }): void {
  writeBackfillState(dirs.stateDir, {
    range: { start: '2018-03-01', end: '2018-03-05' },
    status: 'DONE',
    last_completed_month: null,
    last_completed_day: '2018-03-05',
    halt_reason: null,
    halted_day: null,
    market: 'replay',
    r1_mode: 'prefilter',
  });
  const store = Store.open(dirs.db);
  for (const d of ['2018-03-01', '2018-03-02', '2018-03-05'])
    store.commitDay({ completeness: completeness(d), hits: [], missAudit: [], audit: null });
  store.close();
}

describe('every writer takes the lock', () => {
  it('validate and export refuse while a backfill holds the store, also through a symlinked --db; nothing changes', async () => {
    const root = tempDir();
    const { env, dirs } = runEnv(root);
    threeDays(dirs);
    const bytes = readFileSync(dirs.db);
    held.push(acquireLock(dirs.db, 'backfill'));
    const refused = new RegExp(`another backfill \\(pid ${process.pid} on .*\\) is using `);
    expectOneLine(await here(env, root, ['validate', '--date', '2018-03-01']), refused);
    expectOneLine(
      await here(env, root, ['export', '--start', '2018-03-01', '--end', '2018-03-05']),
      refused,
    );
    symlinkSync(join(root, 'db'), join(root, 'db-link'));
    const viaLink = join(root, 'db-link', 'scanner.db');
    expectOneLine(
      await here(env, root, [
        'export',
        '--start',
        '2018-03-01',
        '--end',
        '2018-03-05',
        '--db',
        viaLink,
      ]),
      refused,
    );
    expectOneLine(
      await here(env, root, ['scan-day', '--date', '2018-03-06', '--db', viaLink]),
      refused,
    );
    expectOneLine(
      await here(env, root, [
        'backfill',
        '--start',
        '2018-03-06',
        '--end',
        '2018-03-06',
        '--db',
        viaLink,
      ]),
      refused,
    );
    expect(existsSync(dirs.exportDir)).toBe(false);
    expect(existsSync(dirs.reportsDir)).toBe(false);
    expect(readFileSync(dirs.db).equals(bytes)).toBe(true);
    // Status and the dry run take no lock.
    expect((await here(env, root, ['status'])).out).toMatch(
      new RegExp(`^running\\s+yes: backfill pid ${process.pid} `, 'm'),
    );
    expect((await here(env, root, ['backfill', '--dry-run', '--db', viaLink])).code).toBe(0);
    // Released: export runs (and holds the lock itself meanwhile, released at its end).
    held.pop()!.release();
    const ok = await here(env, root, ['export', '--start', '2018-03-01', '--end', '2018-03-05']);
    expect(ok.code, ok.err).toBe(0);
    expect(existsSync(`${dirs.db}.lock`)).toBe(false);
  });
});

describe('read-only stores and folders', () => {
  it('a read-only store file: one line naming it, no side file, no state; after chmod the same backfill runs', () => {
    const root = tempDir();
    const { env, dirs } = runEnv(root);
    Store.open(dirs.db).close();
    giveAway(root);
    chmodSync(dirs.db, 0o444);
    const args = [
      'backfill',
      '--market',
      `replay:${smallSample()}`,
      '--start',
      '2018-01-03',
      '--end',
      '2018-01-03',
      '--validate',
      'none',
      '--skip-phase0',
    ];
    const r = gapctl(env, root, args, true);
    expectOneLine(
      r,
      new RegExp(
        `store: ${dirs.db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not writable \\(EACCES\\)`,
      ),
    );
    expect(readdirSync(join(root, 'db'))).toEqual(['scanner.db']);
    expect(existsSync(dirs.stateDir)).toBe(false);
    chmodSync(dirs.db, 0o644);
    // A -shm left read-only (by another user or an older run) is named as well, and removed is all it takes.
    writeFileSync(`${dirs.db}-shm`, '');
    chmodSync(`${dirs.db}-shm`, 0o444);
    giveAway(root);
    expectOneLine(
      gapctl(env, root, args, true),
      /store: .*scanner\.db-shm is not writable \(EACCES\)/,
    );
    expect(existsSync(dirs.stateDir)).toBe(false);
    unlinkSync(`${dirs.db}-shm`);
    const again = gapctl(env, root, args, true);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^2018-01-03 COMPLETE/m);
    expect(JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8')).status).toBe(
      'DONE',
    );
  });

  it('a read-only folder: status, export and --dry-run read it (pages in the -wal included); writers are refused naming the folder', () => {
    const root = tempDir();
    const { env, dirs } = runEnv(root);
    // A store whose days are all still in its -wal (as a killed writer leaves it), copied with its -wal
    // but without a -shm: reading it needs a -shm that the read-only folder cannot hold.
    const src = join(tempDir(), 'scanner.db');
    writeBackfillState(dirs.stateDir, {
      range: { start: '2018-03-01', end: '2018-03-05' },
      status: 'DONE',
      last_completed_month: null,
      last_completed_day: '2018-03-05',
      halt_reason: null,
      halted_day: null,
      market: 'replay',
      r1_mode: 'prefilter',
    });
    const store = Store.open(src);
    store.db.pragma('wal_autocheckpoint = 0');
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    // Proven days (a backfill with proofs on skips only those; it rescans unproven ones to prove them).
    for (const d of ['2018-03-01', '2018-03-02', '2018-03-05']) {
      store.commitDay({
        completeness: completeness(d, {
          proof: 'exhaustive',
          proof_source: 'theta',
          proof_checked: 1200,
        }),
        hits: [],
        missAudit: [],
        audit: null,
      });
    }
    mkdirSync(join(root, 'db'));
    copyFileSync(src, dirs.db);
    copyFileSync(`${src}-wal`, `${dirs.db}-wal`);
    store.close();
    expect(statSync(`${dirs.db}-wal`).size).toBeGreaterThan(0);
    giveAway(root);
    chmodSync(join(root, 'db'), 0o555);
    const before = readdirSync(join(root, 'db')).sort();

    const status = gapctl(env, root, ['status'], true);
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/^days\s+3 trading days: COMPLETE 3, FAILED 0/m);
    const dry = gapctl(env, root, ['backfill', '--dry-run'], true);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/3 complete \(skipped\)/);
    const exp = gapctl(env, root, ['export', '--start', '2018-03-01', '--end', '2018-03-05'], true);
    expect(exp.code, exp.err).toBe(0);
    expect(
      readFileSync(join(dirs.exportDir, 'day_completeness.csv'), 'utf8').trim().split('\n'),
    ).toHaveLength(4);

    const folder = new RegExp(
      `store: folder ${join(root, 'db').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} of .* is not writable \\(EACCES\\)`,
    );
    expectOneLine(
      gapctl(env, root, ['backfill', '--start', '2018-03-06', '--end', '2018-03-06'], true),
      folder,
    );
    expectOneLine(gapctl(env, root, ['validate', '--date', '2018-03-01'], true), folder);
    expectOneLine(gapctl(env, root, ['scan-day', '--date', '2018-03-06'], true), folder);
    expect(readdirSync(join(root, 'db')).sort()).toEqual(before);
    expect(
      readdirSync('/tmp').filter(
        (n) =>
          n.startsWith('gapctl-ro-') &&
          statSync(join('/tmp', n)).uid === (ROOT ? NOBODY : process.getuid!()),
      ),
    ).toEqual([]);
    chmodSync(join(root, 'db'), 0o755);
  });
});

describe('a corrupt store', () => {
  it('status, export and --dry-run say it is corrupt in one line, exit 1, and leave it as it was', async () => {
    const root = tempDir();
    const { env, dirs } = runEnv(root);
    threeDays(dirs);
    // Enough bars for many pages; then one leaf page of daily_bar (the compact table behind the
    // daily_raw view, a table status never reads) is overwritten.
    const db = new Database(dirs.db);
    const sym = db.prepare('INSERT INTO symbol (symbol) VALUES (?)');
    const ins = db.prepare(
      "INSERT INTO daily_bar (day, sym, open, high, low, close, volume, vwap, transactions, provider) VALUES (17591, ?, 1, 2, 0.5, 1.5, 1000, 1.2, 10, 'test')",
    );
    db.transaction(() => {
      for (let i = 0; i < 3000; i++)
        ins.run(sym.run(`SYM${String(i).padStart(5, '0')}`).lastInsertRowid);
    })();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const leaves = (
      db
        .prepare(
          "SELECT pageno FROM dbstat WHERE name = 'daily_bar' AND pagetype = 'leaf' ORDER BY pageno",
        )
        .all() as { pageno: number }[]
    ).map((r) => r.pageno);
    db.close();
    expect(leaves.length).toBeGreaterThan(3);
    const page = leaves[Math.floor(leaves.length / 2)]!;
    const fd = openSync(dirs.db, 'r+');
    writeSync(
      fd,
      Buffer.alloc(pageSize - 200, 0xa5),
      0,
      pageSize - 200,
      (page - 1) * pageSize + 100,
    );
    closeSync(fd);
    const bytes = readFileSync(dirs.db);

    expectOneLine(
      await here(env, root, ['status']),
      /^gapctl: store: .*scanner\.db is corrupt: failed its integrity check: /,
    );
    expectOneLine(await here(env, root, ['status', '--json']), /is corrupt/);
    expectOneLine(
      await here(env, root, ['export', '--start', '2018-03-01', '--end', '2018-03-05']),
      /is corrupt/,
    );
    expectOneLine(await here(env, root, ['backfill', '--dry-run']), /is corrupt/);
    expect(readFileSync(dirs.db).equals(bytes)).toBe(true);
    expect(existsSync(dirs.exportDir)).toBe(false);
    expect(existsSync(`${dirs.db}.lock`)).toBe(false);
  });
});
