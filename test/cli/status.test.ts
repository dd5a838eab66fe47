/**
 * `gapctl status [--json]` as an operator runs it: no backfill yet, a halted backfill with its days,
 * alert, lock and task log, and the one-line exit 1 of a corrupt state file or a corrupt / newer
 * store, none of which is changed. The subject is the output and the exit code, so each command line
 * runs through the CLI's main in this process (source/commands/cli-main.ts runCli, no node start);
 * `status` as a real process is run by registry.test.ts (its module loads), store-access.test.ts (a
 * read-only folder, as another user) and epipe.test.ts (piped into head).
 */
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../source/store/db.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';
import { Store } from '../../source/store/store.js';
import { writeBackfillState } from '../../source/store/state-files.js';
import { completeness } from '../export/fixtures.js';

/** `gapctl status <args>` with every state path under `dir`, in this process. */
function run(args: string[], dir: string) {
  return gapctlInProcess(['status', ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      CI: 'true',
      GAPCTL_DB: join(dir, 'db', 'scanner.db'),
      GAPCTL_STATE_DIR: join(dir, 'project_state'),
      GAPCTL_EXPORT_DIR: join(dir, 'exports'),
      GAPCTL_REPORTS_DIR: join(dir, 'reports'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
    },
  });
}

/** A halted backfill over 2018-03-01 .. 2018-03-09 (7 trading days): 3 COMPLETE, 1 FAILED, 3 absent. */
function haltedBackfill(dir: string): void {
  const stateDir = join(dir, 'project_state');
  writeBackfillState(stateDir, {
    range: { start: '2018-03-01', end: '2018-03-09' },
    status: 'HALTED',
    last_completed_month: null,
    last_completed_day: '2018-03-05',
    halt_reason: '2018-03-06 FAILED: R1: theta terminal unreachable',
    halted_day: '2018-03-06',
    market: 'replay',
    r1_mode: 'prefilter',
  });
  writeFileSync(
    join(stateDir, 'task_log.md'),
    '# gapctl backfill task log\n' +
      Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') +
      '\n',
  );
  const store = Store.open(join(dir, 'db', 'scanner.db'));
  for (const d of ['2018-03-01', '2018-03-02', '2018-03-05'])
    store.commitDay({ completeness: completeness(d), hits: [], missAudit: [], audit: null });
  store.commitDay({
    completeness: completeness('2018-03-06', {
      status: 'FAILED',
      provider_status: 'R1: theta terminal unreachable',
    }),
    hits: [],
    missAudit: [],
    audit: null,
  });
  store.addAlert({
    severity: 'WARNING',
    kind: 'backfill_halt_failed',
    date: '2018-03-06',
    message: '2018-03-06 FAILED: R1: theta terminal unreachable',
  });
  store.close();
}

