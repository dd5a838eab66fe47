/**
 * Warm-up of the console while it waits for the engine (issue 13 point 4: the FIRST key after
 * start-up took about a second on a loaded machine). The first frames of the dashboard and the
 * first key's path (keymap, state machine, React, Ink's layout and output) run as cold code:
 * measured on a 2-CPU machine, the first key cost the UI thread about 35 ms of CPU against 3-10 ms
 * for a later one, and on a loaded machine each ms of CPU is 10-20 ms of wall time. While the
 * worker starts (1-3 s in which the UI thread only shows "waiting for the engine…"), this draws
 * the dashboard of a made-up backfill into a throwaway Ink instance (a fake terminal of the same
 * size, no real output, no commands sent anywhere), feeds it a few snapshots and keys, then
 * unmounts it. Each step is one frame, run in its own macrotask; the warm-up stops early once the
 * real engine is past STARTING (it runs days: the real console's frames and keys come first) or a
 * real key was pressed (ui/index.ts); the STARTING frames of the real console interleave with it.
 *
 * The key path comes first ({@link warmKeyPath}): measured under load, the engine's first snapshot
 * often arrived before the dashboard warm-up reached its keys (each made-up frame costs 10-100 ms of
 * CPU while cold), so the first real key (`p` in bench/console-keys.js) still ran Ink's input parser,
 * the keymap and the state machine cold: about half of its 20-35 ms of UI-thread CPU, against
 * 8-10 ms for later keys. That path draws nothing (a null component), so it is cheap and always
 * runs to the end, before the first made-up frame.
 */
import { EventEmitter } from 'node:events';
import { createElement } from 'react';
import { render, useInput } from 'ink';
import type { BackfillSnapshot, DayCell } from '../contracts/events.js';
import type { UpstreamMetrics } from '../contracts/upstream.js';
import { App } from './App.js';
import { useConsole } from './hooks/use-console.js';
import type { StepContext } from './state.js';
import type { ConsoleSource } from './types.js';

/** A terminal of a given size that swallows what is written. */
class NullTerminal extends EventEmitter {
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(): boolean {
    return true;
  }
}

