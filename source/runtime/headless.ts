/**
 * The headless runner of `gapctl backfill --headless` (docs/console.md "Modes", Attach): runs the same
 * engine worker as the console (interactive job, so rerun/validate/export/resume still work after a
 * halt), without a terminal. It keeps on disk what an attached console needs:
 *
 * - `project_state/console/status.json`: the latest {@link BackfillSnapshot} with the runner's pid,
 *   start time and heartbeat, written atomically every {@link STATUS_INTERVAL_MS} ms when the
 *   snapshot changed and at least every {@link HEARTBEAT_MS} ms;
 * - `project_state/console/engine.log`: the application log lines (start-up, backfill, validation,
 *   console commands) and the runner's own `[headless]` lines, UTC-timestamped, secrets redacted;
 * - `project_state/control.sock`: the control socket (mode 0600) that takes commands from
 *   `gapctl console --attach` and forwards them to the engine.
 *
 * It ends when the backfill ends (DONE, HALTED, STOPPED, FAILED) unless `keepOpen`, on a `quit`
 * command, or on SIGTERM/SIGINT, always cleanly: the worker gets `quit` (in-flight requests are
 * aborted, the current day is left absent), the final snapshot is written, the socket removed.
 * SIGHUP is ignored: a dropped SSH link never stops a headless backfill.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { BackfillSnapshot, ControlCommand } from '../contracts/events.js';
import { backfillExitCode, ENDED_BACKFILL_STATES } from '../contracts/states.js';
import type { Config } from '../config/index.js';
import { writeFileAtomic } from '../store/state-files.js';
import { redactSecrets } from '../util/redact.js';
import { errorLine } from '../util/errors.js';
import { startEngineWorker, type EngineHost } from './host.js';
import type { BackfillJob } from './protocol.js';
import { checkControlCommand } from './input-checks.js';
import {
  assertSocketPathFits,
  controlSocketPath,
  listenControlSocket,
  type ControlReply,
} from './control-socket.js';
import { PROOF_OFF_NOTICE, unprovenSuffix } from './plain-printer.js';

/** How often the status file is considered for a rewrite, ms. */
export const STATUS_INTERVAL_MS = 250;
/** The status file is rewritten at least this often (heartbeat), ms. */
export const HEARTBEAT_MS = 1000;
/** An attached console calls a runner whose heartbeat is older than this unresponsive, ms. */
export const HEARTBEAT_STALE_MS = 5000;

/** Files of a headless runner under a state folder (absolute paths). */
export interface HeadlessPaths {
  /** `<stateDir>/console` */
  dir: string;
  /** `<stateDir>/console/status.json` */
  status: string;
  /** `<stateDir>/console/engine.log` */
  engineLog: string;
  /** `<stateDir>/control.sock` */
  socket: string;
}

/** The files of the headless runner of `stateDir` (GAPCTL_STATE_DIR). */
export function headlessPaths(stateDir: string): HeadlessPaths {
  const dir = join(resolve(stateDir), 'console');
  return {
    dir,
    status: join(dir, 'status.json'),
    engineLog: join(dir, 'engine.log'),
    socket: controlSocketPath(stateDir),
  };
}

/** How a headless runner ended (in status.json once it has). `at` is UTC ISO 8601. */
export interface HeadlessEnd {
  state: 'DONE' | 'HALTED' | 'STOPPED' | 'FAILED';
  reason: string | null;
  exit_code: number;
  at: string;
}

/** Shape of status.json. Times are UTC ISO 8601; paths absolute. */
export interface HeadlessStatus {
  version: 1;
  pid: number;
  started_at: string;
  heartbeat_at: string;
  keep_open: boolean;
  socket: string;
  engine_log: string;
  /** Null while the runner runs. */
  ended: HeadlessEnd | null;
  /** Latest snapshot of the engine; null before the first. */
  snapshot: BackfillSnapshot | null;
}

/** Something that delivers process signals (`process`, or an EventEmitter in tests). */
export interface HeadlessSignals {
  on(event: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: () => void): unknown;
}

/** Options of {@link runHeadless}. */
export interface HeadlessOptions {
  cfg: Config;
  /** The backfill job (run as an interactive job whatever `interactive` says). */
  job: BackfillJob;
  /** Stay up after the backfill ended, serving commands, until `quit` or SIGTERM. */
  keepOpen?: boolean;
  /** Where the start and end lines go (default stdout; write errors of a vanished terminal are ignored). */
  write?: (line: string) => void;
  /** Signal source (default `process`). */
  signals?: HeadlessSignals;
  /** Engine starter (default {@link startEngineWorker}). */
  startWorker?: (job: BackfillJob) => EngineHost;
}

function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

function stdoutWriter(): (line: string) => void {
  // After SIGHUP the terminal may be gone: writes then fail with EIO/EPIPE, which must not end the runner.
  process.stdout.on('error', () => {});
  return (line) => {
    try {
      process.stdout.write(line + '\n');
    } catch {
      // ignored, see above
    }
  };
}

/**
 * Runs the backfill headless until it ends (see the module doc). Resolves with the exit code:
 * 0 when the backfill is DONE, 1 otherwise (halted, stopped, failed).
 * @throws ControlSocketError before anything runs when the socket path is too long or another
 *   runner listens on it (one line; nothing written).
 */
