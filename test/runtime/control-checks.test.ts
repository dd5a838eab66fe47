/**
 * Issue 9, point 4: the control socket obeys the command line's rules.
 *
 * - A headless runner (runHeadless with a fake engine host, so no engine runs) answers a command
 *   with a bad date, a weekend or holiday, a reversed range, a day outside the backfill's range or a
 *   year outside the calendar with `{ok:false}` and the CLI's one-line message; the engine never
 *   receives it. Valid commands still reach the engine.
 * - The message is the one the command line prints for the same date (the CLI's main, run in this
 *   process: source/commands/cli-main.ts runCli).
 * - Request lines are limited to 64 KB counted in bytes as they arrive: a 70 KB line that ends with
 *   a newline (today accepted) is refused, as is an endless line, and a line at the limit passes.
 *
 * Waits are on replies and events, never on time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { BackfillSnapshot, ControlCommand } from '../../source/contracts/events.js';
import type { BackfillOutcome } from '../../source/engine/backfill.js';
import { loadConfig } from '../../source/config/index.js';
import { runHeadless, headlessPaths } from '../../source/runtime/headless.js';
import type { EngineHost } from '../../source/runtime/host.js';
import { checkControlCommand, UsageError } from '../../source/runtime/input-checks.js';
import {
  listenControlSocket,
  MAX_REQUEST_BYTES,
  sendControlCommand,
  sendControlRequest,
  type ControlServer,
} from '../../source/runtime/control-socket.js';
import { tempDir } from '../helpers/paths.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';

const BOUNDS = { start: '2024-03-04', end: '2024-03-15' };

/** A fake engine host: records commands, ends when `quit` arrives. */
function fakeHost(): { host: EngineHost; got: ControlCommand[] } {
  const got: ControlCommand[] = [];
  let end!: (v: { outcome: BackfillOutcome; snapshot: BackfillSnapshot }) => void;
  const done = new Promise<{ outcome: BackfillOutcome; snapshot: BackfillSnapshot }>(
    (r) => (end = r),
  );
  const host = {
    current: () => null,
    subscribe: () => () => {},
    onLog: () => () => {},
    send(cmd: ControlCommand) {
      got.push(cmd);
      if (cmd.type === 'quit')
        end({
          outcome: {
            state: 'STOPPED',
            reason: 'quit',
            scanned: 0,
            skipped: 0,
          } as unknown as BackfillOutcome,
          snapshot: null as unknown as BackfillSnapshot,
        });
    },
    readDayDetail: () => Promise.reject(new Error('no')),
    consoleSource: () => {
      throw new Error('no');
    },
    done,
  } as unknown as EngineHost;
  return { host, got };
}

const CASES: [string, ControlCommand, RegExp][] = [
  [
    'a rerun after the range (2030)',
    { type: 'rerun', date: '2030-01-02', exhaustive: false },
    /^--date 2030-01-02 is outside the backfill's range 2024-03-04\.\.2024-03-15$/,
  ],
  [
    'a date that does not exist',
    { type: 'validate', date: '2024-02-30' },
    /^bad date "2024-02-30" for --date: expected YYYY-MM-DD$/,
  ],
  [
    'a Saturday',
    { type: 'rerun', date: '2024-03-09', exhaustive: true },
    /^--date 2024-03-09 is not a trading day \(a Saturday\); the next trading day is 2024-03-11$/,
  ],
  [
    'a reversed range',
    { type: 'validate-range', start: '2024-03-14', end: '2024-03-05' },
    /^--start 2024-03-14 is after --end 2024-03-05$/,
  ],
  [
    'an export from 1900',
    { type: 'export', start: '1900-01-02', end: '2024-03-15' },
    /^--start 1900-01-02 is outside the calendar \(years 1990-2199\)$/,
  ],
  [
    'an export ending after the range',
    { type: 'export', start: '2024-03-04', end: '2024-03-28' },
    /^--end 2024-03-28 is outside the backfill's range/,
  ],
  [
    'a listed day outside validate-range',
    {
      type: 'validate-range',
      start: '2024-03-05',
      end: '2024-03-07',
      dates: ['2024-03-05', '2024-03-12'],
    },
    /^--date 2024-03-12 is outside --start 2024-03-05 \.\. --end 2024-03-07$/,
  ],
];

