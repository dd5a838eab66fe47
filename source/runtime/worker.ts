/**
 * Entry of the engine worker thread: runs one backfill job, reduces engine events into snapshots
 * and posts them to the main thread every 150 ms (never one message per request), and obeys
 * control commands (pause, resume, stop, ack). Closes the store before it exits.
 */
import { parentPort } from 'node:worker_threads';
import { loadConfig } from '../config/index.js';
import type { BackfillSnapshot, ControlCommand, EngineEvent } from '../engine/events.js';
import { runBackfill, type BackfillOutcome } from '../engine/backfill.js';
import { initialMemo, initialSnapshot, reduce, withMetrics } from './snapshot.js';
import { openSession, parseMarket, type Session } from './session.js';
import { createAppLog } from './app-log.js';
import type { BackfillJob, FromWorker, ToWorker } from './protocol.js';
import { backfillHooks } from './hooks.js';

/** Snapshot cadence, ms. */
export const SNAPSHOT_INTERVAL_MS = 150;

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const post = (m: FromWorker) => port.postMessage(m);

let session: Session | null = null;
let pending: ControlCommand[] = [];

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'start') {
    run(msg.job).catch((e) => {
      post({ type: 'error', message: (e as Error).message.split('\n')[0]! });
      port.close();
    });
  } else if (msg.type === 'command') {
    if (session) control(session, msg.command);
    else pending.push(msg.command);
  }
});

let snapshot: BackfillSnapshot;
const memo = initialMemo();
let pausingNotified = false;

let logLine: (line: string) => void = () => {};

function emit(e: EngineEvent): void {
  snapshot = reduce(snapshot, e, memo);
  if (e.type === 'validate') logLine(`[validate] ${e.date} ${e.passed ? 'PASS' : `FAIL gate ${e.gate}`}: ${e.message}`);
}

function control(s: Session, c: ControlCommand): void {
  switch (c.type) {
    case 'pause':
      if (!s.ctx.gate.paused) {
        s.ctx.gate.pause();
        pausingNotified = false;
        emit({ type: 'backfill-state', state: 'PAUSING', at: Date.now() });
      }
      break;
    case 'resume':
      if (s.ctx.gate.paused) {
        s.ctx.gate.resume();
        emit({ type: 'backfill-state', state: 'RUNNING', at: Date.now() });
      }
      break;
    case 'stop':
    case 'quit':
      emit({ type: 'backfill-state', state: 'STOPPING', at: Date.now() });
      s.ctx.gate.resume();
      s.controller.abort();
      break;
    case 'ack':
      s.ctx.store.ackAlert(c.alertId);
      snapshot = { ...snapshot, alerts: snapshot.alerts.map((a) => (a.id === c.alertId ? { ...a, acknowledged: true } : a)) };
      break;
    default:
      emit({ type: 'log', date: snapshot.logDate ?? '', line: `command ${c.type} is not available while a backfill runs; run it when the backfill is done` });
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
  session = await openSession({ cfg, market: parseMarket(job.market), dbPath: job.dbPath, emit, log });
  snapshot = { ...snapshot, market: session.marketName, alerts: session.ctx.store.openAlerts() };
  for (const c of pending) control(session, c);
  pending = [];
  const s = session;
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
  let done: BackfillOutcome;
  try {
    log(`[backfill] start ${job.start}..${job.end} market=${s.marketName} db=${job.dbPath} mode=${job.mode ?? cfg.R1_MODE}`);
    const outcome = await runBackfill(s.ctx, {
      start: job.start,
      end: job.end,
      maxMonths: job.maxMonths,
      rerun: job.rerun,
      mode: job.mode,
      validate: job.validate,
      ...backfillHooks(s, job),
    });
    log(`[backfill] ${outcome.state}${outcome.reason ? `: ${outcome.reason}` : ''} scanned=${outcome.scanned} skipped=${outcome.skipped}`);
    clearInterval(timer);
    tick();
    done = outcome;
  } finally {
    clearInterval(timer);
    await s.close();
    session = null;
  }
  // The store is closed: report and let the thread end (closing the port empties the event loop).
  post({ type: 'done', outcome: done, snapshot });
  port!.close();
}

