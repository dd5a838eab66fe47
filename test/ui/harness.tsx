/**
 * Test harness for the console: fake stdout with a settable size (columns x rows, `resize` events),
 * fake raw-mode stdin, a fake ConsoleSource, hand-built snapshots, and helpers that press a key and
 * let React flush (bounded loops over event-loop turns, never a timed sleep).
 */
import { EventEmitter } from 'node:events';
import { render, type Instance } from 'ink';
import type {
  AlertInfo,
  BackfillSnapshot,
  ControlCommand,
  DayCell,
  DayDetailData,
  DayView,
} from '../../source/contracts/events.js';
import type { UpstreamMetrics } from '../../source/providers/types.js';
import { App } from '../../source/ui/App.js';
import type { ConsoleSource, QuitChoice } from '../../source/ui/types.js';

export class FakeStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = false;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  lastFrame(): string {
    return this.frames[this.frames.length - 1] ?? '';
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

/** Options of {@link FakeSource}: which optional ConsoleSource parts it has. */
export interface FakeSourceOptions {
  /** readLog (default true). */
  readLog?: boolean;
  /** watchLog over {@link FakeSource.files} (default false). */
  watchLog?: boolean;
  /** readDayDetail from {@link FakeSource.details} (default false). */
  detail?: boolean;
}

/** A ConsoleSource whose snapshots the test pushes and whose sent commands it reads. */
export class FakeSource implements ConsoleSource {
  sent: ControlCommand[] = [];
  listeners = new Set<(s: BackfillSnapshot) => void>();
  latest: BackfillSnapshot | null;
  logReads: string[] = [];
  detailReads: string[] = [];
  /** Day logs for watchLog, by date. */
  files = new Map<string, string[]>();
  /** Followers by date. */
  watchers = new Map<string, Set<(lines: string[], reset: boolean) => void>>();
  /** Stored day details by date (missing: rejects). */
  details = new Map<string, DayDetailData>();
  readLog?: (date: string, lines: number) => Promise<string[]>;
  watchLog?: (date: string, listener: (lines: string[], reset: boolean) => void) => () => void;
  readDayDetail?: (date: string) => Promise<DayDetailData>;
  constructor(first: BackfillSnapshot | null, opts: FakeSourceOptions | boolean = {}) {
    const o: FakeSourceOptions = typeof opts === 'boolean' ? { readLog: opts } : opts;
    this.latest = first;
    if (o.readLog ?? true) {
      this.readLog = async (date: string) => {
        this.logReads.push(date);
        return [`10:00:00 ${date} UNIVERSE:begin`, `10:00:01 ${date} REPORT:done`];
      };
    }
    if (o.watchLog) {
      this.watchLog = (date, listener) => {
        const set = this.watchers.get(date) ?? new Set();
        set.add(listener);
        this.watchers.set(date, set);
        listener([...(this.files.get(date) ?? [])], true);
        return () => set.delete(listener);
      };
    }
    if (o.detail) {
      this.readDayDetail = async (date) => {
        this.detailReads.push(date);
        const d = this.details.get(date);
        if (!d) throw new Error(`no stored detail for ${date}`);
        return d;
      };
    }
  }
  /** Appends lines to a day's log and tells its followers. */
  appendLog(date: string, lines: string[]): void {
    this.files.set(date, [...(this.files.get(date) ?? []), ...lines]);
    for (const l of this.watchers.get(date) ?? []) l(lines, false);
  }
  subscribe(listener: (s: BackfillSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  current(): BackfillSnapshot | null {
    return this.latest;
  }
  send(cmd: ControlCommand): void {
    this.sent.push(cmd);
  }
  push(s: BackfillSnapshot): void {
    this.latest = s;
    for (const l of this.listeners) l(s);
  }
}

/** Trading-ish days (weekdays) from start to end inclusive, YYYY-MM-DD. */
export function weekdays(start: string, end: string): string[] {
  const out: string[] = [];
  for (
    let t = Date.parse(`${start}T00:00:00Z`);
    t <= Date.parse(`${end}T00:00:00Z`);
    t += 86_400_000
  ) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

export function metrics(
  upstream: UpstreamMetrics['upstream'],
  inFlight: number,
  cap: number,
  extra: Partial<UpstreamMetrics> = {},
): UpstreamMetrics {
  return {
    upstream,
    inFlight,
    cap,
    queued: 128,
    requests: 4134,
    errors: 17,
    counts: { s200: 4102, s204: 0, s472: 31, s429: 0, s5xx: 1, timeouts: 0, other: 0 },
    p50Ms: 142,
    p95Ms: 390,
    backingOff: false,
    ...extra,
  };
}

export const CRITICAL: AlertInfo = {
  id: 7,
  at: '2018-03-09T15:42:00Z',
  severity: 'CRITICAL',
  kind: 'baseline_only',
  date: '2018-03-08',
  message: 'baseline-only hits: 2 (ABCD R1 61.2%, WXYZ R2 55.0%)  backfill halted',
  acknowledged: false,
};

/**
 * A snapshot like console.md's picture: 2018-01-11 -> 2018-04-10, days before 2018-03-09 complete,
 * 2018-03-09 running (R1 212/340), the rest pending; Theta v3 4/4, v1 0/4.
 */
export function makeSnapshot(
  over: Partial<BackfillSnapshot> = {},
  current = '2018-03-09',
): BackfillSnapshot {
  const dates = weekdays('2018-01-11', '2018-04-10');
  const days: DayCell[] = dates.map((date) => ({
    date,
    status: date < current ? 'COMPLETE' : date === current ? 'RUNNING' : 'PENDING',
    hits: date < current ? 1 : 0,
    baselineOnly: date === '2018-03-08' ? 2 : 0,
    // Finished days are proven (drawn ✓); tests of unproven days (○) set proof: 'sampled'.
    ...(date < current ? { proof: 'exhaustive' as const } : {}),
  }));
  const view: DayView = {
    date: current,
    mode: 'prefilter',
    stages: [
      { name: 'UNIVERSE', state: 'done', counts: { tickers: 6912 }, durationMs: 1200 },
      { name: 'GROUPED', state: 'done', counts: { rows: 7104 }, durationMs: 800 },
      { name: 'PREV', state: 'done', counts: {}, durationMs: 10 },
      { name: 'R2R3', state: 'done', counts: { r2: 14, r3: 22 }, durationMs: 20 },
      { name: 'R1', state: 'running', counts: { candidates: 340 }, durationMs: null },
      { name: 'R4', state: 'pending', counts: {}, durationMs: null },
      { name: 'PERSIST', state: 'pending', counts: {}, durationMs: null },
      { name: 'ENRICH', state: 'pending', counts: {}, durationMs: null },
      { name: 'AUDIT', state: 'pending', counts: {}, durationMs: null },
      { name: 'REPORT', state: 'pending', counts: {}, durationMs: null },
    ],
    r1Done: 212,
    r1Total: 340,
    hits: { r1: 9, r2: 14, r3: 22, r4: 3 },
    startedAt: 1_520_600_000_000,
  };
  const done = days.filter((d) => d.status === 'COMPLETE').length;
  return {
    seq: 1,
    at: 1_520_600_072_000,
    command: 'backfill',
    start: '2018-01-11',
    end: '2018-04-10',
    market: 'replay:2018q1',
    db: 'db/scanner.db',
    state: 'RUNNING',
    reason: null,
    days,
    done,
    total: days.length,
    current: view,
    etaMs: 72_000,
    daysPerMin: 2.4,
    rateHistory: [1, 2, 2.4, 3, 2.2, 2.4],
    theta: [
      metrics('theta_v3', 4, 4),
      metrics('theta_v1', 0, 4, { queued: 0, requests: 0, errors: 0 }),
    ],
    polygon: metrics('polygon', 2, 8, { queued: 0, errors: 0 }),
    alerts: [],
    logDate: current,
    logTail: Array.from(
      { length: 40 },
      (_, i) => `10:42:${String(i).padStart(2, '0')} R1:progress ${i}`,
    ),
    inFlight: 6,
    hits: { r1: 9, r2: 14, r3: 22, r4: 3 },
    ...over,
  };
}

/** Lets Ink and React run: one turn of the event loop (setImmediate), not a timed wait. */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Turns the event loop until `cond()` holds (at most `max` turns); throws with `what` if it never does. */
export async function waitFor(cond: () => boolean, what: string, max = 200): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (cond()) return;
    await tick();
  }
  throw new Error(`timed out (in event-loop turns) waiting for ${what}`);
}

export interface Mounted {
  stdout: FakeStdout;
  stdin: FakeStdin;
  source: FakeSource;
  instance: Instance;
  quits: QuitChoice[];
  bells: number;
  frame(): string;
  press(keys: string): Promise<void>;
}

/** Renders the App on a fake terminal of `columns` x `rows` in Ink debug mode (every frame in full). */
export function mount(
  source: FakeSource,
  opts: { columns: number; rows: number; color?: boolean; readOnly?: boolean },
): Mounted {
  const stdout = new FakeStdout(opts.columns, opts.rows);
  const stdin = new FakeStdin();
  const stderr = new FakeStdout(opts.columns, opts.rows);
  const m: Mounted = {
    stdout,
    stdin,
    source,
    quits: [],
    bells: 0,
    instance: undefined as unknown as Instance,
    frame: () => stdout.lastFrame(),
    press: async (keys: string) => {
      const before = stdout.frames.length;
      stdin.write(keys);
      // a key that changes nothing renders nothing: give it a few turns, then go on
      for (let i = 0; i < 5 && stdout.frames.length === before; i++) await tick();
    },
  };
  m.instance = render(
    <App
      source={source}
      color={opts.color ?? false}
      readOnly={opts.readOnly ?? false}
      onQuit={(q) => m.quits.push(q)}
      onCriticalAlert={() => (m.bells += 1)}
    />,
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  return m;
}

/** Strip every ANSI escape (for text assertions). */
export function plain(frame: string): string {
  return frame.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
}

/** A stored day detail like the worker returns for a validated day with two hits (one near a split). */
export function makeDetail(date = '2018-03-08', over: Partial<DayDetailData> = {}): DayDetailData {
  return {
    date,
    status: 'RETRY_NEEDED',
    reason: 'validate BASELINE: baseline-only hits: 2 (ABCD R1 61.2%, WXYZ R2 55.0%)',
    r1Mode: 'prefilter',
    updatedAt: '2018-03-09T15:41:07.123Z',
    processingMs: 12_345,
    stageMs: {
      UNIVERSE: 1200,
      GROUPED: 800,
      PREV: 12,
      R2R3: 25,
      R1: 9100,
      R4: 40,
      PERSIST: 30,
      ENRICH: 700,
      AUDIT: 400,
      REPORT: 38,
    },
    counters: [
      { name: 'total_universe', value: 6912 },
      { name: 'daily_raw_symbols', value: 7104 },
      { name: 'coverage_pct', value: 99.8 },
      { name: 'discoveries', value: 2 },
      { name: 'r1_checked', value: 340 },
      { name: 'r1_unanswered', value: 0 },
      { name: 'theta_requests', value: 4134 },
      { name: 'theta_errors', value: 17 },
    ],
    hits: [
      {
        ticker: 'GAPX',
        rules: [
          { rule: 'R1', code: 'PM_GAP_50', value: 72.4 },
          { rule: 'R2', code: 'OPEN_GAP_50', value: 58.1 },
        ],
        volume: 1_234_567,
        prevClose: 2.1,
        open: 3.32,
        high: 3.9,
        close: 3.1,
        pmHigh: 3.62,
        pmHighSource: 'v3_trades',
        pmHighVenue: 'utp_cta',
        exchange: 'XNAS',
        split: false,
        splitNote: null,
      },
      {
        ticker: 'RSPL',
        rules: [{ rule: 'R3', code: 'INTRADAY_PUSH_50', value: 64 }],
        volume: 804_000,
        prevClose: 0.81,
        open: 0.8,
        high: 1.312,
        close: 1.1,
        pmHigh: null,
        pmHighSource: null,
        pmHighVenue: null,
        exchange: 'XNYS',
        split: true,
        splitNote: 'reverse split 2018-03-05 (+3d)',
      },
    ],
    audit: {
      sampleSize: 50,
      misses: 0,
      missRateUpper95: 0.06,
      passed: true,
      at: '2018-03-09T15:41:00Z',
    },
    missAudit: { checked: 20, missedInitially: 0, missed: [] },
    baseline: {
      overlap: 2,
      discoveryOnly: 0,
      baselineOnly: 2,
      baselineOnlyHits: [
        { symbol: 'ABCD', rule: 'R1', pct: 61.2 },
        { symbol: 'WXYZ', rule: 'R2', pct: 55 },
      ],
      at: '2018-03-09T15:42:00Z',
    },
    validation: {
      status: 'FAILED_BASELINE',
      gates: [
        { gate: 'COMPLETENESS', passed: true, message: 'ok' },
        { gate: 'BASIS_SANITY', passed: true, message: 'ok' },
        { gate: 'RULE_UNIQUENESS', passed: true, message: 'ok' },
        { gate: 'EXCHANGE_DOMAIN', passed: true, message: 'ok' },
        { gate: 'MIN_VOLUME', passed: true, message: 'ok' },
        { gate: 'CSV_SHAPE', passed: true, message: 'ok' },
        { gate: 'PM_PROVENANCE', passed: true, message: 'ok' },
        { gate: 'R1_HEALTH', passed: true, message: 'ok' },
        { gate: 'RULE_TAGS', passed: true, message: 'ok' },
        {
          gate: 'BASELINE',
          passed: false,
          message: 'baseline-only hits: 2 (ABCD R1 61.2%, WXYZ R2 55.0%)',
        },
      ],
    },
    ...over,
  };
}
