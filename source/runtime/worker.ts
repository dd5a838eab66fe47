/**
 * Entry of the engine worker thread: runs one backfill job, reduces engine events into snapshots
 * and posts them to the main thread every 150 ms (never one message per request), and obeys
 * control commands. Pause, resume, stop and ack act at once; rerun, validate and export are
 * queued while a backfill runs and served when it is not. With `job.interactive` (the console) the
 * worker stays up after the backfill ends so the operator can rerun, validate, export or resume
 * (`r` after a halt runs the backfill again from current_state.json) until `quit`. Closes the store
 * before it reports `done`.
 */
import { parentPort } from 'node:worker_threads';
import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { BackfillSnapshot, ControlCommand, EngineEvent } from '../engine/events.js';
import { runBackfill, type BackfillOutcome } from '../engine/backfill.js';
import { scanDay } from '../engine/day.js';
import { validateDay } from '../engine/validate.js';
import { StoppedError } from '../engine/context.js';
import { exportDayCompleteness, exportDiscoveryHits } from '../export/discovery-csv.js';
import { initialMemo, initialSnapshot, reduce, withMetrics } from './snapshot.js';
import { openSession, parseMarket, type Session } from './session.js';
import { createAppLog } from './app-log.js';
import type { BackfillJob, FromWorker, ToWorker } from './protocol.js';
import { backfillHooks } from './hooks.js';
import { errorLine } from '../util/errors.js';

/** Snapshot cadence, ms. */
export const SNAPSHOT_INTERVAL_MS = 150;

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const post = (m: FromWorker) => port.postMessage(m);

let session: Session | null = null;
/** Commands waiting for the engine to be idle (rerun, validate, export, resume, quit). */
const queue: ControlCommand[] = [];
let wake: (() => void) | null = null;
let backfillRunning = false;
let snapshot: BackfillSnapshot;
const memo = initialMemo();
let pausingNotified = false;
let logLine: (line: string) => void = () => {};

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'start') {
    run(msg.job).catch((e) => {
      post({ type: 'error', message: errorLine(e) });
      port.close();
    });
  } else if (msg.type === 'command') {
    command(msg.command);
  }
});

function emit(e: EngineEvent): void {
  snapshot = reduce(snapshot, e, memo);
  if (e.type === 'validate') logLine(`[validate] ${e.date} ${e.passed ? 'PASS' : `FAIL gate ${e.gate}`}: ${e.message}`);
}

/** Immediate commands act now; the others wait in the queue for an idle engine. */
function command(c: ControlCommand): void {
  const s = session;
  switch (c.type) {
    case 'pause':
      if (s && backfillRunning && !s.ctx.gate.paused) {
        s.ctx.gate.pause();
        pausingNotified = false;
        emit({ type: 'backfill-state', state: 'PAUSING', at: Date.now() });
      }
      return;
    case 'resume':
      if (s && s.ctx.gate.paused) {
        s.ctx.gate.resume();
        emit({ type: 'backfill-state', state: 'RUNNING', at: Date.now() });
        return;
      }
      if (!backfillRunning) enqueue(c);
      return;
    case 'stop':
      if (s && backfillRunning) {
        emit({ type: 'backfill-state', state: 'STOPPING', at: Date.now() });
        s.ctx.gate.resume();
        s.controller.abort();
      }
      return;
    case 'quit':
      if (s && backfillRunning) {
        s.ctx.gate.resume();
        s.controller.abort();
      }
      enqueue(c);
      return;
    case 'detach':
      enqueue(c);
      return;
    case 'ack':
      if (s) {
        s.ctx.store.ackAlert(c.alertId);
        snapshot = { ...snapshot, alerts: snapshot.alerts.map((a) => (a.id === c.alertId ? { ...a, acknowledged: true } : a)) };
      }
      return;
    default:
      if (backfillRunning) logLine(`[console] ${describe(c)} queued: runs when the current backfill stops or finishes`);
      enqueue(c);
  }
}

function enqueue(c: ControlCommand): void {
  queue.push(c);
  const w = wake;
  wake = null;
  w?.();
}

function nextCommand(): Promise<ControlCommand> {
  const c = queue.shift();
  if (c) return Promise.resolve(c);
  return new Promise((r) => {
    wake = () => r(queue.shift()!);
  });
}

