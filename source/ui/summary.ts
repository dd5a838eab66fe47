/**
 * The short summary printed on the terminal after the console closes (pure: snapshot in, lines
 * out): the backfill's end state and days, hits per rule, proven days, the validations of the run,
 * the open alerts and where the exports are. The console's alternate screen is gone by then, so
 * these lines are what stays in the operator's scrollback.
 */
import type { AlertInfo, BackfillSnapshot, DayCell } from '../contracts/events.js';
import { formatRuleCounts } from './format.js';

/** Where the run's files went (absolute or as configured): month folders and range files, the QA reports. */
export interface SummaryPaths {
  exportDir: string;
  reportsDir?: string;
}

/**
 * True when the day is COMPLETE and its completeness is proven: its stored proof is `exhaustive` or
 * `baseline` (`sampled` or unknown is not proven; contracts/events.ts DayCell.proof).
 */
export function provenDay(d: DayCell): boolean {
  return d.status === 'COMPLETE' && (d.proof === 'exhaustive' || d.proof === 'baseline');
}

function alertCounts(alerts: readonly AlertInfo[]): string {
  const open = alerts.filter((a) => !a.acknowledged);
  if (open.length === 0) return 'none open';
  const by = (sev: AlertInfo['severity']) => open.filter((a) => a.severity === sev).length;
  const parts = (['CRITICAL', 'WARNING', 'INFO'] as const)
    .filter((s) => by(s) > 0)
    .map((s) => `${by(s)} ${s}`);
  const newest = [...open].sort((a, b) => b.id - a.id)[0]!;
  return `${open.length} open (${parts.join(', ')}); newest: ${newest.date ? `${newest.date} ` : ''}${newest.message}`;
}

/**
 * The summary lines (no trailing newline). `outcome` is the backfill's end state and reason (the
 * snapshot's when absent). Days: COMPLETE of the range; hits: per rule over the range's cells and
 * the discoveries (a hit with two rules counts once there); proven: see {@link provenDay};
 * validations: those that ended in this run (snapshot `validationCounts`, the failed ones named
 * with their gate); alerts: unacknowledged in the last snapshot.
 */
export function closingSummary(
  s: BackfillSnapshot,
  paths: SummaryPaths,
  outcome?: { state: string; reason?: string | null },
): string[] {
  const state = outcome?.state ?? s.state;
  const reason = outcome ? (outcome.reason ?? null) : s.reason;
  const out: string[] = [];
  out.push(
    `backfill ${state}: ${s.done}/${s.total} days${reason ? ` (${reason})` : ''}  ${s.start} -> ${s.end}  market ${s.market}`,
  );
  const discoveries = s.days.reduce((n, d) => n + d.hits, 0);
  out.push(
    `  hits         ${formatRuleCounts(s.hits)}  (${discoveries} ${discoveries === 1 ? 'discovery' : 'discoveries'})`,
  );
  const complete = s.days.filter((d) => d.status === 'COMPLETE');
  const proven = complete.filter(provenDay).length;
  out.push(
    `  proven       ${proven}/${complete.length} complete days${s.proofMode === 'off' ? ' (proof off: --no-proof or R1_PROOF=off)' : ''}`,
  );
  const c = s.validationCounts ?? { passed: 0, failed: 0, stopped: 0 };
  const failed = (s.validations ?? []).filter((v) => !v.passed && !v.stopped);
  const named = failed.slice(-3).map((v) => `${v.date} ${v.gate ?? '?'}`);
  out.push(
    `  validations  ${c.passed + c.failed + c.stopped === 0 ? 'none in this run' : `${c.passed} passed, ${c.failed} failed${named.length ? ` (${named.join(', ')}${c.failed > named.length ? ', ...' : ''})` : ''}${c.stopped ? `, ${c.stopped} stopped` : ''}`}`,
  );
  out.push(`  alerts       ${alertCounts(s.alerts)}`);
  const months = [...new Set(complete.map((d) => d.date.slice(0, 7)))].sort();
  const where =
    months.length === 0
      ? ''
      : months.length <= 3
        ? ` (${months.join(', ')})`
        : ` (${months[0]} .. ${months[months.length - 1]}, ${months.length} month folders)`;
  out.push(
    `  exports      ${paths.exportDir}${where}${paths.reportsDir ? `; reports ${paths.reportsDir}` : ''}`,
  );
  return out;
}
