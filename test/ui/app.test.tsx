import { afterEach, describe, expect, test } from 'vitest';
import {
  CRITICAL,
  FakeSource,
  makeSnapshot,
  mount,
  plain,
  tick,
  waitFor,
  weekdays,
  type Mounted,
} from './harness.js';

const mounted: Mounted[] = [];
function open(...args: Parameters<typeof mount>): Mounted {
  const m = mount(...args);
  mounted.push(m);
  return m;
}
afterEach(() => {
  for (const m of mounted.splice(0)) m.instance.unmount();
});

function lines(frame: string): number {
  return frame.split('\n').length;
}

describe.each([
  [120, 40],
  [80, 24],
])('dashboard at %ix%i', (columns, rows) => {
  test('header, progress, grid glyphs, Theta 4/4, CRITICAL banner; at most rows-1 lines', async () => {
    const m = open(new FakeSource(makeSnapshot({ alerts: [CRITICAL] })), { columns, rows });
    // on a loaded machine the first snapshot may take more than one tick to be drawn
    await waitFor(() => plain(m.frame()).includes('41/64 days'), 'first snapshot drawn');
    const f = plain(m.frame());
    expect(f).toContain('gapctl');
    expect(f).toContain('backfill 2018-01-11 -> 2018-04-10');
    expect(f).toContain('RUNNING');
    expect(f).toContain('? help');
    expect(f).toMatch(/Backfill +#+\.+ +41\/64 days +64%/);
    expect(f).toContain('ETA 1m12s');
    for (const g of ['✓', '▶', '·', '!']) expect(f).toContain(g);
    expect(f).toContain('4/4');
    expect(f).toContain('▮▮▮▮');
    expect(f).toContain('! CRITICAL 2018-03-08');
    expect(f).toContain('baseline-only hits: 2');
    expect(f).toContain('R1 9  R2 14  R3 22  R4 3');
    expect(f).toContain('Log scan_2018-03-09.log  following');
    expect(f).toContain('10:42:39 R1:progress 39');
    expect(f).toContain('p pause');
    expect(lines(m.frame())).toBeLessThanOrEqual(rows - 1);
    for (const l of f.split('\n')) expect(l.length).toBeLessThanOrEqual(columns);
    // the sparkline only at 100+ columns
    expect(/[▁▂▃▄▅▆▇█]/.test(f)).toBe(columns >= 100);
  });

  test('every frame stays within rows-1 lines through keys and overlays', async () => {
    const long = makeSnapshot({
      alerts: [CRITICAL],
      logTail: Array.from({ length: 200 }, (_, i) => `line ${i}`),
    });
    const m = open(new FakeSource(long), { columns, rows });
    await tick();
    for (const k of [
      '?',
      'j',
      '\x7f',
      '\r',
      'k',
      'q',
      '\t',
      '\x1b[A',
      '\x1b[5~',
      '/',
      's',
      'q',
      'q',
    ])
      await m.press(k);
    expect(m.stdout.frames.length).toBeGreaterThan(5);
    for (const fr of m.stdout.frames) expect(lines(fr)).toBeLessThanOrEqual(rows - 1);
  });
});

test('a five-year range aggregates per month and still fits 80x24', async () => {
  const dates = weekdays('2014-01-02', '2018-12-31');
  const s = makeSnapshot({
    start: '2014-01-02',
    end: '2018-12-31',
    days: dates.map((date) => ({
      date,
      status: date < '2016-06-01' ? 'COMPLETE' : 'PENDING',
      hits: 0,
      baselineOnly: 0,
    })),
    total: dates.length,
    current: null,
    logDate: null,
    logTail: [],
  });
  const m = open(new FakeSource(s), { columns: 80, rows: 24 });
  await waitFor(() => plain(m.frame()).includes('month view'), 'first snapshot drawn');
  const f = plain(m.frame());
  expect(f).toContain('month view');
  expect(f).toContain('2016 ');
  expect(lines(m.frame())).toBeLessThanOrEqual(23);
});

describe('too small', () => {
  test('says so with the sizes; q then s quits with stop', async () => {
    const m = open(new FakeSource(makeSnapshot()), { columns: 70, rows: 20 });
    await tick();
    expect(plain(m.frame())).toContain('terminal too small: have 70x20, need 80x24');
    await m.press('p');
    expect(m.source.sent).toEqual([]);
    await m.press('q');
    expect(plain(m.frame())).toContain('[s]top the engine');
    await m.press('s');
    await waitFor(() => m.quits.length > 0, 'quit');
    expect(m.quits).toEqual(['stop']);
  });
  test('Ctrl+C twice quits (stop); resize back shows the dashboard', async () => {
    const m = open(new FakeSource(makeSnapshot()), { columns: 120, rows: 40 });
    await tick();
    m.stdout.resize(60, 20);
    await waitFor(() => plain(m.frame()).includes('have 60x20'), 'too-small screen');
    m.stdout.resize(100, 30);
    await waitFor(() => plain(m.frame()).includes('Backfill'), 'dashboard again');
    expect(lines(m.frame())).toBeLessThanOrEqual(29);
    await m.press('\x03');
    expect(plain(m.frame())).toContain('[d]etach');
    await m.press('\x03');
    await waitFor(() => m.quits.length > 0, 'quit');
    expect(m.quits).toEqual(['stop']);
  });
});

describe('keys send commands', () => {
  test('p pause, r and space resume, s stop', async () => {
    const m = open(new FakeSource(makeSnapshot()), { columns: 120, rows: 40 });
    await tick();
    await m.press('p');
    await waitFor(() => m.source.sent.length === 1, 'pause');
    expect(m.source.sent).toEqual([{ type: 'pause' }]);
    expect(plain(m.frame())).toContain('sent: pause');
    await m.press('r');
    await m.press(' ');
    await m.press('s');
    expect(m.source.sent).toEqual([
      { type: 'pause' },
      { type: 'resume' },
      { type: 'resume' },
      { type: 'stop' },
    ]);
  });

  test('PAUSING shows "pausing, N in flight"', async () => {
    const src = new FakeSource(makeSnapshot());
    const m = open(src, { columns: 120, rows: 40 });
    await tick();
    src.push(makeSnapshot({ seq: 2, state: 'PAUSING', inFlight: 3 }));
    await waitFor(() => plain(m.frame()).includes('pausing, 3 in flight'), 'pausing text');
  });

  test('R on a COMPLETE day asks to confirm; y sends the rerun', async () => {
    const m = open(new FakeSource(makeSnapshot()), { columns: 120, rows: 40 });
    await tick();
    await m.press('h');
    await waitFor(() => plain(m.frame()).includes('2018-03-08 COMPLETE'), 'cursor on 2018-03-08');
    await m.press('R');
    await waitFor(
      () => plain(m.frame()).includes('rerun 2018-03-08? it is COMPLETE  [y]es  [n]o'),
      'confirm prompt',
    );
    expect(m.source.sent).toEqual([]);
    await m.press('y');
    await waitFor(() => m.source.sent.length === 1, 'rerun sent');
    expect(m.source.sent).toEqual([{ type: 'rerun', date: '2018-03-08', exhaustive: false }]);
  });

  test('arrow keys move the cursor like hjkl', async () => {
    const m = open(new FakeSource(makeSnapshot()), { columns: 120, rows: 40 });
    await tick();
    await m.press('\x1b[A');
    await waitFor(() => plain(m.frame()).includes('» 2018-02-09'), 'up arrow: previous month');
    await m.press('\x1b[C');
    await waitFor(() => plain(m.frame()).includes('» 2018-02-12'), 'right arrow: next day');
  });

  test('a acknowledges the CRITICAL alert and the banner goes', async () => {
    const m = open(new FakeSource(makeSnapshot({ alerts: [CRITICAL] })), {
      columns: 120,
      rows: 40,
    });
    await tick();
    await m.press('a');
    await waitFor(() => m.source.sent.length === 1, 'ack');
    expect(m.source.sent).toEqual([{ type: 'ack', alertId: 7 }]);
    expect(plain(m.frame())).not.toContain('! CRITICAL');
  });

  test('read-only: command keys send nothing and say read-only', async () => {
    const m = open(new FakeSource(makeSnapshot()), { columns: 120, rows: 40, readOnly: true });
    await tick();
    expect(plain(m.frame())).toContain('read-only');
    await m.press('p');
    await m.press('R');
    expect(m.source.sent).toEqual([]);
    expect(plain(m.frame())).toContain('read-only: attached without control');
    await m.press('q');
    await waitFor(() => m.quits.length > 0, 'quit');
    expect(m.quits).toEqual(['detach']);
  });

  test('q asks; d detaches', async () => {
    const m = open(new FakeSource(makeSnapshot()), { columns: 80, rows: 24 });
    await tick();
    await m.press('q');
    expect(plain(m.frame())).toContain('quit: [s]top the engine  [d]etach and leave it running');
    expect(m.quits).toEqual([]);
    await m.press('d');
    await waitFor(() => m.quits.length > 0, 'quit');
    expect(m.quits).toEqual(['detach']);
  });

  test('after the run ended q quits at once', async () => {
    const m = open(new FakeSource(makeSnapshot({ state: 'DONE', current: null })), {
      columns: 80,
      rows: 24,
    });
    await tick();
    await m.press('q');
    await waitFor(() => m.quits.length > 0, 'quit');
    expect(m.quits).toEqual(['stop']);
  });
});

describe('overlays and log', () => {
  test('? shows the keys and the legend; backspace closes', async () => {
    const m = open(new FakeSource(makeSnapshot()), { columns: 80, rows: 24 });
    await tick();
    await m.press('?');
    const f = plain(m.frame());
    expect(f).toContain('legend:');
    expect(f).toContain('✓ proven');
    expect(f).toContain('○ unproven');
    expect(f).toContain('! baseline-only miss');
    expect(f).toContain('r/space');
    await m.press('\x7f');
    await waitFor(() => plain(m.frame()).includes('Backfill'), 'dashboard');
  });

  test('enter opens the day detail; a finished day reads its log through readLog; q closes', async () => {
    const src = new FakeSource(makeSnapshot());
    const m = open(src, { columns: 120, rows: 40 });
    await tick();
    await m.press('\r');
    let f = plain(m.frame());
    expect(f).toContain('Day 2018-03-09');
    expect(f).toContain('UNIVERSE ✓ 1.2s 6,912');
    expect(f).toContain('R1 ▶ 340');
    await m.press('q');
    await m.press('h');
    await waitFor(() => src.logReads.includes('2018-03-08'), 'log panel reads the selected day');
    await waitFor(
      () => plain(m.frame()).includes('2018-03-08 REPORT:done'),
      'selected day log in the panel',
    );
    await m.press('\r');
    f = plain(m.frame());
    expect(f).toContain('Day 2018-03-08');
    expect(f).toContain('! baseline-only misses 2');
    expect(f).toContain('2018-03-08 REPORT:done');
  });

  test('scrolling the log up stops following and counts new lines; f follows again', async () => {
    const src = new FakeSource(makeSnapshot());
    const m = open(src, { columns: 120, rows: 40 });
    await tick();
    await m.press('\t');
    await m.press('\x1b[A');
    const tail = makeSnapshot().logTail;
    src.push(makeSnapshot({ seq: 2, logTail: [...tail.slice(2), 'new a', 'new b'] }));
    await waitFor(() => plain(m.frame()).includes('2 new lines'), 'new lines count');
    expect(plain(m.frame())).not.toContain('new b');
    await m.press('f');
    await waitFor(() => plain(m.frame()).includes('new b'), 'following again');
    expect(plain(m.frame())).toContain('following');
  });

  test('a new CRITICAL alert calls the bell hook once', async () => {
    const src = new FakeSource(makeSnapshot());
    const m = open(src, { columns: 120, rows: 40 });
    await tick();
    src.push(makeSnapshot({ seq: 2, alerts: [CRITICAL] }));
    src.push(makeSnapshot({ seq: 3, alerts: [CRITICAL] }));
    await tick();
    expect(m.bells).toBe(1);
  });

  test('waiting for the first snapshot, then drawing it', async () => {
    const src = new FakeSource(null);
    const m = open(src, { columns: 80, rows: 24 });
    await tick();
    expect(plain(m.frame())).toContain('waiting for the engine');
    src.push(makeSnapshot());
    await waitFor(() => plain(m.frame()).includes('Backfill'), 'dashboard');
  });
});
