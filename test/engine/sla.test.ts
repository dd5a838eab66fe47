/**
 * The per-day SLA (engine/sla.ts): qc_daily_summary carries the day's processing time and API error
 * rate, and a breach of SLA_MAX_PROCESSING_SEC or SLA_MAX_ERROR_RATE raises one WARNING alert of
 * kind SLA (stored and emitted) when the day is written; within the SLA there is none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testSession } from '../helpers/session.js';
import { scanDay } from '../../source/engine/day.js';
import { slaOf } from '../../source/engine/sla.js';
import type { Session } from '../../source/runtime/session.js';
import { completeness } from '../export/fixtures.js';

const DAY = '2018-01-04';
let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

function slaAlerts(s: Session) {
  return s.ctx.store.db
    .prepare("SELECT severity, kind, date, message FROM alerts WHERE kind = 'SLA'")
    .all() as { severity: string; kind: string; date: string; message: string }[];
}

describe('SLA per day', () => {
  it('slaOf: processing seconds and error rate against the limits', () => {
    const lim = { SLA_MAX_PROCESSING_SEC: 900, SLA_MAX_ERROR_RATE: 0.05 };
    expect(
      slaOf(
        completeness(DAY, {
          processing_ms: 900_000,
          theta_requests: 95,
          polygon_requests: 5,
          theta_errors: 5,
          polygon_errors: 0,
        }),
        lim,
      ).breaches,
    ).toEqual([]);
    const r = slaOf(
      completeness(DAY, {
        processing_ms: 1_200_000,
        theta_requests: 90,
        polygon_requests: 10,
        theta_errors: 5,
        polygon_errors: 1,
      }),
      lim,
    );
    expect(r.errorRate).toBeCloseTo(0.06);
    expect(r.breaches).toEqual([
      'processing 1200.0 s > 900 s',
      'API error rate 6.0% > 5.0% (6 of 100 requests)',
    ]);
  });

  it('a day within the SLA stores its figures and raises no SLA alert', async () => {
    const t = await testSession();
    open.push(t.session);
    const r = await scanDay(t.session.ctx, DAY);
    expect(r.status).toBe('COMPLETE');
    const qc = t.session.ctx.store.db
      .prepare(
        'SELECT processing_time_seconds AS p, api_error_rate AS e FROM qc_daily_summary WHERE date = ?',
      )
      .get(DAY) as { p: number; e: number };
    expect(qc.p).toBeGreaterThan(0);
    expect(qc.e).toBe(0);
    expect(slaAlerts(t.session)).toEqual([]);
  });

  it('a breach (processing limit below the day, error limit below its retried faults) raises one WARNING alert of kind SLA, emitted', async () => {
    const t = await testSession({
      env: { SLA_MAX_PROCESSING_SEC: '0.001', SLA_MAX_ERROR_RATE: '0.001' },
      emulator: { faults: { polygon5xx: 0.3 } },
    });
    open.push(t.session);
    const r = await scanDay(t.session.ctx, DAY);
    expect(r.status).toBe('COMPLETE');
    const a = slaAlerts(t.session);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ severity: 'WARNING', kind: 'SLA', date: DAY });
    expect(a[0]!.message).toMatch(
      new RegExp(
        `^${DAY} SLA breach: processing \\d+\\.\\d s > 0\\.001 s; API error rate \\d+\\.\\d% > 0\\.1%`,
      ),
    );
    expect(
      t.events.some(
        (e) => e.type === 'alert' && (e as { alert: { kind: string } }).alert.kind === 'SLA',
      ),
    ).toBe(true);
  });
});
