/**
 * When data frames are drawn (ui/hooks/use-console.ts, issue 13 point 4: keys answer at once):
 * - the gap before the next data frame counts from the END of the last frame, so a frame slower
 *   than the gap cannot be followed at once by another (the UI thread keeps idle time for keys);
 * - input first: after a key, data frames wait keyQuietMs, and the next key's frame shows the data
 *   that arrived meanwhile (nothing is lost, it is only drawn with the key).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../source/ui/App.js';
import { dataFrameAt, MAX_DATA_FRAME_GAP_MS } from '../../source/ui/hooks/use-console.js';
import { FakeSource, makeSnapshot, plain } from './harness.js';

afterEach(() => cleanup());

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

async function until(cond: () => boolean, what: string, frame: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}:\n${frame()}`);
}

describe('dataFrameAt', () => {
  const base = {
    lastFrameEnd: Number.NEGATIVE_INFINITY,
    lastKey: Number.NEGATIVE_INFINITY,
    renderCost: 0,
    frameMs: 84,
    busyShare: 0,
    keyQuietMs: 0,
  };

  it('counts the gap from the end of the last frame', () => {
    // a frame that started at 1000 and ended at 1500: the next data frame not before 1500 + 84
    expect(dataFrameAt({ ...base, lastFrameEnd: 1500 })).toBe(1584);
  });

  it('a costly render widens the gap to cost / busyShare, at most MAX_DATA_FRAME_GAP_MS, from its end', () => {
    expect(dataFrameAt({ ...base, lastFrameEnd: 1500, renderCost: 14, busyShare: 0.07 })).toBe(
      1700,
    );
    // a 500 ms render (a cold start on a loaded machine) must not be followed by another at once
    expect(dataFrameAt({ ...base, lastFrameEnd: 1500, renderCost: 500, busyShare: 0.07 })).toBe(
      1500 + MAX_DATA_FRAME_GAP_MS,
    );
  });

  it('holds data frames keyQuietMs after the last key', () => {
    expect(dataFrameAt({ ...base, lastFrameEnd: 1000, lastKey: 1000, keyQuietMs: 300 })).toBe(1300);
    expect(dataFrameAt({ ...base, lastFrameEnd: 2000, lastKey: 1000, keyQuietMs: 300 })).toBe(2084);
    // nothing to wait for before the first frame and key
    expect(dataFrameAt(base)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('input first', () => {
  it('a snapshot after a key waits for the quiet time; the next key draws it with its own effect', async () => {
    const source = new FakeSource(makeSnapshot());
    const r = render(
      <App
        source={source}
        color={false}
        readOnly={false}
        onQuit={() => {}}
        frameMs={0}
        keyQuietMs={60_000}
      />,
    );
    Object.defineProperty(r.stdout, 'columns', { value: 120, configurable: true });
    Object.defineProperty(r.stdout, 'rows', { value: 40, configurable: true });
    r.stdout.emit('resize');
    const text = () => plain(r.lastFrame() ?? '');
    await until(() => /RUNNING/.test(text()), 'the dashboard', text);
    // a key: its frame at once
    let n = r.frames.length;
    r.stdin.write('p');
    await until(
      () => r.frames.length > n && /PAUSING/.test(text().split('\n')[0] ?? ''),
      'PAUSING after p',
      text,
    );
    // data now is held (quiet time after the key): no frame
    n = r.frames.length;
    source.push(makeSnapshot({ seq: 3, state: 'PAUSING', inFlight: 1, done: 3 }));
    await turns(30);
    expect(r.frames.length).toBe(n);
    // the next keys' frames show that data ("pausing, 1 in flight"): ? opens the help, q closes it
    r.stdin.write('?');
    await until(() => r.frames.length > n, 'a frame after ?', text);
    r.stdin.write('q');
    await until(
      () => /pausing, 1 in flight/.test(text().split('\n')[0] ?? ''),
      'the held snapshot drawn with a key',
      text,
    );
  });
});