describe('gapctl status', () => {
  it('says no backfill has run here and exits 0 when there is no state file', async () => {
    const dir = tempDir();
    const r = await run([], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^no backfill has run here/);
    expect(r.out).toContain('no database yet');
    const j = await run(['--json'], dir);
    expect(j.code).toBe(0);
    const o = JSON.parse(j.out);
    expect(o).toMatchObject({
      backfill: null,
      days: null,
      running: null,
      message: 'no backfill has run here',
      database: { exists: false },
    });
  });

  it('shows range, status, days by status, the last failure, the task log tail; --json has the same', async () => {
    const dir = tempDir();
    haltedBackfill(dir);
    const db = join(dir, 'db', 'scanner.db');
    const before = readFileSync(db);
    const r = await run([], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^backfill\s+2018-03-01 \.\. 2018-03-09\s+HALTED/m);
    expect(r.out).toMatch(/^market\s+replay\s+R1 mode prefilter$/m);
    expect(r.out).toMatch(/^completed\s+month none, day 2018-03-05$/m);
    expect(r.out).toMatch(
      /^days\s+7 trading days: COMPLETE 3, FAILED 1, INCOMPLETE 0, RETRY_NEEDED 0, absent 3$/m,
    );
    expect(r.out).toMatch(
      /^proof\s+proven 0 of 4 scanned days \(sampled 4\); unproven: 2018-03-01\.\.2018-03-06$/m,
    );
    expect(r.out).toMatch(
      /^last failure\s+2018-03-06: 2018-03-06 FAILED: R1: theta terminal unreachable$/m,
    );
    expect(r.out).toMatch(/^\s+day\s+2018-03-06 FAILED: R1: theta terminal unreachable$/m);
    expect(r.out).toMatch(/^\s+alert\s+#1 WARNING backfill_halt_failed 2018-03-06: /m);
    expect(r.out).toMatch(/^running\s+no$/m);
    expect(r.out).toContain('  line 30\n');
    expect(r.out).toContain('  line 11\n');
    expect(r.out).not.toContain('  line 10\n');

    const j = await run(['--json'], dir);
    expect(j.code).toBe(0);
    expect(j.out.trim().split('\n')).toHaveLength(1);
    const o = JSON.parse(j.out);
    expect(o.backfill).toMatchObject({
      range: { start: '2018-03-01', end: '2018-03-09' },
      status: 'HALTED',
      market: 'replay',
      r1_mode: 'prefilter',
      last_completed_day: '2018-03-05',
    });
    expect(o.days).toEqual({
      trading_days: 7,
      COMPLETE: 3,
      FAILED: 1,
      INCOMPLETE: 0,
      RETRY_NEEDED: 0,
      absent: 3,
      other: {},
      // The fixture's days were committed without a proof: all four scanned days are unproven.
      proof: {
        scanned: 4,
        proven: 0,
        by_proof: { sampled: 4 },
        unproven_runs: ['2018-03-01..2018-03-06'],
      },
    });
    expect(o.last_failure).toMatchObject({
      halt_reason: '2018-03-06 FAILED: R1: theta terminal unreachable',
      halted_day: '2018-03-06',
      day: { date: '2018-03-06', status: 'FAILED', reason: 'R1: theta terminal unreachable' },
      alert: { id: 1, severity: 'WARNING', kind: 'backfill_halt_failed', date: '2018-03-06' },
    });
    expect(o.task_log.tail).toHaveLength(20);
    expect(o.task_log.tail[19]).toBe('line 30');
    expect(o.database).toMatchObject({ exists: true, schema_version: SCHEMA_VERSION });
    // Read-only: the store is byte for byte as it was.
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('shows a backfill as running while a live process holds the lock, not when the lock is stale', async () => {
    const dir = tempDir();
    haltedBackfill(dir);
    const lock = join(dir, 'db', 'scanner.db.lock');
    writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        command: 'backfill',
        started_at: '2018-03-06T12:00:00.000Z',
      }),
    );
    const r = await run([], dir);
    expect(r.out).toMatch(
      new RegExp(
        `^running\\s+yes: backfill pid ${process.pid} on .* since 2018-03-06T12:00:00.000Z, RSS \\d+ MB \\(peak \\d+ MB\\)$`,
        'm',
      ),
    );
    expect(JSON.parse((await run(['--json'], dir)).out).running).toMatchObject({
      pid: process.pid,
      command: 'backfill',
    });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(
      lock,
      JSON.stringify({
        pid: dead,
        host: hostname(),
        command: 'backfill',
        started_at: '2018-03-06T12:00:00.000Z',
      }),
    );
    expect((await run([], dir)).out).toMatch(/^running\s+no$/m);
  });

  it('a state file without a database says no database yet', async () => {
    const dir = tempDir();
    writeBackfillState(join(dir, 'project_state'), {
      range: { start: '2018-03-01', end: '2018-03-09' },
      status: 'RUNNING',
      last_completed_month: null,
      last_completed_day: null,
      halt_reason: null,
      halted_day: null,
      market: 'replay',
      r1_mode: 'exhaustive',
    });
    const r = await run([], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^database\s+.*scanner\.db: no database yet$/m);
    expect(r.out).toMatch(/RUNNING \(no live process holds the store: interrupted/);
    expect(r.out).toMatch(/^last failure\s+none$/m);
  });

  it('a corrupt state file is one line, exit 1, and the file is left as it was', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'project_state'), { recursive: true });
    const path = join(dir, 'project_state', 'current_state.json');
    for (const text of [
      '{"version": 1, "range": ',
      JSON.stringify({ version: 1, range: { start: '2018-03-01' } }),
    ]) {
      writeFileSync(path, text);
      for (const args of [[], ['--json']]) {
        const r = await run(args, dir);
        expect(r.code).toBe(1);
        expect(r.out).toBe('');
        expect(r.err.trim().split('\n')).toHaveLength(1);
        expect(r.err).toMatch(/^gapctl: state: .*current_state\.json is corrupt/);
        expect(readFileSync(path, 'utf8')).toBe(text);
      }
    }
  });

  it('a corrupt store or one of a newer schema is one line, exit 1, and left as it was', async () => {
    const dir = tempDir();
    haltedBackfill(dir);
    const db = join(dir, 'db', 'scanner.db');
    const newer = new Database(db);
    newer.pragma('user_version = 99');
    newer.close();
    const before = readFileSync(db);
    const r = await run([], dir);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/store: .*scanner\.db has schema version 99, newer than this gapctl/);
    expect(readFileSync(db).equals(before)).toBe(true);

    writeFileSync(
      db,
      'this is not a sqlite database, it is a text file of some length'.repeat(100),
    );
    const junk = readFileSync(db);
    const c = await run(['--json'], dir);
    expect(c.code).toBe(1);
    expect(c.err.trim().split('\n')).toHaveLength(1);
    expect(c.err).toMatch(/^gapctl: store: .*scanner\.db/);
    expect(readFileSync(db).equals(junk)).toBe(true);
  });

  it('has --help', async () => {
    const r = await run(['--help'], tempDir());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: gapctl status/);
  });
});
