/**
 * Entry of the interactive console (Ink 6 + React 19): renders {@link App} in the alternate screen
 * and resolves when the user quits. Ink 6 has no alternate-screen option, so the escape sequences
 * (`ESC[?1049h` / `ESC[?1049l`) are written here and undone on quit, on SIGINT/SIGTERM/SIGHUP and on
 * process exit. Ctrl+C is handled by the App like `q` (Ink's exitOnCtrlC is off). With
 * GAPCTL_UI_METRICS=<path> the console writes its figures (frames, fps, UI-thread event-loop
 * utilisation, CPU) there as JSON when it ends (see ui/metrics.ts).
 */
// First: React's build is chosen when react loads (this file has no JSX, so no jsx-runtime import comes before it).
import './production-mode.js';
import { createElement } from 'react';
import { render } from 'ink';
import { App } from './App.js';
import type { BackfillSnapshot } from '../contracts/events.js';
import type { ConsoleOptions, ConsoleSource, QuitChoice } from './types.js';
import { startUiMetrics } from './metrics.js';
import { installInkLineCache } from './ink-cache.js';
import { startWarmUp } from './warm-up.js';

// Ink's parse of each frame's lines is kept across frames (most lines do not change); see ink-cache.ts.
await installInkLineCache();

export type { ConsoleOptions, ConsoleSource, QuitChoice } from './types.js';
export { colorEnabled } from './theme.js';

/** Enter the alternate screen and move the cursor home. */
export const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
/** Show the cursor and leave the alternate screen. */
export const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';
/**
 * Frames per second at most for data (docs/console.md "Modes": about 12): snapshots and log lines arriving
 * sooner are folded into the next frame. A key is drawn at once (its frame is not held back by the
 * cap: keypress to screen is the time of one frame).
 */
export const MAX_FPS = 12;
/**
 * Share of the UI thread that data frames may take (issue 13: the UI thread busy at most 10%
 * during a backfill; the rest of its work, snapshots and log lines, needs some too): on a slow or
 * busy machine data is drawn less often (down to one frame a second), keys never wait for it.
 */
export const DATA_BUSY_SHARE = 0.07;
/**
 * Input first, ms: after a key, data frames wait this long since the end of the key's frame, so
 * keys typed in a row (arrows held down, R then y) are not held back behind a data frame drawn
 * between them (each key's frame shows the latest data anyway); see use-console.ts keyQuietMs.
 */
export const KEY_QUIET_MS = 150;
/**
 * Ink's own render throttle, fps: 0 = none (Ink draws each React commit at once), so that the
 * console's frame cap ({@link MAX_FPS}, applied to data in use-console.ts) is the only one and a
 * key's frame never waits for a throttle's trailing edge.
 */
export const INK_MAX_FPS = 0;

/** Something that delivers process signals (`process`, or an EventEmitter in tests). */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'exit', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'exit', listener: () => void): unknown;
}

/** Streams and switches of {@link mountConsole}. */
export interface ConsoleIo {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  /** Where signals come from; default `process`. */
  signals?: SignalSource;
  /** Use the alternate screen; default `stdout.isTTY`. */
  alternateScreen?: boolean;
  /** Ink debug mode (every frame written in full; for tests). */
  debug?: boolean;
  /** Let Ink take over console.log while it draws; default true unless `debug` (tests whose console cannot be patched say false). */
  patchConsole?: boolean;
  /** Write UI figures (frames, fps, event-loop utilisation, CPU) as JSON here on exit; default env GAPCTL_UI_METRICS. */
  metricsPath?: string;
  /**
   * Warm the console's code up while it waits for the engine to run days (ui/warm-up.ts: frames of a
   * made-up backfill into a throwaway Ink instance), so the first key after start-up is not run
   * cold; default: on for the process's own terminal (stdout is process.stdout and a TTY), off in debug.
   */
  warmUp?: boolean;
}

/** True once the engine is past STARTING (a snapshot in any other state): the warm-up then stops. */
export function engineBusy(s: BackfillSnapshot | null): boolean {
  return s !== null && s.state !== 'STARTING';
}

/** A mounted console. */
export interface MountedConsole {
  /** Resolves once with how the console ended. */
  done: Promise<{ quit: QuitChoice }>;
  /** End it from outside (restores the terminal; resolves `done` with `choice`). */
  close(choice: QuitChoice): void;
}

