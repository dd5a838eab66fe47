/**
 * `gapctl validate --date D | --start S --end E`: the acceptance gates, the baseline cross-check and
 * the audit for scanned days; one line per day and per failed gate. Stops at the first failing day
 * (a baseline-only hit stops all processing). Exit 0 only when every gate of every day passed.
 */
import { openSession, parseMarket } from '../runtime/session.js';
import { createAppLog } from '../runtime/app-log.js';
import { validateDay } from '../engine/validate.js';
import type { Config } from '../config/index.js';

/** Options of {@link validateCommand}. */
export interface ValidateCommandOptions {
  cfg: Config;
  days: string[];
  market: string;
  dbPath: string;
  write?: (line: string) => void;
}

/** Validates each day in order; returns the exit code. */
export async function validateCommand(o: ValidateCommandOptions): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const appLog = createAppLog(o.cfg.GAPCTL_LOG_DIR, [o.cfg.POLYGON_API_KEY, o.cfg.FMP_API_KEY]);
  const session = await openSession({ cfg: o.cfg, market: parseMarket(o.market), dbPath: o.dbPath, emit: () => {}, log: appLog });
  try {
    for (const d of o.days) {
      const r = await validateDay(session.ctx, d);
      if (r.passed) {
        write(`${d} PASS  ${r.gates.length} gates; baseline ${r.baselineHits} hits, overlap ${r.overlap}, discovery-only ${r.discoveryOnly}, baseline-only 0`);
        continue;
      }
      const sev = r.gate === 'BASELINE' && r.baselineOnly > 0 ? 'CRITICAL ' : '';
      write(`${d} FAIL  ${sev}gate ${r.gate}: ${r.message}`);
      for (const f of r.files) write(`  wrote ${f}`);
      return 1;
    }
    return 0;
  } finally {
    await session.close();
  }
}
