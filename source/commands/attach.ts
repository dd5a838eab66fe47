/**
 * `gapctl console --attach [--read-only]`: the console of a backfill that runs headless
 * (`gapctl backfill --headless`). On a TTY the Ink console, fed from the runner's status file and
 * sending keys as commands over the control socket; otherwise (`--no-tui`, `--json`, not a TTY, CI)
 * plain or JSON lines built from the same snapshots. Quitting or killing an attached console never
 * stops the backfill: only the quit prompt's explicit "stop" choice sends `stop` (never read-only).
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import type { BackfillSnapshot } from '../contracts/events.js';
import { ENDED_BACKFILL_STATES } from '../contracts/states.js';
import type { AttachedRunner, AttachNotice } from '../runtime/attach.js';
import { createPlainPrinter } from '../runtime/plain-printer.js';
import { createAppLog } from '../runtime/app-log.js';
import { errorLine } from '../util/errors.js';
import { consoleOutput, UsageError } from './common.js';

/** The backfill/console flags as the CLI parsed them (only those attach looks at). */
export interface AttachFlags {
  attach?: boolean;
  readOnly?: boolean;
  tui: boolean;
  json?: boolean;
  bell?: boolean;
  [flag: string]: unknown;
}

/** Flags that start or shape a backfill and mean nothing to an attached console. */
const BACKFILL_ONLY = [
  'start',
  'end',
  'mode',
  'maxMonths',
  'rerun',
  'validate',
  'skipPhase0',
  'dryRun',
  'keepOpen',
  'headless',
  'market',
  'db',
  'metricsPort',
  'metricsHost',
] as const;

/**
 * `gapctl console --attach [--read-only] [--no-tui|--json] [--bell]` from parsed flags: checks the
 * combination, picks the output mode like the backfill does (console on a TTY, plain otherwise)
 * and runs {@link attachCommand}.
 * @throws UsageError when --attach is given to another command than console, --read-only comes
 *   without --attach, or backfill options come with it.
 */
export function attachFromFlags(cmd: string, f: AttachFlags, cfg: Config): Promise<number> {
  if (!f.attach)
    throw new UsageError('--read-only goes with --attach: gapctl console --attach --read-only');
  if (cmd !== 'console')
    throw new UsageError(
      '--attach belongs to gapctl console: gapctl console --attach [--read-only]',
    );
  const extra = BACKFILL_ONLY.find((k) => f[k] !== undefined && f[k] !== false);
  if (extra)
    throw new UsageError(
      `--attach takes no backfill options (--${extra.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}): the headless runner has its own`,
    );
  const { output, color } = consoleOutput(f);
  return attachCommand({ cfg, readOnly: !!f.readOnly, output, color, bell: f.bell });
}

/** Options of {@link attachCommand}. */
export interface AttachCommandOptions {
  cfg: Config;
  /** Watch without control (no socket, no commands). */
  readOnly: boolean;
  /** 'tui' (console), 'plain' or 'json'. */
  output: 'tui' | 'plain' | 'json';
  color: boolean;
  bell?: boolean;
  write?: (line: string) => void;
}

function stdoutWriter(): (line: string) => void {
  process.stdout.on('error', () => {}); // a closed pipe or a vanished terminal ends nothing
  return (line) => {
    try {
      process.stdout.write(line + '\n');
    } catch {
      // ignored
    }
  };
}

/**
 * Attaches to the headless runner of GAPCTL_STATE_DIR. Resolves with the exit code: 0 after the
 * operator detached (q, Ctrl+C, SIGTERM, SIGHUP) or when the runner ended DONE; 1 when it ended
 * otherwise or its process is gone.
 * @throws AttachError (one line, exit 1) when there is no runner to attach to.
 */
export async function attachCommand(o: AttachCommandOptions): Promise<number> {
  const write = o.write ?? stdoutWriter();
  // Loaded here, not at start-up: every other command of the CLI does without chokidar and the day detail.
  const { attachToRunner } = await import('../runtime/attach.js');
  const appLog = createAppLog(o.cfg.GAPCTL_LOG_DIR, [
    o.cfg.POLYGON_API_KEY,
    o.cfg.FMP_API_KEY,
    o.cfg.ALERT_WEBHOOK_URL,
  ]);
  const runner = await attachToRunner({
    stateDir: resolve(o.cfg.GAPCTL_STATE_DIR),
    readOnly: o.readOnly,
    onWatchError: (line) => appLog(`[attach] ${line}`),
  });
  try {
    return o.output === 'tui'
      ? await attachConsole(runner, o, write)
      : await attachPlain(runner, o.output === 'json', write);
  } finally {
    await runner.close();
  }
}

function attachedLine(runner: AttachedRunner, s: BackfillSnapshot, json: boolean): string {
  const st = runner.status();
  if (json) {
    return JSON.stringify({
      type: 'attached',
      pid: st.pid,
      startedAt: st.started_at,
      readOnly: runner.readOnly,
      state: s.state,
      done: s.done,
      total: s.total,
      start: s.start,
      end: s.end,
    });
  }
  return `attached to headless runner pid ${st.pid} (started ${st.started_at})${runner.readOnly ? ' read-only' : ''}: ${s.state} ${s.done}/${s.total} days ${s.start}..${s.end}`;
}

