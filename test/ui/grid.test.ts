import { describe, expect, test } from 'vitest';
import type { DayCell } from '../../source/contracts/events.js';
import { layoutGrid, monthRepresentative, type GridLine } from '../../source/ui/grid.js';
import { weekdays } from './harness.js';

const text = (l: GridLine) => l.map((s) => s.text).join('');
const opts = { cursor: null, width: 120, maxLines: 12, paused: false, marked: null };

function days(start: string, end: string, status: DayCell['status'] = 'COMPLETE'): DayCell[] {
  // COMPLETE days here are proven (✓); the unproven ones (○) are tested on their own.
  return weekdays(start, end).map((date) => ({
    date,
    status,
    hits: 0,
    baselineOnly: 0,
    ...(status === 'COMPLETE' ? { proof: 'exhaustive' as const } : {}),
  }));
}

describe('calendar grid', () => {
  test('one glyph per day, grouped by month, months side by side', () => {
    const g = layoutGrid(days('2018-01-01', '2018-03-31'), opts);
    expect(g.mode).toBe('days');
    expect(g.lines).toHaveLength(1);
    const t = text(g.lines[0]);
    expect(t).toContain('2018-01 ');
    expect(t).toContain('2018-03 ');
    expect((t.match(/✓/g) ?? []).length).toBe(weekdays('2018-01-01', '2018-03-31').length);
    expect(t.length).toBeLessThanOrEqual(120);
  });
  test('narrower terminals put fewer months on a line', () => {
    const g = layoutGrid(days('2018-01-01', '2018-03-31'), { ...opts, width: 80 });
    expect(g.lines).toHaveLength(2);
    for (const l of g.lines) expect(text(l).length).toBeLessThanOrEqual(80);
  });
  test('cursor cell is its own segment', () => {
    const ds = days('2018-01-01', '2018-01-31');
    const g = layoutGrid(ds, { ...opts, cursor: '2018-01-10' });
    const cur = g.lines.flat().filter((s) => s.cursor);
    expect(cur).toHaveLength(1);
    expect(cur[0].text).toBe('✓');
  });
  test('a five-year range aggregates per month and keeps the cursor month day by day', () => {
    const ds = days('2014-01-01', '2018-12-31', 'PENDING');
    ds.find((d) => d.date === '2016-05-10')!.status = 'FAILED';
    const g = layoutGrid(ds, { ...opts, width: 80, maxLines: 6, cursor: '2016-05-10' });
    expect(g.mode).toBe('months');
    expect(g.lines.length).toBeLessThanOrEqual(6);
    const all = g.lines.map(text);
    expect(all.some((l) => l.includes('2016 '))).toBe(true);
    expect(all[all.length - 1]).toContain('2016-05 ');
    for (const l of all) expect(l.length).toBeLessThanOrEqual(80);
    // the month with a failed day shows ✗
    const monthCursor = g.lines
      .slice(0, -1)
      .flat()
      .find((s) => s.cursor);
    expect(monthCursor?.text).toBe('✗');
  });
  test('too many years for the lines: a window around the cursor year', () => {
    const ds = days('2000-01-01', '2020-12-31', 'PENDING');
    const g = layoutGrid(ds, { ...opts, width: 80, maxLines: 3, cursor: '2019-06-03' });
    expect(g.lines).toHaveLength(3);
    expect(g.lines.map(text).join('\n')).toContain('2019 ');
  });
  test('month representative is the worst day', () => {
    const ds: DayCell[] = [
      { date: '2018-01-02', status: 'COMPLETE', hits: 0, baselineOnly: 0 },
      { date: '2018-01-03', status: 'PENDING', hits: 0, baselineOnly: 0 },
      { date: '2018-01-04', status: 'COMPLETE', hits: 0, baselineOnly: 1 },
    ];
    expect(monthRepresentative(ds).date).toBe('2018-01-04');
    expect(monthRepresentative(ds.slice(0, 2)).status).toBe('PENDING');
  });
});
