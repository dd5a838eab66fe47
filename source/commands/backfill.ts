/**
 * `gapctl backfill` (and `gapctl console`): runs a backfill in the engine worker thread and shows it
 * in the Ink console when stdin and stdout are TTYs, or as plain lines (one per finished day) when
 * not, when CI is set, or with --no-tui / --json. Ink is only loaded for the console.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { planBackfill } from '../engine/backfill.js';
import { startEngineWorker } from '../runtime/host.js';
import type { BackfillJob } from '../runtime/protocol.js';
import { createPlainPrinter } from '../runtime/plain-printer.js';
import { scanLogPath } from '../engine/artifacts.js';
import type { Config } from '../config/index.js';

/** Options of {@link backfillCommand}. */
export interface BackfillCommandOptions {
  cfg: Config;
  job: BackfillJob;
  dryRun?: boolean;
  /** 'tui' (console), 'plain' or 'json'. */
  output: 'tui' | 'plain' | 'json';
  bell?: boolean;
  color: boolean;
  /** Keep the console open after the range is DONE (default: close it and exit 0). */
  keepOpen?: boolean;
  write?: (line: string) => void;
}

/** Plans, then runs the backfill. Returns the exit code: 0 when the range is done. */
export async function backfillCommand(o: BackfillCommandOptions): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const months = planBackfill(o.job.start, o.job.end);
  if (o.dryRun) {
    let n = 0;
    for (const m of months) {
      write(`${m.month}  ${m.days.length} days  ${m.days.join(' ')}`);
      n += m.days.length;
    }
    write(`dry run: ${months.length} month(s), ${n} trading day(s), nothing changed`);
    return 0;
  }
  const host = startEngineWorker({ ...o.job, interactive: o.output === 'tui' });
  const stop = () => host.send({ type: 'quit' });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, stop);
  try {
    if (o.output === 'tui') {
      const { mountConsole } = await import('../ui/index.js');
      const stateDir = resolve(o.cfg.GAPCTL_STATE_DIR);
      const mounted = mountConsole(
        {
          subscribe: host.subscribe,
          current: host.current,
          send: host.send,
          readLog: async (date, lines) => {
            const p = scanLogPath(stateDir, date);
            if (!existsSync(p)) return [];
            return readFileSync(p, 'utf8').trimEnd().split('\n').slice(-lines);
          },
        },
        { color: o.color, bell: !!o.bell },
        { stdout: process.stdout, stdin: process.stdin, stderr: process.stderr },
      );
      // A finished range closes the console (npm start exits 0 when done); a halted or failed one
      // stays on screen with its alert until the operator quits.
      const unsubscribe = o.keepOpen ? () => {} : host.subscribe((snap) => {
        if (snap.state === 'DONE') mounted.close('stop');
      });
      const res = await mounted.done;
      unsubscribe();
      const current = host.current();
      const finished = current && ['DONE', 'HALTED', 'STOPPED', 'FAILED'].includes(current.state);
      if (!finished && res.quit === 'stop') {
        write('stopping: in-flight requests are aborted, the current day is left absent and reruns on resume');
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
      write(`backfill ${outcome.state}: ${snapshot.done}/${snapshot.total} days${outcome.reason ? ` (${outcome.reason})` : ''}`);
      return outcome.state === 'DONE' ? 0 : 1;
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
    return outcome.state === 'DONE' ? 0 : 1;
  } finally {
    for (const s of signals) process.off(s, stop);
  }
}
