import { describe, expect, test } from 'vitest';
import type { ControlCommand } from '../../source/contracts/events.js';
import type { ActionId } from '../../source/ui/keymap.js';
import type { UiEvent, UiState, StepContext } from '../../source/ui/state.js';
import {
  cursorDate,
  dayRuns,
  displayState,
  formatRuns,
  initialUiState,
  LOG_KEEP,
  logPaneDate,
  logWindow,
  newTailLines,
  panelLog,
  PENDING_SNAPSHOTS,
  selectedRange,
  showsPaused,
  step,
  visibleDays,
  wantedDetail,
  wantedLog,
} from '../../source/ui/state.js';
import { CRITICAL, makeSnapshot } from './harness.js';

const ctx: StepContext = { readOnly: false, logPage: 10, tooSmall: false, logMode: 'read' };

function run(events: UiEvent[], c: StepContext = ctx, from: UiState = initialUiState()) {
  let s = from;
  const sent: ControlCommand[] = [];
  const quits: string[] = [];
  for (const e of events) {
    const r = step(s, e, c);
    s = r.state;
    sent.push(...r.commands);
    if (r.quit) quits.push(r.quit);
  }
  return { s, sent, quits };
}
const key = (action: ActionId): UiEvent => ({ type: 'key', action });
const snap = (over = {}) => ({ type: 'snapshot' as const, snapshot: makeSnapshot(over) });

