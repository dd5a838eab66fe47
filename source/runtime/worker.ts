/**
 * Entry of the engine worker thread: runs one backfill job, reduces engine events into snapshots
 * and posts them to the main thread every 150 ms (never one message per request; while the engine
 * is idle or waits for the next day in follow mode, only when something changed and at least every
 * {@link IDLE_HEARTBEAT_TICKS} ticks, so an idle console does no snapshot work), and obeys
 * control commands. Pause, resume, stop and ack act at once (and post a snapshot at once, so the
 * console shows them within a frame); rerun, validate, validate-range and export are queued while
 * a backfill runs and served when it is not. Stop also aborts a rerun or validation in progress
 * (and the rest of a validate-range). With `job.interactive` (the console) the worker stays up
 * after the backfill ends so the operator can rerun, validate, export or resume (`r` after a halt
 * runs the backfill again from current_state.json) until `quit`. Answers day-detail requests from
 * its own database connection. Closes the store before it reports `done`.
 *
 * Over 400 lines: one event loop: the job, the command queue, the snapshot ticker and the stop
 * handling share state that must change in one order; split, that order would be spread over
 * modules that mutate each other.
 */
import { parentPort } from 'node:worker_threads';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../config/index.js';
import type { HealthServices } from './health.js';
import type { BackfillSnapshot, ControlCommand, EngineEvent } from '../contracts/events.js';
import { runBackfill, type BackfillOutcome } from '../engine/backfill.js';
import { scanDay } from '../engine/day.js';
import { validateDay } from '../engine/validate.js';
import { StoppedError } from '../engine/context.js';
import { exportRange } from '../export/backfill-exports.js';
import * as calendar from '../calendar/index.js';
import { initialMemo, initialSnapshot, reduce, withMetrics } from './snapshot.js';
import { openSession, parseMarket, type MarketSpec, type Session } from './session.js';
import { createAppLog } from './app-log.js';
import { PROOF_OFF_NOTICE } from './plain-printer.js';
import type { BackfillJob, FromWorker, ToWorker } from './protocol.js';
import { backfillHooks, reexportDayFiles } from './hooks.js';
import { errorLine } from '../util/errors.js';
import { fakeClockFromEnv, followSchedule, systemClock, type Clock } from '../engine/clock.js';
import { memorySample } from './memory.js';
import { lowerThreadPriority } from './priority.js';
import { memProbe } from './mem-probe.js';

/** The clock of follow mode: the wall clock, or the test-only GAPCTL_FAKE_CLOCK (engine/clock.ts). */
function followClock(): Clock {
  const fake = process.env.GAPCTL_FAKE_CLOCK;
  return fake ? fakeClockFromEnv(fake) : systemClock;
}

/** Snapshot cadence, ms. */
export const SNAPSHOT_INTERVAL_MS = 150;

/**
 * While the engine is idle (no backfill or command running, or follow mode waiting for the next
 * day), a tick with nothing changed posts nothing, except every this many ticks (0.9 s: the
 * snapshot's clock, memory figures and a follow countdown in whole seconds stay current).
 */
export const IDLE_HEARTBEAT_TICKS = 6;

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const post = (m: FromWorker) => port.postMessage(m);

let session: Session | null = null;
/** Commands waiting for the engine to be idle (rerun, validate, export, resume, quit). */
const queue: ControlCommand[] = [];
let wake: (() => void) | null = null;
let backfillRunning = false;
/** A queued command (rerun, validate, export) is being served. */
let commandRunning = false;
let snapshot: BackfillSnapshot;
/** Posts the snapshot now (set once the session is open). */
let flush: () => void = () => {};
const memo = initialMemo();
let pausingNotified = false;
/** A command arrived: the next tick posts a snapshot even when the engine is idle (the console counts them). */
let postSoon = false;
/**
 * A stop or quit that arrived while the session was still opening (the console takes keys before
 * the worker has loaded the engine and started the market): applied the moment the session is
 * open, so the backfill stops at once instead of running to its end with the command ignored.
 */
