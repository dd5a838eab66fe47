/**
 * Headless backfill and attach, end to end through the built CLI (dist/cli.js) on the simulated
 * market slowed by EMU_THETA_LATENCY_MS:
 *
 * - an attached console (JSON lines) is SIGKILLed while a headless backfill runs: the runner goes
 *   on, status.json's done count keeps rising, a new attach sees the progress; a read-only attach
 *   sends nothing; commands go over the socket; `stop` over the socket ends the runner cleanly
 *   (exit 1 for STOPPED, like backfillCommand; final status written; socket removed; every stored
 *   day complete with its hits, the stopped one absent);
 * - SIGHUP is ignored, a killed runner is reported by the attached console (and leaves a stale
 *   socket that the next runner cleans), a second runner on the same state folder is refused, and
 *   SIGTERM stops cleanly;
 * - the attached Ink console in a real pseudo-terminal (node-pty): `q` then `d`, and a hang-up
 *   (SIGHUP) of the console, both detach with exit 0 and send nothing; the backfill goes on;
 * - attach with no runner is one line and exit 1; bad flag combinations are usage errors.
 *
 * Waits are on output lines and on files polled with a deadline, never on time alone. The simulated
 * universe is SIM_TICKERS=1000 (not 11,000): what is tested here is the runner's process and its
 * files, which no universe size changes, and a day then costs about a fifth of the CPU.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pty from 'node-pty';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';
import { sendControlCommand } from '../../source/runtime/control-socket.js';
import { attachToRunner, readHeadlessStatus, runnerHealth } from '../../source/runtime/attach.js';
import type { HeadlessStatus } from '../../source/runtime/headless.js';
import type { BackfillSnapshot } from '../../source/contracts/events.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const RUN_ARGS = [
  'backfill',
  '--headless',
  '--market',
  'sim:7',
  '--start',
  '2024-01-02',
  '--end',
  '2024-03-28',
  '--validate',
  'none',
  '--skip-phase0',
];

interface Proc {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Proc[] = [];
const terminals: { kill(signal?: string): void; done: boolean }[] = [];
afterEach(() => {
  for (const p of started.splice(0))
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const t of terminals.splice(0)) if (!t.done) t.kill('SIGKILL');
});

function envOf(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: 'true',
    GAPCTL_DB: join(dir, 'scanner.db'),
    GAPCTL_STATE_DIR: join(dir, 'ps'),
    GAPCTL_EXPORT_DIR: join(dir, 'exports'),
    GAPCTL_REPORTS_DIR: join(dir, 'reports'),
    GAPCTL_LOG_DIR: join(dir, 'logs'),
    EMU_THETA_LATENCY_MS: '30',
    SIM_TICKERS: '1000',
    ...extra,
  };
}

function start(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env });
  const lines: string[] = [];
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    out += d;
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  const p = { child, lines, err: () => err, exited };
  started.push(p);
  return p;
}

/** Polls `probe` (every 25 ms) until it returns a value other than undefined, or fails after `ms`. */
async function until<T>(what: string, probe: () => T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function jsonLine(
  p: Proc,
  pred: (o: Record<string, unknown>) => boolean,
): Record<string, unknown> | undefined {
  for (const l of p.lines) {
    if (!l.startsWith('{')) continue;
    const o = JSON.parse(l) as Record<string, unknown>;
    if (pred(o)) return o;
  }
  return undefined;
}

function readStatus(dir: string): HeadlessStatus | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'ps/console/status.json'), 'utf8')) as HeadlessStatus;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every stored day is COMPLETE with exactly its hits; no hit without its day (complete or absent). */
function expectCompleteOrAbsent(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    const days = db
      .prepare('SELECT date, status, discoveries FROM day_completeness ORDER BY date')
      .all() as { date: string; status: string; discoveries: number }[];
    const hits = new Map(
      (
        db
          .prepare('SELECT event_date d, COUNT(*) n FROM discovery_hits GROUP BY event_date')
          .all() as { d: string; n: number }[]
      ).map((r) => [r.d, r.n]),
    );
    for (const d of days) {
      expect(d.status, d.date).toBe('COMPLETE');
      expect(hits.get(d.date) ?? 0, d.date).toBe(d.discoveries);
    }
    for (const date of hits.keys())
      expect(
        days.some((d) => d.date === date),
        `hits of ${date} without its day row`,
      ).toBe(true);
    return days.map((d) => d.date);
  } finally {
    db.close();
  }
}

