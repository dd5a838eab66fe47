/**
 * Runs `gapctl` in a real pseudo-terminal (node-pty) and reads its screen through the emulator of
 * ./screen.ts (@xterm/headless). Waits are on screen conditions with a deadline, checked on every output
 * chunk (no sleeps); {@link PtyConsole.press} measures keypress-to-screen latency as the time from
 * `pty.write(key)` to the output chunk after which the expected text is on the parsed screen (and
 * the frame is complete: chunks that end inside Ink's synchronized update ESC[?2026h..l are not
 * judged, as a terminal would not show them yet).
 *
 * node-pty is injected (`spawn`) and only its types are imported, so bench/console-keys.js can
 * transpile this file and run it outside vitest.
 */
import { join } from 'node:path';
import type { IPty, IPtyForkOptions } from 'node-pty';
import { createScreen, type TerminalScreen } from './screen.js';

/** node-pty's `spawn`. */
export type SpawnPty = (file: string, args: string[], options: IPtyForkOptions) => IPty;

/** A condition on the screen. */
export type ScreenPredicate = (screen: TerminalScreen) => boolean;

/** Options of {@link startConsole}. */
export interface StartConsoleOptions {
  spawn: SpawnPty;
  /** Repository root (working directory; dist/cli.js must be built). */
  root: string;
  /** Temp folder for the state, database, exports, reports and logs of this run. */
  dir: string;
  cols: number;
  rows: number;
  /** Arguments after `node dist/cli.js`. */
  args: string[];
  /** Extra environment on top of {@link consoleEnv}. */
  env?: Record<string, string>;
  /**
   * Run the CLI inside `bash -c` that prints `stty -g` before it and `stty -g` + `stty -a` after it
   * in the same pty (see {@link PtyConsole.ttyProbe}); the exit code is the CLI's.
   */
  ttyProbe?: boolean;
}

/** One measured key press. */
export interface KeyPress {
  /** Key label (`p`, `←`, `y`, ...). */
  key: string;
  /** What was expected on screen. */
  expect: string;
  /** ms from pty.write(key) to the output chunk after which `expect` held on the parsed screen. */
  latencyMs: number;
}

/** What the tty looked like around the CLI (when started with `ttyProbe`). */
export interface TtyProbe {
  /** `stty -g` before and after the CLI ran. */
  before: string | null;
  after: string | null;
  /** Whitespace/`;`-separated tokens of `stty -a` after the CLI ran (`icanon`, `-echo`, ...). */
  flagsAfter: string[];
}

