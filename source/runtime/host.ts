/**
 * The main thread's side of the engine worker: starts the worker with a job, keeps the latest
 * snapshot, fans it out to subscribers (console or plain printer), forwards control commands and
 * shuts the worker down by message (it closes the store itself), never by terminate() mid-query.
 * The worker runs under V8 heap limits (WORKER_MAX_OLD_MB, WORKER_MAX_YOUNG_MB); a worker that
 * reaches them ends the backfill HALTED with a one-line reason (current_state.json records it, the
 * job resolves), never a crash.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BackfillSnapshot,
  ControlCommand,
  DayDetailData,
  HealthReport,
} from '../contracts/events.js';
import type { BackfillOutcome } from '../engine/backfill.js';
import type { BackfillJob, FromWorker } from './protocol.js';
import { errorLine } from '../util/errors.js';
import type { LogLinesListener } from './day-detail.js';
import { loadConfig } from '../config/index.js';
import { memProbe } from './mem-probe.js';
import {
  isWorkerOutOfMemory,
  outOfMemoryReason,
  recordEngineHalt,
  workerResourceLimits,
} from './memory.js';

/** URL of the compiled worker entry (dist/runtime/worker.js), also when this module runs from source (tests). */
export function workerEntryUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new URL('./worker.js', here);
  const dist = new URL('../../dist/runtime/worker.js', here);
  if (!existsSync(fileURLToPath(dist)))
    throw new Error('dist/runtime/worker.js is missing: run `npm run build` first');
  return dist;
}

/**
 * The day-log reader and follower (runtime/day-detail.ts, with chokidar and the store's read
 * model), loaded on first use: only the console reads the days' stage logs, and a plain or
 * headless backfill's main thread then loads none of it (nor the engine modules it imports).
 */
let dayLogModule: Promise<typeof import('./day-detail.js')> | null = null;
const dayLog = (): Promise<typeof import('./day-detail.js')> =>
  (dayLogModule ??= import('./day-detail.js'));

/** A running engine worker. */
export interface EngineHost {
  /** Latest snapshot (null before the first). */
  current(): BackfillSnapshot | null;
  /** Subscribe to snapshots; returns unsubscribe. */
  subscribe(listener: (s: BackfillSnapshot) => void): () => void;
  /** Subscribe to application log lines (Theta init line, backfill start/end). */
  onLog(listener: (line: string) => void): () => void;
  /** Send a control command. */
  send(cmd: ControlCommand): void;
  /**
   * The day detail of `date`, read by the worker from its database connection (the main thread
   * runs no SQL). Rejects with a one-line Error when the worker has no open store (starting or
   * ended) or the read failed.
   */
  readDayDetail(date: string): Promise<DayDetailData>;
  /**
   * The production health checks (`gapctl health`), run by the worker next to whatever the engine
   * does (read-only; the store's lock held by this process counts as this console's own). Resolves
   * with the report (its levels say what is wrong); rejects with a one-line Error only when the
   * checks could not run (no open session, the engine ended).
   */
  checkHealth(): Promise<HealthReport>;
  /**
   * What the console needs of this host (structurally the UI's ConsoleSource): snapshots, commands,
   * the day detail through the worker, and the days' stage logs in `stateDir` read and followed
   * (chokidar) on this thread.
   */
  consoleSource(stateDir: string, onWatchError?: (line: string) => void): HostConsoleSource;
  /** Resolves with the outcome when the job ends; rejects with a one-line Error when the worker fails. */
  done: Promise<{ outcome: BackfillOutcome; snapshot: BackfillSnapshot }>;
}

/** The console link of a worker host (matches ui/types.ts ConsoleSource, which runtime/ may not import). */
export interface HostConsoleSource {
  subscribe(listener: (s: BackfillSnapshot) => void): () => void;
  current(): BackfillSnapshot | null;
  send(cmd: ControlCommand): void;
  readLog(date: string, lines: number): Promise<string[]>;
  watchLog(date: string, listener: LogLinesListener): () => void;
  readDayDetail(date: string): Promise<DayDetailData>;
  checkHealth(): Promise<HealthReport>;
}

/**
 * Starts the engine worker thread on `job`, under the heap limits of the job's configuration
 * (the environment with `job.env` on top, as the worker reads it).
 * @throws ConfigError (one line) when that configuration is invalid.
 */
