/**
 * The attach client of `gapctl console --attach` (docs/console.md "Modes", Attach): follows a headless
 * runner through its files and its control socket, never through the engine itself, so quitting or
 * killing the attached console never stops the backfill.
 *
 * - Snapshots: `project_state/console/status.json`, read once at start and again on every change
 *   (chokidar on the console folder, plus a once-a-second look for missed events). A partly written
 *   or unreadable file is skipped and the last good snapshot kept.
 * - Commands: one JSON line per command over `project_state/control.sock`; never in read-only mode.
 * - Day logs: tails of `project_state/artifacts/scan_<date>.log`, read from disk.
 * - Health: a runner whose pid is gone, or whose heartbeat is older than {@link HEARTBEAT_STALE_MS},
 *   is reported as a notice and in the snapshot (a local alert; state FAILED when the pid is gone).
 *
 * The object returned has the shape of the console's `ConsoleSource` (subscribe/current/send/
 * readLog), which lives in ui/ and so is not imported here.
 *
 * Over 400 lines: the attach client is one state machine (snapshot file follower, control socket,
 * heartbeat, day-detail reads) behind one interface the console uses like the worker; its parts
 * share that state.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { z } from 'zod';
import type {
  AlertInfo,
  BackfillSnapshot,
  ControlCommand,
  DayDetailData,
} from '../contracts/events.js';
import { ENDED_BACKFILL_STATE_LIST, ENDED_BACKFILL_STATES } from '../contracts/states.js';
import { openDb, type Db } from '../store/db.js';
import { errorLine } from '../util/errors.js';
import {
  ControlSocketError,
  sendControlCommand,
  sendControlRequest,
  type ControlReply,
} from './control-socket.js';
import {
  HEARTBEAT_STALE_MS,
  headlessPaths,
  type HeadlessPaths,
  type HeadlessStatus,
} from './headless.js';
import {
  followDayLog,
  loadDayDetail,
  readAppendedLines,
  readDayLog,
  watcherErrorReporter,
  type LogLinesListener,
} from './day-detail.js';

/** No runner to attach to, or it cannot be reached: the message is one line for the operator. */
export class AttachError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttachError';
  }
}

/** Health of a runner as seen from its status file. */
export type RunnerHealth =
  | { kind: 'ok' }
  | { kind: 'ended'; message: string }
  /** The pid is not alive (killed, crashed, machine rebooted). */
  | { kind: 'gone'; message: string }
  /** The pid is alive but the heartbeat is older than {@link HEARTBEAT_STALE_MS}. */
  | { kind: 'stale'; message: string };

/** Something the attach client tells the operator (runner gone/unresponsive/back, a command refused, the runner ended). */
export interface AttachNotice {
  kind: 'gone' | 'stale' | 'alive' | 'ended' | 'command-failed';
  message: string;
}

/** Options of {@link attachToRunner}. */
export interface AttachOptions {
  /** GAPCTL_STATE_DIR of the runner. */
  stateDir: string;
  /** Watch only: no socket connection, {@link AttachedRunner.send} does nothing. */
  readOnly: boolean;
  /** Clock, UTC ms (default Date.now). */
  now?: () => number;
  /** Is a pid alive (default: `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean;
  /** How often health and the file are looked at without a change event, ms (default 1000). */
  pollMs?: number;
  /** Where the file watchers' errors go, one line each (the application log); default: dropped. */
  onWatchError?: (line: string) => void;
  /** The watcher factory (default chokidar's `watch`; tests wrap it to inject a watcher error). */
  watch?: typeof watch;
}