describe('headless backfill and console --attach', () => {
  it('a SIGKILLed attached console never stops the backfill; re-attach sees progress; stop over the socket ends it cleanly', async () => {
    const dir = tempDir('gapctl-hl-');
    const env = envOf(dir);
    const runner = start(RUN_ARGS, env);
    const startLine = await until('the start line', () =>
      runner.lines.find((l) => l.startsWith('headless backfill ')),
    );
    expect(startLine).toMatch(
      /^headless backfill 2024-01-02\.\.2024-03-28 pid \d+: status .*status\.json, control socket .*control\.sock; watch with: gapctl console --attach/,
    );
    const pid = runner.child.pid!;
    const sock = join(dir, 'ps/control.sock');

    // First console: waits for a snapshot line, then is killed outright.
    const first = start(['console', '--attach', '--json'], env);
    const attached1 = await until('the first attach line', () =>
      jsonLine(first, (o) => o.type === 'attached'),
    );
    expect(attached1).toMatchObject({ pid, readOnly: false, total: 61 });
    await until('a day line in the first console', () => jsonLine(first, (o) => o.type === 'day'));
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const doneAtKill = readStatus(dir)!.snapshot!.done;

    // The runner goes on: alive, and status.json's done count keeps rising.
    expect(runner.child.exitCode).toBeNull();
    expect(alive(pid)).toBe(true);
    await until('progress after the kill', () =>
      (readStatus(dir)?.snapshot?.done ?? 0) > doneAtKill ? true : undefined,
    );

    // Attach again: it sees a larger done count and more days finishing.
    const second = start(['console', '--attach', '--json'], env);
    const attached2 = await until('the second attach line', () =>
      jsonLine(second, (o) => o.type === 'attached'),
    );
    expect(attached2.done as number).toBeGreaterThan(doneAtKill);
    const day2 = await until('a day line in the second console', () =>
      jsonLine(second, (o) => o.type === 'day'),
    );
    expect(day2.done as number).toBeGreaterThan(attached2.done as number);

    // Read-only: no socket, and nothing is ever sent.
    const viewer = await attachToRunner({ stateDir: join(dir, 'ps'), readOnly: true });
    try {
      viewer.send({ type: 'stop' });
      await expect(viewer.request({ type: 'pause' })).rejects.toThrow(/read-only/);
    } finally {
      await viewer.close();
    }
    const roCli = start(['console', '--attach', '--read-only', '--json'], env);
    expect(
      await until('the read-only attach line', () => jsonLine(roCli, (o) => o.type === 'attached')),
    ).toMatchObject({ readOnly: true });

    // With control: pause and resume round-trip through the runner to the engine.
    const ctl = await attachToRunner({ stateDir: join(dir, 'ps'), readOnly: false });
    try {
      const seen: BackfillSnapshot[] = [];
      const off = ctl.subscribe((s) => seen.push(s));
      expect(await ctl.request({ type: 'pause' })).toEqual({ ok: true });
      await until('PAUSED', () => (seen.some((s) => s.state === 'PAUSED') ? true : undefined));
      expect(await ctl.request({ type: 'resume' })).toEqual({ ok: true });
      const pausedAt = seen.findLast((s) => s.state === 'PAUSED')!;
      await until('RUNNING after resume', () =>
        seen.some((s) => s.state === 'RUNNING' && s.seq > pausedAt.seq) ? true : undefined,
      );
      off();
    } finally {
      await ctl.close();
    }
    const engineLog = readFileSync(join(dir, 'ps/console/engine.log'), 'utf8');
    expect(engineLog.match(/\[headless\] command \{"type":"(\w+)"/g)).toEqual([
      '[headless] command {"type":"pause"',
      '[headless] command {"type":"resume"',
    ]);
    // The read-only ones never sent anything (the stop above would have ended the backfill).
    expect(runner.child.exitCode).toBeNull();

    // Stop over the socket: the backfill stops, the runner ends cleanly and removes its socket.
    expect(await sendControlCommand(sock, { type: 'stop' })).toEqual({ ok: true });
    const exit = await runner.exited;
    expect(exit).toEqual({ code: 1, signal: null }); // STOPPED -> 1, as backfillCommand
    expect(runner.err()).toBe('');
    expect(runner.lines.at(-1)).toMatch(
      /^backfill STOPPED: \d+\/61 days \(stopped by the operator\)$/,
    );
    expect(existsSync(sock)).toBe(false);
    const final = readStatus(dir)!;
    expect(final.ended).toMatchObject({ state: 'STOPPED', exit_code: 1 });
    expect(final.snapshot!.state).toBe('STOPPED');
    const stored = expectCompleteOrAbsent(join(dir, 'scanner.db'));
    expect(stored.length).toBe(final.snapshot!.done);

    // The attached consoles see the end: the JSON one prints an end line and exits 1 (not DONE).
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(jsonLine(second, (o) => o.type === 'end')).toMatchObject({ state: 'STOPPED' });
    expect((await roCli.exited).code).toBe(1);

    // Once it ended, attach says so in one line.
    const after = spawnSync(process.execPath, [CLI, 'console', '--attach'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
    });
    expect(after.status).toBe(1);
    expect(after.stderr).toMatch(
      /^gapctl: no headless runner: the headless runner \(pid \d+\) ended STOPPED .*\n$/,
    );
  });

  it('ignores SIGHUP, is reported gone when killed, refuses a second runner, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir('gapctl-hl-');
    const env = envOf(dir);
    const runner = start(RUN_ARGS, env);
    await until('the start line', () =>
      runner.lines.find((l) => l.startsWith('headless backfill ')),
    );
    const sock = join(dir, 'ps/control.sock');
    await until('the first finished day', () =>
      (readStatus(dir)?.snapshot?.done ?? 0) >= 1 ? true : undefined,
    );

    // SIGHUP (the SSH link dropped) changes nothing.
    runner.child.kill('SIGHUP');
    const doneAtHup = readStatus(dir)!.snapshot!.done;
    await until('progress after SIGHUP', () =>
      (readStatus(dir)?.snapshot?.done ?? 0) > doneAtHup ? true : undefined,
    );
    expect(runner.child.exitCode).toBeNull();
    await until('the SIGHUP log line', () =>
      readFileSync(join(dir, 'ps/console/engine.log'), 'utf8').includes('[headless] SIGHUP ignored')
        ? true
        : undefined,
    );

    // A second runner on the same state folder (another database, so the store lock is not what stops it).
    const second = spawnSync(process.execPath, [CLI, ...RUN_ARGS], {
      cwd: REPO_ROOT,
      env: { ...env, GAPCTL_DB: join(dir, 'other.db') },
      encoding: 'utf8',
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      /^gapctl: another headless runner is already listening on .*control\.sock .*\n$/,
    );
    expect(readStatus(dir)!.pid).toBe(runner.child.pid); // its status file untouched

    // The runner is killed while a console is attached: the console says so and exits 1.
    const watcher = start(['console', '--attach', '--no-tui'], env);
    await until('the attach line', () =>
      watcher.lines.find((l) => l.startsWith('attached to headless runner pid ')),
    );
    runner.child.kill('SIGKILL');
    await runner.exited;
    expect(await watcher.exited).toEqual({ code: 1, signal: null });
    expect(watcher.lines.at(-1)).toMatch(
      /^ERROR the headless runner \(pid \d+\) is gone: no such process/,
    );
    expect(existsSync(sock)).toBe(true); // left behind by the kill
    const gone = spawnSync(process.execPath, [CLI, 'console', '--attach', '--read-only'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
    });
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(
      /^gapctl: no headless runner: the headless runner \(pid \d+\) is gone.*\n$/,
    );
    expectCompleteOrAbsent(join(dir, 'scanner.db'));

    // The next runner cleans the stale socket, resumes, and SIGTERM stops it cleanly.
    const next = start(RUN_ARGS, env);
    await until('the restart line', () =>
      next.lines.find((l) => l.startsWith('headless backfill ')),
    );
    await until('a live status of the new runner', () =>
      readStatus(dir)?.pid === next.child.pid && readStatus(dir)?.snapshot?.state === 'RUNNING'
        ? true
        : undefined,
    );
    next.child.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 1, signal: null });
    expect(next.err()).toBe('');
    expect(existsSync(sock)).toBe(false);
    expect(readStatus(dir)!.ended).toMatchObject({ state: 'STOPPED' });
    expect(readFileSync(join(dir, 'ps/console/engine.log'), 'utf8')).toMatch(
      /\[headless\] SIGTERM: stopping/,
    );
    expectCompleteOrAbsent(join(dir, 'scanner.db'));
  });

  it('the attached console in a terminal: q then d, and a hang-up, detach and leave the backfill running', async () => {
    const dir = tempDir('gapctl-hl-');
    const env = envOf(dir);
    const runner = start(RUN_ARGS, env);
    await until('the start line', () =>
      runner.lines.find((l) => l.startsWith('headless backfill ')),
    );
    await until('a first snapshot', () => (readStatus(dir)?.snapshot ? true : undefined));
    const ttyEnv = { ...env, TERM: 'xterm-256color' } as Record<string, string>;
    delete ttyEnv.CI;
    const strip = (t: string) => t.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
    const attachTty = () => {
      const term = pty.spawn(process.execPath, [CLI, 'console', '--attach'], {
        cols: 120,
        rows: 40,
        cwd: REPO_ROOT,
        env: ttyEnv,
      });
      let out = '';
      term.onData((d) => (out += d));
      const handle = { kill: (sig?: string) => term.kill(sig), done: false };
      terminals.push(handle);
      const exited = new Promise<number>((r) =>
        term.onExit((e) => {
          handle.done = true;
          r(e.exitCode);
        }),
      );
      return { term, text: () => strip(out), exited };
    };

    const a = attachTty();
    await until('the console header', () =>
      a.text().includes('backfill 2024-01-02 -> 2024-03-28') ? true : undefined,
    );
    a.term.write('q');
    await until('the quit prompt', () => (a.text().includes('[d]etach') ? true : undefined));
    a.term.write('d');
    expect(await a.exited).toBe(0);
    expect(a.text()).toContain('detached; the backfill goes on headless');
    const doneAtDetach = readStatus(dir)!.snapshot!.done;
    await until('progress after the detach', () =>
      (readStatus(dir)?.snapshot?.done ?? 0) > doneAtDetach ? true : undefined,
    );

    const b = attachTty();
    await until('the console header again', () =>
      b.text().includes('backfill 2024-01-02 -> 2024-03-28') ? true : undefined,
    );
    b.term.kill('SIGHUP'); // the SSH link of the console drops
    expect(await b.exited).toBe(0);
    const doneAtHup = readStatus(dir)!.snapshot!.done;
    await until('progress after the hang-up', () =>
      (readStatus(dir)?.snapshot?.done ?? 0) > doneAtHup ? true : undefined,
    );
    expect(runner.child.exitCode).toBeNull();
    expect(readFileSync(join(dir, 'ps/console/engine.log'), 'utf8')).not.toMatch(
      /\[headless\] command/,
    );

    runner.child.kill('SIGTERM');
    expect(await runner.exited).toEqual({ code: 1, signal: null });
    expectCompleteOrAbsent(join(dir, 'scanner.db'));
  });

  it('attach with no runner, or a bad combination of flags, is one line and a non-zero exit', async () => {
    const dir = tempDir('gapctl-hl-');
    const env = envOf(dir);
    for (const args of [
      ['console', '--attach'],
      ['console', '--attach', '--read-only', '--json'],
      ['console', '--attach', '--no-tui'],
    ]) {
      const r = spawnSync(process.execPath, [CLI, ...args], {
        cwd: REPO_ROOT,
        env,
        encoding: 'utf8',
      });
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^gapctl: no headless runner: .*status\.json does not exist \(start one with: gapctl backfill --headless\)\n$/,
      );
    }
    // A status file whose socket nobody listens on (a runner that vanished without a trace of its pid).
    mkdirSync(join(dir, 'ps/console'), { recursive: true });
    const status: HeadlessStatus = {
      version: 1,
      pid: process.pid,
      started_at: new Date().toISOString(),
      heartbeat_at: new Date().toISOString(),
      keep_open: false,
      socket: join(dir, 'ps/control.sock'),
      engine_log: join(dir, 'ps/console/engine.log'),
      ended: null,
      snapshot: null,
    };
    writeFileSync(join(dir, 'ps/console/status.json'), JSON.stringify(status));
    const r = spawnSync(process.execPath, [CLI, 'console', '--attach', '--json'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gapctl: no headless runner is listening on .*control\.sock .*\n$/);

    // Usage errors, refused before anything runs: through the CLI's main in this process.
    for (const args of [
      ['backfill', '--attach'],
      ['console', '--read-only'],
      ['console', '--attach', '--start', '2024-01-02'],
      ['console', '--headless'],
    ]) {
      const u = await gapctlInProcess(args, { cwd: REPO_ROOT, env });
      expect(u.code, args.join(' ')).toBe(2);
      expect(u.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});

describe('runner health and the status file', () => {
  const base: HeadlessStatus = {
    version: 1,
    pid: 4242,
    started_at: '2024-05-01T10:00:00.000Z',
    heartbeat_at: '2024-05-01T10:00:10.000Z',
    keep_open: false,
    socket: '/x/control.sock',
    engine_log: '/x/engine.log',
    ended: null,
    snapshot: null,
  };
  const at = (iso: string) => Date.parse(iso);

  it('is ok with a live pid and a fresh heartbeat, stale after 5 s, gone without the pid, ended once ended', () => {
    expect(runnerHealth(base, at('2024-05-01T10:00:15.000Z'), () => true)).toEqual({ kind: 'ok' });
    expect(runnerHealth(base, at('2024-05-01T10:00:15.001Z'), () => true)).toEqual({
      kind: 'stale',
      message: 'the headless runner (pid 4242) is not responding: last heartbeat 5s ago',
    });
    expect(runnerHealth(base, at('2024-05-01T10:00:11.000Z'), () => false).kind).toBe('gone');
    const ended = {
      ...base,
      ended: { state: 'DONE' as const, reason: null, exit_code: 0, at: '2024-05-01T11:00:00.000Z' },
    };
    expect(runnerHealth(ended, at('2024-05-01T12:00:00.000Z'), () => false)).toEqual({
      kind: 'ended',
      message: 'the headless runner (pid 4242) ended DONE at 2024-05-01T11:00:00.000Z',
    });
  });

  it('reads a status file, and reports a missing, partly written or foreign one without throwing', () => {
    const dir = tempDir('gapctl-hl-');
    const path = join(dir, 'status.json');
    expect(readHeadlessStatus(path)).toMatchObject({ ok: false, missing: true });
    writeFileSync(path, JSON.stringify(base).slice(0, 40));
    expect(readHeadlessStatus(path)).toMatchObject({
      ok: false,
      missing: false,
      error: expect.stringMatching(/is not complete JSON$/),
    });
    writeFileSync(path, JSON.stringify({ ...base, pid: 'x' }));
    expect(readHeadlessStatus(path)).toMatchObject({
      ok: false,
      missing: false,
      error: expect.stringMatching(/unexpected shape \(pid: /),
    });
    writeFileSync(path, JSON.stringify(base));
    expect(readHeadlessStatus(path)).toEqual({ ok: true, status: base });
  });
});
