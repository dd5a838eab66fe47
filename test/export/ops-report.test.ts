/**
 * `gapctl report weekly|monthly` (export/ops-report.ts, commands/report.ts): per-day processing
 * minutes, discoveries per rule, baseline-only, audits, API error rate (Theta + Polygon), SLA breaches
 * and proof (exhaustive / baseline / sampled / absent) over the weekly and monthly windows; the
 * sparklines; CSV and text written; the store opened read-only and unchanged; usage errors.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as calendar from '../../source/calendar/index.js';
import { loadConfig } from '../../source/config/index.js';
import { opsReport, reportWindow, sparkline } from '../../source/export/ops-report.js';
import { reportCommand } from '../../source/commands/report.js';
import { Store } from '../../source/store/store.js';
import { completeness } from './fixtures.js';
import { tempDir } from '../helpers/paths.js';

const SLA = { maxSec: 900, maxErrorRate: 0.05 };

/** Four scanned days of the week 2018-03-05..09 (03-08 absent) with known figures. */
function fixtureStore(dir: string): string {
  const path = join(dir, 'scanner.db');
  const s = Store.open(path);
  const audit = (ok: boolean) => ({
    sampleSize: 50,
    misses: ok ? 0 : 1,
    missRateUpper95: 0.06,
    auditPassed: ok,
  });
  s.commitDay({
    completeness: completeness('2018-03-02', { processing_ms: 60_000 }),
    hits: [],
    missAudit: [],
    audit: audit(true),
  }); // previous week
  s.commitDay({
    completeness: completeness('2018-03-05', { processing_ms: 120_000, r1_hits: 2, r2_hits: 1 }),
    hits: [],
    missAudit: [],
    audit: audit(true),
  });
  s.commitDay({
    completeness: completeness('2018-03-06', {
      processing_ms: 1_200_000,
      r3_hits: 4,
      theta_requests: 90,
      polygon_requests: 10,
      theta_errors: 7,
      polygon_errors: 1,
    }),
    hits: [],
    missAudit: [],
    audit: audit(false),
  });
  s.commitDay({
    completeness: completeness('2018-03-07', {
      processing_ms: 240_000,
      r1_mode: 'exhaustive',
      proof: 'exhaustive',
      proof_source: 'theta',
      r4_hits: 1,
    }),
    hits: [],
    missAudit: [],
    audit: audit(true),
  });
  s.commitDay({
    completeness: completeness('2018-03-09', { processing_ms: 180_000, r2_hits: 3 }),
    hits: [],
    missAudit: [],
    audit: null,
  });
  s.db
    .prepare(
      "UPDATE qc_daily_summary SET status = 'VALIDATED', baseline_only_count = 0 WHERE date = '2018-03-05'",
    )
    .run();
  s.db
    .prepare(
      "UPDATE qc_daily_summary SET status = 'FAILED_BASELINE', baseline_only_count = 2 WHERE date = '2018-03-09'",
    )
    .run();
  s.close();
  return path;
}

