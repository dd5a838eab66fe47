/**
 * The runbook's per-day SLA (docs/domain.md section 10): processing time at most SLA_MAX_PROCESSING_SEC
 * (900 s = 15 minutes) and API error rate at most SLA_MAX_ERROR_RATE (5 %; errors / requests over
 * Theta and Polygon, the same figure qc_daily_summary.api_error_rate stores). A breach raises one
 * WARNING alert of kind `SLA` when the day is written.
 */
import type { Config } from '../config/index.js';
import type { DayCompleteness } from '../store/store.js';
import type { EngineContext } from './context.js';

/** The day's SLA figures and what breached (empty `breaches` when within the SLA). */
export interface SlaResult {
  /** Processing time, seconds. */
  processingSec: number;
  /** API errors / requests (0 without requests). */
  errorRate: number;
  /** One phrase per breach, e.g. `processing 1200.0 s > 900 s`. */
  breaches: string[];
}

/** The SLA figures of a day row (as committed) against the configured limits. */
export function slaOf(
  dc: Pick<
    DayCompleteness,
    'processing_ms' | 'theta_requests' | 'theta_errors' | 'polygon_requests' | 'polygon_errors'
  >,
  cfg: Pick<Config, 'SLA_MAX_PROCESSING_SEC' | 'SLA_MAX_ERROR_RATE'>,
): SlaResult {
  const processingSec = dc.processing_ms / 1000;
  const requests = dc.theta_requests + dc.polygon_requests;
  const errorRate = requests > 0 ? (dc.theta_errors + dc.polygon_errors) / requests : 0;
  const breaches: string[] = [];
  if (processingSec > cfg.SLA_MAX_PROCESSING_SEC)
    breaches.push(`processing ${processingSec.toFixed(1)} s > ${cfg.SLA_MAX_PROCESSING_SEC} s`);
  if (errorRate > cfg.SLA_MAX_ERROR_RATE)
    breaches.push(
      `API error rate ${(errorRate * 100).toFixed(1)}% > ${(cfg.SLA_MAX_ERROR_RATE * 100).toFixed(1)}% (${dc.theta_errors + dc.polygon_errors} of ${requests} requests)`,
    );
  return { processingSec, errorRate, breaches };
}

/**
 * After a day is committed: on an SLA breach, stores a WARNING alert (kind `SLA`) and emits it.
 * Never throws: a failure to record the alert must not fail a committed day.
 * @returns the SLA figures.
 */
export function raiseSlaAlert(ctx: EngineContext, dc: DayCompleteness): SlaResult {
  const r = slaOf(dc, ctx.cfg);
  if (r.breaches.length === 0) return r;
  try {
    const alert = ctx.store.addAlert({
      severity: 'WARNING',
      kind: 'SLA',
      date: dc.date,
      message: `${dc.date} SLA breach: ${r.breaches.join('; ')}`,
    });
    ctx.emit({ type: 'alert', alert });
  } catch {
    /* the day is committed; the breach stays visible in qc_daily_summary and gapctl health */
  }
  return r;
}