/**
 * Mounts the console on the given streams. Signals end it: SIGINT and SIGTERM with `stop`, SIGHUP
 * (the SSH link dropped) with `detach`; the terminal is restored (raw mode off, cursor shown,
 * alternate screen left) before `done` resolves.
 */
export function mountConsole(
  source: ConsoleSource,
  opts: ConsoleOptions,
  io: ConsoleIo,
): MountedConsole {
  const signals: SignalSource = io.signals ?? process;
  const alt = io.alternateScreen ?? io.stdout.isTTY === true;
  let resolveDone!: (v: { quit: QuitChoice }) => void;
  const done = new Promise<{ quit: QuitChoice }>((r) => {
    resolveDone = r;
  });
  let finished = false;
  let inAlt = false;
  const leaveAlt = (): void => {
    if (inAlt) {
      inAlt = false;
      io.stdout.write(LEAVE_ALT_SCREEN);
    }
  };
  const onSigint = (): void => finish('stop');
  const onSigterm = (): void => finish('stop');
  const onSighup = (): void => finish('detach');
  const onExit = (): void => leaveAlt();
  if (alt) {
    io.stdout.write(ENTER_ALT_SCREEN);
    inAlt = true;
  }
  signals.on('SIGINT', onSigint);
  signals.on('SIGTERM', onSigterm);
  signals.on('SIGHUP', onSighup);
  signals.on('exit', onExit);
  const bell =
    opts.bell && io.stdout.isTTY === true ? () => void io.stdout.write('\x07') : undefined;
  // A real key ends the warm-up (its frames must not come before the key's).
  let keyed = false;
  const metricsPath = io.metricsPath ?? process.env.GAPCTL_UI_METRICS;
  const metrics = metricsPath ? startUiMetrics(io.stdout, metricsPath) : null;
  const instance = render(
    createElement(App, {
      source,
      color: opts.color,
      readOnly: opts.readOnly ?? false,
      onQuit: (q: QuitChoice) => setImmediate(() => finish(q)),
      onCriticalAlert: bell,
      onKey: () => {
        keyed = true;
      },
      frameMs: io.debug ? 0 : Math.ceil(1000 / MAX_FPS),
      busyShare: io.debug ? 0 : DATA_BUSY_SHARE,
      keyQuietMs: io.debug ? 0 : KEY_QUIET_MS,
    }),
    {
      stdout: io.stdout,
      stdin: io.stdin,
      stderr: io.stderr,
      exitOnCtrlC: false,
      maxFps: INK_MAX_FPS,
      patchConsole: io.patchConsole ?? !io.debug,
      debug: io.debug ?? false,
      onRender: metrics ? (m) => metrics.onRender(m) : undefined,
    },
  );
  const warm =
    (io.warmUp ?? (io.stdout === process.stdout && io.stdout.isTTY === true)) &&
    !io.debug &&
    source.current() === null
      ? startWarmUp({
          columns: io.stdout.columns ?? 80,
          rows: io.stdout.rows ?? 24,
          color: opts.color,
          // Not at the engine's first snapshot (STARTING: it opens the store and market, the console only
          // shows that) but once it runs days, so the warm-up gets its frames in (see warm-up.ts).
          shouldStop: () => finished || keyed || engineBusy(source.current()),
        })
      : null;
  function finish(choice: QuitChoice): void {
    if (finished) return;
    finished = true;
    warm?.stop();
    try {
      instance.unmount();
      instance.cleanup();
    } finally {
      metrics?.finish();
      leaveAlt();
      signals.off('SIGINT', onSigint);
      signals.off('SIGTERM', onSigterm);
      signals.off('SIGHUP', onSighup);
      signals.off('exit', onExit);
      resolveDone({ quit: choice });
    }
  }
  return { done, close: finish };
}

/** Renders the console in the alternate screen; resolves when the user quits (with what they chose: 'stop' | 'detach') or the run ends and the user presses q. */
export function runConsole(
  source: ConsoleSource,
  opts: ConsoleOptions,
): Promise<{ quit: 'stop' | 'detach' }> {
  return mountConsole(source, opts, {
    stdout: process.stdout,
    stdin: process.stdin,
    stderr: process.stderr,
  }).done;
}