let stopBeforeOpen = false;
let logLine: (line: string) => void = () => {};

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'start') {
    run(msg.job).catch((e) => {
      post({ type: 'error', message: errorLine(e) });
      port.close();
    });
  } else if (msg.type === 'command') {
    command(msg.command);
  } else if (msg.type === 'day-detail') {
    void dayDetail(msg.id, msg.date);
  } else if (msg.type === 'health') {
    void health(msg.id);
  }
});

/** The job's configuration and market, once `run` has read them (for the health checks). */
let jobCfg: Config | null = null;
let jobMarket: MarketSpec | null = null;

/**
 * Runs the production health checks of `gapctl health` (runtime/health.ts) for the console's
 * overlay and posts the report: read-only, next to whatever the engine does (nothing is queued or
 * paused). An embedded market is probed where the session serves it (no second emulator); the
 * store's lock held by this process (the console's own backfill) is reported ok as such.
 */
async function health(id: number): Promise<void> {
  const cfg = jobCfg;
  const market = jobMarket;
  const s = session;
  if (!cfg || !market || !s) {
    post({
      type: 'health',
      id,
      report: null,
      error: 'the engine has no open session (starting or ended)',
    });
    return;
  }
  try {
    const em = s.emulator;
    const services: HealthServices | undefined = em
      ? {
          polygon: em.polygonUrl,
          v3: em.thetaV3Url,
          v1: em.thetaV1Url,
          key: 'embedded',
          flatFiles: em.flatFiles,
          label: `embedded ${market.kind} market (${s.marketName}) served by this console`,
        }
      : undefined;
    // Loaded on the first request (the console's health overlay): a plain backfill never needs it.
    const { runHealth } = await import('./health.js');
    const report = await runHealth({
      cfg,
      market,
      dbPath: resolve(s.ctx.store.path),
      services,
      selfPid: process.pid,
    });
    post({ type: 'health', id, report });
  } catch (e) {
    post({ type: 'health', id, report: null, error: errorLine(e) });
  }
}

/**
 * Answers a day-detail request from the session's connection (a few indexed SELECTs). The read
 * model (runtime/day-detail.ts, with chokidar) is loaded on the first request: only the console
 * asks, and a plain backfill's worker then loads none of it.
 */
async function dayDetail(id: number, date: string): Promise<void> {
  let loadDayDetail: typeof import('./day-detail.js').loadDayDetail;
  try {
    ({ loadDayDetail } = await import('./day-detail.js'));
  } catch (e) {
    post({ type: 'day-detail', id, detail: null, error: errorLine(e) });
    return;
  }
  // The session as it is now, after the import (it may have closed meanwhile).
  const s = session;
  if (!s) {
    post({
      type: 'day-detail',
      id,
      detail: null,
      error: 'the engine has no open store (starting or ended)',
    });
    return;
  }
  try {
    post({ type: 'day-detail', id, detail: loadDayDetail(s.ctx.store.db, s.ctx.stateDir, date) });
  } catch (e) {
    post({ type: 'day-detail', id, detail: null, error: errorLine(e) });
  }
}

function emit(e: EngineEvent): void {
  snapshot = reduce(snapshot, e, memo);
  if (e.type === 'day-end') memProbe(e.date);
  if (e.type === 'validate')
    logLine(
      `[validate] ${e.date} ${e.stopped ? 'STOPPED' : e.passed ? 'PASS' : `FAIL gate ${e.gate}`}: ${e.message}`,
    );
}