describe('control commands are checked like the command line', () => {
  it.each(CASES)('%s is refused with one line', (_name, cmd, pattern) => {
    expect(() => checkControlCommand(cmd, BOUNDS)).toThrow(UsageError);
    expect(() => checkControlCommand(cmd, BOUNDS)).toThrow(pattern);
  });

  it('commands inside the range and commands without dates pass', () => {
    for (const cmd of [
      { type: 'rerun', date: '2024-03-04', exhaustive: false },
      { type: 'validate', date: '2024-03-15' },
      {
        type: 'validate-range',
        start: '2024-03-05',
        end: '2024-03-07',
        dates: ['2024-03-05', '2024-03-07'],
      },
      { type: 'export', start: '2024-03-04', end: '2024-03-15' },
      { type: 'pause' },
      { type: 'ack', alertId: 3 },
    ] as ControlCommand[])
      expect(() => checkControlCommand(cmd, BOUNDS), JSON.stringify(cmd)).not.toThrow();
  });

  it('the socket refusal is the message the CLI prints for the same date', async () => {
    const dir = tempDir();
    // The CLI's main in this process (source/commands/cli-main.ts runCli): the subject is its
    // message and exit code (cli.test.ts checks bad dates' exit 2 through real processes).
    const cli = (args: string[]) =>
      gapctlInProcess(args, {
        env: {
          ...process.env,
          CI: 'true',
          GAPCTL_DB: join(dir, 's.db'),
          GAPCTL_STATE_DIR: join(dir, 'ps'),
          GAPCTL_LOG_DIR: join(dir, 'logs'),
        },
      });
    for (const [args, cmd] of [
      [
        ['scan-day', '--date', '2024-03-09'],
        { type: 'rerun', date: '2024-03-09', exhaustive: false },
      ],
      [['validate', '--date', '2024-02-30'], { type: 'validate', date: '2024-02-30' }],
      [
        ['export', '--start', '1900-01-02', '--end', '2024-03-15'],
        { type: 'export', start: '1900-01-02', end: '2024-03-15' },
      ],
      [
        ['validate', '--start', '2024-03-14', '--end', '2024-03-05'],
        { type: 'validate-range', start: '2024-03-14', end: '2024-03-05' },
      ],
    ] as [string[], ControlCommand][]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      let msg = '';
      try {
        checkControlCommand(cmd, BOUNDS);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(r.err, args.join(' ')).toBe(`gapctl: ${msg}\n`);
    }
  });

  it('a headless runner answers bad commands with the one-line error and never hands them to the engine', async () => {
    const dir = tempDir();
    const cfg = loadConfig({
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
    });
    const { host, got } = fakeHost();
    const signals = new EventEmitter();
    const lines: string[] = [];
    const run = runHeadless({
      cfg,
      job: {
        kind: 'backfill',
        start: BOUNDS.start,
        end: BOUNDS.end,
        market: 'sim:1',
        dbPath: join(dir, 's.db'),
      },
      write: (l) => lines.push(l),
      signals,
      startWorker: () => host,
    });
    const sock = headlessPaths(cfg.GAPCTL_STATE_DIR).socket;
    // The runner is up once it answers a ping (poll with a bound; it listens before it starts the engine).
    for (let i = 0; ; i++) {
      try {
        if ((await sendControlRequest(sock, { type: 'ping' }, 1000)).ok && lines.length > 0) break;
      } catch (e) {
        if (i > 500) throw e;
      }
      await new Promise((r) => setImmediate(r));
    }
    for (const [name, cmd, pattern] of CASES) {
      const reply = await sendControlCommand(sock, cmd);
      expect(reply.ok, name).toBe(false);
      expect(reply.error, name).toMatch(pattern);
    }
    expect(got).toEqual([]);
    expect(
      await sendControlCommand(sock, { type: 'rerun', date: '2024-03-05', exhaustive: false }),
    ).toEqual({ ok: true });
    expect(
      await sendControlCommand(sock, { type: 'export', start: '2024-03-04', end: '2024-03-15' }),
    ).toEqual({ ok: true });
    expect(got).toEqual([
      { type: 'rerun', date: '2024-03-05', exhaustive: false },
      { type: 'export', start: '2024-03-04', end: '2024-03-15' },
    ]);
    signals.emit('SIGTERM'); // the runner sends quit to the engine, which ends
    expect(await run).toBe(1);
    expect(got[got.length - 1]).toEqual({ type: 'quit' });
  });
});

const open: ControlServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/**
 * Writes `text` on one connection; resolves with the reply lines once the server closed it, or once
 * `n` replies arrived (then `closed` is false).
 */
function exchange(
  path: string,
  text: string | Buffer,
  n = Infinity,
): Promise<{ replies: unknown[]; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = createConnection({ path });
    sock.setEncoding('utf8');
    let buf = '';
    const lines = () =>
      buf
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown);
    sock.on('data', (d: string) => {
      buf += d;
      if (lines().length >= n) {
        sock.removeAllListeners('close');
        sock.destroy();
        resolve({ replies: lines(), closed: false });
      }
    });
    sock.on('error', () => {}); // EPIPE/ECONNRESET while writing to a closed connection
    sock.on('close', () => resolve({ replies: lines(), closed: true }));
    sock.on('connect', () => sock.write(text));
  });
}

