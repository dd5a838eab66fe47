/**
 * The mounted console as it runs on a terminal (Ink not in debug mode, so its render throttle and the
 * console's frame cap are on): a key's frame is written at once even right after a data frame, and
 * data frames are held back by the cap. Timers and performance.now are faked: a frame that would wait
 * for a throttle's trailing edge never comes unless the test advances the clock, so "at once" means
 * within event-loop turns, with no timer. Ink decides at import whether it runs under CI (then it
 * draws no frames), so CI variables are cleared before it is imported.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SignalSource } from '../../source/ui/index.js';
import { FakeSource, FakeStdin, FakeStdout, makeSnapshot, plain } from './harness.js';

// Before any import (vitest hoists this above them): harness.js already loads Ink, which reads CI once.
vi.hoisted(() => {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
});

let mountConsole: typeof import('../../source/ui/index.js').mountConsole;

beforeAll(async () => {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  ({ mountConsole } = await import('../../source/ui/index.js'));
});

afterEach(() => {
  vi.useRealTimers();
});

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('a key is drawn at once on a real (throttled) console', () => {
  it('p right after a data frame: PAUSING is written within event-loop turns, with timers frozen', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const stdout = new FakeStdout(120, 40);
    stdout.isTTY = true;
    const stdin = new FakeStdin();
    const source = new FakeSource(makeSnapshot());
    const c = mountConsole(
      source,
      { color: false, bell: false },
      {
        stdout: stdout as unknown as NodeJS.WriteStream,
        stdin: stdin as unknown as NodeJS.ReadStream,
        stderr: new FakeStdout(120, 40) as unknown as NodeJS.WriteStream,
        signals: new EventEmitter() as unknown as SignalSource,
        alternateScreen: false,
        patchConsole: false,
      },
    );
    const screen = () => plain(stdout.frames.join(''));
    for (let i = 0; i < 200 && !/RUNNING/.test(screen()); i++) await turns(1);
    // the first snapshot is drawn at once (no frame before it in the cap's interval)
    expect(screen()).toMatch(/RUNNING/);
    // a data frame now (a changed snapshot): drawn, or held by the cap; either way the key must not wait
    source.push(makeSnapshot({ seq: 2, inFlight: 5 }));
    await turns(5);
    const before = stdout.frames.length;
    stdin.write('p');
    for (let i = 0; i < 50 && !/PAUSING/.test(plain(stdout.frames.slice(before).join(''))); i++)
      await turns(1);
    expect(plain(stdout.frames.slice(before).join(''))).toMatch(/PAUSING/);
    // data: two more snapshots right away are folded into one frame at the end of the cap's interval
    const mark = stdout.frames.length;
    source.push(makeSnapshot({ seq: 3, inFlight: 4, state: 'PAUSING' }));
    source.push(makeSnapshot({ seq: 4, inFlight: 0, state: 'PAUSED' }));
    await turns(20);
    expect(plain(stdout.frames.slice(mark).join(''))).not.toMatch(/PAUSED/);
    await vi.advanceTimersByTimeAsync(200);
    await turns(5);
    expect(plain(stdout.frames.slice(mark).join(''))).toMatch(/PAUSED/);
    c.close('detach');
    await expect(c.done).resolves.toEqual({ quit: 'detach' });
  });
});
