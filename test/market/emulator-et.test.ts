import { describe, expect, it } from 'vitest';
import {
  compactToIso,
  dateRange,
  etWallToUtc,
  formatEtTimestamp,
  parseHms,
  parseIsoDate,
  utcToEt,
} from '../../source/market/emulator/et-time.js';

describe('emulator ET helpers', () => {
  it('converts ET wall clock to UTC across DST (EST -5 h, EDT -4 h)', () => {
    expect(etWallToUtc('2024-01-02', 4 * 3_600_000)).toBe(Date.UTC(2024, 0, 2, 9));
    expect(etWallToUtc('2024-03-08', 4 * 3_600_000)).toBe(Date.UTC(2024, 2, 8, 9));
    expect(etWallToUtc('2024-03-11', 4 * 3_600_000)).toBe(Date.UTC(2024, 2, 11, 8));
    expect(etWallToUtc('2024-11-04', 9.5 * 3_600_000)).toBe(Date.UTC(2024, 10, 4, 14, 30));
    // The DST day itself: 03:00 EDT on 2024-03-10 is 07:00 UTC; 01:00 EST is 06:00 UTC.
    expect(etWallToUtc('2024-03-10', 3 * 3_600_000)).toBe(Date.UTC(2024, 2, 10, 7));
    expect(etWallToUtc('2024-03-10', 1 * 3_600_000)).toBe(Date.UTC(2024, 2, 10, 6));
  });

  it('converts UTC to ET date + ms of day and formats naive ET timestamps', () => {
    expect(utcToEt(Date.UTC(2024, 0, 3, 2, 0))).toEqual({
      date: '2024-01-02',
      msOfDay: 21 * 3_600_000,
    });
    expect(utcToEt(Date.UTC(2024, 6, 1, 8, 0, 0, 5))).toEqual({
      date: '2024-07-01',
      msOfDay: 4 * 3_600_000 + 5,
    });
    expect(formatEtTimestamp(Date.UTC(2024, 0, 2, 9, 0, 0, 127))).toBe('2024-01-02T04:00:00.127');
    expect(formatEtTimestamp(Date.UTC(2024, 6, 1, 13, 30))).toBe('2024-07-01T09:30:00.000');
  });

  it('parses ThetaData times and dates strictly', () => {
    expect(parseHms('09:30:00')).toBe(34_200_000);
    expect(parseHms('09:29:59.999')).toBe(34_199_999);
    expect(parseHms('04:00:00.5')).toBe(14_400_500);
    expect(parseHms('9:30:00')).toBeNull();
    expect(parseHms('24:00:00')).toBeNull();
    expect(parseHms('09:60:00')).toBeNull();
    expect(compactToIso('20240102')).toBe('2024-01-02');
    expect(compactToIso('20240230')).toBeNull();
    expect(compactToIso('2024-01-02')).toBeNull();
    expect(parseIsoDate('2023-02-29')).toBeNull();
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(dateRange('2024-02-28', '2024-03-01')).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(dateRange('2024-03-02', '2024-03-01')).toEqual([]);
  });
});