describe('control socket line limit (64 KB, counted in bytes as they arrive)', () => {
  it(
    'refuses a 70 KB line that ends with a newline, and a line that never ends; a line at the limit passes',
    { timeout: 20_000 },
    async () => {
      const path = join(tempDir(), 'control.sock');
      const got: ControlCommand[] = [];
      const server = await listenControlSocket(path, (c) => {
        got.push(c);
        return { ok: true };
      });
      open.push(server);
      // A valid command padded with spaces to 70 KB, newline-terminated: refused, connection closed.
      const cmd = '{"type":"command","command":{"type":"pause"}}';
      const long = await exchange(
        path,
        cmd + ' '.repeat(70 * 1024 - cmd.length) + '\n' + cmd + '\n',
      );
      expect(long.replies).toEqual([
        { ok: false, error: `malformed request: longer than ${MAX_REQUEST_BYTES} bytes` },
      ]);
      expect(long.closed).toBe(true);
      expect(got).toEqual([]);
      // Multi-byte characters count as bytes: 40,000 two-byte characters are 80,000 bytes.
      const wide = await exchange(path, `{"type":"ping","x":"${'é'.repeat(40_000)}"}\n`);
      expect(wide.replies).toEqual([
        { ok: false, error: expect.stringMatching(/longer than 65536 bytes/) },
      ]);
      // An endless line (4 MB, no newline) is refused once it passes the limit, not buffered.
      const endless = await exchange(path, Buffer.alloc(4 * 1024 * 1024, 0x78));
      expect(endless.replies).toEqual([{ ok: false, error: expect.stringMatching(/longer than/) }]);
      // A request of exactly the limit (newline not counted) is served; the server goes on.
      const atLimit = cmd + ' '.repeat(MAX_REQUEST_BYTES - cmd.length);
      expect(Buffer.byteLength(atLimit)).toBe(MAX_REQUEST_BYTES);
      const ok = await exchange(path, atLimit + '\n' + cmd + '\n', 2);
      expect(ok).toEqual({ replies: [{ ok: true }, { ok: true }], closed: false });
      expect(got).toEqual([{ type: 'pause' }, { type: 'pause' }]);
      expect(await sendControlCommand(path, { type: 'resume' })).toEqual({ ok: true });
    },
  );
});
