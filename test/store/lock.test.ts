/**
 * The one-writer lock (source/store/lock.ts, issue 9 point 3): exactly one of many writers started
 * together wins, round after round, with and without a stale lock to take over; a symlinked path is
 * the same lock; a zombie holder (killed, not reaped) and a recycled pid (live pid, other start time)
 * are dead; a dead taker's takeover marker does not block; an unparseable lock is only taken over
 * once it is old. The concurrent test uses real child processes importing dist/store/lock.js
 * (built by `pretest` / `npm run build`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import {
  acquireLock,
  holderAlive,
  lockPath,
  pidAlive,
  procProbe,
  readLock,
  resolveDbPath,
  LockError,
  type HeldLock,
  type LockInfo,
} from '../../source/store/lock.js';

const LOCK_JS = join(REPO_ROOT, 'dist/store/lock.js');

/**
 * A writer process for `rounds` rounds. Each round r: prints `ready r`, waits for the file `go-r`,
 * tries the lock once, prints `WIN` or `LOSE <message>`, waits for `done-r`, releases a won lock
 * and prints `idle r`.
 */
const WRITER = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
const { acquireLock } = await import(process.argv[2]);
const [, , , db, dir, rounds] = process.argv;
const tick = new Int32Array(new SharedArrayBuffer(4));
const waitFor = (f, ms) => { for (let i = 0; i < ms && !existsSync(f); i++) Atomics.wait(tick, 0, 0, 1); };
for (let r = 0; r < Number(rounds); r++) {
  process.stdout.write('ready ' + r + '\\n');
  waitFor(join(dir, 'go-' + r), 60000);
  let line, lock = null;
  try { lock = acquireLock(db, 'writer'); line = 'WIN'; } catch (e) { line = (e.name === 'LockError' ? 'LOSE ' : 'ERROR ') + e.message; }
  process.stdout.write(line + '\\n');
  waitFor(join(dir, 'done-' + r), 60000);
  lock?.release();
  process.stdout.write('idle ' + r + '\\n');
}
`;

const children: ChildProcess[] = [];
const held: HeldLock[] = [];
afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const h of held.splice(0)) h.release();
});

/** The stdout lines of a child, awaited one by one (rejects when the child exits first). */
function lineReader(c: ChildProcess): () => Promise<string> {
  const ready: string[] = [];
  const waiting: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let buf = '';
  let ended: Error | null = null;
  c.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w.resolve(l);
      else ready.push(l);
    }
  });
  c.once('exit', (code) => {
    ended = new Error(`child exited (${code})`);
    for (const w of waiting.splice(0)) w.reject(ended);
  });
  return () => {
    const l = ready.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (ended) return Promise.reject(ended);
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
}

function exited(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => c.once('exit', () => r()));
}

/** The pid of a process that has exited (and was reaped). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

function writeLock(db: string, info: Partial<LockInfo>): string {
  const p = lockPath(db);
  writeFileSync(
    p,
    JSON.stringify({
      pid: process.pid,
      host: hostname(),
      command: 'backfill',
      started_at: '2026-01-01T00:00:00.000Z',
      ...info,
    }) + '\n',
  );
  return p;
}

describe('one writer per store', () => {
  it('20 rounds of 4 writers started together: exactly one wins each round, with or without a stale lock to take over', async () => {
    const dir = tempDir();
    const script = join(dir, 'writer.mjs');
    writeFileSync(script, WRITER);
    const db = join(dir, 'db', 'scanner.db');
    mkdirSync(join(dir, 'db'));
    const ROUNDS = 20;
    const ws = Array.from({ length: 4 }, () =>
      spawn(process.execPath, [script, LOCK_JS, db, dir, String(ROUNDS)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    children.push(...ws);
    const next = ws.map(lineReader);
    for (let round = 0; round < ROUNDS; round++) {
      // Odd rounds: a stale lock is there (a dead pid; every 4th round a live pid with another start time).
      if (round % 2 === 1) {
        if (round % 4 === 1) writeLock(db, { pid: deadPid(), start_ticks: 1 });
        else
          writeLock(db, { pid: process.pid, start_ticks: procProbe(process.pid)!.startTicks + 1 });
      }
      // The barrier: every writer is polling for the go file before it appears.
      expect(await Promise.all(next.map((n) => n()))).toEqual(Array(4).fill(`ready ${round}`));
      writeFileSync(join(dir, `go-${round}`), '');
      const outs = await Promise.all(next.map((n) => n()));
      const winners = outs.filter((o) => o === 'WIN');
      expect(winners, `round ${round}: ${outs.join(' | ')}`).toHaveLength(1);
      const winner = ws[outs.indexOf('WIN')]!.pid!;
      for (const o of outs.filter((x) => x !== 'WIN')) {
        expect(o, `round ${round}`).toMatch(
          new RegExp(
            `^LOSE (another writer \\(pid ${winner} on |lock: .* is being taken over by pid \\d+ )`,
          ),
        );
      }
      expect(readLock(db)).toMatchObject({ pid: winner, command: 'writer' });
      writeFileSync(join(dir, `done-${round}`), '');
      expect(await Promise.all(next.map((n) => n()))).toEqual(Array(4).fill(`idle ${round}`));
      // The winner released; no temp file or takeover marker is left behind.
      expect(readdirSync(join(dir, 'db')), `round ${round}`).toEqual([]);
    }
    await Promise.all(ws.map(exited));
  }, 60_000);

  it('a --db reached through a symlink (of the folder or of the file) is the same lock', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'real'));
    const db = join(dir, 'real', 'scanner.db');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const viaDir = join(dir, 'link', 'scanner.db');
    // Not created yet: the folder's realpath + the name.
    expect(lockPath(viaDir)).toBe(lockPath(db));
    held.push(acquireLock(viaDir, 'backfill'));
    expect(() => acquireLock(db, 'scan-day')).toThrow(
      /another backfill \(pid \d+ on .*\) is using/,
    );
    writeFileSync(db, '');
    symlinkSync(db, join(dir, 'file-link.db'));
    expect(resolveDbPath(join(dir, 'file-link.db'))).toBe(resolveDbPath(db));
    expect(() => acquireLock(join(dir, 'file-link.db'), 'validate')).toThrow(LockError);
    expect(readLock(join(dir, 'file-link.db'))).toMatchObject({
      pid: process.pid,
      command: 'backfill',
    });
  });

  it('a holder killed but not reaped (a zombie) is dead, although kill(pid, 0) still succeeds', async () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    const child = `const { acquireLock } = await import(${JSON.stringify(LOCK_JS)}); acquireLock(${JSON.stringify(db)}, 'backfill'); process.kill(process.pid, 'SIGKILL');`;
    writeFileSync(join(dir, 'holder.mjs'), child);
    // sh forks the holder, then becomes `sleep`, which never reaps it: the killed holder stays a zombie.
    const parent = spawn(
      'sh',
      [
        '-c',
        `${JSON.stringify(process.execPath)} ${JSON.stringify(join(dir, 'holder.mjs'))} & exec sleep 60`,
      ],
      { stdio: 'ignore' },
    );
    children.push(parent);
    let pid = 0;
    for (let i = 0; i < 2000; i++) {
      const info = existsSync(lockPath(db))
        ? (JSON.parse(readFileSync(lockPath(db), 'utf8')) as LockInfo)
        : null;
      if (info && procProbe(info.pid)?.state === 'Z') {
        pid = info.pid;
        break;
      }
      await new Promise((r) => setTimeout(r, 10)); // polling for the zombie, bounded (20 s)
    }
    expect(pid, 'the holder became a zombie').toBeGreaterThan(0);
    expect(pidAlive(pid)).toBe(true); // what the old check relied on
    expect(readLock(db)).toBeNull();
    const lock = acquireLock(db, 'backfill');
    held.push(lock);
    expect(lock.info.pid).toBe(process.pid);
  }, 30_000);

  it('a recycled pid (live, but another start time) is dead; the same start time is alive', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    const ticks = procProbe(process.pid)!.startTicks;
    writeLock(db, { pid: process.pid, start_ticks: ticks });
    expect(() => acquireLock(db, 'backfill')).toThrow(/another backfill \(pid \d+/);
    writeLock(db, { pid: process.pid, start_ticks: ticks + 100 });
    expect(readLock(db)).toBeNull();
    held.push(acquireLock(db, 'backfill'));
    expect(JSON.parse(readFileSync(lockPath(db), 'utf8'))).toMatchObject({
      pid: process.pid,
      start_ticks: ticks,
      db: resolveDbPath(db),
    });
  });

  it('judges holders through the process probe: zombie (Z), dead (X), gone, recycled, another host, no /proc', () => {
    const info: LockInfo = {
      pid: 4242,
      host: hostname(),
      command: 'backfill',
      started_at: 'x',
      start_ticks: 77,
    };
    expect(holderAlive(info, () => ({ state: 'S', startTicks: 77 }))).toBe(true);
    expect(holderAlive(info, () => ({ state: 'Z', startTicks: 77 }))).toBe(false);
    expect(holderAlive(info, () => ({ state: 'X', startTicks: 77 }))).toBe(false);
    expect(holderAlive(info, () => null)).toBe(false);
    expect(holderAlive(info, () => ({ state: 'R', startTicks: 78 }))).toBe(false);
    expect(
      holderAlive({ ...info, start_ticks: undefined }, () => ({ state: 'R', startTicks: 78 })),
    ).toBe(true); // an older lock: pid only
    expect(holderAlive({ ...info, host: `not-${hostname()}` }, () => null)).toBe(true); // cannot check another host
    expect(holderAlive({ ...info, pid: process.pid }, () => undefined)).toBe(true); // no /proc: kill(pid, 0)
    expect(holderAlive({ ...info, pid: deadPid() }, () => undefined)).toBe(false);
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    writeLock(db, { pid: 4242, start_ticks: 77 });
    expect(() =>
      acquireLock(db, 'backfill', { probe: () => ({ state: 'S', startTicks: 77 }) }),
    ).toThrow(/another backfill \(pid 4242/);
    held.push(
      acquireLock(db, 'backfill', {
        probe: (pid) => (pid === 4242 ? { state: 'Z', startTicks: 77 } : procProbe(pid)),
      }),
    );
  });

  it('a takeover marker left by a taker that died does not block; one held by a live taker refuses', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    const p = writeLock(db, { pid: deadPid() });
    const digest = createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 32);
    const marker = `${p}.takeover-${digest}`;
    writeFileSync(
      marker,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        command: 'backfill',
        started_at: 'x',
        start_ticks: procProbe(process.pid)!.startTicks,
      }) + '\n',
    );
    expect(() => acquireLock(db, 'backfill')).toThrow(
      new RegExp(`is being taken over by pid ${process.pid} `),
    );
    writeFileSync(
      marker,
      JSON.stringify({ pid: deadPid(), host: hostname(), command: 'backfill', started_at: 'x' }) +
        '\n',
    );
    held.push(acquireLock(db, 'backfill'));
    expect(readdirSync(dir).sort()).toEqual(['scanner.db.lock']);
  });

  it('an unparseable lock file is held while young and taken over once old', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    const p = lockPath(db);
    writeFileSync(p, '');
    expect(() => acquireLock(db, 'backfill')).toThrow(/is being written by another process/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(p, old, old);
    held.push(acquireLock(db, 'backfill'));
    expect(readLock(db)).toMatchObject({ pid: process.pid });
  });

  it('release removes only its own lock', () => {
    const dir = tempDir();
    const db = join(dir, 'scanner.db');
    const a = acquireLock(db, 'backfill');
    a.release();
    expect(existsSync(lockPath(db))).toBe(false);
    const b = acquireLock(db, 'backfill');
    held.push(b);
    a.release();
    expect(readLock(db)).toMatchObject({ nonce: b.info.nonce });
  });
});