/** A running CLI in a pty. */
export interface PtyConsole {
  readonly screen: TerminalScreen;
  readonly dir: string;
  /** Everything the program wrote, in order. */
  raw(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  hasExited(): boolean;
  /** Most rows the program used on the alternate screen in any state seen (last non-blank row + 1). */
  maxAltRowsUsed(): number;
  /**
   * Resolves (with performance.now() of the satisfying chunk) once `pred` holds; checks now, then
   * after every output chunk that does not end inside a synchronized update (a half-drawn frame). Rejects after `timeoutMs` or when the process exits first, with the
   * screen in the message.
   */
  waitFor(pred: ScreenPredicate, what: string, timeoutMs?: number): Promise<number>;
  /**
   * Writes `data`, then waits for `expect` on a chunk that arrives after the write (it must not
   * hold before: that would measure nothing). Returns the latency.
   */
  press(
    data: string,
    key: string,
    expect: ScreenPredicate,
    what: string,
    timeoutMs?: number,
  ): Promise<KeyPress>;
  /** Resize the pty and the emulator. */
  resize(cols: number, rows: number): void;
  /** The tty probe, parsed from the output (after exit). */
  ttyProbe(): TtyProbe;
  /** Kill the process (and its children) if it still runs; resolves once it has exited. */
  kill(): Promise<void>;
}

/** Key bytes: arrows follow the application-cursor-keys mode of the screen. */
export const KEYS = {
  left: (s: TerminalScreen) => (s.appCursorKeys ? '\x1bOD' : '\x1b[D'),
  right: (s: TerminalScreen) => (s.appCursorKeys ? '\x1bOC' : '\x1b[C'),
  up: (s: TerminalScreen) => (s.appCursorKeys ? '\x1bOA' : '\x1b[A'),
  down: (s: TerminalScreen) => (s.appCursorKeys ? '\x1bOB' : '\x1b[B'),
  backspace: '\x7f',
  enter: '\r',
  ctrlC: '\x03',
} as const;

/**
 * The environment of a console run: the parent's environment without `CI` (CI=true forces plain
 * mode), `NO_COLOR`, `NODE_ENV` and `VITEST*` (the test runner's), every gapctl folder and the database inside `dir`, an emulated Theta latency of 20 ms (so
 * a simulated day takes about a second), TERM=xterm-256color.
 */
export function consoleEnv(
  dir: string,
  extra: Record<string, string> = {},
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  delete env.CI;
  delete env.NO_COLOR;
  delete env.GAPCTL_PTY_METRICS;
  // run as an operator would: vitest sets NODE_ENV=test (React's slower development build) and VITEST*
  delete env.NODE_ENV;
  for (const k of Object.keys(env)) if (k.startsWith('VITEST')) delete env[k];
  return {
    ...env,
    GAPCTL_STATE_DIR: join(dir, 'project_state'),
    GAPCTL_DB: join(dir, 'scanner.db'),
    GAPCTL_EXPORT_DIR: join(dir, 'exports'),
    GAPCTL_REPORTS_DIR: join(dir, 'reports'),
    GAPCTL_LOG_DIR: join(dir, 'logs'),
    EMU_THETA_LATENCY_MS: '20',
    TERM: 'xterm-256color',
    ...extra,
  };
}

const PROBE_SCRIPT = [
  'printf "\\n@@STTY_BEFORE %s@@\\n" "$(stty -g)"',
  '"$@"',
  'rc=$?',
  'printf "\\n@@STTY_AFTER %s@@\\n" "$(stty -g)"',
  'printf "@@STTY_A\\n"; stty -a; printf "@@END_STTY_A\\n"',
  'exit $rc',
].join('; ');

/** Process groups of ptys still running: killed when this process exits, so a crashed test leaves none behind. */
const live = new Set<number>();
let exitHookInstalled = false;
function trackLive(pid: number): void {
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) {
      try {
        process.kill(-p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Starts `node dist/cli.js <args>` in a pty of `cols` x `rows`. */
export function startConsole(o: StartConsoleOptions): PtyConsole {
  const screen = createScreen(o.cols, o.rows);
  const env = consoleEnv(o.dir, o.env);
  const cli = [process.execPath, join(o.root, 'dist/cli.js'), ...o.args];
  const [file, args] = o.ttyProbe
    ? ['bash', ['-c', PROBE_SCRIPT, 'bash', ...cli]]
    : [cli[0], cli.slice(1)];
  const pty = o.spawn(file as string, args as string[], {
    name: 'xterm-256color',
    cols: o.cols,
    rows: o.rows,
    cwd: o.root,
    env,
  });
  trackLive(pty.pid);
  const chunks: string[] = [];
  const listeners = new Set<(now: number) => void>();
  let exitInfo: { exitCode: number; signal?: number } | null = null;
  const exitListeners = new Set<() => void>();
  /** Resolves once every chunk received so far is parsed. */
  let parsedAll: Promise<void> = Promise.resolve();
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => {
    pty.onExit((e) => {
      live.delete(pty.pid);
      // the screen shows the program's last output before the exit is reported
      void parsedAll.then(() => {
        exitInfo = e;
        resolve(e);
        for (const l of [...exitListeners]) l();
      });
    });
  });
  let maxAltRows = 0;
  pty.onData((d) => {
    const now = performance.now();
    chunks.push(d);
    // the emulator parses asynchronously; the callback sees the screen exactly as this chunk left it
    parsedAll = screen.write(d, () => {
      // mid-frame (inside ESC[?2026h .. l) the screen is half drawn: a real terminal shows it only at the end
      if (screen.syncing) return;
      if (screen.altScreen) maxAltRows = Math.max(maxAltRows, screen.lastUsedRow() + 1);
      for (const l of [...listeners]) l(now);
    });
  });

  const dump = (): string =>
    screen
      .lines()
      .map((l, i) => `${String(i).padStart(2)}|${l}`)
      .join('\n');

  function waitFor(
    pred: ScreenPredicate,
    what: string,
    timeoutMs = 20_000,
    skipNow = false,
  ): Promise<number> {
    if (!skipNow && pred(screen)) return Promise.resolve(performance.now());
    return new Promise<number>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(onChunk);
        exitListeners.delete(onExit);
      };
      const onChunk = (now: number): void => {
        if (!pred(screen)) return;
        done();
        resolve(now);
      };
      const onExit = (): void => {
        done();
        reject(
          new Error(
            `process exited (code ${exitInfo?.exitCode}) while waiting for: ${what}\nscreen:\n${dump()}`,
          ),
        );
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for: ${what}\nscreen:\n${dump()}`),
        );
      }, timeoutMs);
      listeners.add(onChunk);
      if (exitInfo) onExit();
      else exitListeners.add(onExit);
    });
  }

  async function press(
    data: string,
    key: string,
    expect: ScreenPredicate,
    what: string,
    timeoutMs = 20_000,
  ): Promise<KeyPress> {
    if (expect(screen))
      throw new Error(
        `before pressing ${key}: "${what}" already holds, nothing to measure\nscreen:\n${dump()}`,
      );
    const t0 = performance.now();
    const p = waitFor(expect, `${what} (after pressing ${key})`, timeoutMs, true);
    pty.write(data);
    const t1 = await p;
    return { key, expect: what, latencyMs: Math.round((t1 - t0) * 10) / 10 };
  }

  function ttyProbe(): TtyProbe {
    const text = chunks.join('').replace(/\r/g, '');
    const before = /@@STTY_BEFORE ([^@\n]*)@@/.exec(text)?.[1] ?? null;
    const after = /@@STTY_AFTER ([^@\n]*)@@/.exec(text)?.[1] ?? null;
    const a = /@@STTY_A\n([\s\S]*?)@@END_STTY_A/.exec(text)?.[1] ?? '';
    return { before, after, flagsAfter: a.split(/[\s;]+/).filter(Boolean) };
  }

  async function kill(): Promise<void> {
    if (exitInfo) return;
    try {
      // the pty's process group: the shell and the CLI under it
      process.kill(-pty.pid, 'SIGKILL');
    } catch {
      try {
        pty.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  return {
    screen,
    dir: o.dir,
    raw: () => chunks.join(''),
    exited,
    hasExited: () => exitInfo !== null,
    maxAltRowsUsed: () => maxAltRows,
    waitFor: (pred, what, timeoutMs) => waitFor(pred, what, timeoutMs),
    press,
    resize: (cols, rows) => {
      pty.resize(cols, rows);
      screen.resize(cols, rows);
    },
    ttyProbe,
    kill,
  };
}