export async function runHeadless(o: HeadlessOptions): Promise<number> {
  const write = o.write ?? stdoutWriter();
  const signals: HeadlessSignals = o.signals ?? process;
  const paths = headlessPaths(o.cfg.GAPCTL_STATE_DIR);
  const secrets = [o.cfg.POLYGON_API_KEY, o.cfg.FMP_API_KEY];
  assertSocketPathFits(paths.socket);

  let host: EngineHost | null = null;
  let ending = false;
  const engineLog = (line: string): void => {
    try {
      appendFileSync(
        paths.engineLog,
        `${new Date().toISOString()} ${redactSecrets(line, secrets)}\n`,
      );
    } catch {
      // The log must never take the runner down.
    }
  };
  const shutdown = (why: string): void => {
    if (ending || !host) return;
    ending = true;
    const s = host.current();
    const working = !s || !ENDED_BACKFILL_STATES.has(s.state);
    engineLog(
      `[headless] ${why}: ${working ? 'stopping (in-flight requests are aborted, the current day is left absent)' : 'ending'}`,
    );
    host.send({ type: 'quit' });
  };
  const onCommand = (cmd: ControlCommand): ControlReply => {
    // The command line's rules: real trading days, no reversed range, inside this backfill's range.
    try {
      checkControlCommand(cmd, { start: o.job.start, end: o.job.end });
    } catch (e) {
      engineLog(`[headless] command refused ${JSON.stringify(cmd)}: ${errorLine(e)}`);
      return { ok: false, error: errorLine(e) };
    }
    if (!host) return { ok: false, error: 'the engine is starting, try again' };
    if (ending) return { ok: false, error: 'the headless runner is shutting down' };
    if (cmd.type === 'quit') {
      shutdown('quit on the control socket');
      return { ok: true };
    }
    if (cmd.type === 'detach') return { ok: true }; // an attached console leaves on its own
    engineLog(`[headless] command ${JSON.stringify(cmd)}`);
    host.send(cmd);
    return { ok: true };
  };

  // The socket first: a second runner on the same state folder refuses before it starts an engine.
  const server = await listenControlSocket(paths.socket, onCommand);
  const startedAt = new Date().toISOString();
  let lastSeq = -1;
  let lastWrite = 0;
  const writeStatus = (snapshot: BackfillSnapshot | null, ended: HeadlessEnd | null): void => {
    const status: HeadlessStatus = {
      version: 1,
      pid: process.pid,
      started_at: startedAt,
      heartbeat_at: new Date().toISOString(),
      keep_open: !!o.keepOpen,
      socket: paths.socket,
      engine_log: paths.engineLog,
      ended,
      snapshot,
    };
    try {
      writeFileAtomic(paths.status, JSON.stringify(status) + '\n');
      lastWrite = Date.now();
      lastSeq = snapshot?.seq ?? -1;
    } catch (e) {
      engineLog(`[headless] cannot write ${paths.status}: ${errorLine(e)}`);
    }
  };

  const onSigterm = (): void => shutdown('SIGTERM');
  const onSigint = (): void => shutdown('SIGINT');
  const onSighup = (): void => engineLog('[headless] SIGHUP ignored: the backfill goes on');
  let timer: NodeJS.Timeout | null = null;
  try {
    mkdirSync(paths.dir, { recursive: true });
    writeStatus(null, null);
    engineLog(
      `[headless] start pid ${process.pid} ${o.job.start}..${o.job.end} market=${o.job.market} socket=${paths.socket}${o.keepOpen ? ' keep-open' : ''}`,
    );
    const h = (o.startWorker ?? startEngineWorker)({ ...o.job, interactive: true });
    host = h;
    signals.on('SIGTERM', onSigterm);
    signals.on('SIGINT', onSigint);
    signals.on('SIGHUP', onSighup);
    h.onLog(engineLog);
    h.subscribe((s) => {
      if (!o.keepOpen && ENDED_BACKFILL_STATES.has(s.state)) shutdown(`backfill ${s.state}`);
    });
    timer = setInterval(() => {
      const s = h.current();
      if ((s && s.seq !== lastSeq) || Date.now() - lastWrite >= HEARTBEAT_MS) writeStatus(s, null);
    }, STATUS_INTERVAL_MS);
    write(
      `headless backfill ${o.job.start}..${o.job.end} pid ${process.pid}: status ${displayPath(paths.status)}, control socket ${displayPath(paths.socket)}; ` +
        `watch with: gapctl console --attach [--read-only] (same GAPCTL_STATE_DIR)`,
    );
    if (o.cfg.R1_PROOF === 'off') write(PROOF_OFF_NOTICE);

    let end: HeadlessEnd;
    let snapshot: BackfillSnapshot | null;
    try {
      const r = await h.done;
      snapshot = r.snapshot;
      end = {
        state: r.outcome.state,
        reason: r.outcome.reason,
        exit_code: backfillExitCode(r.outcome),
        at: new Date().toISOString(),
      };
    } catch (e) {
      snapshot = h.current();
      end = { state: 'FAILED', reason: errorLine(e), exit_code: 1, at: new Date().toISOString() };
      snapshot = snapshot ? { ...snapshot, state: 'FAILED', reason: end.reason } : null;
    }
    ending = true;
    clearInterval(timer);
    timer = null;
    writeStatus(snapshot, end);
    engineLog(
      `[headless] end ${end.state}${end.reason ? `: ${end.reason}` : ''} exit ${end.exit_code}`,
    );
    write(
      `backfill ${end.state}: ${snapshot?.done ?? 0}/${snapshot?.total ?? 0} days${end.reason ? ` (${end.reason})` : ''}${unprovenSuffix(snapshot)}`,
    );
    return end.exit_code;
  } catch (e) {
    // The engine could not start: leave a status that says so rather than one with a dead pid.
    writeStatus(host?.current() ?? null, {
      state: 'FAILED',
      reason: errorLine(e),
      exit_code: 1,
      at: new Date().toISOString(),
    });
    throw e;
  } finally {
    if (timer) clearInterval(timer);
    signals.off('SIGTERM', onSigterm);
    signals.off('SIGINT', onSigint);
    signals.off('SIGHUP', onSighup);
    await server.close();
  }
}
