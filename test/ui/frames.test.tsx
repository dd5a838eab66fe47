/**
 * Frames of every screen, overlay and prompt at 80x24 and 120x40 (ink-testing style, uncoloured):
 * dashboard running / paused / halted with a CRITICAL alert / done, day detail with its hits table,
 * help, the confirm prompts (rerun, validate range, export), quit and filter prompts, and the
 * too-small screen. Every frame has at most rows - 1 lines and no line wider than the terminal;
 * each is also kept as a file snapshot in test/ui/__frames__/ for review.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { BackfillSnapshot } from '../../source/contracts/events.js';
import {
  CRITICAL,
  FakeSource,
  makeDetail,
  makeSnapshot,
  mount,
  plain,
  tick,
  waitFor,
  type Mounted,
} from './harness.js';

const mounted: Mounted[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.instance.unmount();
});

const SIZES: [number, number][] = [
  [120, 40],
  [80, 24],
];

/** Asserts the frame fits the terminal (rows - 1 lines, no wider than columns) and returns its text. */
function fits(frame: string, columns: number, rows: number): string {
  const text = plain(frame);
  const lines = text.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns);
  return text;
}

async function screen(
  snapshot: BackfillSnapshot,
  columns: number,
  rows: number,
  keys: string[] = [],
  source?: FakeSource,
): Promise<{ m: Mounted; text: string }> {
  const src = source ?? new FakeSource(snapshot, { watchLog: true, detail: true });
  if (!source) {
    src.details.set('2018-03-08', makeDetail());
    src.files.set('2018-03-08', [
      '2018-03-09T15:40:00Z DAY:begin date=2018-03-08 mode=prefilter',
      '2018-03-09T15:41:07Z DAY:end status=COMPLETE hits=2',
    ]);
    src.files.set('2018-03-09', snapshot.logTail);
  }
  const m = mount(src, { columns, rows });
  mounted.push(m);
  const settled = () => !/loading…|waiting for the engine/.test(plain(m.frame()));
  await waitFor(settled, 'the first snapshot and the day log');
  for (const k of keys) await m.press(k);
  await waitFor(settled, 'the day log');
  for (const fr of m.stdout.frames) fits(fr, columns, rows);
  return { m, text: fits(m.frame(), columns, rows) };
}

async function keep(name: string, columns: number, rows: number, text: string): Promise<void> {
  await expect(text + '\n').toMatchFileSnapshot(`__frames__/${name}-${columns}x${rows}.txt`);
}

