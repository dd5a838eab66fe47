import { describe, expect, test } from 'vitest';
import {
  cellGlyph,
  formatCount,
  formatDuration,
  formatEta,
  formatMs,
  formatRatioPct,
  percent,
  progressBar,
  sparkline,
  stageCounts,
  truncate,
} from '../../source/ui/format.js';

describe('format', () => {
  test('ETA like 1m12s', () => {
    expect(formatEta(72_000)).toBe('1m12s');
    expect(formatEta(45_400)).toBe('45s');
    expect(formatEta(2 * 3_600_000 + 5 * 60_000)).toBe('2h05m');
    expect(formatEta(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d04h');
    expect(formatEta(null)).toBe('-');
    expect(formatEta(-1)).toBe('-');
  });
  test('durations, counts, latencies, percents', () => {
    expect(formatDuration(3_200)).toBe('3.2s');
    expect(formatDuration(72_000)).toBe('1m12s');
    expect(formatCount(6912)).toBe('6,912');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-4102)).toBe('-4,102');
    expect(formatMs(142.4)).toBe('142ms');
    expect(formatMs(1400)).toBe('1.4s');
    expect(formatRatioPct(17, 4134)).toBe('0.4%');
    expect(formatRatioPct(1, 0)).toBe('0.0%');
    expect(percent(41, 61)).toBe(67);
    expect(percent(60, 61)).toBe(98);
    expect(percent(1, 0)).toBe(0);
  });
  test('progress bar has exactly the width asked', () => {
    expect(progressBar(41, 61, 16)).toBe('##########......');
    expect(progressBar(0, 0, 4)).toBe('....');
    expect(progressBar(5, 4, 4)).toBe('####');
  });
  test('sparkline scales to the max and keeps the last values', () => {
    expect(sparkline([0, 1, 2, 4], 4)).toBe('▁▃▅█');
    expect(sparkline([9, 9, 1, 2], 2)).toBe('▅█');
    expect(sparkline([], 5)).toBe('');
  });
  test('glyphs: baseline-only wins, paused running day', () => {
    expect(cellGlyph({ date: 'd', status: 'COMPLETE', hits: 0, baselineOnly: 2 })).toBe('!');
    expect(cellGlyph({ date: 'd', status: 'RUNNING', hits: 0, baselineOnly: 0 }, true)).toBe('‖');
    expect(cellGlyph({ date: 'd', status: 'RETRY_NEEDED', hits: 0, baselineOnly: 0 })).toBe('↻');
    expect(cellGlyph({ date: 'd', status: 'SKIPPED', hits: 0, baselineOnly: 0 })).toBe('-');
  });
  test('stage counts and truncation', () => {
    expect(stageCounts({ r2: 14, r3: 22 })).toBe('14/22');
    expect(stageCounts({ tickers: 6912 })).toBe('6,912');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('stage counts and log times on screen', () => {
  test('shows the meaningful counters of each stage', async () => {
    const { stageCounts } = await import('../../source/ui/format.js');
    expect(stageCounts({ symbols: 7127, cached: 0 }, 2, 'UNIVERSE')).toBe('7,127');
    expect(stageCounts({ r2: 14, r3: 22, split_artifacts: 0 }, 2, 'R2R3')).toBe('14/22');
    expect(stageCounts({ a: 1, b: 2, c: 3 })).toBe('1/2');
  });
  test('shortens the log stamp to the time of day', async () => {
    const { logTime } = await import('../../source/ui/components/LogPanel.js');
    expect(logTime('2018-03-09T14:42:01Z R2R3:done r2=14 r3=22')).toBe(
      '14:42:01 R2R3:done r2=14 r3=22',
    );
    expect(logTime('-- scan_2018-03-08.log --')).toBe('-- scan_2018-03-08.log --');
  });
});
