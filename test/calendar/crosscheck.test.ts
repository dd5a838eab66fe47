import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHolidays } from 'nyse-holidays';
import { describe, expect, it } from 'vitest';
import { fullClosures, regularHolidays, tradingDays } from '../../source/calendar/index.js';
import { HAVE_SHARED, NO_SHARED } from '../helpers/paths.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const stooqDays = path.resolve(repoRoot, '../shared/data/stooq-us-daily-2018-2020/days');

describe.skipIf(!HAVE_SHARED)(`cross-check with real data ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  it('tradingDays(2018-01-02, 2020-01-23) equals the 518 stooq daily files', () => {
    const fromFiles = readdirSync(stooqDays)
      .filter((f) => f.endsWith('.csv.gz'))
      .map((f) => f.slice(0, -'.csv.gz'.length))
      .sort();
    expect(fromFiles).toHaveLength(518);
    expect(tradingDays('2018-01-02', '2020-01-23')).toEqual(fromFiles);
  });
});

describe('cross-check with the nyse-holidays package (rule-based holidays only)', () => {
  // nyse-holidays@1.2.0 getHolidays(year) -> { name, date, dateString: 'YYYY-MM-DD' }[]; it has no special
  // closures and no early closes, so only regularHolidays() is compared. Measured on 2000-2030: the two agree
  // on every date (same Saturday-New-Year rule, Juneteenth from 2022, MLK from 1998), so the expected
  // disagreement set is empty. If the package or our rules change, this lists exactly which dates differ.
  it('agrees on every year 2000-2030', () => {
    const disagreements: string[] = [];
    for (let y = 2000; y <= 2030; y++) {
      const ours = new Set(regularHolidays(y).map((h) => h.date));
      const theirs = new Set(getHolidays(y).map((h) => h.dateString));
      for (const d of ours) if (!theirs.has(d)) disagreements.push(`${d} only ours`);
      for (const d of theirs) if (!ours.has(d)) disagreements.push(`${d} only nyse-holidays`);
      expect(ours.size).toBeGreaterThanOrEqual(8);
    }
    expect(disagreements).toEqual([]);
  });

  it('the package misses the special closures that fullClosures has', () => {
    const missing: string[] = [];
    for (let y = 2000; y <= 2030; y++) {
      const theirs = new Set(getHolidays(y).map((h) => h.dateString));
      for (const c of fullClosures(y)) if (!theirs.has(c.date)) missing.push(c.date);
    }
    expect(missing).toEqual([
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
    ]);
  });
});
