import { describe, expect, it } from 'vitest';
import {
  CalendarError,
  SPECIAL_CLOSURES,
  addDays,
  assertDate,
  closeTimeEt,
  earlyCloses,
  fullClosures,
  holidayName,
  isEarlyClose,
  isTradingDay,
  lastNTradingDays,
  monthsOfRange,
  nextTradingDay,
  prevTradingDay,
  regularHolidays,
  tradingDays,
  tradingDaysBetween,
  tradingDaysOfMonth,
  weekday,
} from '../../source/calendar/index.js';

const dates = (year: number) => fullClosures(year).map((c) => c.date);
const regDates = (year: number) => regularHolidays(year).map((c) => c.date);

/** Naive reference: walk every calendar day. */
function naiveTradingDays(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) if (isTradingDay(d)) out.push(d);
  return out;
}

describe('assertDate', () => {
  it('accepts real dates, including leap days', () => {
    for (const d of ['2018-01-02', '2020-02-29', '2000-02-29', '1999-12-31', '2030-12-31']) {
      expect(assertDate(d)).toBe(d);
    }
  });

  it.each([
    '2018-02-30',
    '2019-02-29',
    '1900-02-29',
    '2018-04-31',
    '2018-13-01',
    '2018-00-10',
    '2018-01-00',
    '2018-01-32',
    '2018-1-2',
    '2018-01-2',
    '18-01-02',
    '20180102',
    '2018/01/02',
    ' 2018-01-02',
    '2018-01-02 ',
    '2018-01-02T00:00:00Z',
    '',
    'today',
  ])('rejects %j', (bad) => {
    expect(() => assertDate(bad)).toThrow(CalendarError);
  });

  it('gives a one-line message naming the input and the option', () => {
    expect(() => assertDate('2018-02-30', '--start')).toThrow(
      'bad date "2018-02-30" for --start: expected YYYY-MM-DD',
    );
    expect(() => assertDate('2018-1-2')).toThrow('bad date "2018-1-2": expected YYYY-MM-DD');
    try {
      assertDate('x\ny', '--end');
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarError);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('every calendar function validates its date input', () => {
    expect(() => isTradingDay('2018-02-30')).toThrow(CalendarError);
    expect(() => holidayName('2018-1-1')).toThrow(CalendarError);
    expect(() => prevTradingDay('nope')).toThrow(CalendarError);
    expect(() => nextTradingDay('2018-13-01')).toThrow(CalendarError);
    expect(() => tradingDays('2018-01-01', '2018-02-30')).toThrow(CalendarError);
    expect(() => tradingDaysOfMonth('2018-13')).toThrow('bad month "2018-13": expected YYYY-MM');
    expect(() => tradingDaysOfMonth('2018-1')).toThrow(CalendarError);
    expect(() => tradingDaysBetween('2018-01-01', '2018-1-5')).toThrow(CalendarError);
    expect(() => lastNTradingDays('2018-01-05', -1)).toThrow(CalendarError);
    expect(() => lastNTradingDays('2018-01-05', 1.5)).toThrow(CalendarError);
  });

  it('rejects years outside the supported range', () => {
    expect(() => isTradingDay('1989-12-29')).toThrow(
      /outside the supported calendar range 1990-2199/,
    );
    expect(() => fullClosures(2200)).toThrow(CalendarError);
    expect(() => regularHolidays(1989)).toThrow(CalendarError);
    expect(() => prevTradingDay('1990-01-02')).toThrow(CalendarError);
  });
});

describe('regular holiday rules', () => {
  it('2018-2020 full closures (rule set + 2018-12-05)', () => {
    expect(dates(2018)).toEqual([
      '2018-01-01',
      '2018-01-15',
      '2018-02-19',
      '2018-03-30',
      '2018-05-28',
      '2018-07-04',
      '2018-09-03',
      '2018-11-22',
      '2018-12-05',
      '2018-12-25',
    ]);
    expect(dates(2019)).toEqual([
      '2019-01-01',
      '2019-01-21',
      '2019-02-18',
      '2019-04-19',
      '2019-05-27',
      '2019-07-04',
      '2019-09-02',
      '2019-11-28',
      '2019-12-25',
    ]);
    expect(dates(2020)).toEqual([
      '2020-01-01',
      '2020-01-20',
      '2020-02-17',
      '2020-04-10',
      '2020-05-25',
      '2020-07-03',
      '2020-09-07',
      '2020-11-26',
      '2020-12-25',
    ]);
  });

  it('NYSE published closures for 2025, 2026 and 2027 (providers.md 3.2)', () => {
    expect(dates(2025)).toEqual([
      '2025-01-01',
      '2025-01-09',
      '2025-01-20',
      '2025-02-17',
      '2025-04-18',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ]);
    expect(dates(2026)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ]);
    expect(dates(2027)).toEqual([
      '2027-01-01',
      '2027-01-18',
      '2027-02-15',
      '2027-03-26',
      '2027-05-31',
      '2027-06-18',
      '2027-07-05',
      '2027-09-06',
      '2027-11-25',
      '2027-12-24',
    ]);
  });

  it("New Year's Day: Sunday -> Monday, Saturday not observed on the Friday before", () => {
    expect(holidayName('2017-01-02')).toBe("New Year's Day (observed)"); // Jan 1 2017 was a Sunday
    expect(holidayName('2023-01-02')).toBe("New Year's Day (observed)");
    expect(isTradingDay('2021-12-31')).toBe(true); // Jan 1 2022 was a Saturday
    expect(isTradingDay('2010-12-31')).toBe(true); // Jan 1 2011 was a Saturday
    expect(regDates(2022)[0]).toBe('2022-01-17'); // no New Year's entry at all in 2022
    expect(regDates(2021).includes('2021-12-31')).toBe(false);
    expect(holidayName('2019-01-01')).toBe("New Year's Day");
  });

  it('Martin Luther King Jr. Day: third Monday of January, from 1998 only', () => {
    expect(holidayName('2018-01-15')).toBe('Martin Luther King Jr. Day');
    expect(holidayName('2024-01-15')).toBe('Martin Luther King Jr. Day');
    expect(holidayName('1998-01-19')).toBe('Martin Luther King Jr. Day');
    expect(isTradingDay('1997-01-20')).toBe(true);
    expect(regularHolidays(1997).some((h) => h.name.startsWith('Martin'))).toBe(false);
    expect(regularHolidays(2021).find((h) => h.name.startsWith('Martin'))?.date).toBe('2021-01-18');
  });

  it("Washington's Birthday: third Monday of February", () => {
    expect(holidayName('2018-02-19')).toBe("Washington's Birthday");
    expect(holidayName('2021-02-15')).toBe("Washington's Birthday");
    expect(holidayName('2015-02-16')).toBe("Washington's Birthday");
    expect(isTradingDay('2018-02-22')).toBe(true); // Feb 22 itself is not a holiday
  });

  it('Good Friday: two days before Gregorian Easter', () => {
    const goodFridays: Record<number, string> = {
      2000: '2000-04-21',
      2008: '2008-03-21',
      2011: '2011-04-22',
      2015: '2015-04-03',
      2016: '2016-03-25',
      2018: '2018-03-30',
      2019: '2019-04-19',
      2024: '2024-03-29',
      2025: '2025-04-18',
      2038: '2038-04-23',
      2100: '2100-03-26',
    };
    for (const [year, date] of Object.entries(goodFridays)) {
      expect(regularHolidays(+year).find((h) => h.name === 'Good Friday')?.date).toBe(date);
      expect(weekday(date)).toBe(5);
    }
  });

  it('Memorial Day: last Monday of May', () => {
    expect(holidayName('2018-05-28')).toBe('Memorial Day');
    expect(holidayName('2021-05-31')).toBe('Memorial Day');
    expect(holidayName('2022-05-30')).toBe('Memorial Day');
    expect(isTradingDay('2021-05-24')).toBe(true);
  });

  it('Juneteenth: from 2022, Saturday -> Friday, Sunday -> Monday', () => {
    expect(isTradingDay('2021-06-18')).toBe(true); // Jun 19 2021 Sat, before the rule
    expect(isTradingDay('2020-06-19')).toBe(true);
    expect(holidayName('2022-06-20')).toBe('Juneteenth National Independence Day (observed)'); // Sun
    expect(isTradingDay('2022-06-17')).toBe(true);
    expect(holidayName('2023-06-19')).toBe('Juneteenth National Independence Day');
    expect(holidayName('2027-06-18')).toBe('Juneteenth National Independence Day (observed)'); // Sat
  });

  it('Independence Day with weekend observance', () => {
    expect(holidayName('2018-07-04')).toBe('Independence Day');
    expect(holidayName('2015-07-03')).toBe('Independence Day (observed)'); // Sat
    expect(holidayName('2020-07-03')).toBe('Independence Day (observed)'); // Sat
    expect(holidayName('2021-07-05')).toBe('Independence Day (observed)'); // Sun
    expect(holidayName('2026-07-03')).toBe('Independence Day (observed)');
    expect(holidayName('2027-07-05')).toBe('Independence Day (observed)');
    expect(holidayName('2026-07-04')).toBeNull(); // the Saturday itself is a weekend, not a closure
  });

  it('Labor Day: first Monday of September', () => {
    expect(holidayName('2018-09-03')).toBe('Labor Day');
    expect(holidayName('2020-09-07')).toBe('Labor Day');
    expect(holidayName('2025-09-01')).toBe('Labor Day');
  });

  it('Thanksgiving: fourth Thursday of November', () => {
    expect(holidayName('2018-11-22')).toBe('Thanksgiving Day');
    expect(holidayName('2019-11-28')).toBe('Thanksgiving Day');
    expect(holidayName('2024-11-28')).toBe('Thanksgiving Day');
    expect(holidayName('2023-11-23')).toBe('Thanksgiving Day');
    expect(isTradingDay('2019-11-21')).toBe(true);
  });

  it('Christmas with weekend observance', () => {
    expect(holidayName('2018-12-25')).toBe('Christmas Day');
    expect(holidayName('2021-12-24')).toBe('Christmas Day (observed)'); // Sat
    expect(holidayName('2022-12-26')).toBe('Christmas Day (observed)'); // Sun
    expect(holidayName('2027-12-24')).toBe('Christmas Day (observed)');
  });

  it('regular closures are weekdays, sorted, one per rule (New Year missing when on a Saturday)', () => {
    for (let y = 1990; y <= 2060; y++) {
      const reg = regularHolidays(y);
      const rules = 8 + (y >= 1998 ? 1 : 0) + (y >= 2022 ? 1 : 0);
      const saturdayNewYear = weekday(`${y}-01-01`) === 6;
      expect(reg).toHaveLength(saturdayNewYear ? rules - 1 : rules);
      const ds = reg.map((h) => h.date);
      expect([...ds].sort()).toEqual(ds);
      expect(new Set(ds).size).toBe(ds.length);
      for (const d of ds) {
        expect(d.startsWith(String(y))).toBe(true);
        expect([1, 2, 3, 4, 5]).toContain(weekday(d));
        expect(isTradingDay(d)).toBe(false);
      }
    }
  });

  it('weekends are never trading days and never closures', () => {
    for (const d of ['2018-01-06', '2018-01-07', '2026-07-04', '2022-01-01']) {
      expect(isTradingDay(d)).toBe(false);
      expect(holidayName(d)).toBeNull();
    }
  });

  it('returns fresh arrays (callers cannot corrupt the memo)', () => {
    const a = fullClosures(2018);
    a.pop();
    a[0].name = 'x';
    expect(fullClosures(2018)).toHaveLength(10);
    expect(fullClosures(2018)[0].name).toBe("New Year's Day");
  });
});

describe('special closures', () => {
  const expected = [
    '2001-09-11',
    '2001-09-12',
    '2001-09-13',
    '2001-09-14',
    '2004-06-11',
    '2007-01-02',
    '2012-10-29',
    '2012-10-30',
    '2018-12-05',
    '2025-01-09',
  ];

  it('lists at least the spec dates, sorted and frozen', () => {
    const ds = SPECIAL_CLOSURES.map((c) => c.date);
    for (const d of expected) expect(ds).toContain(d);
    expect([...ds].sort()).toEqual(ds);
    expect(Object.isFrozen(SPECIAL_CLOSURES)).toBe(true);
  });

  it.each(expected)('%s is a named full closure, not a regular holiday', (d) => {
    expect(weekday(d)).toBeGreaterThanOrEqual(1);
    expect(weekday(d)).toBeLessThanOrEqual(5);
    expect(isTradingDay(d)).toBe(false);
    const name = holidayName(d);
    expect(name).toBe(SPECIAL_CLOSURES.find((c) => c.date === d)?.name);
    const y = +d.slice(0, 4);
    expect(fullClosures(y)).toContainEqual({ date: d, name });
    expect(regDates(y)).not.toContain(d);
  });

  it('names the events', () => {
    expect(holidayName('2012-10-29')).toMatch(/Sandy/);
    expect(holidayName('2001-09-11')).toMatch(/September 11/);
    expect(holidayName('2025-01-09')).toMatch(/Carter/);
    expect(holidayName('2018-12-05')).toMatch(/Bush/);
  });

  it('the days around them trade', () => {
    expect(isTradingDay('2018-12-04')).toBe(true);
    expect(isTradingDay('2018-12-06')).toBe(true);
    expect(isTradingDay('2001-09-10')).toBe(true);
    expect(isTradingDay('2001-09-17')).toBe(true);
    expect(isTradingDay('2012-10-31')).toBe(true);
    expect(isTradingDay('2025-01-08')).toBe(true);
  });
});

describe('early closes (13:00 ET)', () => {
  it.each([
    '2018-07-03',
    '2018-11-23',
    '2018-12-24',
    '2019-07-03',
    '2019-11-29',
    '2019-12-24',
    '2025-07-03',
    '2025-11-28',
    '2025-12-24',
    '2026-11-27',
    '2026-12-24',
    '2027-11-26',
    '2014-07-03',
    '2014-11-28',
    '2014-12-24',
    '2017-07-03',
    '2024-07-03',
    '2013-07-03',
    '2002-07-05',
    '2003-12-26',
  ])('%s closes at 13:00', (d) => {
    expect(isTradingDay(d)).toBe(true);
    expect(isEarlyClose(d)).toBe(true);
    expect(closeTimeEt(d)).toBe('13:00:00');
  });

  it.each([
    ['2015-07-02', 'July 3 2015 was the observed holiday'],
    ['2020-07-02', 'July 3 2020 was the observed holiday'],
    ['2026-07-02', 'July 3 2026 is the observed holiday'],
    ['2022-07-01', 'July 4 2022 was a Monday'],
    ['2021-12-23', 'Dec 24 2021 was the observed Christmas'],
    ['2027-12-23', 'Dec 24 2027 is the observed Christmas'],
    ['2002-07-03', 'before 2013 a Wednesday July 3 was a full day'],
    ['2013-07-05', 'from 2013 the Friday after July 4 is a full day'],
    ['2018-07-05', 'ordinary day'],
    ['2018-11-21', 'day before Thanksgiving'],
    ['2018-12-26', 'day after Christmas'],
  ])('%s is a full day (%s)', (d) => {
    expect(isTradingDay(d)).toBe(true);
    expect(isEarlyClose(d)).toBe(false);
    expect(closeTimeEt(d)).toBe('16:00:00');
  });

  it('no early close on a holiday: 2027-12-24', () => {
    expect(isTradingDay('2027-12-24')).toBe(false);
    expect(isEarlyClose('2027-12-24')).toBe(false);
    expect(() => closeTimeEt('2027-12-24')).toThrow(CalendarError);
    expect(() => closeTimeEt('2027-12-24')).toThrow(
      /not a trading day \(Christmas Day \(observed\)\)/,
    );
    expect(() => closeTimeEt('2018-01-06')).toThrow(/not a trading day \(weekend\)/);
  });

  it('per-year early-close lists', () => {
    expect(earlyCloses(2015)).toEqual(['2015-11-27', '2015-12-24']);
    expect(earlyCloses(2020)).toEqual(['2020-11-27', '2020-12-24']);
    expect(earlyCloses(2018)).toEqual(['2018-07-03', '2018-11-23', '2018-12-24']);
    expect(earlyCloses(2027)).toEqual(['2027-11-26']);
    expect(earlyCloses(2021)).toEqual(['2021-11-26']);
    for (let y = 2000; y <= 2035; y++) {
      const e = earlyCloses(y);
      expect(e.length).toBeGreaterThanOrEqual(1);
      expect(e.length).toBeLessThanOrEqual(4);
      for (const d of e) expect(isTradingDay(d)).toBe(true);
    }
  });
});

describe('prev / next trading day', () => {
  it.each([
    ['2018-01-16', '2018-01-12'], // over the weekend and MLK
    ['2018-12-06', '2018-12-04'], // over the 2018-12-05 closure
    ['2018-01-02', '2017-12-29'], // over New Year and the year boundary
    ['2018-04-02', '2018-03-29'], // over Good Friday
    ['2018-01-13', '2018-01-12'], // from a Saturday
    ['2018-01-15', '2018-01-12'], // from a holiday
    ['2012-10-31', '2012-10-26'], // over Sandy
  ])('prevTradingDay(%s) = %s', (d, p) => {
    expect(prevTradingDay(d)).toBe(p);
  });

  it.each([
    ['2018-01-12', '2018-01-16'],
    ['2018-12-04', '2018-12-06'],
    ['2017-12-29', '2018-01-02'],
    ['2018-03-29', '2018-04-02'],
    ['2018-01-13', '2018-01-16'],
    ['2018-12-31', '2019-01-02'],
    ['2021-12-23', '2021-12-27'],
    ['2001-09-10', '2001-09-17'],
  ])('nextTradingDay(%s) = %s', (d, n) => {
    expect(nextTradingDay(d)).toBe(n);
  });

  it('agrees with a day-by-day walk over 2017-2020', () => {
    const all = naiveTradingDays('2016-12-01', '2021-01-31');
    for (let d = '2017-01-01'; d <= '2020-12-31'; d = addDays(d, 1)) {
      expect(prevTradingDay(d)).toBe([...all].reverse().find((x) => x < d));
      expect(nextTradingDay(d)).toBe(all.find((x) => x > d));
    }
  });
});

describe('ranges', () => {
  it('tradingDays is inclusive, ascending, [] when start > end', () => {
    expect(tradingDays('2018-01-12', '2018-01-16')).toEqual(['2018-01-12', '2018-01-16']);
    expect(tradingDays('2018-01-13', '2018-01-15')).toEqual([]);
    expect(tradingDays('2018-01-16', '2018-01-16')).toEqual(['2018-01-16']);
    expect(tradingDays('2018-01-17', '2018-01-16')).toEqual([]);
    expect(tradingDays('2018-12-28', '2019-01-03')).toEqual([
      '2018-12-28',
      '2018-12-31',
      '2019-01-02',
      '2019-01-03',
    ]);
    expect(tradingDays('2015-01-01', '2021-12-31')).toEqual(
      naiveTradingDays('2015-01-01', '2021-12-31'),
    );
  });

  it('trading-day counts per year', () => {
    expect(tradingDays('2018-01-01', '2018-12-31')).toHaveLength(251);
    expect(tradingDays('2019-01-01', '2019-12-31')).toHaveLength(252);
    expect(tradingDays('2020-01-01', '2020-12-31')).toHaveLength(253);
    expect(tradingDays('2025-01-01', '2025-12-31')).toHaveLength(250);
  });

  it('tradingDaysOfMonth', () => {
    const jan = tradingDaysOfMonth('2018-01');
    expect(jan).toHaveLength(21);
    expect(jan[0]).toBe('2018-01-02');
    expect(jan[jan.length - 1]).toBe('2018-01-31');
    expect(tradingDaysOfMonth('2018-12')).toHaveLength(19); // 21 weekdays - Dec 5 - Dec 25
    expect(tradingDaysOfMonth('2020-02')).toContain('2020-02-28');
  });

  it('monthsOfRange clips the end months and keeps calendar bounds', () => {
    const m = monthsOfRange('2018-01-10', '2018-03-05');
    expect(m.map((x) => x.month)).toEqual(['2018-01', '2018-02', '2018-03']);
    expect(m[0]).toMatchObject({ start: '2018-01-10', end: '2018-01-31' });
    expect(m[0].days[0]).toBe('2018-01-10');
    expect(m[0].days).toHaveLength(15);
    expect(m[1]).toMatchObject({ start: '2018-02-01', end: '2018-02-28' });
    expect(m[1].days).toEqual(tradingDaysOfMonth('2018-02'));
    expect(m[2]).toEqual({
      month: '2018-03',
      start: '2018-03-01',
      end: '2018-03-05',
      days: ['2018-03-01', '2018-03-02', '2018-03-05'],
    });
    expect(m.flatMap((x) => x.days)).toEqual(tradingDays('2018-01-10', '2018-03-05'));
  });

  it('monthsOfRange drops months with no trading day in the range', () => {
    // 2018-03-30 is Good Friday and 03-31 a Saturday: March contributes nothing.
    const m = monthsOfRange('2018-03-30', '2018-04-03');
    expect(m).toEqual([
      {
        month: '2018-04',
        start: '2018-04-01',
        end: '2018-04-03',
        days: ['2018-04-02', '2018-04-03'],
      },
    ]);
    expect(monthsOfRange('2018-01-13', '2018-01-15')).toEqual([]);
    expect(monthsOfRange('2018-02-01', '2018-01-01')).toEqual([]);
    const year = monthsOfRange('2017-12-30', '2019-01-01');
    expect(year).toHaveLength(12);
    expect(year[0].start).toBe('2018-01-01');
    expect(year[11].end).toBe('2018-12-31');
  });

  it('tradingDaysBetween is signed and counts (from, to]', () => {
    expect(tradingDaysBetween('2018-01-16', '2018-01-16')).toBe(0);
    expect(tradingDaysBetween('2018-01-15', '2018-01-13')).toBe(0); // +0, not -0
    expect(tradingDaysBetween('2018-01-12', '2018-01-16')).toBe(1);
    expect(tradingDaysBetween('2018-01-16', '2018-01-12')).toBe(-1);
    expect(tradingDaysBetween('2018-01-13', '2018-01-16')).toBe(1); // Saturday -> Tuesday
    expect(tradingDaysBetween('2018-01-13', '2018-01-15')).toBe(0); // Saturday -> MLK Monday
    expect(tradingDaysBetween('2018-01-12', '2018-01-13')).toBe(0);
    expect(tradingDaysBetween('2018-12-31', '2019-01-02')).toBe(1);
    expect(tradingDaysBetween('2018-01-02', '2020-01-23')).toBe(517);
    expect(tradingDaysBetween('2020-01-23', '2018-01-02')).toBe(-517);
    expect(tradingDaysBetween('2017-12-31', '2018-12-31')).toBe(251);
  });

  it('tradingDaysBetween matches index differences and is antisymmetric', () => {
    const probes = [
      '2016-02-29',
      '2017-07-04',
      '2018-01-01',
      '2018-03-30',
      '2018-12-05',
      '2019-06-15',
      '2020-11-27',
      '2021-12-31',
    ];
    for (const a of probes) {
      for (const b of probes) {
        const ab = tradingDaysBetween(a, b);
        expect(ab === -tradingDaysBetween(b, a)).toBe(true);
        const expected =
          a <= b
            ? naiveTradingDays(addDays(a, 1), b).length
            : -naiveTradingDays(addDays(b, 1), a).length;
        expect(ab).toBe(expected);
      }
    }
    for (const d of ['2018-01-12', '2018-01-13', '2018-12-04', '2019-12-31']) {
      expect(tradingDaysBetween(d, nextTradingDay(d))).toBe(1);
      expect(tradingDaysBetween(d, prevTradingDay(d))).toBe(isTradingDay(d) ? -1 : 0);
    }
  });

  it('lastNTradingDays', () => {
    expect(lastNTradingDays('2018-01-16', 3)).toEqual(['2018-01-11', '2018-01-12', '2018-01-16']);
    expect(lastNTradingDays('2018-01-15', 2)).toEqual(['2018-01-11', '2018-01-12']); // holiday excluded
    expect(lastNTradingDays('2018-01-03', 3)).toEqual(
      ['2017-12-28', '2017-12-29', '2018-01-02', '2018-01-03'].slice(1),
    );
    expect(lastNTradingDays('2018-01-03', 0)).toEqual([]);
    const many = lastNTradingDays('2020-01-23', 518);
    expect(many).toEqual(tradingDays('2018-01-02', '2020-01-23'));
    expect(lastNTradingDays('2019-06-14', 600)).toHaveLength(600);
  });
});
