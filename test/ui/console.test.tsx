/**
 * mountConsole: the alternate screen is entered and left, and the terminal is restored on quit and
 * on SIGTERM / SIGHUP (signals come from an EventEmitter standing in for `process`).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempDir } from '../helpers/paths.js';
import {
  ENTER_ALT_SCREEN,
  LEAVE_ALT_SCREEN,
  mountConsole,
  type SignalSource,
} from '../../source/ui/index.js';
import {
  FakeSource,
  FakeStdin,
  FakeStdout,
  makeSnapshot,
  plain,
  tick,
  waitFor,
} from './harness.js';

function setup() {
  const stdout = new FakeStdout(120, 40);
  const stdin = new FakeStdin();
  const signals = new EventEmitter();
  const source = new FakeSource(makeSnapshot());
  const c = mountConsole(
    source,
    { color: false, bell: false },
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      stderr: new FakeStdout(120, 40) as unknown as NodeJS.WriteStream,
      signals: signals as unknown as SignalSource,
      alternateScreen: true,
      debug: true,
    },
  );
  return { stdout, stdin, signals, source, c };
}

describe('mountConsole', () => {
  test('enters the alternate screen, q then s quits with stop and leaves it', async () => {
    const { stdout, stdin, signals, c } = setup();
    expect(stdout.frames[0]).toBe(ENTER_ALT_SCREEN);
    await tick();
    expect(plain(stdout.lastFrame())).toContain('Backfill');
    stdin.write('q');
    await waitFor(() => plain(stdout.lastFrame()).includes('[d]etach'), 'quit prompt');
    stdin.write('s');
    await expect(c.done).resolves.toEqual({ quit: 'stop' });
    expect(stdout.lastFrame()).toBe(LEAVE_ALT_SCREEN);
    expect(
      signals.listenerCount('SIGINT') +
        signals.listenerCount('SIGTERM') +
        signals.listenerCount('SIGHUP') +
        signals.listenerCount('exit'),
    ).toBe(0);
  });
  test('SIGTERM restores the terminal and resolves stop; SIGHUP detaches', async () => {
    const a = setup();
    await tick();
    a.signals.emit('SIGTERM');
    await expect(a.c.done).resolves.toEqual({ quit: 'stop' });
    expect(a.stdout.frames.filter((f) => f === LEAVE_ALT_SCREEN)).toHaveLength(1);
    const b = setup();
    await tick();
    b.signals.emit('SIGHUP');
    await expect(b.c.done).resolves.toEqual({ quit: 'detach' });
    expect(b.stdout.lastFrame()).toBe(LEAVE_ALT_SCREEN);
  });
  test('the bell rings only on a TTY with --bell', async () => {
    const stdout = new FakeStdout(120, 40);
    stdout.isTTY = true;
    const source = new FakeSource(makeSnapshot());
    const c = mountConsole(
      source,
      { color: false, bell: true },
      {
        stdout: stdout as unknown as NodeJS.WriteStream,
        stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
        stderr: new FakeStdout(120, 40) as unknown as NodeJS.WriteStream,
        signals: new EventEmitter() as unknown as SignalSource,
        alternateScreen: false,
        debug: true,
      },
    );
    await tick();
    source.push(
      makeSnapshot({
        seq: 2,
        alerts: [
          {
            id: 9,
            at: '',
            severity: 'CRITICAL',
            kind: 'k',
            date: null,
            message: 'm',
            acknowledged: false,
          },
        ],
      }),
    );
    await tick();
    expect(stdout.frames.filter((f) => f === '\x07')).toHaveLength(1);
    c.close('detach');
    await expect(c.done).resolves.toEqual({ quit: 'detach' });
  });
  test('with a metrics path it writes frames, fps, event-loop utilisation and the tallest frame on exit', async () => {
    const stdout = new FakeStdout(120, 40);
    const source = new FakeSource(makeSnapshot());
    const path = join(tempDir(), 'ui.json');
    const t0 = performance.now();
    const c = mountConsole(
      source,
      { color: false, bell: false },
      {
        stdout: stdout as unknown as NodeJS.WriteStream,
        stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
        stderr: new FakeStdout(120, 40) as unknown as NodeJS.WriteStream,
        signals: new EventEmitter() as unknown as SignalSource,
        alternateScreen: false,
        debug: true,
        metricsPath: path,
      },
    );
    await waitFor(() => plain(stdout.lastFrame()).includes('Backfill'), 'first frame');
    source.push(makeSnapshot({ seq: 2, state: 'PAUSED' }));
    await waitFor(() => plain(stdout.lastFrame()).includes('PAUSED'), 'second frame');
    c.close('detach');
    await c.done;
    const m = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
    expect(m.frames).toBeGreaterThanOrEqual(2);
    expect(m.renders).toBeGreaterThanOrEqual(2);
    expect(m.maxFrameLines).toBeGreaterThan(20);
    expect(m.maxFrameLines).toBeLessThanOrEqual(39);
    expect(m.rows).toBe(40);
    expect(m.eventLoopUtilization).toBeGreaterThanOrEqual(0);
    expect(m.eventLoopUtilization).toBeLessThanOrEqual(1);
    // Every frame the console wrote reached the fake terminal, and the rates follow from the counts.
    const drawn = stdout.frames.filter((f) =>
      /\S/.test(f.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g, '')),
    ).length;
    expect(m.frames).toBe(drawn);
    expect(m.columns).toBe(120);
    expect(m.seconds).toBeGreaterThan(0);
    expect(m.seconds).toBeLessThan((performance.now() - t0) / 1000 + 0.01);
    expect(m.fps).toBeCloseTo(m.frames / m.seconds, 0);
    expect(m.renderMsMean).toBeGreaterThan(0);
    expect(m.cpuUserMs).toBeGreaterThan(0);
    expect(m.cpuSystemMs).toBeGreaterThanOrEqual(0);
    expect(m.processCpuShare).toBeCloseTo((m.cpuUserMs + m.cpuSystemMs) / 1000 / m.seconds, 1);
  });
});
