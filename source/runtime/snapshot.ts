/**
 * Reduces engine events into the {@link BackfillSnapshot} the console renders (pure functions, no
 * I/O), plus the ETA math: a moving average of recent day durations with paused time left out.
 */
import {
  STAGES,
  type BackfillSnapshot,
  type DayStatus,
  type DayView,
  type EngineEvent,
  type RuleCounts,
  type StageName,
  type ValidationOutcome,
} from '../contracts/events.js';
import type { UpstreamMetrics } from '../contracts/upstream.js';
import { ENDED_BACKFILL_STATES } from '../contracts/states.js';

/** Lines of log tail kept in a snapshot. */
export const LOG_TAIL_LINES = 200;
/** Day durations averaged for the ETA. */
export const ETA_WINDOW = 10;

/** A fresh snapshot for a run. */
export function initialSnapshot(meta: {
  command: string;
  start: string;
  end: string;
  market: string;
  db: string;
}): BackfillSnapshot {
  return {
    seq: 0,
    at: Date.now(),
    ...meta,
    state: 'STARTING',
    reason: null,
    days: [],
    done: 0,
    total: 0,
    current: null,
    etaMs: null,
    daysPerMin: null,
    rateHistory: [],
    theta: [],
    polygon: null,
    alerts: [],
    logDate: null,
    logTail: [],
    inFlight: 0,
    hits: { r1: 0, r2: 0, r3: 0, r4: 0 },
    activity: null,
    queuedCommands: 0,
    validation: null,
  };
}

/** Mutable reducer state kept beside the snapshot (durations for the ETA). */
export interface ReducerMemo {
  /** Active (unpaused) ms of recently finished days, oldest first. */
  durations: number[];
  /** When the current pause began (UTC ms) or null. */
  pausedSince: number | null;
  /** Paused ms accumulated during the current day. */
  pausedMsThisDay: number;
  /** When each stage of the current day began (UTC ms), for its duration. */
  stageBegin: Partial<Record<StageName, number>>;
}

/** A fresh reducer memo. */
export function initialMemo(): ReducerMemo {
  return { durations: [], pausedSince: null, pausedMsThisDay: 0, stageBegin: {} };
}

/** Hits per rule over the range: the sum of the day cells' counts (a rescanned day counts once). */
export function rangeHits(days: BackfillSnapshot['days']): RuleCounts {
  const out: RuleCounts = { r1: 0, r2: 0, r3: 0, r4: 0 };
  for (const d of days) {
    if (!d.rules) continue;
    out.r1 += d.rules.r1;
    out.r2 += d.rules.r2;
    out.r3 += d.rules.r3;
    out.r4 += d.rules.r4;
  }
  return out;
}

function isFinal(status: string): boolean {
  return (
    status === 'COMPLETE' ||
    status === 'FAILED' ||
    status === 'INCOMPLETE' ||
    status === 'RETRY_NEEDED' ||
    status === 'SKIPPED'
  );
}

/**
 * Applies one engine event to the snapshot (returns a new object; arrays copied where changed).
 * `now` is UTC ms.
 */