export function startEngineWorker(job: BackfillJob): EngineHost {
  const cfg = loadConfig({ ...process.env, ...(job.env ?? {}) });
  const worker = new Worker(workerEntryUrl(), { resourceLimits: workerResourceLimits(cfg) });
  let latest: BackfillSnapshot | null = null;
  const listeners = new Set<(s: BackfillSnapshot) => void>();
  const logListeners = new Set<(l: string) => void>();
  let settled = false;
  let nextId = 1;
  const detailWaiters = new Map<
    number,
    { resolve: (d: DayDetailData) => void; reject: (e: Error) => void }
  >();
  const healthWaiters = new Map<
    number,
    { resolve: (r: HealthReport) => void; reject: (e: Error) => void }
  >();
  const failWaiters = (why: string): void => {
    for (const w of detailWaiters.values()) w.reject(new Error(why));
    detailWaiters.clear();
    for (const w of healthWaiters.values()) w.reject(new Error(why));
    healthWaiters.clear();
  };
  const done = new Promise<{ outcome: BackfillOutcome; snapshot: BackfillSnapshot }>(
    (resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'snapshot' || m.type === 'done') {
          if (latest && m.snapshot.done !== latest.done) memProbe('main');
          latest = m.snapshot;
          for (const l of listeners) l(m.snapshot);
        }
        if (m.type === 'log') for (const l of logListeners) l(m.line);
        if (m.type === 'day-detail') {
          const w = detailWaiters.get(m.id);
          detailWaiters.delete(m.id);
          if (w && m.detail) w.resolve(m.detail);
          else w?.reject(new Error(m.error ?? 'no day detail'));
          return;
        }
        if (m.type === 'health') {
          const w = healthWaiters.get(m.id);
          healthWaiters.delete(m.id);
          if (w && m.report) w.resolve(m.report);
          else w?.reject(new Error(m.error ?? 'no health report'));
          return;
        }
        if (m.type === 'done') {
          failWaiters('the engine has ended');
          settled = true;
          resolve({ outcome: m.outcome, snapshot: m.snapshot });
        } else if (m.type === 'error') {
          settled = true;
          reject(new Error(m.message));
        }
      });
      worker.on('error', (e) => {
        if (!settled && isWorkerOutOfMemory(e)) {
          // The heap limit: a clean HALTED end (the day in progress committed nothing), not a crash.
          settled = true;
          failWaiters('the engine has ended');
          const reason = outOfMemoryReason(cfg, latest?.current?.date ?? null);
          const unrecorded = recordEngineHalt(
            resolvePath(cfg.GAPCTL_STATE_DIR),
            reason,
            latest?.current?.date ?? null,
          );
          for (const l of logListeners) l(`[backfill] HALTED: ${reason}`);
          if (unrecorded)
            for (const l of logListeners)
              l(`[backfill] the halt could not be recorded in current_state.json: ${unrecorded}`);
          if (!latest) {
            reject(new Error(reason));
            return;
          }
          const snapshot: BackfillSnapshot = {
            ...latest,
            state: 'HALTED',
            reason,
            current: null,
            at: Date.now(),
            seq: latest.seq + 1,
          };
          latest = snapshot;
          for (const l of listeners) l(snapshot);
          resolve({
            outcome: { state: 'HALTED', reason, scanned: 0, skipped: 0, months: 0 },
            snapshot,
          });
          return;
        }
        if (!settled) reject(new Error(`engine worker crashed: ${errorLine(e)}`));
        settled = true;
      });
      worker.on('exit', (code) => {
        failWaiters('the engine has ended');
        if (!settled) reject(new Error(`engine worker exited with code ${code}`));
        settled = true;
      });
    },
  );
  worker.postMessage({ type: 'start', job });
  function readDayDetail(date: string): Promise<DayDetailData> {
    if (settled) return Promise.reject(new Error('the engine has ended'));
    const id = nextId++;
    return new Promise<DayDetailData>((resolve, reject) => {
      detailWaiters.set(id, { resolve, reject });
      worker.postMessage({ type: 'day-detail', id, date });
    });
  }
  function checkHealth(): Promise<HealthReport> {
    if (settled) return Promise.reject(new Error('the engine has ended'));
    const id = nextId++;
    return new Promise<HealthReport>((resolve, reject) => {
      healthWaiters.set(id, { resolve, reject });
      worker.postMessage({ type: 'health', id });
    });
  }
  const host: EngineHost = {
    current: () => latest,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onLog(l) {
      logListeners.add(l);
      return () => logListeners.delete(l);
    },
    send(cmd) {
      worker.postMessage({ type: 'command', command: cmd });
    },
    readDayDetail,
    checkHealth,
    consoleSource(stateDir, onWatchError) {
      // Loaded now, while the console mounts, so that the first log view does not wait for it.
      dayLog().catch(() => {});
      return {
        subscribe: host.subscribe,
        current: host.current,
        send: host.send,
        readLog: async (date, lines) => (await dayLog()).readDayLog(stateDir, date, lines),
        // The follower starts once its module is loaded (at once after the first use); stopped
        // before that, it never starts.
        watchLog: (date, listener) => {
          let stop: (() => void) | null = null;
          let stopped = false;
          dayLog().then(
            (m) => {
              if (!stopped)
                stop = m.followDayLog(stateDir, date, listener, { onError: onWatchError });
            },
            (e: unknown) => onWatchError?.(`cannot follow the log of ${date}: ${errorLine(e)}`),
          );
          return () => {
            stopped = true;
            stop?.();
          };
        },
        readDayDetail,
        checkHealth,
      };
    },
    done,
  };
  return host;
}