function describe(c: ControlCommand): string {
  switch (c.type) {
    case 'rerun':
      return `rerun ${c.date}${c.exhaustive ? ' (exhaustive)' : ''}`;
    case 'validate':
      return `validate ${c.date}`;
    case 'export':
      return `export ${c.start}..${c.end}`;
    default:
      return c.type;
  }
}

async function run(job: BackfillJob): Promise<void> {
  const cfg = loadConfig({ ...process.env, ...(job.env ?? {}) });
  const appLog = createAppLog(cfg.GAPCTL_LOG_DIR, [cfg.POLYGON_API_KEY, cfg.FMP_API_KEY]);
  snapshot = initialSnapshot({ command: 'backfill', start: job.start, end: job.end, market: job.market, db: job.dbPath });
  const log = (line: string) => {
    appLog(line);
    post({ type: 'log', line });
  };
  logLine = log;
  const s = await openSession({ cfg, market: parseMarket(job.market), dbPath: job.dbPath, emit, log });
  session = s;
  snapshot = { ...snapshot, market: s.marketName, alerts: s.ctx.store.openAlerts() };
  const tick = () => {
    const m = s.ctx.metrics();
    snapshot = withMetrics(snapshot, m.theta, m.polygon);
    if (snapshot.state === 'PAUSING' && snapshot.inFlight === 0 && !pausingNotified) {
      pausingNotified = true;
      emit({ type: 'backfill-state', state: 'PAUSED', at: Date.now() });
    }
    snapshot = { ...snapshot, seq: snapshot.seq + 1, at: Date.now() };
    post({ type: 'snapshot', snapshot });
  };
  const timer = setInterval(tick, SNAPSHOT_INTERVAL_MS);
  let outcome: BackfillOutcome | null = null;
  const backfill = async (): Promise<BackfillOutcome> => {
    backfillRunning = true;
    try {
      log(`[backfill] start ${job.start}..${job.end} market=${s.marketName} db=${job.dbPath} mode=${job.mode ?? cfg.R1_MODE}`);
      const o = await runBackfill(s.ctx, { start: job.start, end: job.end, maxMonths: job.maxMonths, rerun: job.rerun, mode: job.mode, validate: job.validate, ...backfillHooks(s, job) });
      log(`[backfill] ${o.state}${o.reason ? `: ${o.reason}` : ''} scanned=${o.scanned} skipped=${o.skipped}`);
      return o;
    } finally {
      backfillRunning = false;
      // A stop aborted this session's signal: give the next unit of work a fresh one.
      if (s.controller.signal.aborted) s.renewSignal();
    }
  };
  try {
    outcome = await backfill();
    tick();
    // In the console, serve commands until quit (a batch job ends here).
    for (;;) {
      if (!job.interactive && queue.every((c) => c.type === 'quit')) break;
      const c = job.interactive ? await nextCommand() : queue.shift()!;
      if (c.type === 'quit' || c.type === 'detach') break;
      try {
        if (c.type === 'resume') {
          job = { ...job, rerun: false, skipPhase0: true };
          outcome = await backfill();
        } else if (c.type === 'rerun') {
          log(`[console] rerun ${c.date}${c.exhaustive ? ' exhaustive' : ''}`);
          await scanDay(s.ctx, c.date, { mode: c.exhaustive ? 'exhaustive' : job.mode });
        } else if (c.type === 'validate') {
          await validateDay(s.ctx, c.date);
        } else if (c.type === 'export') {
          const out = resolve(cfg.GAPCTL_EXPORT_DIR);
          const a = exportDiscoveryHits(s.ctx.store, c.start, c.end, out);
          exportDayCompleteness(s.ctx.store, out);
          log(`[console] exported ${a.rows} hits to ${a.path}`);
        }
      } catch (e) {
        if (e instanceof StoppedError) s.renewSignal();
        else log(`[console] ${describe(c)} failed: ${errorLine(e)}`);
      }
      tick();
    }
  } finally {
    clearInterval(timer);
    tick();
    await s.close();
    session = null;
  }
  // The store is closed: report and let the thread end (closing the port empties the event loop).
  post({ type: 'done', outcome: outcome!, snapshot });
  port!.close();
}
