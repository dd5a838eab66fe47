/**
 * Issue 9 point 7 on screen: while a validation runs, the day panel shows it (date, gate n/11, the
 * baseline's premarket lookups as a bar with done/total, unanswered lookups, retries, backing off)
 * instead of the finished day's stages, so a validation slowed by 429s never looks frozen; without
 * one, the day panel is as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { DayPanel } from '../../source/ui/components/DayPanel.js';
import type { ValidationProgress } from '../../source/contracts/events.js';
import { makeSnapshot, plain } from './harness.js';

afterEach(() => cleanup());

const v: ValidationProgress = {
  date: '2018-03-09',
  gate: 'BASELINE',
  gateIndex: 10,
  gates: 11,
  lookupsDone: 1200,
  lookupsTotal: 4174,
  unanswered: 2,
  retries: 35,
  backingOff: true,
  startedAt: 0,
  at: 62_000,
};

describe('DayPanel during a validation', () => {
  it('shows the gate, the lookups done/total, unanswered, retries and backoff', () => {
    const r = render(<DayPanel snapshot={{ ...makeSnapshot(), validation: v }} width={78} />);
    const lines = plain(r.lastFrame()!).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ Validate 2018-03-09 +▶ gate 10\/11 BASELINE +1m02s/);
    expect(lines[1]).toMatch(/^ baseline premarket ##\.{8} 1,200\/4,174/);
    expect(lines[2]).toMatch(/^ unanswered 2 +retries 35 +backing off/);
  });

  it('before the lookups: the gate and "not started"; without a validation: the day as before', () => {
    const early = render(
      <DayPanel
        snapshot={{
          ...makeSnapshot(),
          validation: {
            ...v,
            gate: 'CSV_SHAPE',
            gateIndex: 6,
            lookupsDone: null,
            lookupsTotal: null,
            unanswered: 0,
            retries: 0,
            backingOff: false,
          },
        }}
        width={78}
      />,
    );
    const e = plain(early.lastFrame()!);
    expect(e).toContain('gate 6/11 CSV_SHAPE');
    expect(e).toContain('baseline lookups not started');
    expect(e).not.toContain('backing off');
    const day = render(<DayPanel snapshot={makeSnapshot()} width={78} />);
    expect(plain(day.lastFrame()!)).toMatch(/^ Day 2018-03-09/);
    expect(plain(day.lastFrame()!)).not.toContain('Validate');
  });
});