export function reduce(
  s: BackfillSnapshot,
  e: EngineEvent,
  memo: ReducerMemo,
  now = Date.now(),
): BackfillSnapshot {
  switch (e.type) {
    case 'plan': {
      const days = e.days.map((d) => ({
        date: d.date,
        status: d.status,
        hits: d.hits,
        baselineOnly: 0,
        ...(d.proof ? { proof: d.proof } : {}),
      }));
      return {
        ...s,
        start: e.start,
        end: e.end,
        days,
        total: days.length,
        done: days.filter((d) => d.status === 'COMPLETE').length,
      };
    }
    case 'day-begin': {
      memo.pausedMsThisDay = 0;
      memo.stageBegin = {};
      const current: DayView = {
        date: e.date,
        mode: e.mode,
        stages: STAGES.map((name) => ({ name, state: 'pending', counts: {}, durationMs: null })),
        r1Done: 0,
        r1Total: 0,
        hits: { r1: 0, r2: 0, r3: 0, r4: 0 },
        startedAt: e.at,
        proof: null,
      };
      return {
        ...s,
        current,
        days: setDay(s.days, e.date, { status: 'RUNNING' }),
        logDate: e.date,
        logTail: [],
      };
    }
    case 'stage': {
      if (!s.current || s.current.date !== e.date) return s;
      if (e.phase === 'begin') memo.stageBegin[e.stage] = e.at;
      const began = memo.stageBegin[e.stage];
      const took = began === undefined ? null : Math.max(0, e.at - began);
      const stages = s.current.stages.map((st) => {
        if (st.name !== e.stage) return st;
        if (e.phase === 'begin')
          return { ...st, state: 'running' as const, counts: e.counts, durationMs: null };
        if (e.phase === 'fail') return { ...st, state: 'failed' as const, durationMs: took };
        if (e.phase === 'abort')
          return {
            ...st,
            state: 'aborted' as const,
            durationMs: took,
            ...(e.by ? { abortedBy: e.by } : {}),
          };
        return { ...st, state: 'done' as const, counts: e.counts, durationMs: took };
      });
      let hits = s.current.hits;
      if (e.stage === 'PERSIST' && e.phase === 'end') {
        const n = (k: string) => Number(e.counts[k] ?? 0);
        hits = { r1: n('r1'), r2: n('r2'), r3: n('r3'), r4: n('r4') };
      }
      return { ...s, current: { ...s.current, stages, hits } };
    }
    case 'r1-progress':
      if (!s.current || s.current.date !== e.date) return s;
      return { ...s, current: { ...s.current, r1Done: e.done, r1Total: e.total } };
    case 'proof-progress': {
      if (!s.current || s.current.date !== e.date) return s;
      const { type: _t, ...proof } = e;
      return { ...s, current: { ...s.current, proof } };
    }
    case 'log': {
      if (s.logDate !== e.date) return { ...s, logDate: e.date, logTail: [e.line] };
      const tail =
        s.logTail.length >= LOG_TAIL_LINES
          ? s.logTail.slice(-LOG_TAIL_LINES + 1)
          : s.logTail.slice();
      tail.push(e.line);
      return { ...s, logTail: tail };
    }
    case 'day-end': {
      // A day without a known proof is not proven (drawn unproven), never proven by default.
      const aborted =
        s.current?.date === e.date
          ? s.current.stages.filter((st) => st.state === 'aborted').map((st) => st.name)
          : [];
      const days = setDay(s.days, e.date, {
        aborted: aborted.length > 0 ? aborted : undefined,
        status: e.status,
        hits: e.discoveries,
        rules: e.hits,
        durationMs: e.durationMs,
        reason: e.reason,
        validated: undefined,
        proof: e.proof ?? 'sampled',
      });
      const active = Math.max(0, e.durationMs - memo.pausedMsThisDay);
      memo.durations.push(active);
      if (memo.durations.length > ETA_WINDOW) memo.durations.shift();
      const done = days.filter((d) => d.status === 'COMPLETE').length;
      const next = { ...s, days, done, hits: rangeHits(days) };
      return withEta(next, memo);
    }
    case 'day-skipped': {
      const days = setDay(s.days, e.date, {
        status: e.status,
        hits: e.hits,
        rules: e.rules,
        proof: e.proof,
      });
      return {
        ...s,
        days,
        done: days.filter((d) => d.status === 'COMPLETE').length,
        hits: rangeHits(days),
      };
    }
    case 'validate-progress': {
      const { type: _t, ...progress } = e;
      return { ...s, validation: progress };
    }
    case 'validate': {
      // Every ended validation is kept (the last VALIDATIONS_KEPT) for the console's outcome line and summary.
      s = recordValidation(s, e, now);
      // A stopped validation recorded nothing: the day's cell stays as it was.
      if (e.stopped) return { ...s, validation: null };
      // The status a failed validation leaves in day_completeness (engine/validate.ts): BASELINE and
      // AUDIT ask for a rerun, the other gates fail the day; COMPLETENESS changes nothing.
      let patch: Partial<BackfillSnapshot['days'][number]> = {
        baselineOnly: e.baselineOnly,
        validated: e.passed,
      };
      // A passed validation proves an unproven COMPLETE day by its baseline (engine/validate.ts).
      const before = s.days.find((d) => d.date === e.date);
      if (
        e.passed &&
        e.baselineOnly === 0 &&
        before?.status === 'COMPLETE' &&
        before.proof !== 'exhaustive'
      )
        patch.proof = 'baseline';
      if (!e.passed && e.gate && e.gate !== 'COMPLETENESS') {
        const status: DayStatus =
          e.gate === 'BASELINE' || e.gate === 'AUDIT' ? 'RETRY_NEEDED' : 'FAILED';
        patch = { ...patch, status, reason: `validate ${e.gate}: ${e.message}` };
      }
      const days = setDay(s.days, e.date, patch);
      return {
        ...s,
        days,
        done: days.filter((d) => d.status === 'COMPLETE').length,
        validation: null,
      };
    }
    case 'alert':
      return {
        ...s,
        alerts: [e.alert, ...s.alerts.filter((a) => a.id !== e.alert.id)].slice(0, 50),
      };
    case 'month-done':
      return s;
    case 'follow-wait':
      return {
        ...s,
        nextScan:
          e.nextScanAt === null ? null : { date: e.date, at: e.nextScanAt, et: e.nextScanEt ?? '' },
      };
    case 'backfill-state': {
      if (e.state === 'PAUSED' || e.state === 'PAUSING') {
        if (memo.pausedSince === null) memo.pausedSince = now;
      } else if (memo.pausedSince !== null) {
        memo.pausedMsThisDay += now - memo.pausedSince;
        memo.pausedSince = null;
      }
      const final = ENDED_BACKFILL_STATES.has(e.state);
      return {
        ...s,
        state: e.state,
        reason: e.reason ?? (final ? s.reason : null),
        current: final && e.state === 'DONE' ? null : s.current,
        ...(final ? { validation: null } : {}),
      };
    }
  }
}