/** A raw-mode stdin the warm-up types into. */
class FakeKeys extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  type(data: string): void {
    this.data = data;
    this.emit('readable');
  }
  read(): string | null {
    const d = this.data;
    this.data = null;
    return d;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

function upstream(
  upstream: UpstreamMetrics['upstream'],
  inFlight: number,
  cap: number,
  n: number,
): UpstreamMetrics {
  return {
    upstream,
    inFlight,
    cap,
    queued: 40 + n,
    requests: 1000 + 50 * n,
    errors: n % 3,
    counts: { s200: 990 + 50 * n, s204: 2, s472: 8, s429: 0, s5xx: n % 3, timeouts: 0, other: 0 },
    p50Ms: 120 + n,
    p95Ms: 380 + n,
    backingOff: false,
  };
}

/** Weekdays of January and February 2024 (no holidays needed: the picture is made up). */
function weekdays(): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(2024, 0, 2); t <= Date.UTC(2024, 1, 29); t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() > 0 && d.getUTCDay() < 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/**
 * A made-up running backfill, step `n`: days before the n-th finished, the n-th running (R1 in
 * progress), upstream figures and a log tail that change with `n`.
 */
export function warmUpSnapshot(n: number): BackfillSnapshot {
  const dates = weekdays();
  const cur = dates[Math.min(n + 2, dates.length - 1)]!;
  const days: DayCell[] = dates.map((date) => ({
    date,
    status: date < cur ? 'COMPLETE' : date === cur ? 'RUNNING' : 'PENDING',
    hits: date < cur ? 2 : 0,
    baselineOnly: 0,
    ...(date < cur
      ? { proof: 'exhaustive' as const, durationMs: 1200, rules: { r1: 1, r2: 1, r3: 0, r4: 0 } }
      : {}),
  }));
  const done = days.filter((d) => d.status === 'COMPLETE').length;
  const at = Date.UTC(2024, 2, 1, 15, 0, n);
  return {
    seq: n + 1,
    at,
    command: 'backfill',
    start: dates[0]!,
    end: dates[dates.length - 1]!,
    market: 'sim:1',
    db: 'warm-up.db',
    state: 'RUNNING',
    reason: null,
    days,
    done,
    total: days.length,
    current: {
      date: cur,
      mode: 'prefilter',
      stages: [
        { name: 'UNIVERSE', state: 'done', counts: { tickers: 1000 }, durationMs: 40 },
        { name: 'GROUPED', state: 'done', counts: { rows: 1000 }, durationMs: 30 },
        { name: 'R1', state: 'running', counts: { candidates: 120 }, durationMs: null },
        { name: 'R4', state: 'pending', counts: {}, durationMs: null },
      ],
      r1Done: 10 * n,
      r1Total: 120,
      hits: { r1: n, r2: 1, r3: 0, r4: 0 },
      startedAt: at - 900,
    },
    etaMs: 60_000 - 1000 * n,
    daysPerMin: 30,
    rateHistory: [28, 30, 31, 29, 30],
    theta: [upstream('theta_v3', 4, 4, n), upstream('theta_v1', 0, 4, 0)],
    polygon: upstream('polygon', 1, 8, n),
    alerts: [],
    logDate: cur,
    logTail: Array.from(
      { length: 30 },
      (_, i) => `15:00:${String(i + n).padStart(2, '0')} R1 ABC${i} 200 in ${20 + i} ms`,
    ),
    inFlight: 4,
    hits: { r1: done + n, r2: done, r3: 0, r4: 0 },
    queuedCommands: 0,
  };
}

/**
 * Made-up snapshots the warm-up draws, one frame each, before its keys. Measured (a fresh process,
 * the console's App at 120x40, a frame per changed snapshot): the first frames cost 20-90 ms of CPU
 * each and only about the 20th comes down to the 6-10 ms of a warm frame (the JIT compiling React,
 * Ink and the console's components), so a handful of frames left the first real ones, and the
 * first key's frame drawn among them, cold.
 */
export const WARM_UP_SNAPSHOTS = 12;

/** Keys typed by the warm-up, one per step: pause, resume, cursor moves, rerun prompt and no, help and back. */
export const WARM_UP_KEYS = ['p', 'r', 'h', 'l', 'R', 'n', '?', 'q'] as const;

/**
 * Keys typed by {@link warmKeyPath}, in order, each a raw terminal chunk: every key of the console
 * key sequence (bench/console-keys.js) and the prompts they open, ending where it began (dashboard,
 * no prompt, no overlay). Never `s`/`d` in the quit prompt (quit) nor Ctrl+C.
 */
export const KEY_PATH_KEYS = [
  'p', // pause
  'r', // resume
  '\x1b[D', // ←
  '\x1b[C', // →
  '\x1b[A', // ↑
  '\x1b[B', // ↓
  'R', // rerun prompt
  'n', // no
  'v', // validate
  'e', // export (prompt or notice)
  'n',
  '?', // help
  '\x1b[B', // scroll
  'q', // close help
  'q', // quit prompt
  'n', // stay
] as const;

/** Rounds of {@link KEY_PATH_KEYS} typed by {@link warmKeyPath}. */
export const KEY_PATH_ROUNDS = 3;

const KEY_CTX: StepContext = { readOnly: false, logPage: 10, tooSmall: false, logMode: 'stream' };

/** The console's key handling (Ink's input, the controller, keymap and state machine) with nothing drawn. */
function KeyPath({ source }: { source: ConsoleSource }) {
  const { press } = useConsole(source, { onQuit: () => {} });
  useInput((input, key) => press(input, key, KEY_CTX));
  return null;
}

/**
 * Runs the console's whole key path cold-to-warm in a throwaway Ink instance that draws nothing:
 * {@link KEY_PATH_KEYS} typed {@link KEY_PATH_ROUNDS} times through Ink's stdin reader and input
 * parser, `useInput`, the controller's `press`, the keymap and the state machine, on a made-up
 * running backfill (`warmUpSnapshot(1)`). Commands go to a source that drops them; the terminal
 * drops output. Synchronous apart from React's scheduled renders of a null component; never throws.
 * @returns how many commands the typed keys sent (dropped): > 0 shows the path ran (tests).
 */
export function warmKeyPath(columns: number, rows: number): number {
  let instance: ReturnType<typeof render> | null = null;
  let sent = 0;
  try {
    const snap = warmUpSnapshot(1);
    const source: ConsoleSource = {
      current: () => snap,
      subscribe: () => () => {},
      send() {
        sent++;
      },
    };
    const stdin = new FakeKeys();
    instance = render(createElement(KeyPath, { source }), {
      stdout: new NullTerminal(columns, rows) as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      stderr: new NullTerminal(80, 24) as unknown as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 0,
    });
    for (let round = 0; round < KEY_PATH_ROUNDS; round++)
      for (const k of KEY_PATH_KEYS) stdin.type(k);
  } catch {
    // a warm-up must never break the console
  } finally {
    try {
      instance?.unmount();
      instance?.cleanup();
    } catch {
      // as above
    }
  }
  return sent;
}

/** A running warm-up. */
export interface WarmUp {
  /** Resolves when it is over (finished, stopped or failed: a warm-up never throws). */
  done: Promise<void>;
  /** Resolves with the commands {@link warmKeyPath} sent (dropped) once it ran; 0 when stopped before it. */
  keyPath: Promise<number>;
  /** Stop after the current step and unmount. */
  stop(): void;
}

/** Options of {@link startWarmUp}. */
export interface WarmUpOptions {
  columns: number;
  rows: number;
  color: boolean;
  /** Checked before each step: true stops the warm-up (ui/index.ts: the engine is past STARTING, or a real key came). */
  shouldStop?: () => boolean;
}

/**
 * Starts the warm-up (see the module doc): about a dozen frames, one per macrotask, into a
 * throwaway Ink instance. Nothing leaves it: its source drops commands and its terminal drops output.
 */
export function startWarmUp(o: WarmUpOptions): WarmUp {
  let stopped = false;
  let keyPathSent = 0;
  const done = (async () => {
    const listeners = new Set<(s: BackfillSnapshot) => void>();
    let latest = warmUpSnapshot(0);
    const source: ConsoleSource = {
      current: () => latest,
      subscribe(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      send() {},
    };
    const stdout = new NullTerminal(Math.max(80, o.columns), Math.max(24, o.rows));
    const stdin = new FakeKeys();
    const next = (): Promise<void> => new Promise((r) => setImmediate(r));
    const over = (): boolean => stopped || (o.shouldStop?.() ?? false);
    let instance: ReturnType<typeof render> | null = null;
    try {
      await next();
      if (stopped) return;
      // The key path first and always (cheap, nothing drawn): the first real key must not run it cold.
      keyPathSent = warmKeyPath(stdout.columns, stdout.rows);
      await next();
      if (over()) return;
      instance = render(
        createElement(App, {
          source,
          color: o.color,
          readOnly: false,
          onQuit: () => {},
          frameMs: 0,
          busyShare: 0,
        }),
        {
          stdout: stdout as unknown as NodeJS.WriteStream,
          stdin: stdin as unknown as NodeJS.ReadStream,
          stderr: new NullTerminal(80, 24) as unknown as NodeJS.WriteStream,
          exitOnCtrlC: false,
          patchConsole: false,
          maxFps: 0,
        },
      );
      for (let n = 1; n <= WARM_UP_SNAPSHOTS; n++) {
        await next();
        if (over()) return;
        latest = warmUpSnapshot(n);
        for (const l of listeners) l(latest);
      }
      for (const k of WARM_UP_KEYS) {
        await next();
        if (over()) return;
        stdin.type(k);
      }
      await next();
    } catch {
      // a warm-up must never break the console
    } finally {
      try {
        instance?.unmount();
        instance?.cleanup();
      } catch {
        // as above
      }
    }
  })();
  return {
    done,
    keyPath: done.then(() => keyPathSent),
    stop() {
      stopped = true;
    },
  };
}
