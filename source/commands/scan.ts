/**
 * `gapctl scan-day --date D` and `gapctl scan-range --start S --end E`: scan days in this process
 * (no console), one plain line per day. Exit 0 only when every day is COMPLETE.
 */
import type { DayResult } from '../engine/day.js';
import { scanDay } from '../engine/day.js';
import { StoppedError } from '../engine/context.js';
import { openSession, parseMarket } from '../runtime/session.js';
import { createAppLog } from '../runtime/app-log.js';
import type { Config } from '../config/index.js';

/** Options of {@link scanCommand}. */
export interface ScanCommandOptions {
  cfg: Config;
  days: string[];
  market: string;
  dbPath: string;
  mode?: 'prefilter' | 'exhaustive';
  write?: (line: string) => void;
}

/** One plain line for a finished day. */
export function dayLine(r: DayResult): string {
  const h = r.hits;
  return `${r.date} ${r.status.padEnd(12)} hits ${r.discoveries} (R1 ${h.r1} R2 ${h.r2} R3 ${h.r3} R4 ${h.r4})  ${(r.durationMs / 1000).toFixed(1)}s${r.reason ? `  ${r.reason}` : ''}`;
}

/** Scans the days in order; stops on SIGINT/SIGTERM (the current day is left absent). Returns the exit code. */
export async function scanCommand(o: ScanCommandOptions): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const appLog = createAppLog(o.cfg.GAPCTL_LOG_DIR, [
    o.cfg.POLYGON_API_KEY,
    o.cfg.FMP_API_KEY,
    o.cfg.ALERT_WEBHOOK_URL,
  ]);
  const session = await openSession({
    cfg: o.cfg,
    market: parseMarket(o.market),
    dbPath: o.dbPath,
    emit: () => {},
    log: (l) => {
      appLog(l);
      write(l);
    },
  });
  const onSignal = () => session.controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let ok = true;
  try {
    for (const d of o.days) {
      const r = await scanDay(session.ctx, d, { mode: o.mode });
      // A COMPLETE day says whether it is proven (docs/domain.md section 14).
      const proof =
        r.status === 'COMPLETE' ? (session.ctx.store.dayCompleteness(d)?.proof ?? 'sampled') : null;
      write(
        `${dayLine(r)}${proof === null ? '' : proof === 'sampled' ? '  UNPROVEN (sampled)' : `  proof ${proof}`}`,
      );
      if (r.status !== 'COMPLETE') ok = false;
    }
  } catch (e) {
    if (e instanceof StoppedError) {
      write('stopped: the current day was left absent and reruns next time');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
  return ok ? 0 : 1;
}