/** Immediate commands act now (and post a snapshot at once); the others wait in the queue for an idle engine. */
function command(c: ControlCommand): void {
  const s = session;
  postSoon = true;
  switch (c.type) {
    case 'pause':
      if (s && (backfillRunning || commandRunning) && !s.ctx.gate.paused) {
        s.ctx.gate.pause();
        pausingNotified = false;
        emit({ type: 'backfill-state', state: 'PAUSING', at: Date.now() });
        flush();
      }
      return;
    case 'resume':
      if (s && s.ctx.gate.paused) {
        s.ctx.gate.resume();
        emit({ type: 'backfill-state', state: 'RUNNING', at: Date.now() });
        flush();
        return;
      }
      if (!backfillRunning) enqueue(c);
      return;
    case 'stop':
      if (!s) stopBeforeOpen = true;
      if (s && (backfillRunning || commandRunning)) {
        if (backfillRunning) emit({ type: 'backfill-state', state: 'STOPPING', at: Date.now() });
        else logLine('[console] stop: aborting the command in progress');
        s.ctx.gate.resume();
        s.controller.abort();
        flush();
      }
      return;
    case 'quit': {
      if (!s) stopBeforeOpen = true;
      if (s && (backfillRunning || commandRunning)) {
        s.ctx.gate.resume();
        s.controller.abort();
      }
      // Quit means stop the engine: queued reruns, validations and exports are dropped, not run.
      const dropped = queue.splice(0).filter((q) => q.type !== 'quit' && q.type !== 'detach');
      if (dropped.length)
        logLine(
          `[console] quit: ${dropped.length} queued command(s) dropped: ${dropped.map(describe).join(', ')}`,
        );
      enqueue(c);
      return;
    }
    case 'detach':
      enqueue(c);
      return;
    case 'ack':
      if (s) {
        s.ctx.store.ackAlert(c.alertId);
        snapshot = {
          ...snapshot,
          alerts: snapshot.alerts.map((a) =>
            a.id === c.alertId ? { ...a, acknowledged: true } : a,
          ),
        };
        flush();
      }
      return;
    default:
      if (backfillRunning || commandRunning)
        logLine(
          `[console] ${describe(c)} queued: runs when the ${backfillRunning ? 'current backfill stops or finishes' : 'command in progress ends'}`,
        );
      enqueue(c);
      flush();
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
    case 'validate-range':
      return `validate ${c.dates ? `${c.dates.length} day(s) of ` : ''}${c.start}..${c.end}`;
    case 'export':
      return `export ${c.start}..${c.end}`;
    default:
      return c.type;
  }
}