describe.each(SIZES)('frames at %ix%i', (columns, rows) => {
  test('dashboard, running', async () => {
    const { text } = await screen(makeSnapshot(), columns, rows);
    expect(text).toContain('RUNNING');
    expect(text).toMatch(/ETA 1m12s +2\.4 days\/min/);
    expect(text).toContain('v3 ▮▮▮▮ 4/4');
    expect(text).toMatch(/p50 142ms p95 390ms/);
    expect(text).toMatch(/200 8,204 +204 0 +472 62 +429 0/);
    expect(text).toContain('5xx 2');
    expect(text).toContain('timeouts 0');
    expect(text).toContain('err 0.4%');
    expect(text).toContain('no backoff');
    expect(text).toContain('Polygon 2/8');
    expect(text).toContain('hits R1 9  R2 14  R3 22  R4 3');
    expect(text).toContain('Log scan_2018-03-09.log  following');
    // the legend under the grid when the screen has room, else one key away (?)
    expect(text.includes('✓ proven  ○ unproven')).toBe(columns >= 120);
    await keep('dashboard-running', columns, rows, text);
  });

  test('dashboard, paused', async () => {
    const { text } = await screen(makeSnapshot({ state: 'PAUSED', inFlight: 0 }), columns, rows);
    expect(text).toContain('PAUSED');
    expect(text).toContain('ETA 1m12s (paused)');
    expect(text).toContain('‖');
    expect(text).not.toContain('▶ ·');
    await keep('dashboard-paused', columns, rows, text);
  });

  test('dashboard, halted with a CRITICAL alert that stays until acknowledged', async () => {
    const base = makeSnapshot();
    const days = base.days.map((d) =>
      d.status === 'RUNNING' ? { ...d, status: 'PENDING' as const } : d,
    );
    const snap = {
      ...base,
      days,
      state: 'HALTED' as const,
      reason: '2018-03-08 baseline-only hits',
      alerts: [CRITICAL],
      current: null,
      inFlight: 0,
    };
    const { m, text } = await screen(snap, columns, rows);
    expect(text).toContain('HALTED: 2018-03-08 baseline');
    expect(text).toContain('! CRITICAL 2018-03-08');
    expect(text).toContain('[a]ck');
    m.source.push({ ...snap, seq: 2 });
    await tick();
    expect(plain(m.frame())).toContain('! CRITICAL 2018-03-08');
    await keep('dashboard-halted', columns, rows, text);
  });

  test('dashboard, done', async () => {
    const snap = makeSnapshot({ state: 'DONE', current: null, inFlight: 0 });
    const { text } = await screen(snap, columns, rows);
    expect(text).toContain('DONE');
    expect(text).toContain('no day running');
    expect(text).toContain('range hits R1 9');
    await keep('dashboard-done', columns, rows, text);
  });

  test('day detail with the hits table, audit, baseline and gates', async () => {
    const { m, text: first } = await screen(makeSnapshot(), columns, rows, ['h', '\r']);
    await waitFor(() => plain(m.frame()).includes('GAPX'), 'stored detail');
    const text = fits(m.frame(), columns, rows);
    expect(m.source.detailReads).toEqual(['2018-03-08']);
    expect(first).toContain('Day 2018-03-08');
    expect(text).toContain('! baseline-only misses 2');
    expect(text).toMatch(/Timings +UNIVERSE 1\.2s +GROUPED 0\.8s/);
    expect(text).toContain('total_universe 6,912');
    expect(text).toMatch(/GAPX +R1 72\.4 R2 58\.1 +1,234,567 +3\.62 +v3_trades\/utp_cta +-/);
    expect(text).toMatch(/RSPL +R3 64\.0 +804,000 +- +- +yes/);
    // the rest scrolls into view with ↓
    for (let i = 0; i < 12; i++) await m.press('j');
    const low = fits(m.frame(), columns, rows);
    expect(low).toMatch(/Audit +sample 50  misses 0  95% upper bound 6\.0%  ✓ passed/);
    expect(low).toMatch(
      /overlap 2  discovery-only 0  baseline-only 2:  ABCD R1 61\.2%,\s+WXYZ R2 55\.0%/,
    );
    expect(low).toContain('FAILED_BASELINE');
    expect(low).toContain('✗ BASELINE: baseline-only hits: 2');
    expect(low).toContain('DAY:end status=COMPLETE hits=2');
    await keep('detail-top', columns, rows, text);
    await keep('detail-scrolled', columns, rows, low);
  });

  test('day detail of a day with many hits scrolls with ↓ and keeps within the screen', async () => {
    const src = new FakeSource(makeSnapshot(), { watchLog: true, detail: true });
    const one = makeDetail().hits[0]!;
    const hits = Array.from({ length: 40 }, (_, i) => ({
      ...one,
      ticker: `T${String(i).padStart(3, '0')}`,
    }));
    src.details.set('2018-03-08', makeDetail('2018-03-08', { hits }));
    const { m } = await screen(makeSnapshot(), columns, rows, ['h', '\r'], src);
    await waitFor(() => plain(m.frame()).includes('T000'), 'stored detail');
    expect(plain(m.frame())).toMatch(/↑↓ 1-\d+\/\d+/);
    expect(plain(m.frame())).not.toContain('T039');
    for (let i = 0; i < 60; i++) await m.press('j');
    const low = fits(m.frame(), columns, rows);
    expect(low).toContain('T039');
    expect(low).toContain('✗ BASELINE');
    expect(low).not.toContain('T000');
  });

  test('help overlay', async () => {
    const { text } = await screen(makeSnapshot(), columns, rows, ['?']);
    expect(text).toContain('keys and legend');
    expect(text).toContain('‖ paused');
    expect(text).toContain('r/space');
    await keep('help', columns, rows, text);
  });

  test('confirm: rerun a COMPLETE day', async () => {
    const { text } = await screen(makeSnapshot(), columns, rows, ['h', 'R']);
    expect(text).toContain('rerun 2018-03-08? it is COMPLETE  [y]es  [n]o');
    await keep('confirm-rerun', columns, rows, text);
  });

  test('confirm: validate a range, with the preview of days and ranges', async () => {
    const { m, text } = await screen(makeSnapshot(), columns, rows, ['m', 'k', 'V']);
    expect(text).toContain('validate 20 days of 2018-02-09..2018-03-09?  [y]es  [n]o');
    expect(text).toContain('1 range: 2018-02-09..2018-03-08 (20)');
    await m.press('y');
    await waitFor(() => m.source.sent.length === 1, 'validate-range sent');
    expect(m.source.sent[0]).toMatchObject({
      type: 'validate-range',
      start: '2018-02-09',
      end: '2018-03-08',
    });
    await keep('confirm-validate-range', columns, rows, text);
  });

  test('confirm: export the month', async () => {
    const { text } = await screen(makeSnapshot(), columns, rows, ['e']);
    expect(text).toContain('export month 2018-03 2018-03-01..2018-03-30 (22 days, 6 complete)?');
    expect(text).toContain('-> discovery_hits_2018-03-01_2018-03-30.csv + day_completeness.csv');
    await keep('confirm-export', columns, rows, text);
  });

  test('quit prompt', async () => {
    const { text } = await screen(makeSnapshot(), columns, rows, ['q']);
    expect(text).toContain('quit: [s]top the engine  [d]etach and leave it running  [n]o');
    await keep('quit', columns, rows, text);
  });

  test('filter prompt', async () => {
    const { text } = await screen(makeSnapshot(), columns, rows, [
      '/',
      's',
      '2',
      '0',
      '1',
      '8',
      '-',
      '0',
      '2',
    ]);
    expect(text).toContain('filter: [s]tatus COMPLETE');
    expect(text).toContain('date "2018-02_"');
    expect(text).toContain('filter status=COMPLETE date 2018-02*');
    await keep('filter', columns, rows, text);
  });
});

