/**
 * `gapctl validate --date D | --start S --end E`: the acceptance gates, the baseline cross-check and
 * the audit for scanned days; one line per day and per failed gate. Stops at the first failing day
 * (a baseline-only hit stops all processing). Exit 0 only when every gate of every day passed.
 */
import { openSession, parseMarket } from '../runtime/session.js';
import { createAppLog } from '../runtime/app-log.js';
import { validateDay } from '../engine/validate.js';
import type { Config } from '../config/index.js';
import type { EngineEvent } from '../contracts/events.js';
import { validationLineThrottle, validationProgressLine } from '../runtime/plain-printer.js';

/** Options of {@link validateCommand}. */
export interface ValidateCommandOptions {
  cfg: Config;
  days: string[];
  market: string;
  dbPath: string;
  write?: (line: string) => void;
  /** Signal source for SIGINT/SIGTERM (default `process`); a signal stops the validation. */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  /** Spacing of progress lines, ms (default 5000; a line also prints at each 10% of the baseline lookups). */
  progressEveryMs?: number;
}

/**
 * Validates each day in order, printing progress lines (throttled) while a day validates; returns
 * the exit code: 0 when every day passed, 1 when one failed or a SIGINT/SIGTERM stopped the
 * validation ("validation stopped": nothing of the day's validation is recorded, its previous
 * state is kept).
 */
export async function validateCommand(o: ValidateCommandOptions): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const appLog = createAppLog(o.cfg.GAPCTL_LOG_DIR, [
    o.cfg.POLYGON_API_KEY,
    o.cfg.FMP_API_KEY,
    o.cfg.ALERT_WEBHOOK_URL,
  ]);
  const due = validationLineThrottle(o.progressEveryMs);
  const emit = (e: EngineEvent): void => {
    if (e.type === 'validate-progress' && due(e, Date.now())) write(validationProgressLine(e));
  };
  const session = await openSession({
    cfg: o.cfg,
    market: parseMarket(o.market),
    dbPath: o.dbPath,
    emit,
    log: appLog,
  });
  const signals = o.signals ?? process;
  let stoppedBy: string | null = null;
  const onSignal = (name: string) => () => {
    stoppedBy ??= name;
    session.controller.abort();
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  signals.on('SIGINT', onInt);
  signals.on('SIGTERM', onTerm);
  try {
    for (const d of o.days) {
      const r = await validateDay(session.ctx, d);
      if (r.stopped) {
        write(`${d} STOPPED  ${r.message}${stoppedBy ? ` (${stoppedBy})` : ''}`);
        return 1;
      }
      if (r.passed) {
        write(
          `${d} PASS  ${r.gates.length} gates; baseline ${r.baselineHits} hits, overlap ${r.overlap}, discovery-only ${r.discoveryOnly}, baseline-only 0`,
        );
        continue;
      }
      const sev = r.gate === 'BASELINE' && r.baselineOnly > 0 ? 'CRITICAL ' : '';
      write(`${d} FAIL  ${sev}gate ${r.gate}: ${r.message}`);
      for (const f of r.files) write(`  wrote ${f}`);
      return 1;
    }
    return 0;
  } finally {
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
    await session.close();
  }
}