/** Validation outcomes kept in a snapshot (`validations`). */
export const VALIDATIONS_KEPT = 20;

/** Appends an ended validation to `validations` (numbered, capped) and counts it in `validationCounts`. */
function recordValidation(
  s: BackfillSnapshot,
  e: Extract<EngineEvent, { type: 'validate' }>,
  now: number,
): BackfillSnapshot {
  const c = s.validationCounts ?? { passed: 0, failed: 0, stopped: 0 };
  const stopped = e.stopped === true;
  const counts = {
    passed: c.passed + (!stopped && e.passed ? 1 : 0),
    failed: c.failed + (!stopped && !e.passed ? 1 : 0),
    stopped: c.stopped + (stopped ? 1 : 0),
  };
  const n = c.passed + c.failed + c.stopped + 1;
  const outcome: ValidationOutcome = {
    n,
    date: e.date,
    passed: !stopped && e.passed,
    stopped,
    gate: !stopped && !e.passed ? (e.gate ?? null) : null,
    message: e.message,
    at: now,
  };
  return {
    ...s,
    validations: [...(s.validations ?? []), outcome].slice(-VALIDATIONS_KEPT),
    validationCounts: counts,
  };
}

function setDay(
  days: BackfillSnapshot['days'],
  date: string,
  patch: Partial<BackfillSnapshot['days'][number]>,
): BackfillSnapshot['days'] {
  const i = days.findIndex((d) => d.date === date);
  if (i < 0) return [...days, { date, status: 'PENDING', hits: 0, baselineOnly: 0, ...patch }];
  const out = days.slice();
  out[i] = { ...out[i]!, ...patch };
  return out;
}

/** Recomputes etaMs and daysPerMin from the memo's moving average of active day durations. */
export function withEta(s: BackfillSnapshot, memo: ReducerMemo): BackfillSnapshot {
  if (memo.durations.length === 0) return s;
  const avg = memo.durations.reduce((a, b) => a + b, 0) / memo.durations.length;
  const remaining = s.days.filter((d) => !isFinal(d.status)).length;
  const daysPerMin = avg > 0 ? 60000 / avg : null;
  const rateHistory =
    daysPerMin !== null ? [...s.rateHistory, daysPerMin].slice(-60) : s.rateHistory;
  return { ...s, etaMs: Math.round(remaining * avg), daysPerMin, rateHistory };
}

/** Attaches live provider metrics and the in-flight total. */
export function withMetrics(
  s: BackfillSnapshot,
  theta: UpstreamMetrics[],
  polygon: UpstreamMetrics | null,
): BackfillSnapshot {
  const inFlight = theta.reduce((a, m) => a + m.inFlight, 0) + (polygon?.inFlight ?? 0);
  return { ...s, theta, polygon, inFlight };
}