/** Plain/JSON lines: an `attached` line, then the printer's day/alert/summary lines, state changes, notices and new engine.log lines. */
async function attachPlain(
  runner: AttachedRunner,
  json: boolean,
  write: (line: string) => void,
): Promise<number> {
  const printer = createPlainPrinter(write, { json });
  let lastState: string | null = null;
  let attached = false;
  return new Promise<number>((resolveExit) => {
    let finished = false;
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      for (const s of signals) process.off(s, onSignal);
      offSnap();
      offNotice();
      offLog();
      resolveExit(code);
    };
    const onSignal = (): void => {
      write(
        json
          ? JSON.stringify({ type: 'detached', pid: runner.status().pid })
          : `detached; the backfill goes on headless (pid ${runner.status().pid})`,
      );
      finish(0);
    };
    const onSnapshot = (s: BackfillSnapshot): void => {
      if (!attached) {
        attached = true;
        write(attachedLine(runner, s, json));
      }
      const ended = runner.status().ended;
      if (ended) {
        printer.onEnd(s);
        finish(ended.exit_code === 0 ? 0 : 1);
        return;
      }
      printer.onSnapshot(s);
      if (s.state !== lastState) {
        if (lastState !== null)
          write(
            json
              ? JSON.stringify({
                  type: 'state',
                  state: s.state,
                  reason: s.reason,
                  done: s.done,
                  total: s.total,
                })
              : `state ${s.state}${s.reason ? `: ${s.reason}` : ''}  ${s.done}/${s.total} days`,
          );
        lastState = s.state;
      }
    };
    const onNotice = (n: AttachNotice): void => {
      write(
        json
          ? JSON.stringify({ type: 'notice', kind: n.kind, message: n.message })
          : `${n.kind === 'gone' ? 'ERROR' : 'NOTICE'} ${n.message}`,
      );
      if (n.kind === 'gone') finish(1);
    };
    const onLog = (line: string): void => {
      // The timestamped engine.log line without its timestamp; only start-up, backfill, validation, console and runner lines.
      const text = line.replace(/^\S+Z /, '');
      if (!/^\[(theta\] init|backfill\]|validate\]|console\]|headless\])/.test(text)) return;
      write(json ? JSON.stringify({ type: 'log', line: text }) : text);
    };
    for (const s of signals) process.on(s, onSignal);
    const offSnap = runner.subscribe(onSnapshot);
    const offNotice = runner.onNotice(onNotice);
    const offLog = runner.onLog(onLog);
    const cur = runner.current();
    if (cur) onSnapshot(cur);
  });
}

/** The Ink console on the runner's snapshots; signals detach (never stop). */
async function attachConsole(
  runner: AttachedRunner,
  o: AttachCommandOptions,
  write: (line: string) => void,
): Promise<number> {
  const { mountConsole } = await import('../ui/index.js');
  // The console ends on signals with `stop`; an attached console must detach instead, so it gets its
  // own signal source: SIGINT/SIGTERM/SIGHUP close it with `detach`, process exit restores the screen.
  const signals = new EventEmitter();
  const mounted = mountConsole(
    {
      subscribe: runner.subscribe,
      current: runner.current,
      send: runner.send,
      readLog: runner.readLog,
      watchLog: runner.watchLog,
      readDayDetail: runner.readDayDetail,
      // The health overlay: the checks of gapctl health, run here (read-only) on the runner's store and market.
      checkHealth: async () =>
        (await import('../runtime/health.js')).runnerHealth(runner.current(), o.cfg),
    },
    { color: o.color, bell: !!o.bell, readOnly: o.readOnly },
    { stdout: process.stdout, stdin: process.stdin, stderr: process.stderr, signals },
  );
  const detach = (): void => mounted.close('detach');
  const onExit = (): void => void signals.emit('exit');
  const procSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of procSignals) process.on(s, detach);
  process.on('exit', onExit);
  try {
    const { quit } = await mounted.done;
    const s = runner.current();
    const running =
      s !== null && !ENDED_BACKFILL_STATES.has(s.state) && runner.status().ended === null;
    if (quit === 'stop' && !o.readOnly && running) {
      try {
        const r = await runner.request({ type: 'stop' });
        if (!r.ok) {
          write(`stop refused by the headless runner: ${r.error ?? 'no reason given'}`);
          return 1;
        }
      } catch (e) {
        write(`stop not sent: ${errorLine(e)}`);
        return 1;
      }
      write(
        `stop sent to the headless runner (pid ${runner.status().pid}): in-flight requests are aborted, the current day is left absent and reruns on resume` +
          (runner.status().keep_open
            ? '; the runner stays up (--keep-open)'
            : '; the runner then ends'),
      );
      return 0;
    }
    write(
      `detached; the backfill goes on headless (pid ${runner.status().pid}); attach again with: gapctl console --attach`,
    );
    return 0;
  } finally {
    for (const s of procSignals) process.off(s, detach);
    process.off('exit', onExit);
  }
}