/** A headless runner being watched (see the module doc). */
export interface AttachedRunner {
  /** Files of the runner. */
  paths: HeadlessPaths;
  readOnly: boolean;
  /** Latest status file read (never null after attach). */
  status(): HeadlessStatus;
  /** Latest snapshot with local notices folded in, or null before the runner's first. */
  current(): BackfillSnapshot | null;
  /** Subscribe to snapshots (each status file change); returns unsubscribe. */
  subscribe(listener: (s: BackfillSnapshot) => void): () => void;
  /** Subscribe to notices; returns unsubscribe. */
  onNotice(listener: (n: AttachNotice) => void): () => void;
  /** Subscribe to lines appended to engine.log after attaching (timestamp kept); returns unsubscribe. */
  onLog(listener: (line: string) => void): () => void;
  /**
   * Sends a command, fire and forget (commands go out one at a time, in order). Does nothing in
   * read-only mode. A refused or failed command becomes a notice and a local alert.
   */
  send(cmd: ControlCommand): void;
  /**
   * Sends a command and resolves with the reply.
   * @throws AttachError in read-only mode; ControlSocketError when the runner cannot be reached.
   */
  request(cmd: ControlCommand): Promise<ControlReply>;
  /** The last `lines` lines of `scan_<date>.log` from disk ([] when missing). */
  readLog(date: string, lines: number): Promise<string[]>;
  /** Follows `scan_<date>.log` (chokidar): last lines first (`reset`), then appended batches; returns stop. */
  watchLog(date: string, listener: LogLinesListener): () => void;
  /**
   * The stored detail of a day, read from the runner's database (the snapshot's `db`) over a
   * read-only connection of this process, opened on first use.
   * @throws (rejects) a one-line Error before the runner's first snapshot or when the store cannot be read.
   */
  readDayDetail(date: string): Promise<DayDetailData>;
  /** Stops watching. */
  close(): Promise<void>;
}

const EndSchema = z.object({
  state: z.enum(ENDED_BACKFILL_STATE_LIST),
  reason: z.string().nullable(),
  exit_code: z.number().int(),
  at: z.string(),
});
// The snapshot is checked for what the attach client and the printers rely on; the rest passes.
const SnapshotSchema = z
  .object({
    seq: z.number(),
    at: z.number(),
    state: z.string(),
    days: z.array(z.object({ date: z.string(), status: z.string() }).passthrough()),
    done: z.number(),
    total: z.number(),
    alerts: z.array(z.object({ id: z.number() }).passthrough()),
  })
  .passthrough();
const StatusSchema = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  started_at: z.string(),
  heartbeat_at: z.string(),
  keep_open: z.boolean().optional().default(false),
  socket: z.string(),
  engine_log: z.string().optional().default(''),
  ended: EndSchema.nullable().optional().default(null),
  snapshot: SnapshotSchema.nullable().optional().default(null),
});

/** Result of reading status.json: the status, or why there is none. */
export type StatusRead =
  { ok: true; status: HeadlessStatus } | { ok: false; missing: boolean; error: string };

/**
 * Reads and checks a status file. A missing file, a partly written one (bad JSON) or one of another
 * shape gives `{ok:false}` with a one-line reason; never throws.
 */
export function readHeadlessStatus(path: string): StatusRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, missing, error: missing ? `${path} does not exist` : errorLine(e) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, missing: false, error: `${path} is not complete JSON` };
  }
  const parsed = StatusSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return {
      ok: false,
      missing: false,
      error: `${path} has an unexpected shape (${i ? `${i.path.join('.')}: ${i.message}` : 'invalid'})`,
    };
  }
  return { ok: true, status: parsed.data as unknown as HeadlessStatus };
}

/** True when a process with `pid` exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ago(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)}m`;
}

/** Health of the runner behind `status` at `nowMs` (see {@link RunnerHealth}). */
export function runnerHealth(
  status: HeadlessStatus,
  nowMs: number,
  isAlive: (pid: number) => boolean = pidAlive,
): RunnerHealth {
  if (status.ended) {
    const e = status.ended;
    return {
      kind: 'ended',
      message: `the headless runner (pid ${status.pid}) ended ${e.state}${e.reason ? ` (${e.reason})` : ''} at ${e.at}`,
    };
  }
  const hb = Date.parse(status.heartbeat_at);
  if (!isAlive(status.pid)) {
    return {
      kind: 'gone',
      message: `the headless runner (pid ${status.pid}) is gone: no such process (last heartbeat ${status.heartbeat_at})`,
    };
  }
  const age = Number.isFinite(hb) ? nowMs - hb : Infinity;
  if (age > HEARTBEAT_STALE_MS) {
    return {
      kind: 'stale',
      message: `the headless runner (pid ${status.pid}) is not responding: last heartbeat ${Number.isFinite(age) ? ago(age) : 'unknown'} ago`,
    };
  }
  return { kind: 'ok' };
}

/** Local alert ids are negative so that they never collide with the store's. */
const GONE_ALERT_ID = -1;
const STALE_ALERT_ID = -2;

/**
 * Attaches to the headless runner of `o.stateDir`.
 * @throws AttachError (one line) when there is no runner: no status.json, a runner that ended or
 *   whose pid is gone, or (with control) a socket nobody listens on.
 */