describe('operations reports', () => {
  it('sparkline scales 0..max over eight bars, unknown days blank', () => {
    expect(sparkline([0, 1, 2, 4, 8, null])).toBe('▁▂▃▅█ ');
    expect(sparkline([0, 0])).toBe('▁▁');
  });

  it("windows: weekly = 5 trading days ending at D, monthly = D's month up to D", () => {
    expect(reportWindow(calendar, 'weekly', '2018-03-09')).toEqual([
      '2018-03-05',
      '2018-03-06',
      '2018-03-07',
      '2018-03-08',
      '2018-03-09',
    ]);
    const m = reportWindow(calendar, 'monthly', '2018-03-09');
    expect(m[0]).toBe('2018-03-01');
    expect(m).toHaveLength(7);
  });

  it('weekly: per-day figures, totals, SLA, audits, proof coverage honest about sampled days', () => {
    const dir = tempDir();
    const s = Store.open(fixtureStore(dir), { readonly: true });
    const r = opsReport(s, calendar, 'weekly', '2018-03-09', SLA);
    s.close();
    expect(r.days.map((d) => [d.date, d.proof])).toEqual([
      ['2018-03-05', 'baseline'],
      ['2018-03-06', 'sampled'],
      ['2018-03-07', 'exhaustive'],
      ['2018-03-08', 'absent'],
      ['2018-03-09', 'sampled'],
    ]);
    expect(r.days.map((d) => d.processingMin)).toEqual([2, 20, 4, null, 3]);
    expect(r.totals.hits).toEqual({ r1: 2, r2: 4, r3: 4, r4: 1, total: 11 });
    expect(r.totals.baselineOnly).toBe(2);
    expect(r.totals).toMatchObject({
      audited: 3,
      auditPassed: 2,
      scanned: 4,
      slaBreaches: ['2018-03-06'],
    });
    expect(r.days[1]!.apiErrorRate).toBeCloseTo(0.08);
    expect(r.totals.proof).toEqual({ exhaustive: 1, baseline: 1, sampled: 2, absent: 1 });
    expect(r.text).toMatch(
      /^processing min\/day ▂█▂ ▂  p50 3\.00 min, p95 20\.00 min, max 20\.00 min$/m,
    );
    expect(r.text).toMatch(
      /^discoveries +R1 PM_GAP_50 2, R2 OPEN_GAP_50 4, R3 INTRADAY_PUSH_50 4, R4 SURGE_7D_300 1$/m,
    );
    expect(r.text).toMatch(/^baseline-only +2 \(CRITICAL: 2018-03-09\)$/m);
    expect(r.text).toMatch(/^audit pass rate +2 of 3 audited days \(66\.7%\)$/m);
    expect(r.text).toMatch(/^SLA +1 day\(s\) over 900 s or 5\.0% API errors: 2018-03-06$/m);
    expect(r.text).toMatch(
      /^proof coverage +exhaustive 1, baseline 1, sampled 2 \(not a proof\), absent 1$/m,
    );
  });

  it('gapctl report monthly writes CSV + text, prints them, reads only; --json; usage errors', async () => {
    const dir = tempDir();
    const db = fixtureStore(dir);
    const before = readFileSync(db);
    const cfg = loadConfig({}, { GAPCTL_REPORTS_DIR: join(dir, 'reports') });
    let out = '';
    expect(
      await reportCommand({ cfg, input: ['monthly'], dbPath: db, write: (t) => (out += t) }),
    ).toBe(0);
    expect(out).toMatch(
      /^gapctl monthly report: 2018-03-01 \.\. 2018-03-09 \(7 trading days, 5 scanned\)/,
    );
    const csv = readFileSync(join(dir, 'reports', 'report_monthly_2018-03-09.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe(
      'date,status,qc_status,processing_min,r1_hits,r2_hits,r3_hits,r4_hits,hits,baseline_only,audit_passed,api_error_rate,sla_breach,proof',
    );
    expect(csv).toHaveLength(8);
    expect(csv.find((l) => l.startsWith('2018-03-06'))).toBe(
      '2018-03-06,COMPLETE,COMPLETE,20.00,0,0,4,0,4,0,0,0.0800,1,sampled',
    );
    expect(readFileSync(join(dir, 'reports', 'report_monthly_2018-03-09.txt'), 'utf8')).toContain(
      'proof coverage',
    );
    expect(readFileSync(db).equals(before)).toBe(true);
    let j = '';
    await reportCommand({
      cfg,
      input: ['weekly'],
      dbPath: db,
      end: '2018-03-07',
      json: true,
      write: (t) => (j += t),
    });
    expect(JSON.parse(j)).toMatchObject({
      period: 'weekly',
      start: '2018-03-01',
      end: '2018-03-07',
      totals: { scanned: 4 },
    });
    await expect(reportCommand({ cfg, input: [], dbPath: db })).rejects.toThrow(
      /^usage: gapctl report weekly\|monthly$/,
    );
    await expect(reportCommand({ cfg, input: ['daily'], dbPath: db })).rejects.toThrow(
      /unknown report "daily"/,
    );
    await expect(
      reportCommand({ cfg, input: ['weekly'], dbPath: db, end: '2018-02-30' }),
    ).rejects.toThrow(/--end/);
    await expect(
      reportCommand({ cfg, input: ['weekly'], dbPath: join(dir, 'nope.db') }),
    ).rejects.toThrow(/does not exist/);
  });
});
