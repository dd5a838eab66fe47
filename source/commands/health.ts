/**
 * `gapctl health [--json] [--market M] [--db PATH]`: the production checks of runtime/health.ts,
 * printed as a monitoring-plugin summary line and one line per check (or one JSON object), exit
 * 0 ok / 1 warn / 2 critical. A bad configuration is itself a critical check (exit 2).
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/index.js';
import { healthLines, runHealth, type HealthReport, type StatfsProbe } from '../runtime/health.js';
import { parseMarket } from '../runtime/session.js';
import { UsageError } from './common.js';
import { errorLine } from '../util/errors.js';

/** Options of {@link healthCommand}. */
export interface HealthCommandOptions {
  market?: string;
  db?: string;
  json?: boolean;
  /** Disk probe override (tests). */
  statfs?: StatfsProbe;
  out?: (line: string) => void;
}

/**
 * Runs the checks and prints them.
 * @returns 0 ok, 1 warn, 2 critical.
 * @throws UsageError on a bad --market.
 */
export async function healthCommand(o: HealthCommandOptions): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const print = (r: HealthReport) =>
    o.json ? out(JSON.stringify(r)) : healthLines(r).forEach((l) => out(l));
  let cfg;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    print({
      level: 'critical',
      exitCode: 2,
      checks: [{ name: 'config', level: 'critical', message: errorLine(e) }],
      ms: 0,
    });
    return 2;
  }
  let market;
  try {
    market = parseMarket(o.market ?? cfg.GAPCTL_MARKET);
  } catch (e) {
    throw new UsageError(errorLine(e));
  }
  const r = await runHealth({
    cfg,
    market,
    dbPath: resolve(o.db ?? cfg.GAPCTL_DB),
    statfs: o.statfs,
  });
  print(r);
  return r.exitCode;
}