export async function attachToRunner(o: AttachOptions): Promise<AttachedRunner> {
  const now = o.now ?? Date.now;
  const isAlive = o.isAlive ?? pidAlive;
  const paths = headlessPaths(o.stateDir);
  const startHint = 'start one with: gapctl backfill --headless';

  // Read once; a half-written file (a runner writing it right now, or an older non-atomic copy) gets a few more tries.
  let first = readHeadlessStatus(paths.status);
  const deadline = Date.now() + 2000;
  while (!first.ok && !first.missing && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    first = readHeadlessStatus(paths.status);
  }
  if (!first.ok) {
    throw new AttachError(
      first.missing
        ? `no headless runner: ${paths.status} does not exist (${startHint})`
        : `no headless runner: ${first.error}`,
    );
  }
  let status = first.status;
  const h0 = runnerHealth(status, now(), isAlive);
  if (h0.kind === 'ended' || h0.kind === 'gone')
    throw new AttachError(`no headless runner: ${h0.message}; ${startHint}`);
  if (!o.readOnly) {
    try {
      await sendControlRequest(status.socket, { type: 'ping' });
    } catch (e) {
      throw new AttachError(
        e instanceof ControlSocketError
          ? errorLine(e)
          : `control socket ${status.socket}: ${errorLine(e)}`,
      );
    }
  }

  const listeners = new Set<(s: BackfillSnapshot) => void>();
  const noticeListeners = new Set<(n: AttachNotice) => void>();
  const logListeners = new Set<(l: string) => void>();
  let health: RunnerHealth = h0;
  let localAlerts: AlertInfo[] = [];
  let nextLocalId = -10;
  let decorated: BackfillSnapshot | null = null;
  let emitted = 0;
  let lastStatusText = '';
  let closed = false;

  const notify = (n: AttachNotice): void => {
    for (const l of noticeListeners) l(n);
  };
  const decorate = (): BackfillSnapshot | null => {
    const s = status.snapshot;
    if (!s) return null;
    const extra: AlertInfo[] = [...localAlerts];
    let state = s.state;
    let reason = s.reason;
    if (health.kind === 'gone') {
      extra.unshift({
        id: GONE_ALERT_ID,
        at: new Date(now()).toISOString(),
        severity: 'CRITICAL',
        kind: 'runner_gone',
        date: null,
        message: health.message,
        acknowledged: false,
      });
      if (!ENDED_BACKFILL_STATES.has(state)) {
        state = 'FAILED';
        reason = health.message;
      }
    } else if (health.kind === 'stale') {
      extra.unshift({
        id: STALE_ALERT_ID,
        at: new Date(now()).toISOString(),
        severity: 'WARNING',
        kind: 'runner_unresponsive',
        date: null,
        message: health.message,
        acknowledged: false,
      });
    }
    emitted += 1;
    return { ...s, seq: emitted, state, reason, alerts: [...extra, ...s.alerts] };
  };
  const publish = (): void => {
    decorated = decorate();
    if (!decorated) return;
    for (const l of listeners) l(decorated);
  };
  const checkHealth = (): void => {
    const h = runnerHealth(status, now(), isAlive);
    if (h.kind === health.kind) return;
    const was = health.kind;
    health = h;
    if (h.kind === 'ok' && was === 'stale')
      notify({ kind: 'alive', message: `the headless runner (pid ${status.pid}) responds again` });
    else if (h.kind !== 'ok') notify({ kind: h.kind, message: h.message });
    publish();
  };
  const reload = (): void => {
    if (closed) return;
    let text: string;
    try {
      text = readFileSync(paths.status, 'utf8');
    } catch {
      return checkHealth();
    }
    if (text === lastStatusText) return checkHealth();
    const r = readHeadlessStatus(paths.status);
    if (!r.ok) return checkHealth(); // partly written or replaced right now: the next change brings a good one
    lastStatusText = text;
    const prevPid = status.pid;
    status = r.status;
    if (status.pid !== prevPid)
      notify({
        kind: 'alive',
        message: `a new headless runner (pid ${status.pid}) took over ${paths.status}`,
      });
    const h = runnerHealth(status, now(), isAlive);
    const changed = h.kind !== health.kind;
    health = h;
    if (changed && h.kind !== 'ok') notify({ kind: h.kind, message: h.message });
    publish();
  };

  // engine.log: only what is appended after attaching.
  let logOffset = 0;
  try {
    logOffset = statSync(paths.engineLog).size;
  } catch {
    logOffset = 0;
  }
  const readEngineLog = (): void => {
    if (closed || logListeners.size === 0) return;
    let size: number;
    try {
      size = statSync(paths.engineLog).size;
    } catch {
      return;
    }
    if (size < logOffset) logOffset = 0; // a new runner started the file over
    if (size === logOffset) return;
    const got = readAppendedLines(paths.engineLog, logOffset, size);
    if (!got) return;
    logOffset = got.offset;
    for (const line of got.lines) if (line) for (const l of logListeners) l(line);
  };

  let watcher: FSWatcher | null = null;
  if (existsSync(paths.dir)) {
    const wanted = new Set([resolve(paths.status), resolve(paths.engineLog)]);
    watcher = (o.watch ?? watch)(paths.dir, {
      ignoreInitial: true,
      depth: 0,
      ignored: (p: string) => resolve(p) !== resolve(paths.dir) && !wanted.has(resolve(p)),
    });
    watcher.on('all', (_event, p) => {
      if (basename(p) === 'status.json') reload();
      else if (basename(p) === 'engine.log') readEngineLog();
    });
    watcher.on('error', watcherErrorReporter(paths.dir, o.onWatchError));
  }
  const poll = setInterval(() => {
    reload();
    readEngineLog();
  }, o.pollMs ?? 1000);

  lastStatusText = (() => {
    try {
      return readFileSync(paths.status, 'utf8');
    } catch {
      return '';
    }
  })();
  decorated = decorate();
  if (h0.kind === 'stale') queueMicrotask(() => notify({ kind: 'stale', message: h0.message }));

  // The runner's store, read-only, for the day detail (opened on first use).
  let db: { path: string; conn: Db } | null = null;

  // Commands go out one at a time so that they arrive in the order they were given.
  let chain: Promise<unknown> = Promise.resolve();
  const request = (cmd: ControlCommand): Promise<ControlReply> => {
    if (o.readOnly) return Promise.reject(new AttachError('read-only: attached without control'));
    const p = chain.then(() => sendControlCommand(status.socket, cmd));
    chain = p.catch(() => undefined);
    return p;
  };
  const localFailure = (message: string): void => {
    const alert: AlertInfo = {
      id: nextLocalId--,
      at: new Date(now()).toISOString(),
      severity: 'WARNING',
      kind: 'command_failed',
      date: null,
      message,
      acknowledged: false,
    };
    localAlerts = [...localAlerts, alert].slice(-5);
    notify({ kind: 'command-failed', message });
    publish();
  };

  return {
    paths,
    readOnly: o.readOnly,
    status: () => status,
    current: () => decorated,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onNotice(l) {
      noticeListeners.add(l);
      return () => noticeListeners.delete(l);
    },
    onLog(l) {
      logListeners.add(l);
      return () => logListeners.delete(l);
    },
    send(cmd) {
      if (o.readOnly) return;
      if (cmd.type === 'ack' && cmd.alertId < 0) {
        // A local alert (runner health, a failed command): acknowledged here, the runner knows nothing of it.
        localAlerts = localAlerts.filter((a) => a.id !== cmd.alertId);
        publish();
        return;
      }
      request(cmd).then(
        (r) => {
          if (!r.ok)
            localFailure(
              `${cmd.type} refused by the headless runner: ${r.error ?? 'no reason given'}`,
            );
        },
        (e: unknown) => localFailure(`${cmd.type} not sent: ${errorLine(e)}`),
      );
    },
    request,
    readLog: async (date, lines) => readDayLog(o.stateDir, date, lines),
    watchLog: (date, listener) =>
      followDayLog(o.stateDir, date, listener, { onError: o.onWatchError, watch: o.watch }),
    async readDayDetail(date) {
      const dbPath = status.snapshot?.db;
      if (!dbPath) throw new Error("waiting for the headless runner's first snapshot");
      if (!db || db.path !== dbPath) {
        db?.conn.close();
        db = null;
        db = { path: dbPath, conn: openDb(dbPath, { readonly: true }) };
      }
      try {
        return loadDayDetail(db.conn, o.stateDir, date);
      } catch (e) {
        throw new Error(`day detail of ${date}: ${errorLine(e)}`, { cause: e });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      await watcher?.close();
      db?.conn.close();
      db = null;
    },
  };
}
