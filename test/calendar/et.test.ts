import { describe, expect, it } from 'vitest';
import {
  CalendarError,
  etOffsetMinutes,
  etToUtcMs,
  premarketWindowUtc,
  regularSessionUtc,
  todayEt,
  utcMsToEt,
} from '../../source/calendar/index.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Independent reference: ET wall clock of an instant straight from Intl (no memo, no arithmetic). */
const refFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
function refEt(ms: number): string {
  const p = Object.fromEntries(refFmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

describe('premarket windows across DST', () => {
  it('2018-03-09 (EST) starts 09:00Z, ends 14:30Z', () => {
    const w = premarketWindowUtc('2018-03-09');
    expect(iso(w.startMs)).toBe('2018-03-09T09:00:00.000Z');
    expect(iso(w.endMs)).toBe('2018-03-09T14:30:00.000Z');
  });

  it('2018-03-12 (first EDT Monday) starts 08:00Z', () => {
    const w = premarketWindowUtc('2018-03-12');
    expect(iso(w.startMs)).toBe('2018-03-12T08:00:00.000Z');
    expect(iso(w.endMs)).toBe('2018-03-12T13:30:00.000Z');
  });

  it('2018-11-05 (first EST Monday) starts 09:00Z', () => {
    expect(iso(premarketWindowUtc('2018-11-05').startMs)).toBe('2018-11-05T09:00:00.000Z');
    expect(iso(premarketWindowUtc('2018-11-02').startMs)).toBe('2018-11-02T08:00:00.000Z');
  });

  it('custom bounds; end must be after start', () => {
    const w = premarketWindowUtc('2018-07-02', '07:00:00', '09:29:59.999');
    expect(iso(w.startMs)).toBe('2018-07-02T11:00:00.000Z');
    expect(iso(w.endMs)).toBe('2018-07-02T13:29:59.999Z');
    expect(() => premarketWindowUtc('2018-07-02', '09:30:00', '04:00:00')).toThrow(CalendarError);
    expect(() => premarketWindowUtc('2018-07-02', '4:00', '09:30:00')).toThrow(CalendarError);
    expect(() => premarketWindowUtc('2018-02-30')).toThrow(CalendarError);
  });
});

describe('etToUtcMs / utcMsToEt', () => {
  it('converts on both sides of the 2018 transitions', () => {
    expect(iso(etToUtcMs('2018-03-10', '12:00:00'))).toBe('2018-03-10T17:00:00.000Z');
    expect(iso(etToUtcMs('2018-03-11', '01:59:59'))).toBe('2018-03-11T06:59:59.000Z');
    expect(iso(etToUtcMs('2018-03-11', '03:00:00'))).toBe('2018-03-11T07:00:00.000Z');
    expect(iso(etToUtcMs('2018-11-04', '00:30:00'))).toBe('2018-11-04T04:30:00.000Z');
    expect(iso(etToUtcMs('2018-11-04', '02:00:00'))).toBe('2018-11-04T07:00:00.000Z');
    expect(iso(etToUtcMs('2018-07-04', '16:00:00.250'))).toBe('2018-07-04T20:00:00.250Z');
  });

  it('spring-forward gap times move forward; fall-back repeats take the first (EDT) instant', () => {
    expect(iso(etToUtcMs('2018-03-11', '02:30:00'))).toBe('2018-03-11T07:30:00.000Z'); // = 03:30 EDT
    expect(iso(etToUtcMs('2018-11-04', '01:30:00'))).toBe('2018-11-04T05:30:00.000Z');
  });

  it('follows the rule changes of 2007 (not a fixed calendar of DST)', () => {
    // 2006: DST began on the first Sunday of April; 2007 on the second Sunday of March.
    expect(iso(etToUtcMs('2006-03-20', '04:00:00'))).toBe('2006-03-20T09:00:00.000Z');
    expect(iso(etToUtcMs('2007-03-20', '04:00:00'))).toBe('2007-03-20T08:00:00.000Z');
    expect(iso(etToUtcMs('2006-10-31', '04:00:00'))).toBe('2006-10-31T09:00:00.000Z');
    expect(iso(etToUtcMs('2007-10-31', '04:00:00'))).toBe('2007-10-31T08:00:00.000Z');
  });

  it('utcMsToEt gives date, time with ms, and ms of day', () => {
    expect(utcMsToEt(Date.parse('2018-03-11T06:59:59.999Z'))).toEqual({
      date: '2018-03-11',
      time: '01:59:59.999',
      msOfDay: 7_199_999,
    });
    expect(utcMsToEt(Date.parse('2018-03-11T07:00:00.000Z'))).toEqual({
      date: '2018-03-11',
      time: '03:00:00.000',
      msOfDay: 10_800_000,
    });
    expect(utcMsToEt(Date.parse('2018-11-04T05:30:00Z')).time).toBe('01:30:00.000');
    expect(utcMsToEt(Date.parse('2018-11-04T06:30:00Z')).time).toBe('01:30:00.000');
    // UTC already on the next day, ET still on the previous one.
    expect(utcMsToEt(Date.parse('2019-01-01T04:59:59.000Z'))).toMatchObject({
      date: '2018-12-31',
      time: '23:59:59.000',
    });
    expect(utcMsToEt(Date.parse('2019-01-01T05:00:00.000Z'))).toMatchObject({
      date: '2019-01-01',
      time: '00:00:00.000',
      msOfDay: 0,
    });
    expect(etOffsetMinutes(Date.parse('2018-01-15T12:00:00Z'))).toBe(-300);
    expect(etOffsetMinutes(Date.parse('2018-07-15T12:00:00Z'))).toBe(-240);
  });

  it('agrees with Intl every 7 minutes through 2018 and around every transition 2000-2030', () => {
    const start = Date.parse('2018-01-01T00:00:00Z');
    const end = Date.parse('2019-01-01T12:00:00Z');
    for (let ms = start; ms < end; ms += 7 * 60_000 + 13_000) {
      const et = utcMsToEt(ms);
      expect(`${et.date} ${et.time.slice(0, 8)}`).toBe(refEt(ms));
    }
    for (let y = 2000; y <= 2030; y++) {
      for (const month of [2, 3, 9, 10]) {
        const base = Date.UTC(y, month, 1);
        for (let ms = base; ms < base + 40 * 86_400_000; ms += 3_600_000 + 1_000) {
          const et = utcMsToEt(ms);
          expect(`${et.date} ${et.time.slice(0, 8)}`).toBe(refEt(ms));
        }
      }
    }
  });

  it('round-trips every 5 minutes over the 2018 spring and fall transition weeks', () => {
    for (const first of ['2018-03-08T00:00:00Z', '2018-11-01T00:00:00Z']) {
      const s = Date.parse(first);
      for (let ms = s; ms < s + 7 * 86_400_000; ms += 5 * 60_000) {
        const et = utcMsToEt(ms);
        const back = etToUtcMs(et.date, et.time);
        // Fall-back repeats (01:00-01:59 EST) map back to the first, EDT instant, one hour earlier.
        expect(back === ms || back === ms - 3_600_000).toBe(true);
        if (!(et.date === '2018-11-04' && et.time.startsWith('01:'))) expect(back).toBe(ms);
      }
    }
  });

  it('rejects malformed times and instants', () => {
    for (const t of [
      '9:30:00',
      '09:30',
      '24:00:00',
      '09:60:00',
      '09:30:60',
      '09:30:00.5',
      '09:30:00.1234',
      '',
    ]) {
      expect(() => etToUtcMs('2018-01-02', t)).toThrow(CalendarError);
    }
    expect(() => etToUtcMs('2018-01-02', '9:30')).toThrow(
      'bad time "9:30" for time: expected HH:MM:SS or HH:MM:SS.mmm',
    );
    expect(() => utcMsToEt(Number.NaN)).toThrow(CalendarError);
    expect(() => utcMsToEt(Number.POSITIVE_INFINITY)).toThrow(CalendarError);
  });
});

describe('todayEt and regular session', () => {
  it('todayEt uses the ET date, not the UTC one', () => {
    expect(todayEt(Date.parse('2018-07-05T03:59:00Z'))).toBe('2018-07-04');
    expect(todayEt(Date.parse('2018-07-05T04:00:00Z'))).toBe('2018-07-05');
    expect(todayEt(Date.parse('2018-01-05T04:59:00Z'))).toBe('2018-01-04');
    expect(todayEt()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('regularSessionUtc: 09:30 to 16:00, or 13:00 on early closes', () => {
    const s = regularSessionUtc('2018-07-03');
    expect(iso(s.openMs)).toBe('2018-07-03T13:30:00.000Z');
    expect(iso(s.closeMs)).toBe('2018-07-03T17:00:00.000Z');
    expect(iso(regularSessionUtc('2018-01-02').closeMs)).toBe('2018-01-02T21:00:00.000Z');
    expect(() => regularSessionUtc('2018-07-04')).toThrow(CalendarError);
  });
});