describe('log tail stitching', () => {
  test('overlap is found, repeats add nothing, a new window adds its new lines', () => {
    expect(newTailLines(['a', 'b', 'c'], ['b', 'c', 'd', 'e'])).toEqual(['d', 'e']);
    expect(newTailLines(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual([]);
    expect(newTailLines(['a', 'b'], ['x', 'y'])).toEqual(['x', 'y']);
    expect(newTailLines([], ['x'])).toEqual(['x']);
  });
  test('scrolling up stops following and counts new lines; follow goes back', () => {
    let { s } = run([snap(), key('focus'), key('up'), key('up')]);
    expect(s.focus).toBe('log');
    expect(s.scroll.following).toBe(false);
    const more = makeSnapshot({
      seq: 2,
      logTail: [...makeSnapshot().logTail.slice(3), 'n1', 'n2', 'n3'],
    });
    s = step(s, { type: 'snapshot', snapshot: more }, ctx).state;
    const w = logWindow(s, panelLog(s, 'read'), 10);
    expect(w.following).toBe(false);
    expect(w.newLines).toBe(3);
    expect(w.lines[w.lines.length - 1]).toBe('10:42:37 R1:progress 37');
    s = step(s, key('follow'), ctx).state;
    const w2 = logWindow(s, panelLog(s, 'read'), 10);
    expect(w2.following).toBe(true);
    expect(w2.lines[w2.lines.length - 1]).toBe('n3');
  });
});

describe('keys to commands', () => {
  test('p pause, r resume, s stop', () => {
    expect(run([snap(), key('pause'), key('resume'), key('stop')]).sent).toEqual([
      { type: 'pause' },
      { type: 'resume' },
      { type: 'stop' },
    ]);
  });
  test('p while PAUSING sends nothing and says so', () => {
    const { s, sent } = run([snap({ state: 'PAUSING' }), key('pause')]);
    expect(sent).toEqual([]);
    expect(s.flash).toBe('already pausing');
  });
  test('read-only sends nothing', () => {
    const { s, sent } = run([snap(), key('pause'), key('rerun')], { ...ctx, readOnly: true });
    expect(sent).toEqual([]);
    expect(s.flash).toMatch(/read-only/);
  });
  test('R on a COMPLETE day asks, y sends, n cancels', () => {
    const base = run([snap(), key('left')]).s;
    expect(cursorDate(base)).toBe('2018-03-08');
    const asked = run([key('rerun')], ctx, base);
    expect(asked.sent).toEqual([]);
    expect(asked.s.prompt?.kind).toBe('confirm');
    expect(run([key('yes')], ctx, asked.s).sent).toEqual([
      { type: 'rerun', date: '2018-03-08', exhaustive: false },
    ]);
    const no = run([key('no')], ctx, asked.s);
    expect(no.sent).toEqual([]);
    expect(no.s.prompt).toBeNull();
  });
  test('R on the running day and X send at once', () => {
    expect(run([snap(), key('rerun')]).sent).toEqual([
      { type: 'rerun', date: '2018-03-09', exhaustive: false },
    ]);
    expect(run([snap(), key('right'), key('rerun-exhaustive')]).sent).toEqual([
      { type: 'rerun', date: '2018-03-12', exhaustive: true },
    ]);
  });
  test('V validates a marked range after a preview of how many days in which ranges; e exports the month', () => {
    const r = run([snap(), key('mark'), key('left'), key('left'), key('validate-range')]);
    // 2018-03-09 is RUNNING (not scanned yet): left out of the validation and said so
    expect(r.s.prompt).toMatchObject({
      kind: 'confirm',
      text: 'validate 2 days of 2018-03-07..2018-03-09?',
    });
    expect(r.s.prompt).toMatchObject({
      detail: '1 range: 2018-03-07..2018-03-08 (2)  ·  1 not scanned left out',
    });
    expect(run([key('yes')], ctx, r.s).sent).toEqual([
      {
        type: 'validate-range',
        start: '2018-03-07',
        end: '2018-03-08',
        dates: ['2018-03-07', '2018-03-08'],
      },
    ]);
    const e = run([snap(), key('export')]);
    expect(e.s.prompt).toMatchObject({
      kind: 'confirm',
      text: 'export month 2018-03 2018-03-01..2018-03-30 (22 days, 6 complete)?',
    });
    expect(run([key('yes')], ctx, e.s).sent).toEqual([
      { type: 'export', start: '2018-03-01', end: '2018-03-30' },
    ]);
  });
  test('V with a filter validates only the days that pass it, in their ranges', () => {
    // days with baseline-only misses: 2018-03-08 only (the harness snapshot)
    const r = run([
      snap(),
      key('filter'),
      key('filter-misses'),
      key('apply'),
      key('validate-range'),
    ]);
    expect(r.s.prompt).toMatchObject({
      text: 'validate 1 day of month 2018-03?',
      detail: '1 range: 2018-03-08 (1)  ·  filter has misses',
    });
    const none = run([snap(), key('down'), key('validate-range')]);
    expect(none.s.prompt).toBeNull();
    expect(none.s.flash).toBe('nothing to validate in month 2018-04: no scanned day');
  });
  test('a acks the shown alert and hides it at once', () => {
    const r = run([snap({ alerts: [CRITICAL] }), key('ack')]);
    expect(r.sent).toEqual([{ type: 'ack', alertId: 7 }]);
    expect(run([key('ack')], ctx, r.s).sent).toEqual([]);
  });
  test('q asks stop or detach; ended runs quit at once; read-only detaches', () => {
    const asked = run([snap(), key('quit')]);
    expect(asked.s.prompt?.kind).toBe('quit');
    expect(run([key('quit-detach')], ctx, asked.s).quits).toEqual(['detach']);
    expect(run([key('quit-stop')], ctx, asked.s).quits).toEqual(['stop']);
    expect(run([key('no')], ctx, asked.s).s.prompt).toBeNull();
    expect(run([snap({ state: 'DONE' }), key('quit')]).quits).toEqual(['stop']);
    expect(run([snap(), key('quit')], { ...ctx, readOnly: true }).quits).toEqual(['detach']);
  });
  test('too small: only quitting works', () => {
    const r = run([snap(), key('pause'), key('quit')], { ...ctx, tooSmall: true });
    expect(r.sent).toEqual([]);
    expect(r.s.prompt?.kind).toBe('quit');
  });
});

describe('grid cursor and filter', () => {
  test('cursor follows the current day until moved; up/down move by month', () => {
    let { s } = run([snap()]);
    expect(cursorDate(s)).toBe('2018-03-09');
    s = run([key('up')], ctx, s).s;
    expect(cursorDate(s)).toBe('2018-02-09');
    s = run([key('down'), key('down')], ctx, s).s;
    expect(cursorDate(s)).toBe('2018-04-10');
  });
  test('filter by status and date prefix', () => {
    let { s } = run([snap(), key('filter'), key('filter-status')]);
    expect(visibleDays(s).every((d) => d.status === 'COMPLETE')).toBe(true);
    s = run(
      [
        { type: 'text', input: '2' },
        { type: 'text', input: '0' },
        { type: 'text', input: '1' },
        { type: 'text', input: '8' },
        { type: 'text', input: '-' },
        { type: 'text', input: '0' },
        { type: 'text', input: '2' },
      ],
      ctx,
      s,
    ).s;
    expect(visibleDays(s).every((d) => d.date.startsWith('2018-02'))).toBe(true);
    expect(visibleDays(s).length).toBeGreaterThan(10);
    s = run([key('filter-erase'), key('apply')], ctx, s).s;
    expect(s.prompt).toBeNull();
    expect(s.filter.prefix).toBe('2018-0');
    expect(cursorDate(s)?.startsWith('2018-0')).toBe(true);
  });
  test('selected range without a mark is the cursor month', () => {
    const { s } = run([snap()]);
    expect(selectedRange(s)).toMatchObject({ start: '2018-03-01', end: '2018-03-30' });
  });
});

describe('selectors', () => {
  const watch: StepContext = { ...ctx, logMode: 'watch' };
  test('day runs: consecutive trading days form one range', () => {
    const all = [
      '2018-03-01',
      '2018-03-02',
      '2018-03-05',
      '2018-03-06',
      '2018-03-07',
      '2018-03-08',
    ];
    const runs = dayRuns(['2018-03-08', '2018-03-01', '2018-03-02', '2018-03-06'], all);
    expect(runs).toEqual([
      { start: '2018-03-01', end: '2018-03-02', days: 2 },
      { start: '2018-03-06', end: '2018-03-06', days: 1 },
      { start: '2018-03-08', end: '2018-03-08', days: 1 },
    ]);
    expect(formatRuns(runs, 2)).toBe('2018-03-01..2018-03-02 (2), 2018-03-06 (1), +1 more range');
  });
  test('a sent pause shows PAUSING until the engine confirms, or until a few snapshots went by', () => {
    let { s } = run([snap({ seq: 10 }), key('pause')]);
    expect(displayState(s)).toEqual({ state: 'PAUSING', pending: true });
    s = step(
      s,
      { type: 'snapshot', snapshot: makeSnapshot({ seq: 11, state: 'PAUSING', inFlight: 2 }) },
      ctx,
    ).state;
    expect(displayState(s)).toEqual({ state: 'PAUSING', pending: false });
    expect(showsPaused(s)).toBe(false);
    s = step(
      s,
      { type: 'snapshot', snapshot: makeSnapshot({ seq: 12, state: 'PAUSED', inFlight: 0 }) },
      ctx,
    ).state;
    expect(showsPaused(s)).toBe(true);
    let t = run([snap({ seq: 10 }), key('stop')]).s;
    for (let i = 1; i < PENDING_SNAPSHOTS; i++)
      t = step(t, { type: 'snapshot', snapshot: makeSnapshot({ seq: 10 + i }) }, ctx).state;
    expect(displayState(t)?.state).toBe('STOPPING');
    t = step(
      t,
      { type: 'snapshot', snapshot: makeSnapshot({ seq: 10 + PENDING_SNAPSHOTS }) },
      ctx,
    ).state;
    expect(displayState(t)).toEqual({ state: 'RUNNING', pending: false });
  });
  test('p after the run ended says so and sends nothing', () => {
    const r = run([snap({ state: 'DONE', current: null }), key('pause')]);
    expect(r.sent).toEqual([]);
    expect(r.s.flash).toBe('nothing to pause: the backfill is DONE');
  });
  test('watch mode: the selected day is followed; lines append, capped; scrolled up the day stays', () => {
    let { s } = run([snap()], watch);
    expect(wantedLog(s, 'watch')).toBe('2018-03-09');
    expect(panelLog(s, 'watch')).toMatchObject({ loading: true, live: true });
    s = step(
      s,
      { type: 'log-lines', date: '2018-03-09', lines: ['a', 'b'], reset: true },
      watch,
    ).state;
    s = step(
      s,
      {
        type: 'log-lines',
        date: '2018-03-09',
        lines: Array.from({ length: LOG_KEEP }, (_, i) => `l${i}`),
        reset: false,
      },
      watch,
    ).state;
    const p = panelLog(s, 'watch');
    expect(p.base + p.lines.length).toBe(LOG_KEEP + 2);
    expect(p.lines.length).toBe(LOG_KEEP);
    s = run([key('page-up')], watch, s).s;
    expect(s.scroll.following).toBe(false);
    // a new day starts (the cursor follows the current day), but the text being read stays
    s = step(
      s,
      { type: 'snapshot', snapshot: makeSnapshot({ seq: 2 }, '2018-03-12') },
      watch,
    ).state;
    expect(logPaneDate(s)).toBe('2018-03-09');
    s = run([key('follow')], watch, s).s;
    expect(logPaneDate(s)).toBe('2018-03-12');
    s = run([key('left'), key('detail')], watch, s).s;
    expect(wantedLog(s, 'watch')).toBe('2018-03-09');
  });
  test('the detail is asked for once per state of its day cell', () => {
    let { s } = run([snap(), key('left'), key('detail')]);
    const want = wantedDetail(s)!;
    expect(want.date).toBe('2018-03-08');
    s = step(
      s,
      { type: 'day-detail', date: want.date, key: want.key, data: null, error: 'x' },
      ctx,
    ).state;
    expect(wantedDetail(s)).toBeNull();
    const days = makeSnapshot().days.map((d) =>
      d.date === '2018-03-08' ? { ...d, status: 'RETRY_NEEDED' as const } : d,
    );
    s = step(s, { type: 'snapshot', snapshot: makeSnapshot({ seq: 2, days }) }, ctx).state;
    expect(wantedDetail(s)?.date).toBe('2018-03-08');
  });
});
