/**
 * What the console needs from its host (the worker-thread host, or the attach client of a headless
 * runner): snapshots in, commands out. The UI never touches SQL, HTTP or sockets itself.
 */
import type { BackfillSnapshot, ControlCommand } from '../engine/events.js';

/** The console's link to the engine host. */
export interface ConsoleSource {
  /** Subscribe to snapshots (called with the latest snapshot every 100-250 ms); returns unsubscribe. */
  subscribe(listener: (s: BackfillSnapshot) => void): () => void;
  /** Latest snapshot or null before the first. */
  current(): BackfillSnapshot | null;
  /** Send a command to the engine host. */
  send(cmd: ControlCommand): void;
  /** Read the last N lines of the selected day's log file (for day detail / log panel when a non-current day is selected); may return []. */
  readLog?(date: string, lines: number): Promise<string[]>;
}

/** Console options: `color` false draws no colour at all; `bell` rings BEL on a new CRITICAL alert; `readOnly` disables every key that sends a command. */
export interface ConsoleOptions {
  color: boolean;
  bell: boolean;
  readOnly?: boolean;
}

/** How the user left the console: stop the engine, or detach and leave it running. */
export type QuitChoice = 'stop' | 'detach';
