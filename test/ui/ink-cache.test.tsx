/**
 * ui/ink-cache.ts: Ink's per-line parse kept across frames finds Ink's output cache (this Ink
 * version), and the frames drawn with it are exactly the frames drawn without it (colour on,
 * through snapshots that change, keys, an overlay and back); the same holds for its faster
 * `Output.get` (one shared blank cell, style diffs only where neighbours differ), also installed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../source/ui/App.js';
import { inkFastFrames, installInkLineCache } from '../../source/ui/ink-cache.js';
import { CRITICAL, FakeSource, makeSnapshot } from './harness.js';

afterEach(() => cleanup());

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setImmediate(r));
}

/** Draws a fixed sequence and returns every frame (with colour codes). */
async function frames(): Promise<string[]> {
  const source = new FakeSource(makeSnapshot());
  const r = render(<App source={source} color={true} readOnly={false} onQuit={() => {}} />);
  Object.defineProperty(r.stdout, 'columns', { value: 120, configurable: true });
  Object.defineProperty(r.stdout, 'rows', { value: 40, configurable: true });
  r.stdout.emit('resize');
  await until(() => /RUNNING/.test(r.lastFrame() ?? ''));
  const step = async (f: () => void): Promise<void> => {
    const n = r.frames.length;
    f();
    await until(() => r.frames.length > n);
  };
  for (let i = 2; i < 6; i++) {
    await step(() =>
      source.push(
        makeSnapshot({
          seq: i,
          inFlight: i,
          alerts: i > 3 ? [CRITICAL] : [],
          logTail: makeSnapshot().logTail.map((l) => `${l} #${i}`),
        }),
      ),
    );
  }
  for (const k of ['h', 'h', '?', 'q', 'p']) await step(() => r.stdin.write(k));
  const out = [...r.frames];
  r.unmount();
  return out;
}

describe('Ink line cache across frames', () => {
  it('is installed on this Ink and draws the same frames as without it', async () => {
    const without = await frames();
    expect(await installInkLineCache()).toBe(true);
    expect(inkFastFrames()).toBe(true);
    const withCache = await frames();
    expect(withCache.length).toBeGreaterThan(8);
    expect(withCache).toEqual(without);
  });
});