test.each([
  [79, 24],
  [80, 23],
  [60, 20],
])('too-small screen at %ix%i says so; q and Ctrl+C still answer', async (columns, rows) => {
  const { m, text } = await screen(makeSnapshot(), columns, rows);
  expect(text).toContain(`terminal too small: have ${columns}x${rows}, need 80x24`);
  expect(text).toContain('the engine keeps running');
  await m.press('q');
  expect(plain(m.frame())).toContain('[s]top the engine');
  await m.press('n');
  await m.press('\x03');
  await m.press('d');
  await waitFor(() => m.quits.length > 0, 'quit');
  expect(m.quits).toEqual(['detach']);
  if (columns === 79) await keep('too-small', columns, rows, text);
});

describe('controls show at once, then the engine confirms', () => {
  test('p shows "PAUSING  pausing, N in flight" before any snapshot; PAUSED when the engine says so', async () => {
    const { m } = await screen(makeSnapshot(), 120, 40);
    const before = m.source.latest!;
    await m.press('p');
    expect(m.source.sent).toEqual([{ type: 'pause' }]);
    expect(plain(m.frame())).toContain('PAUSING  pausing, 6 in flight');
    m.source.push({ ...before, seq: 2, state: 'PAUSING', inFlight: 3 });
    await waitFor(() => plain(m.frame()).includes('pausing, 3 in flight'), 'engine count');
    m.source.push({ ...before, seq: 3, state: 'PAUSED', inFlight: 0 });
    await waitFor(() => plain(m.frame()).includes('PAUSED'), 'paused');
    expect(plain(m.frame())).toContain('‖');
    await m.press('r');
    expect(plain(m.frame())).toMatch(/ RUNNING /);
  });
  test('s shows STOPPING at once; an engine that never confirms falls back after a few snapshots', async () => {
    const { m } = await screen(makeSnapshot(), 120, 40);
    await m.press('s');
    expect(plain(m.frame())).toContain('STOPPING  stopping, 6 in flight aborted');
    for (let i = 2; i < 7; i++) m.source.push(makeSnapshot({ seq: i }));
    await waitFor(() => !plain(m.frame()).includes('STOPPING'), 'pending dropped');
    expect(plain(m.frame())).toContain('RUNNING');
  });
});

describe('log pane on the selected day file', () => {
  test('follows appended lines; scrolled up it counts "N new lines"; f follows again; another day shows its file', async () => {
    const { m } = await screen(makeSnapshot(), 120, 40);
    expect(plain(m.frame())).toContain('Log scan_2018-03-09.log  following');
    m.source.appendLog('2018-03-09', ['10:43:00 R1:progress 40']);
    await waitFor(() => plain(m.frame()).includes('10:43:00 R1:progress 40'), 'appended line');
    await m.press('\t');
    await m.press('\x1b[5~');
    m.source.appendLog('2018-03-09', ['10:43:01 a', '10:43:02 b', '10:43:03 c']);
    await waitFor(() => plain(m.frame()).includes('3 new lines'), 'new lines count');
    expect(plain(m.frame())).not.toContain('10:43:03 c');
    await m.press('f');
    await waitFor(() => plain(m.frame()).includes('10:43:03 c'), 'following again');
    await m.press('\t');
    await m.press('\t');
    await m.press('h');
    await waitFor(
      () => plain(m.frame()).includes('DAY:end status=COMPLETE hits=2'),
      'selected day log',
    );
    expect(plain(m.frame())).toContain('Log scan_2018-03-08.log  following');
  });
});

test('monochrome: every day state is carried by a glyph, with no colour codes', async () => {
  const statuses = [
    'COMPLETE',
    'RUNNING',
    'PENDING',
    'RETRY_NEEDED',
    'FAILED',
    'INCOMPLETE',
    'SKIPPED',
  ] as const;
  const base = makeSnapshot();
  const days = base.days.map((d, i) => ({
    ...d,
    status: statuses[i % statuses.length],
    baselineOnly: i === 7 ? 1 : 0,
  }));
  for (const state of ['RUNNING', 'PAUSED'] as const) {
    const m = mount(new FakeSource({ ...base, days, state, inFlight: 0 }), {
      columns: 120,
      rows: 40,
      color: false,
    });
    mounted.push(m);
    await tick();
    const raw = m.frame();
    expect(raw).not.toMatch(/\x1b\[(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]/);
    const grid = plain(raw).split('\n').slice(2, 4).join('\n');
    for (const g of ['✓', '·', '↻', '✗', '◐', '-', '!']) expect(grid).toContain(g);
    expect(grid).toContain(state === 'PAUSED' ? '‖' : '▶');
  }
});