async function run(job: BackfillJob): Promise<void> {
  const cfg = loadConfig({ ...process.env, ...(job.env ?? {}) });
  const appLog = createAppLog(cfg.GAPCTL_LOG_DIR, [
    cfg.POLYGON_API_KEY,
    cfg.FMP_API_KEY,
    cfg.ALERT_WEBHOOK_URL,
  ]);
  snapshot = initialSnapshot({
    command: 'backfill',
    start: job.start,
    end: job.end,
    market: job.market,
    db: job.dbPath,
  });
  const log = (line: string) => {
    appLog(line);
    post({ type: 'log', line });
  };
  logLine = log;
  if (job.interactive && cfg.ENGINE_NICE > 0) {
    const nice = lowerThreadPriority(cfg.ENGINE_NICE);
    if (nice !== null) log(`[console] engine thread at nice ${nice} (ENGINE_NICE): keys first`);
  }
  const market = parseMarket(job.market);
  const s = await openSession({
    cfg,
    market,
    dbPath: job.dbPath,
    emit,
    log,
    replay: { premarketValidated: job.replayPremarketSha256 },
  });
  jobCfg = cfg;
  jobMarket = market;
  session = s;
  if (stopBeforeOpen) {
    log(
      '[console] stop requested while the engine was starting: the backfill stops before its first day',
    );
    s.controller.abort();
  }
  snapshot = {
    ...snapshot,
    market: s.marketName,
    alerts: s.ctx.store.openAlerts(),
    proofMode: cfg.R1_PROOF,
  };
  // What the last posted snapshot was built from (idle ticks with nothing new post nothing).
  let posted: BackfillSnapshot | null = null;
  let postedMetrics = '';
  let quietTicks = 0;
  const tick = (force = false) => {
    const m = s.ctx.metrics();
    const metricsKey = JSON.stringify([m.theta, m.polygon]);
    const queued = queue.filter((c) => c.type !== 'quit' && c.type !== 'detach').length;
    const idle = (!backfillRunning && !commandRunning) || !!snapshot.nextScan;
    quietTicks++;
    if (
      !force &&
      !postSoon &&
      idle &&
      snapshot === posted &&
      metricsKey === postedMetrics &&
      queued === posted.queuedCommands &&
      quietTicks < IDLE_HEARTBEAT_TICKS
    )
      return;
    postSoon = false;
    snapshot = withMetrics(snapshot, m.theta, m.polygon);
    if (snapshot.state === 'PAUSING' && snapshot.inFlight === 0 && !pausingNotified) {
      pausingNotified = true;
      emit({ type: 'backfill-state', state: 'PAUSED', at: Date.now() });
    }
    snapshot = {
      ...snapshot,
      seq: snapshot.seq + 1,
      at: Date.now(),
      queuedCommands: queued,
      memory: memorySample(),
    };
    post({ type: 'snapshot', snapshot });
    posted = snapshot;
    postedMetrics = metricsKey;
    quietTicks = 0;
  };
  flush = () => tick(true);
  const timer = setInterval(tick, SNAPSHOT_INTERVAL_MS);
  const setActivity = (activity: string | null): void => {
    // Idle again: no validation is running whatever its last progress event said.
    snapshot = { ...snapshot, activity, ...(activity === null ? { validation: null } : {}) };
  };
  let outcome: BackfillOutcome | null;
  const backfill = async (): Promise<BackfillOutcome> => {
    backfillRunning = true;
    try {
      log(
        `[backfill] start ${job.start}..${job.end} market=${s.marketName} db=${job.dbPath} mode=${job.mode ?? cfg.R1_MODE} proof=${cfg.R1_PROOF}`,
      );
      if (cfg.R1_PROOF === 'off') log(`[backfill] ${PROOF_OFF_NOTICE}`);
      const follow = job.follow ? { clock: followClock(), ...followSchedule(cfg) } : undefined;
      const o = await runBackfill(s.ctx, {
        start: job.start,
        end: job.end,
        maxMonths: job.maxMonths,
        rerun: job.rerun,
        mode: job.mode,
        validate: job.validate,
        follow,
        ...backfillHooks(s, job, log),
      });
      log(
        `[backfill] ${o.state}${o.reason ? `: ${o.reason}` : ''} scanned=${o.scanned} skipped=${o.skipped}`,
      );
      return o;
    } finally {
      backfillRunning = false;
      // A stop aborted this session's signal: give the next unit of work a fresh one.
      if (s.controller.signal.aborted) {
        settleStoppedDays(s);
        s.renewSignal();
      }
    }
  };
  try {
    outcome = await backfill();
    tick(true);
    // In the console, serve commands until quit (a batch job ends here).
    for (;;) {
      if (!job.interactive && queue.every((c) => c.type === 'quit')) break;
      const c = job.interactive ? await nextCommand() : queue.shift()!;
      if (c.type === 'quit' || c.type === 'detach') break;
      try {
        if (c.type === 'resume') {
          job = { ...job, rerun: false, skipPhase0: true };
          outcome = await backfill();
        } else {
          commandRunning = true;
          setActivity(describe(c));
          tick(true);
          if (c.type === 'rerun') {
            log(`[console] rerun ${c.date}${c.exhaustive ? ' exhaustive' : ''}`);
            const r = await scanDay(s.ctx, c.date, {
              mode: c.exhaustive ? 'exhaustive' : job.mode,
            });
            // The rerun's rows replace the old ones in every export the day is in.
            const files = reexportDayFiles(s, c.date);
            log(`[console] rerun ${c.date} ${r.status}; re-exported ${files.length} file(s)`);
          } else if (c.type === 'validate') {
            const r = await validateDay(s.ctx, c.date);
            // A stopped validation recorded nothing: the exports stay as they are.
            if (!r.stopped) reexportDayFiles(s, c.date);
          } else if (c.type === 'validate-range') {
            await validateRange(s, c, setActivity, log);
          } else if (c.type === 'export') {
            const files = exportRange(
              s.ctx.store,
              calendar,
              { exportDir: resolve(cfg.GAPCTL_EXPORT_DIR), reportsDir: s.ctx.reportsDir },
              c.start,
              c.end,
            );
            const hits = files.find((f) => /discovery_hits_[^/]*\.csv$/.test(f.path));
            log(
              `[console] exported ${c.start}..${c.end}: ${files.length} file(s)${hits ? `, ${hits.rows} hits in ${hits.path}` : ''}`,
            );
          }
        }
      } catch (e) {
        if (e instanceof StoppedError || s.controller.signal.aborted)
          log(`[console] ${describe(c)} stopped`);
        else log(`[console] ${describe(c)} failed: ${errorLine(e)}`);
      } finally {
        commandRunning = false;
        setActivity(null);
        if (s.controller.signal.aborted) {
          settleStoppedDays(s);
          s.renewSignal();
        }
        if (s.ctx.gate.paused) s.ctx.gate.resume();
        // A pause or resume during the command moved the state; the backfill's end state holds again.
        if (outcome && snapshot.state !== outcome.state)
          emit({
            type: 'backfill-state',
            state: outcome.state,
            reason: outcome.reason ?? undefined,
            at: Date.now(),
          });
      }
      tick(true);
    }
  } finally {
    clearInterval(timer);
    tick(true);
    await s.close();
    session = null;
  }
  // The store is closed: report and let the thread end (closing the port empties the event loop).
  post({ type: 'done', outcome: outcome!, snapshot });
  port!.close();
}

