/**
 * What the console needs from its host (the worker-thread host, or the attach client of a headless
 * runner): snapshots in, commands out, and per-day data read where it lives. The UI never touches
 * SQL, HTTP or sockets itself.
 */
import type {
  BackfillSnapshot,
  ControlCommand,
  DayDetailData,
  HealthReport,
} from '../contracts/events.js';

/** The console's link to the engine host. */
export interface ConsoleSource {
  /** Subscribe to snapshots (called with the latest snapshot every 100-250 ms); returns unsubscribe. */
  subscribe(listener: (s: BackfillSnapshot) => void): () => void;
  /** Latest snapshot or null before the first. */
  current(): BackfillSnapshot | null;
  /** Send a command to the engine host. */
  send(cmd: ControlCommand): void;
  /** Read the last N lines of a day's `scan_<date>.log` once (used when `watchLog` is absent); may return []. */
  readLog?(date: string, lines: number): Promise<string[]>;
  /**
   * Follow a day's `scan_<date>.log` (chokidar in the host): `listener` gets the last lines first
   * (`reset` true, maybe none), then each batch of appended lines; returns a function that stops.
   */
  watchLog?(date: string, listener: (lines: string[], reset: boolean) => void): () => void;
  /** The stored detail of a day (read by the host from SQLite and project_state/); rejects with a one-line Error. */
  readDayDetail?(date: string): Promise<DayDetailData>;
  /**
   * Run the production health checks (`gapctl health`) where the engine lives (the host does the
   * HTTP and SQL) and resolve with the report; rejects with a one-line Error when they cannot run.
   * Absent: the health overlay says the checks are not available here.
   */
  checkHealth?(): Promise<HealthReport>;
}

/** Console options: `color` false draws no colour at all; `bell` rings BEL on a new CRITICAL alert; `readOnly` disables every key that sends a command. */
export interface ConsoleOptions {
  color: boolean;
  bell: boolean;
  readOnly?: boolean;
}

/** How the user left the console: stop the engine, or detach and leave it running. */
export type QuitChoice = 'stop' | 'detach';
