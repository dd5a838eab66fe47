/**
 * `gapctl backfill` (and `gapctl console`): runs a backfill in the engine worker thread and shows it
 * in the Ink console when stdin and stdout are TTYs, or as plain lines (one per finished day) when
 * not, when CI is set, or with --no-tui / --json. Ink is only loaded for the console.
 */
import { resolve } from 'node:path';
import { startEngineWorker } from '../runtime/host.js';
import type { BackfillJob } from '../runtime/protocol.js';
import { createPlainPrinter, unprovenSuffix } from '../runtime/plain-printer.js';
import type { Config } from '../config/index.js';
import { startMetricsServer, type MetricsServer } from '../runtime/metrics.js';
import { createAppLog } from '../runtime/app-log.js';
import { fakeClockFromEnv, followSchedule, latestDueDay, systemClock } from '../engine/clock.js';
import { UsageError } from './common.js';
import { backfillExitCode, ENDED_BACKFILL_STATES } from '../contracts/states.js';

/**
 * `--follow --start S` without `--end`: the latest trading day whose data is due now (the clock is
 * GAPCTL_FAKE_CLOCK in tests), per FOLLOW_WAIT_FOR / FOLLOW_DUE_ET / FOLLOW_FLATFILE_DUE_ET.
 * @throws UsageError when no trading day of the last 30 days is due yet.
 */
export function followRangeEnd(cfg: Config): string {
  const clock = process.env.GAPCTL_FAKE_CLOCK
    ? fakeClockFromEnv(process.env.GAPCTL_FAKE_CLOCK)
    : systemClock;
  const d = latestDueDay(clock.now().getTime(), followSchedule(cfg));
  if (!d)
    throw new UsageError('--follow: no trading day of the last 30 days is due yet; give --end');
  return d;
}

/** Options of {@link backfillCommand}. */
export interface BackfillCommandOptions {
  cfg: Config;
  job: BackfillJob;
  /** 'tui' (console), 'plain' or 'json'. */
  output: 'tui' | 'plain' | 'json';
  bell?: boolean;
  color: boolean;
  /** Keep the console open after the range is DONE (default: close it and exit 0). */
  keepOpen?: boolean;
  /** No console: run headless (status file, engine log, control socket; runtime/headless.ts). */
  headless?: boolean;
  /** Serve Prometheus metrics on host:port (`--metrics-port`, `--metrics-host`; runtime/metrics.ts). */
  metrics?: { port: number; host: string };
  write?: (line: string) => void;
}

/**
 * Runs the backfill (the range is resolved and the store locked by the caller; `--dry-run` is
 * commands/backfill-plan.ts). Returns the exit code: 0 when the range is done or a --max-months
 * chunk completed.
 */
export async function backfillCommand(o: BackfillCommandOptions): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const metrics = o.metrics
    ? await startMetricsServer({
        port: o.metrics.port,
        host: o.metrics.host,
        slaMaxProcessingSec: o.cfg.SLA_MAX_PROCESSING_SEC,
      })
    : null;
  if (metrics) write(`metrics: serving ${metrics.url}`);
  try {
    return await runBackfillCommand(o, write, metrics);
  } finally {
    await metrics?.close();
  }
}

async function runBackfillCommand(
  o: BackfillCommandOptions,
  write: (line: string) => void,
  metrics: MetricsServer | null,
): Promise<number> {
  if (o.headless) {
    const { runHeadless } = await import('../runtime/headless.js');
    // The metrics endpoint follows the runner's worker like its status file does.
    const startWorker = metrics
      ? (job: BackfillJob) => {
          const h = startEngineWorker(job);
          metrics.attach(h);
          return h;
        }
      : undefined;
    return runHeadless({
      cfg: o.cfg,
      job: o.job,
      keepOpen: o.keepOpen,
      write: o.write,
      ...(startWorker ? { startWorker } : {}),
    });
  }
  const host = startEngineWorker({ ...o.job, interactive: o.output === 'tui' });
  metrics?.attach(host);
  const stop = () => host.send({ type: 'quit' });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, stop);
  try {
    if (o.output === 'tui') {
      const { mountConsole } = await import('../ui/index.js');
      const stateDir = resolve(o.cfg.GAPCTL_STATE_DIR);
      // The host's console source: snapshots, commands, the chokidar log follower and the day detail (read by the worker).
      const appLog = createAppLog(o.cfg.GAPCTL_LOG_DIR, [
        o.cfg.POLYGON_API_KEY,
        o.cfg.FMP_API_KEY,
        o.cfg.ALERT_WEBHOOK_URL,
      ]);
      const mounted = mountConsole(
        host.consoleSource(stateDir, (line) => appLog(`[console] ${line}`)),
        { color: o.color, bell: !!o.bell },
        { stdout: process.stdout, stdin: process.stdin, stderr: process.stderr },
      );
      // A finished range closes the console (npm start exits 0 when done); a halted or failed one
      // stays on screen with its alert until the operator quits.
      const unsubscribe = o.keepOpen
        ? () => {}
        : host.subscribe((snap) => {
            if (snap.state === 'DONE') mounted.close('stop');
          });
      const res = await mounted.done;
      unsubscribe();
      const current = host.current();
      const finished = current && ENDED_BACKFILL_STATES.has(current.state);
      if (!finished && res.quit === 'stop') {
        write(
          'stopping: in-flight requests are aborted, the current day is left absent and reruns on resume',
        );
        host.send({ type: 'quit' });
      } else if (!finished) {
        write('console closed; the backfill goes on here, one line per day (Ctrl+C stops it)');
        const printer = createPlainPrinter(write);
        host.subscribe((s) => printer.onSnapshot(s));
        host.send({ type: 'detach' });
      } else {
        host.send({ type: 'quit' });
      }
      const { outcome, snapshot } = await host.done;
      if (outcome.state === 'DONE') {
        // The range is done and Ink has left the screen: a short summary (hits per rule, proven days, validations, alerts, exports).
        const { closingSummary } = await import('../ui/summary.js');
        const lines = closingSummary(
          snapshot,
          {
            exportDir: resolve(o.cfg.GAPCTL_EXPORT_DIR),
            reportsDir: resolve(o.cfg.GAPCTL_REPORTS_DIR),
          },
          outcome,
        );
        lines[0] += unprovenSuffix(snapshot);
        for (const line of lines) write(line);
      } else {
        write(
          `backfill ${outcome.state}: ${snapshot.done}/${snapshot.total} days${outcome.reason ? ` (${outcome.reason})` : ''}${unprovenSuffix(snapshot)}`,
        );
      }
      return backfillExitCode(outcome);
    }
    const printer = createPlainPrinter(write, { json: o.output === 'json' });
    // Plain mode prints one line per day and per alert: of the application log only the start-up,
    // backfill and validation lines (472 notices and the like stay in logs/gapctl.log).
    host.onLog((l) => {
      if (!/^\[(theta\] init|backfill\]|validate\])/.test(l)) return;
      write(o.output === 'json' ? JSON.stringify({ type: 'log', line: l }) : l);
    });
    host.subscribe((s) => printer.onSnapshot(s));
    const { outcome, snapshot } = await host.done;
    printer.onEnd(snapshot);
    return backfillExitCode(outcome);
  } finally {
    for (const s of signals) process.off(s, stop);
  }
}