/**
 * After a stop: a day that was scanning committed nothing, so its cell shows what the store has
 * again (its earlier status for a rerun, PENDING when absent: it reruns on resume), and the
 * current-day panel is cleared.
 */
function settleStoppedDays(s: Session): void {
  for (const d of snapshot.days) {
    if (d.status !== 'RUNNING') continue;
    const st = s.ctx.store.dayStatuses(d.date, d.date).get(d.date);
    emit({
      type: 'day-skipped',
      date: d.date,
      status: st?.status ?? 'PENDING',
      hits: st?.discoveries ?? 0,
      rules: { r1: st?.r1 ?? 0, r2: st?.r2 ?? 0, r3: st?.r3 ?? 0, r4: st?.r4 ?? 0 },
      proof: s.ctx.store.dayProofs(d.date, d.date).get(d.date),
    });
  }
  snapshot = { ...snapshot, current: null };
}

/**
 * Validates the days of a validate-range command in date order (the listed `dates` within
 * start..end, else every scanned day of the range), one line per day in the application log and a
 * summary line; a stop ends it after the day in progress.
 */
async function validateRange(
  s: Session,
  c: Extract<ControlCommand, { type: 'validate-range' }>,
  setActivity: (a: string | null) => void,
  log: (line: string) => void,
): Promise<void> {
  const scanned = s.ctx.store.dayStatuses(c.start, c.end);
  const dates = (c.dates ?? [...scanned.keys()]).filter((d) => d >= c.start && d <= c.end).sort();
  log(`[console] validate ${dates.length} day(s) ${c.start}..${c.end}`);
  let passed = 0;
  const failed: string[] = [];
  for (let i = 0; i < dates.length; i++) {
    if (s.controller.signal.aborted) break;
    const date = dates[i]!;
    setActivity(`validating ${i + 1}/${dates.length} ${date}`);
    flush();
    const r = await validateDay(s.ctx, date);
    if (r.stopped) break;
    if (r.passed) passed++;
    else failed.push(`${date} ${r.gate}`);
  }
  // The summaries count validated days: re-export once per month validated, not once per day.
  const validated = dates.slice(0, passed + failed.length);
  for (const first of new Map(validated.map((d) => [d.slice(0, 7), d])).values())
    reexportDayFiles(s, first);
  const left = dates.length - passed - failed.length;
  log(
    `[console] validated ${passed + failed.length}/${dates.length} day(s): ${passed} passed, ${failed.length} failed${failed.length ? ` (${failed.slice(0, 5).join(', ')}${failed.length > 5 ? ', ...' : ''})` : ''}${left ? `, ${left} not run (stopped)` : ''}`,
  );
}
