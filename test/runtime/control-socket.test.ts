/**
 * The control socket of the headless runner: owner-only mode (0600), commands round-trip in
 * order, a malformed line is answered and never fatal, a stale socket file of a killed runner is
 * cleaned while a live runner makes a second one refuse, and a path too long for sun_path is one
 * clear error. Waits are on events and replies, never on time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlCommand } from '../../source/contracts/events.js';
import {
  ControlSocketError,
  listenControlSocket,
  probeControlSocket,
  sendControlCommand,
  sendControlRequest,
  type ControlServer,
} from '../../source/runtime/control-socket.js';
import { tempDir } from '../helpers/paths.js';

const open: ControlServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function listen(
  path: string,
  handler: (c: ControlCommand) => { ok: boolean; error?: string } = () => ({ ok: true }),
): Promise<ControlServer> {
  const s = await listenControlSocket(path, handler);
  open.push(s);
  return s;
}

/** Writes raw text on one connection and resolves with the first `n` reply lines. */
function rawExchange(path: string, text: string, n: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ path });
    sock.setEncoding('utf8');
    let buf = '';
    sock.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n').filter(Boolean);
      if (lines.length >= n) {
        sock.destroy();
        resolve(lines.slice(0, n).map((l) => JSON.parse(l)));
      }
    });
    sock.on('error', reject);
    sock.on('connect', () => sock.write(text));
  });
}

describe('control socket', () => {
  it('is a socket with mode 0600 and commands round-trip in order; close removes it', async () => {
    const path = join(tempDir(), 'control.sock');
    const umaskBefore = process.umask();
    const got: ControlCommand[] = [];
    const server = await listen(path, (c) => {
      got.push(c);
      return c.type === 'validate' ? { ok: false, error: 'not now' } : { ok: true };
    });
    expect(process.umask()).toBe(umaskBefore); // the umask is restored after the bind
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    expect(await sendControlCommand(path, { type: 'pause' })).toEqual({ ok: true });
    expect(
      await sendControlCommand(path, { type: 'rerun', date: '2024-01-05', exhaustive: true }),
    ).toEqual({ ok: true });
    expect(await sendControlCommand(path, { type: 'validate', date: '2024-01-05' })).toEqual({
      ok: false,
      error: 'not now',
    });
    expect(await sendControlRequest(path, { type: 'ping' })).toEqual({
      ok: true,
      pid: process.pid,
    });
    expect(got).toEqual([
      { type: 'pause' },
      { type: 'rerun', date: '2024-01-05', exhaustive: true },
      { type: 'validate', date: '2024-01-05' },
    ]);

    await server.close();
    expect(existsSync(path)).toBe(false);
    await expect(sendControlCommand(path, { type: 'pause' })).rejects.toThrow(
      /no headless runner is listening on/,
    );
  });

  it('answers malformed lines with {ok:false} on the same connection and keeps serving', async () => {
    const path = join(tempDir(), 'control.sock');
    const got: ControlCommand[] = [];
    await listen(path, (c) => {
      if (c.type === 'export') throw new Error('export exploded\nsecond line');
      got.push(c);
      return { ok: true };
    });
    const replies = await rawExchange(
      path,
      [
        'not json at all',
        '{"type":"command","command":{"type":"fly"}}',
        '{"type":"command","command":{"type":"rerun","date":"5 Jan"}}',
        '[1,2,3]',
        '{"type":"command","command":{"type":"export","start":"2024-01-02","end":"2024-01-31"}}',
        '{"type":"command","command":{"type":"ack","alertId":7}}',
        '',
      ].join('\n'),
      6,
    );
    expect(replies.slice(0, 4)).toEqual([
      { ok: false, error: expect.stringMatching(/^malformed request: not JSON/) },
      { ok: false, error: expect.stringMatching(/^malformed request: /) },
      {
        ok: false,
        error: expect.stringMatching(/^malformed request: command\.date: a date YYYY-MM-DD/),
      },
      { ok: false, error: expect.stringMatching(/^malformed request: /) },
    ]);
    expect(replies[4]).toEqual({ ok: false, error: 'export exploded' }); // a throwing handler is one line, not a crash
    expect(replies[5]).toEqual({ ok: true });
    expect(got).toEqual([{ type: 'ack', alertId: 7 }]);

    // A line without end longer than the limit is refused and the connection closed; the server goes on.
    const long = await rawExchange(path, 'x'.repeat(70 * 1024), 1);
    expect(long[0]).toEqual({ ok: false, error: expect.stringMatching(/longer than/) });
    expect(await sendControlCommand(path, { type: 'resume' })).toEqual({ ok: true });
  });

  it('removes a stale socket left by a killed runner, and refuses a second live runner', async () => {
    const dir = tempDir();
    const path = join(dir, 'control.sock');
    // A runner that dies without cleaning up: a child listens on the path and is SIGKILLed.
    const child = spawn(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
    ]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('up') && resolve());
      child.on('exit', (code) => reject(new Error(`listener exited early (${code})`)));
    });
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(await probeControlSocket(path)).toBe('stale');

    const got: ControlCommand[] = [];
    await listen(path, (c) => {
      got.push(c);
      return { ok: true };
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await probeControlSocket(path)).toBe('live');

    // A second runner on the same path: refused with one line, and the first keeps its socket.
    const second = listenControlSocket(path, () => ({ ok: true }));
    await expect(second).rejects.toBeInstanceOf(ControlSocketError);
    await expect(second).rejects.toThrow(
      /^another headless runner is already listening on .*control\.sock/,
    );
    expect(await sendControlCommand(path, { type: 'stop' })).toEqual({ ok: true });
    expect(got).toEqual([{ type: 'stop' }]);
  });

  it('never removes a file that is not a socket', async () => {
    const path = join(tempDir(), 'control.sock');
    writeFileSync(path, 'precious');
    await expect(listenControlSocket(path, () => ({ ok: true }))).rejects.toThrow(
      /exists and is not a socket; move it away/,
    );
    expect(lstatSync(path).isFile()).toBe(true);
  });

  it('a path longer than sun_path allows is one clear error, nothing created', async () => {
    const dir = join(tempDir(), 'x'.repeat(120));
    const path = join(dir, 'control.sock');
    await expect(listenControlSocket(path, () => ({ ok: true }))).rejects.toThrow(
      /^control socket path is too long for a Unix socket \(\d+ bytes, at most 107\).*use a shorter GAPCTL_STATE_DIR$/,
    );
    expect(existsSync(dir)).toBe(false);
    await expect(sendControlCommand(path, { type: 'pause' })).rejects.toThrow(/too long/);
  });
});
