/**
 * Issue 12.1: follow mode's next scan reaches the snapshot (engine event `follow-wait`), the plain
 * lines (`FOLLOWING next scan ...`, once per change) and the console's progress line (the next
 * scan's ET time and a countdown instead of the ETA).
 */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { initialMemo, initialSnapshot, reduce } from '../../source/runtime/snapshot.js';
import { createPlainPrinter } from '../../source/runtime/plain-printer.js';
import { ProgressLine } from '../../source/ui/components/ProgressLine.js';

const due = Date.parse('2024-11-27T23:30:00Z');

describe('follow mode in the snapshot, plain lines and console', () => {
  it('carries the next scan, prints it once, and shows a countdown', () => {
    const memo = initialMemo();
    let s = initialSnapshot({
      command: 'backfill',
      start: '2024-11-25',
      end: '2024-11-26',
      market: 'sim:7',
      db: 'x.db',
    });
    s = reduce(s, { type: 'backfill-state', state: 'FOLLOWING', at: 1 }, memo);
    s = reduce(
      s,
      {
        type: 'follow-wait',
        date: '2024-11-27',
        nextScanAt: due,
        nextScanEt: '2024-11-27 18:30 ET',
        at: 1,
      },
      memo,
    );
    expect(s.state).toBe('FOLLOWING');
    expect(s.nextScan).toEqual({ date: '2024-11-27', at: due, et: '2024-11-27 18:30 ET' });

    const lines: string[] = [];
    const p = createPlainPrinter((l) => lines.push(l), { summaryEverySec: 0 });
    p.onSnapshot({ ...s, seq: 1 });
    p.onSnapshot({ ...s, seq: 2 });
    expect(lines.filter((l) => l.startsWith('FOLLOWING'))).toEqual([
      'FOLLOWING next scan 2024-11-27 at 2024-11-27 18:30 ET (2024-11-27T23:30:00.000Z)',
    ]);

    const { lastFrame, unmount } = render(
      <ProgressLine
        snapshot={{ ...s, at: due - (2 * 3600 + 5 * 60) * 1000 }}
        wide={true}
        month={null}
        paused={false}
      />,
    );
    expect(lastFrame()).toMatch(/next scan 2024-11-27 18:30 ET in 2h ?0?5m/);
    unmount();

    s = reduce(s, { type: 'follow-wait', date: '2024-11-27', nextScanAt: null, at: 2 }, memo);
    expect(s.nextScan).toBeNull();
  });
});
