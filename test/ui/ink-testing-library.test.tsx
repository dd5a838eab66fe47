/**
 * The console rendered with ink-testing-library itself at 80x24 and 120x40 (its stdout is 100
 * columns with no rows, so each test sizes it and emits `resize`, which Ink and the console's
 * useTerminalSize obey): the dashboard, the help overlay, day detail, the quit prompt, and the
 * too-small screen, each frame at most rows - 1 lines and no wider than the terminal.
 * test/ui/frames.test.tsx covers every screen and prompt with the project's own sized harness.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../source/ui/App.js';
import { FakeSource, makeDetail, makeSnapshot, plain } from './harness.js';

afterEach(() => cleanup());

/** Lets React and Ink flush: a bounded number of event-loop turns until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function mountAt(columns: number, rows: number) {
  const source = new FakeSource(makeSnapshot(), { watchLog: true, detail: true });
  source.details.set('2018-03-08', makeDetail());
  source.files.set('2018-03-09', makeSnapshot().logTail);
  const r = render(<App source={source} color={false} readOnly={false} onQuit={() => {}} />);
  Object.defineProperty(r.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(r.stdout, 'rows', { value: rows, configurable: true });
  r.stdout.emit('resize');
  const text = () => plain(r.lastFrame() ?? '');
  return { r, text };
}

function expectFits(text: string, columns: number, rows: number): void {
  const lines = text.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns);
}

describe.each([
  [120, 40],
  [80, 24],
])('ink-testing-library at %ix%i', (columns, rows) => {
  it('dashboard, help overlay, day detail and quit prompt fit the terminal', async () => {
    const { r, text } = mountAt(columns, rows);
    await until(() => text().includes('RUNNING') && text().includes('following'), 'the dashboard');
    expect(text()).toContain('gapctl');
    expect(text()).toContain('hits R1 9  R2 14  R3 22  R4 3');
    expectFits(text(), columns, rows);

    r.stdin.write('?');
    await until(() => /keys and legend/.test(text()), 'the help overlay');
    expectFits(text(), columns, rows);
    r.stdin.write('q');
    await until(() => text().includes('RUNNING'), 'the dashboard again');

    r.stdin.write('\x1b[D'); // left: 2018-03-08, a COMPLETE day with a stored detail
    await until(() => text().includes('2018-03-08'), 'the cursor on 2018-03-08');
    r.stdin.write('\r');
    await until(() => /Hits/.test(text()) && text().includes('Day 2018-03-08'), 'the day detail');
    expectFits(text(), columns, rows);
    r.stdin.write('q');
    await until(() => text().includes('RUNNING'), 'the dashboard again');

    r.stdin.write('q');
    await until(() => /\[s\]top/.test(text()) && /\[d\]etach/.test(text()), 'the quit prompt');
    expectFits(text(), columns, rows);
  });
});

describe('ink-testing-library: too small', () => {
  it('under 80x24 the console says so with both sizes and still answers q', async () => {
    const { r, text } = mountAt(60, 20);
    await until(() => /too small/.test(text()), 'the too-small screen');
    expect(text()).toContain('terminal too small: have 60x20, need 80x24');
    r.stdin.write('q');
    await until(() => text().includes('[s]top the engine'), 'the quit prompt');
  });
});
