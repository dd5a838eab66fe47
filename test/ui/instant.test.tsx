/**
 * A console that answers at once (issue 13 point 4), rendered with ink-testing-library:
 * - a key draws its effect on the next frame from local state, with no snapshot after it, while
 *   data frames are held back by the frame cap (p PAUSING, v "validating D" on an idle engine,
 *   y/v "+N queued" on a busy one);
 * - the day panel's timer freezes at the day's end (snapshot times are the fake clock);
 * - a validation that ended leaves an outcome line in the log pane, and a failed one an alert;
 * - the engine's snapshot records the validations, and the closing summary names hits per rule,
 *   proven days, validations, alerts and the exports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import type { BackfillSnapshot, ValidationOutcome } from '../../source/contracts/events.js';
import { initialMemo, initialSnapshot, reduce } from '../../source/runtime/snapshot.js';
import { App } from '../../source/ui/App.js';
import { closingSummary } from '../../source/ui/summary.js';
import { initialUiState, step, type StepContext } from '../../source/ui/state.js';
import { CRITICAL, FakeSource, makeSnapshot, plain } from './harness.js';

afterEach(() => cleanup());

/** Event-loop turns (setImmediate), never a timed wait. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Turns the event loop until `cond` holds (bounded); throws with the frame. */
async function until(cond: () => boolean, what: string, frame: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}:\n${frame()}`);
}

/** Mounts the App at 120x40 with a data frame cap of `frameMs`. */
function mountApp(first: BackfillSnapshot, frameMs = 0) {
  const source = new FakeSource(first);
  const r = render(
    <App source={source} color={false} readOnly={false} onQuit={() => {}} frameMs={frameMs} />,
  );
  Object.defineProperty(r.stdout, 'columns', { value: 120, configurable: true });
  Object.defineProperty(r.stdout, 'rows', { value: 40, configurable: true });
  r.stdout.emit('resize');
  const text = () => plain(r.lastFrame() ?? '');
  const header = () => text().split('\n')[0] ?? '';
  return { r, source, text, header };
}

/** Presses `key` and resolves once a new frame is written (bounded turns, no snapshot pushed). */
async function pressForFrame(m: ReturnType<typeof mountApp>, key: string): Promise<string> {
  const before = m.r.frames.length;
  m.r.stdin.write(key);
  await until(() => m.r.frames.length > before, `a frame after "${key}"`, m.text);
  return m.text();
}

/** A finished day's cell: COMPLETE in 4.5 s. */
function finished(
  s: BackfillSnapshot,
  date: string,
  over: Partial<BackfillSnapshot['days'][number]> = {},
): BackfillSnapshot['days'] {
  return s.days.map((d) =>
    d.date === date ? { ...d, status: 'COMPLETE', hits: 3, durationMs: 4500, ...over } : d,
  );
}

const outcome = (
  n: number,
  date: string,
  passed: boolean,
  gate: string | null,
  message: string,
): ValidationOutcome => ({
  n,
  date,
  passed,
  stopped: false,
  gate,
  message,
  at: 1_520_600_100_000 + n,
});

describe('keys draw at once from local state', () => {
  it('p shows PAUSING and y/v "+N queued" on the next frame, while data frames wait for the cap', async () => {
    const m = mountApp(makeSnapshot(), 60_000);
    await until(() => /RUNNING/.test(m.header()), 'the dashboard', m.text);
    // a snapshot now is data: the frame cap (60 s here) holds it back
    const framesBefore = m.r.frames.length;
    m.source.push(makeSnapshot({ seq: 2, inFlight: 3, queuedCommands: 0 }));
    await turns(20);
    expect(m.r.frames.length).toBe(framesBefore);
    // p: PAUSING on the very next frame, and the pause command went out; no snapshot said so
    const afterP = await pressForFrame(m, 'p');
    expect(afterP.split('\n')[0]).toMatch(/PAUSING/);
    // the held-back snapshot is in the key's frame too (3 in flight)
    expect(afterP.split('\n')[0]).toMatch(/pausing, 3 in flight/);
    expect(m.source.sent).toContainEqual({ type: 'pause' });
    // v on the busy engine: queued at once, the header counts it before the engine does
    const afterV = await pressForFrame(m, 'v');
    expect(afterV).toMatch(/validate 2018-03-09 queued/);
    expect(afterV.split('\n')[0]).toMatch(/\+1 queued/);
    // R then y on a COMPLETE day: the rerun is the second queued command
    await pressForFrame(m, 'h');
    const prompt = await pressForFrame(m, 'R');
    expect(prompt).toMatch(/rerun 2018-03-08\? it is COMPLETE/);
    const afterY = await pressForFrame(m, 'y');
    expect(afterY.split('\n')[0]).toMatch(/\+2 queued/);
    expect(m.source.sent.filter((c) => c.type === 'validate' || c.type === 'rerun')).toHaveLength(
      2,
    );
  });

  it('v on an idle engine shows "validating D" in the header at once; the engine snapshot then takes over', async () => {
    const halted = makeSnapshot({
      state: 'HALTED',
      reason: 'baseline-only hits 2018-03-08',
      current: null,
      activity: null,
      queuedCommands: 0,
    });
    const m = mountApp(halted, 60_000);
    await until(() => /HALTED/.test(m.header()), 'the halted dashboard', m.text);
    const afterV = await pressForFrame(m, 'v');
    expect(afterV.split('\n')[0]).toMatch(/validating 2018-03-09/);
    expect(afterV).toMatch(/Day -\s+validating 2018-03-09/);
    expect(m.source.sent).toContainEqual({ type: 'validate', date: '2018-03-09' });
    // the engine confirms with its own activity text: that is shown from then on
    m.source.push({ ...halted, seq: 5, activity: 'validate 2018-03-09' });
    const afterSnap = await pressForFrame(m, 'f');
    expect(afterSnap.split('\n')[0]).toMatch(/· validate 2018-03-09/);
  });

  it('a snapshot that changes nothing on screen draws no frame', async () => {
    const halted = makeSnapshot({ state: 'HALTED', reason: 'x', current: null });
    const m = mountApp(halted);
    await until(() => /HALTED/.test(m.header()), 'the halted dashboard', m.text);
    await turns(10);
    const frames = m.r.frames.length;
    for (let i = 0; i < 5; i++)
      m.source.push({ ...structuredClone(halted), seq: 10 + i, at: halted.at + i * 150 });
    await turns(20);
    expect(m.r.frames.length).toBe(frames);
    m.source.push({ ...structuredClone(halted), seq: 20, done: halted.done + 1 });
    await until(() => m.r.frames.length > frames, 'a frame for a changed snapshot', m.text);
  });
});

describe('the day panel timer stops at the end of the day', () => {
  it('a finished day shows its duration while the backfill sits halted, however late the snapshots come', async () => {
    const base = makeSnapshot();
    const startedAt = base.current!.startedAt;
    const halted = {
      ...base,
      state: 'HALTED' as const,
      reason: 'validate BASELINE',
      days: finished(base, '2018-03-09'),
      at: startedAt + 151_000,
    };
    const m = mountApp(halted);
    await until(() => /Day 2018-03-09/.test(m.text()), 'the day panel', m.text);
    expect(m.text()).toMatch(/Day 2018-03-09[^\n]*4\.5s/);
    expect(m.text()).not.toMatch(/2m31s/);
    m.source.push({ ...halted, seq: 9, at: startedAt + 600_000 });
    await turns(20);
    expect(m.text()).toMatch(/Day 2018-03-09[^\n]*4\.5s/);
    expect(m.text()).not.toMatch(/10m00s/);
  });

  it('a day cut short by a halt keeps the time it had when the backfill stopped', async () => {
    const base = makeSnapshot();
    const startedAt = base.current!.startedAt;
    const m = mountApp({ ...base, at: startedAt + 60_000 });
    await until(
      () => /Day 2018-03-09[^\n]*1m00s/.test(m.text()),
      'the running day at 1m00s',
      m.text,
    );
    m.source.push({ ...base, seq: 2, state: 'HALTED', reason: 'x', at: startedAt + 72_000 });
    await until(
      () => /Day 2018-03-09[^\n]*1m12s/.test(m.text()),
      'the halted day at 1m12s',
      m.text,
    );
    m.source.push({ ...base, seq: 3, state: 'HALTED', reason: 'x', at: startedAt + 900_000 });
    await turns(20);
    expect(m.text()).toMatch(/Day 2018-03-09[^\n]*1m12s/);
    expect(m.text()).not.toMatch(/15m00s/);
  });
});

describe('a validation leaves its outcome on screen', () => {
  it('FAIL: a line in the log pane with the gate and an alert in the banner; a acknowledges it here', async () => {
    const halted = makeSnapshot({ state: 'HALTED', reason: 'x', current: null, validations: [] });
    const m = mountApp(halted);
    await until(() => /HALTED/.test(m.header()), 'the dashboard', m.text);
    m.source.push({
      ...halted,
      seq: 2,
      validations: [
        outcome(1, '2018-03-08', false, 'BASELINE', 'baseline-only hits: 2 (ABCD R1 61.2%)'),
      ],
      validationCounts: { passed: 0, failed: 1, stopped: 0 },
    });
    await until(
      () => /\[validate\] 2018-03-08 FAIL gate BASELINE: baseline-only hits: 2/.test(m.text()),
      'the FAIL line',
      m.text,
    );
    const lines = m.text().split('\n');
    const logTitle = lines.findIndex((l) => /Log /.test(l));
    const failLine = lines.findIndex((l) => /\[validate\] 2018-03-08 FAIL gate BASELINE/.test(l));
    expect(failLine).toBeGreaterThan(logTitle); // in the log pane
    expect(m.text()).toMatch(/CRITICAL 2018-03-08\s+validation 2018-03-08 FAILED gate BASELINE/);
    const sent = m.source.sent.length;
    await pressForFrame(m, 'a');
    expect(m.text()).not.toMatch(/validation 2018-03-08 FAILED gate BASELINE/);
    expect(m.text()).toMatch(/\[validate\] 2018-03-08 FAIL gate BASELINE/); // the line stays
    expect(m.source.sent.length).toBe(sent); // a console alert: nothing to send
  });

  it('PASS: a line in the log pane and no alert; an engine alert still shows', async () => {
    const halted = makeSnapshot({
      state: 'HALTED',
      reason: 'x',
      current: null,
      alerts: [CRITICAL],
    });
    const m = mountApp(halted);
    await until(() => /HALTED/.test(m.header()), 'the dashboard', m.text);
    m.source.push({
      ...halted,
      seq: 2,
      validations: [outcome(1, '2018-03-07', true, null, 'all 11 gates passed')],
    });
    await until(
      () => /\[validate\] 2018-03-07 PASS: all 11 gates passed/.test(m.text()),
      'the PASS line',
      m.text,
    );
    expect(m.text()).not.toMatch(/FAILED gate/);
    expect(m.text()).toMatch(/baseline-only hits: 2 \(ABCD/); // the engine's alert
  });

  it('the reducer records each ended validation, numbered, with the gate of a failure', () => {
    let s = initialSnapshot({
      command: 'backfill',
      start: '2024-01-02',
      end: '2024-01-05',
      market: 'sim:5',
      db: 'x.db',
    });
    const memo = initialMemo();
    s = reduce(
      s,
      { type: 'validate', date: '2024-01-03', passed: true, baselineOnly: 0, message: 'ok' },
      memo,
      1000,
    );
    s = reduce(
      s,
      {
        type: 'validate',
        date: '2024-01-04',
        passed: false,
        gate: 'BASELINE',
        baselineOnly: 1,
        message: 'baseline-only hits: 1',
      },
      memo,
      2000,
    );
    s = reduce(
      s,
      {
        type: 'validate',
        date: '2024-01-05',
        passed: false,
        stopped: true,
        baselineOnly: 0,
        message: 'stopped',
      },
      memo,
      3000,
    );
    expect(s.validations).toEqual([
      {
        n: 1,
        date: '2024-01-03',
        passed: true,
        stopped: false,
        gate: null,
        message: 'ok',
        at: 1000,
      },
      {
        n: 2,
        date: '2024-01-04',
        passed: false,
        stopped: false,
        gate: 'BASELINE',
        message: 'baseline-only hits: 1',
        at: 2000,
      },
      {
        n: 3,
        date: '2024-01-05',
        passed: false,
        stopped: true,
        gate: null,
        message: 'stopped',
        at: 3000,
      },
    ]);
    expect(s.validationCounts).toEqual({ passed: 1, failed: 1, stopped: 1 });
  });

  it('the state machine turns each outcome into one line, once', () => {
    const ctx: StepContext = { readOnly: false, logPage: 10, tooSmall: false, logMode: 'stream' };
    const v = [outcome(1, '2018-03-08', false, 'AUDIT', 'audit misses')];
    let st = step(
      initialUiState(),
      { type: 'snapshot', snapshot: makeSnapshot({ validations: v }) },
      ctx,
    ).state;
    st = step(
      st,
      { type: 'snapshot', snapshot: makeSnapshot({ seq: 2, validations: v }) },
      ctx,
    ).state;
    expect(st.notes.map((n) => n.text)).toEqual([
      '[validate] 2018-03-08 FAIL gate AUDIT: audit misses',
    ]);
    expect(st.localAlerts).toHaveLength(1);
    expect(st.localAlerts[0]!.severity).toBe('WARNING');
  });
});

describe('the summary printed when the console closes', () => {
  it('names the end state, hits per rule, proven days, validations, alerts and where the exports are', () => {
    const base = makeSnapshot();
    const days = base.days.map((d) => ({
      ...d,
      status: 'COMPLETE' as const,
      proof: d.date === '2018-03-07' ? ('baseline' as const) : ('sampled' as const),
    }));
    const s: BackfillSnapshot = {
      ...base,
      state: 'DONE',
      days,
      done: days.length,
      current: null,
      alerts: [CRITICAL],
      validations: [
        outcome(1, '2018-03-07', true, null, 'ok'),
        outcome(2, '2018-03-08', false, 'BASELINE', 'baseline-only hits: 2'),
      ],
      validationCounts: { passed: 1, failed: 1, stopped: 0 },
    };
    const lines = closingSummary(
      s,
      { exportDir: '/data/exports', reportsDir: '/data/reports' },
      { state: 'DONE' },
    );
    const text = lines.join('\n');
    expect(lines[0]).toBe(
      `backfill DONE: ${days.length}/${days.length} days  2018-01-11 -> 2018-04-10  market replay:2018q1`,
    );
    expect(text).toMatch(/hits\s+R1 9 {2}R2 14 {2}R3 22 {2}R4 3 {2}\(\d+ discoveries\)/);
    expect(text).toMatch(new RegExp(`proven\\s+1/${days.length} complete days`));
    expect(text).toMatch(/validations\s+1 passed, 1 failed \(2018-03-08 BASELINE\)/);
    expect(text).toMatch(/alerts\s+1 open \(1 CRITICAL\); newest: 2018-03-08 baseline-only hits/);
    expect(text).toMatch(
      /exports\s+\/data\/exports \(2018-01 \.\. 2018-04, 4 month folders\); reports \/data\/reports/,
    );
    expect(lines.length).toBeLessThanOrEqual(8);
  });

  it('counts exhaustive and baseline proofs as proven, sampled ones not', () => {
    const base = makeSnapshot();
    const days = base.days.map((d, i) => ({
      ...d,
      status: 'COMPLETE' as const,
      proof: i % 2 === 0 ? ('exhaustive' as const) : ('sampled' as const),
    }));
    const text = closingSummary(
      { ...base, state: 'DONE', days, done: days.length },
      { exportDir: 'x' },
    ).join('\n');
    expect(text).toMatch(
      new RegExp(`proven\\s+${Math.ceil(days.length / 2)}/${days.length} complete days\\n`),
    );
    expect(text).toMatch(/validations\s+none in this run/);
  });
});
