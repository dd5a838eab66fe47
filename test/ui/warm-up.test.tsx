/**
 * ui/warm-up.ts: while the console waits for the engine it draws a made-up backfill into a
 * throwaway Ink instance and types a few keys there (so the first real key is not run cold).
 * Nothing of it may reach the real console: no command is sent to the real source, no frame of the
 * made-up run is written to the real terminal, and it stops once the engine's first snapshot came.
 */
import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SignalSource } from '../../source/ui/index.js';
import {
  KEY_PATH_KEYS,
  startWarmUp,
  warmKeyPath,
  warmUpSnapshot,
  WARM_UP_KEYS,
  WARM_UP_SNAPSHOTS,
} from '../../source/ui/warm-up.js';
import { render } from 'ink-testing-library';
import { App } from '../../source/ui/App.js';
import { FakeSource, FakeStdin, FakeStdout, makeSnapshot, plain } from './harness.js';

// Ink reads CI once when it loads (and harness.js loads it): the real console under test must
// draw frames, so CI is cleared before any import, as in key-frame.test.tsx.
vi.hoisted(() => {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
});
let mountConsole: typeof import('../../source/ui/index.js').mountConsole;
let engineBusy: typeof import('../../source/ui/index.js').engineBusy;
beforeAll(async () => {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  ({ mountConsole, engineBusy } = await import('../../source/ui/index.js'));
});

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('warm-up', () => {
  it('runs its frames and keys to the end and resolves; stops at once when told', async () => {
    expect(warmUpSnapshot(2).days.some((d) => d.status === 'RUNNING')).toBe(true);
    expect(WARM_UP_KEYS).toContain('p');
    const w = startWarmUp({ columns: 120, rows: 40, color: true });
    await w.done;
    let asked = 0;
    const s = startWarmUp({
      columns: 120,
      rows: 40,
      color: false,
      shouldStop: () => (asked++, true),
    });
    await s.done;
    expect(asked).toBe(1);
  });

  it('the key path is warmed first and always, even when the engine answered before the first step', async () => {
    // Measured: the engine's first snapshot often came before the dashboard warm-up typed its keys,
    // so the first real key ran Ink's input parser, the keymap and the state machine cold.
    for (const k of ['p', 'r', 'v', 'R', 'e', '?', 'q']) expect(KEY_PATH_KEYS).toContain(k);
    // typed through a throwaway Ink instance into the real controller: p, r, v ... send commands (dropped)
    expect(warmKeyPath(120, 40)).toBeGreaterThanOrEqual(3);
    const early = startWarmUp({ columns: 120, rows: 40, color: false, shouldStop: () => true });
    await early.done;
    expect(await early.keyPath).toBeGreaterThanOrEqual(3);
    // stopped from outside before its first step: nothing runs
    const off = startWarmUp({ columns: 120, rows: 40, color: false });
    off.stop();
    expect(await off.keyPath).toBe(0);
  });

  it('goes on while the engine is STARTING and stops once it runs days or a real key comes', async () => {
    // Measured: the first frames cost 20-90 ms of CPU each until about the 20th, so stopping at the
    // engine's first snapshot (STARTING) left the first real frames and the first key's frame cold.
    expect(WARM_UP_SNAPSHOTS).toBeGreaterThanOrEqual(10);
    expect(engineBusy(null)).toBe(false);
    expect(engineBusy(makeSnapshot({ state: 'STARTING' }))).toBe(false);
    for (const state of ['RUNNING', 'PAUSED', 'HALTED', 'DONE'] as const)
      expect(engineBusy(makeSnapshot({ state }))).toBe(true);
    // the App reports every key (mountConsole stops the warm-up on the first)
    let keys = 0;
    const r = render(
      <App
        source={new FakeSource(makeSnapshot())}
        color={false}
        onQuit={() => {}}
        onKey={() => keys++}
      />,
    );
    await turns(5);
    r.stdin.write('?');
    r.stdin.write('q');
    for (let i = 0; i < 100 && keys < 2; i++) await turns(1);
    expect(keys).toBe(2);
    r.unmount();
  });

  it('a console warming up sends nothing and draws nothing of the made-up run; the real first snapshot is drawn', async () => {
    const stdout = new FakeStdout(120, 40);
    stdout.isTTY = true;
    const source = new FakeSource(null);
    const c = mountConsole(
      source,
      { color: false, bell: false },
      {
        stdout: stdout as unknown as NodeJS.WriteStream,
        stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
        stderr: new FakeStdout(120, 40) as unknown as NodeJS.WriteStream,
        signals: new EventEmitter() as unknown as SignalSource,
        alternateScreen: false,
        patchConsole: false,
        warmUp: true,
      },
    );
    // long enough for every warm-up step (a dozen turns) to run
    await turns(60);
    expect(source.sent).toEqual([]);
    const screen = () => plain(stdout.frames.join(''));
    expect(screen()).toMatch(/waiting for the engine/);
    expect(screen()).not.toMatch(/warm-up\.db|sim:1\b|PAUSING/);
    source.push(makeSnapshot());
    for (let i = 0; i < 300 && !/RUNNING/.test(screen()); i++) await turns(1);
    expect(screen()).toMatch(/RUNNING/);
    expect(source.sent).toEqual([]);
    c.close('detach');
    await expect(c.done).resolves.toEqual({ quit: 'detach' });
  });
});
