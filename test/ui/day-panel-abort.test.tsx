/**
 * A stage aborted by another stage's failure (engine/stages/runner.ts reportAborted: a `stage` event
 * with phase `abort`) is drawn aborted (`⊘`) in the day panel, and the panel's first line names the
 * failed stage and what it aborted: before, R1 cut short by an R4 failure stayed "running" (`▶`) on a
 * FAILED day until the next day began. The events are those the engine emits for that day
 * (test/engine/stage-graph.test.ts asserts the engine emits them), reduced as the worker does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { DayPanel } from '../../source/ui/components/DayPanel.js';
import type { EngineEvent, StageName } from '../../source/contracts/events.js';
import { initialMemo, initialSnapshot, reduce } from '../../source/runtime/snapshot.js';
import { plainDayLine } from '../../source/runtime/plain-printer.js';
import { plain } from './harness.js';

afterEach(() => cleanup());

const DAY = '2018-02-06';
const T0 = 1_517_900_000_000;

/** A stage event of DAY at T0 + ms. */
function stage(
  name: StageName,
  phase: 'begin' | 'end' | 'fail' | 'abort',
  ms: number,
  by?: StageName,
): EngineEvent {
  return {
    type: 'stage',
    date: DAY,
    stage: name,
    phase,
    counts: {},
    ...(by ? { by } : {}),
    at: T0 + ms,
  };
}

/** The events of a day whose R4 window pull failed while R1 ran (as scanDay emits them). */
function failedDay(withAbort: boolean): EngineEvent[] {
  return [
    {
      type: 'plan',
      start: DAY,
      end: DAY,
      days: [{ date: DAY, status: 'PENDING', hits: 0 }],
      at: T0,
    },
    { type: 'day-begin', date: DAY, mode: 'prefilter', at: T0 },
    ...(['UNIVERSE', 'GROUPED', 'PREV', 'R2R3'] as const).flatMap((n, i) => [
      stage(n, 'begin', 10 * i),
      stage(n, 'end', 10 * i + 5),
    ]),
    stage('R1', 'begin', 100),
    stage('R4', 'begin', 100),
    stage('R4', 'fail', 900),
    ...(withAbort ? [stage('R1', 'abort', 901, 'R4')] : []),
    {
      type: 'day-end',
      date: DAY,
      status: 'FAILED',
      hits: { r1: 0, r2: 0, r3: 0, r4: 0 },
      discoveries: 0,
      durationMs: 905,
      reason: 'R4: grouped daily 2018-01-31: window pull refused',
      at: T0 + 905,
    },
  ];
}

function reduced(events: EngineEvent[]) {
  let s = initialSnapshot({ command: 'backfill', start: DAY, end: DAY, market: 'x', db: 'x' });
  const memo = initialMemo();
  for (const e of events) s = reduce(s, e, memo, T0 + 1000);
  // The backfill halted on the day; the panel is drawn long after (the snapshot's clock moved on).
  return { ...s, state: 'HALTED' as const, at: T0 + 150_000 };
}

describe('DayPanel after a stage failure aborted another', () => {
  it('draws R1 aborted (⊘), nothing running, and names the failure and what it aborted', () => {
    const s = reduced(failedDay(true));
    const r = render(<DayPanel snapshot={s} width={100} elapsedMs={905} />);
    const lines = plain(r.lastFrame()!).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ Day 2018-02-06 prefilter +✗ R4 failed, aborted R1 +0\.9s/);
    expect(lines.join('\n')).not.toContain('▶');
    expect(lines[2]).toMatch(/^ R1 ⊘ .* R4 ✗/);
    // narrow: the glyphs still say it (no room for the words)
    const n = render(<DayPanel snapshot={s} width={48} elapsedMs={905} />);
    const nl = plain(n.lastFrame()!).split('\n');
    expect(nl.join('\n')).not.toContain('▶');
    expect(nl[2]).toMatch(/^ R1 ⊘/);
    // the plain printer's day line names it too
    expect(plainDayLine(s, DAY)).toMatch(/ FAILED .*window pull refused {2}\(aborted R1\)$/);
  });

  it('without the abort event (an engine that did not send it) R1 still shows running: the event is what changes it', () => {
    const s = reduced(failedDay(false));
    const r = render(<DayPanel snapshot={s} width={100} elapsedMs={905} />);
    const lines = plain(r.lastFrame()!).split('\n');
    expect(lines[2]).toMatch(/^ R1 ▶/);
    expect(plainDayLine(s, DAY)).not.toContain('aborted');
  });
});
