/**
 * The clock of follow mode (`gapctl backfill --follow`): when each trading day's data is due, and
 * waiting for it. Injectable so tests drive a follow run over days, weekends and holidays without a
 * real sleep: {@link systemClock} is the wall clock; {@link VirtualClock} jumps to the wake-up time
 * at once (tests and the test-only `GAPCTL_FAKE_CLOCK` switch).
 */
import { addDays, etToUtcMs, isTradingDay, utcMsToEt } from '../calendar/index.js';

/** A clock: the current instant, and a wait until an instant that a stop signal cuts short. */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /**
   * Resolves at `t` (at once when `t` is past), or as soon as `signal` aborts (the caller checks
   * `signal.aborted`). Never rejects.
   */
  sleepUntil(t: Date, signal: AbortSignal): Promise<void>;
}

/** Longest single setTimeout (Node caps timers at 2^31-1 ms); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The wall clock: Date.now() and setTimeout (waits longer than ~24.8 days are chained). */
export const systemClock: Clock = {
  now: () => new Date(),
  sleepUntil(t, signal) {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      let timer: NodeJS.Timeout;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const arm = () => {
        const left = t.getTime() - Date.now();
        if (left <= 0) return done();
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      signal.addEventListener('abort', done, { once: true });
      arm();
    });
  },
};

/**
 * A virtual clock for tests: time starts at `start` and moves only when someone sleeps (it jumps to
 * the wake-up instant at once) or {@link VirtualClock.advance} is called. `onSleep` sees each wait
 * before it happens (a test stops the run there, e.g. past a horizon).
 */
export class VirtualClock implements Clock {
  private ms: number;
  /** Every wake-up instant asked for, in order. */
  readonly sleeps: Date[] = [];
  constructor(
    start: Date,
    private readonly onSleep?: (until: Date, clock: VirtualClock) => void,
  ) {
    this.ms = start.getTime();
  }
  /** The current virtual instant. */
  now(): Date {
    return new Date(this.ms);
  }
  /** Moves time forward by `ms` (never backward). */
  advance(ms: number): void {
    this.ms += Math.max(0, ms);
  }
  /** Jumps to `t` at once (after `onSleep`, which may abort `signal`: then time does not move). */
  async sleepUntil(t: Date, signal: AbortSignal): Promise<void> {
    this.sleeps.push(t);
    this.onSleep?.(t, this);
    if (signal.aborted) return;
    if (t.getTime() > this.ms) this.ms = t.getTime();
    await Promise.resolve();
  }
}

/**
 * Parses the test-only `GAPCTL_FAKE_CLOCK=<UTC ISO start>[@<speed>][..<UTC ISO horizon>]`: a clock
 * that starts at the given instant, runs `speed` times faster than the wall clock (default 1) and
 * jumps at once to the end of every sleep that ends at or before the horizon; a sleep past the
 * horizon lasts until the run is stopped (so a process test finds the run waiting, FOLLOWING).
 * Never use it in production: scans would start before their data is due.
 * @throws Error (one line) on a malformed value.
 */
export function fakeClockFromEnv(raw: string): Clock {
  const m =
    /^(\d{4}-\d{2}-\d{2}T[0-9:.]+Z)(?:@(\d+(?:\.\d+)?))?(?:\.\.(\d{4}-\d{2}-\d{2}T[0-9:.]+Z))?$/.exec(
      raw.trim(),
    );
  const start = m ? Date.parse(m[1]!) : NaN;
  const horizon = m?.[3] === undefined ? Infinity : Date.parse(m[3]);
  if (!m || Number.isNaN(start) || Number.isNaN(horizon)) {
    throw new Error(
      `bad GAPCTL_FAKE_CLOCK "${raw}": expected <UTC ISO start>[@speed][..<UTC ISO horizon>], e.g. 2024-11-26T23:00:00Z..2024-12-04T00:00:00Z`,
    );
  }
  const speed = m[2] === undefined ? 1 : Number(m[2]);
  const realStart = Date.now();
  let jumped = 0;
  const now = () => start + (Date.now() - realStart) * speed + jumped;
  return {
    now: () => new Date(now()),
    async sleepUntil(t, signal) {
      if (signal.aborted) return;
      if (t.getTime() > horizon) {
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        return;
      }
      const left = t.getTime() - now();
      if (left > 0) jumped += left;
      await Promise.resolve();
    },
  };
}

/** When a trading day's data is due for follow mode. */
export interface FollowSchedule {
  /** ET wall-clock time `HH:MM:SS` the day's data is due (FOLLOW_DUE_ET, e.g. `18:30:00`). */
  dueEt: string;
  /** Calendar days after the trading day (0: the same evening, grouped daily and Theta; 1: the next day, flat files). */
  dueDayOffset: number;
}

/**
 * The instant (UTC ms) the data of trading day `date` is due: `dueEt` ET on `date` + `dueDayOffset`
 * calendar days (DST-aware; an early close changes nothing: the data is due at the same time).
 * @throws CalendarError on a malformed date or time.
 */
export function dueAtMs(date: string, s: FollowSchedule): number {
  return etToUtcMs(addDays(date, s.dueDayOffset), s.dueEt);
}

/**
 * The latest trading day whose data is due at `nowMs` (UTC ms), looking back at most 30 calendar
 * days from the ET date of `nowMs`; null when none.
 */
export function latestDueDay(nowMs: number, s: FollowSchedule): string | null {
  let d = utcMsToEt(nowMs).date;
  for (let i = 0; i < 30; i++, d = addDays(d, -1)) {
    if (isTradingDay(d) && dueAtMs(d, s) <= nowMs) return d;
  }
  return null;
}

/** The follow schedule of the configuration: FOLLOW_WAIT_FOR picks FOLLOW_DUE_ET (same day) or FOLLOW_FLATFILE_DUE_ET (next day). */
export function followSchedule(cfg: {
  FOLLOW_DUE_ET: string;
  FOLLOW_FLATFILE_DUE_ET: string;
  FOLLOW_WAIT_FOR: string;
}): FollowSchedule {
  return cfg.FOLLOW_WAIT_FOR === 'flatfiles'
    ? { dueEt: cfg.FOLLOW_FLATFILE_DUE_ET, dueDayOffset: 1 }
    : { dueEt: cfg.FOLLOW_DUE_ET, dueDayOffset: 0 };
}

/** `YYYY-MM-DD HH:MM ET` of an instant (UTC ms). */
export function etLabel(ms: number): string {
  const e = utcMsToEt(ms);
  return `${e.date} ${e.time.slice(0, 5)} ET`;
}
