/**
 * The application's own log, `logs/gapctl.log`: one JSON line per event worth keeping (start-up
 * lines, backfill state changes, alerts-out failures, errors), written by pino:
 * `{"level":"info","time":"2026-11-29T09:00:00.000Z","pid":123,"msg":"[backfill] start ..."}`.
 *
 * - Secrets: pino's `redact` censors structured fields (`apiKey`, `key`, `token`, `webhookUrl`,
 *   `url` query keys are in the message instead), and every message goes through
 *   {@link redactSecrets} (the configured keys and webhook URL, `apiKey=` in URLs, Bearer tokens).
 * - Rotation by size: once the file exceeds {@link APP_LOG_MAX_BYTES} it is renamed gapctl.log.1
 *   (.1 -> .2 -> .3; {@link APP_LOG_KEEP} kept) and a new destination opened.
 *
 * Why pino.destination (SonicBoom, synchronous) rather than pino-roll: the log is written from the
 * engine's worker thread, which ends right after the backfill; a transport thread (pino-roll runs
 * as one) can lose the last lines when its host thread exits, and pino-roll names files
 * gapctl.N.log, while operators (and `tail -F`) expect the stable `logs/gapctl.log`. A synchronous
 * destination also keeps the lines written before a SIGKILL. The volume (a few lines a minute) makes
 * synchronous writes free.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { redactSecrets } from '../util/redact.js';

/** Rotation size, bytes. */
export const APP_LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Rotated files kept. */
export const APP_LOG_KEEP = 3;

/** Structured field paths pino censors as `[REDACTED]` wherever a caller passes them. */
export const APP_LOG_REDACT_PATHS = [
  'apiKey',
  'key',
  'token',
  'webhookUrl',
  'authorization',
  '*.apiKey',
  '*.key',
  '*.token',
  '*.webhookUrl',
  '*.authorization',
  'headers.authorization',
];

/** Options of {@link createAppLog} (tests shrink the rotation). */
export interface AppLogOptions {
  maxBytes?: number;
  keep?: number;
}

/** A line sink: `log(line)` or `log(line, fields)` (fields are merged into the JSON line, redacted). */
export type AppLog = (line: string, fields?: Record<string, unknown>) => void;

/** Lines that read as failures are logged at level warn, the rest at info. */
const WARN_RE = /\b(fail(ed|s|ure)?|error|halted|refused|not delivered)\b/i;

/**
 * Returns a sink that appends JSON lines (pino) to `<dir>/gapctl.log`, secrets redacted, rotating
 * it by size. Never throws: a log that cannot be written is skipped (the log must never take the
 * engine down).
 */
export function createAppLog(
  dir: string,
  secrets: readonly string[] = [],
  o: AppLogOptions = {},
): AppLog {
  const path = join(dir, 'gapctl.log');
  const maxBytes = o.maxBytes ?? APP_LOG_MAX_BYTES;
  const keep = o.keep ?? APP_LOG_KEEP;
  let dest: ReturnType<typeof pino.destination> | null = null;
  let logger: Logger | null = null;
  const open = (): Logger => {
    if (logger) return logger;
    mkdirSync(dir, { recursive: true });
    dest = pino.destination({ dest: path, sync: true, append: true, mkdir: true });
    logger = pino(
      {
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: APP_LOG_REDACT_PATHS, censor: '[REDACTED]' },
      },
      dest,
    );
    return logger;
  };
  const rotate = (): void => {
    if (!existsSync(path) || statSync(path).size <= maxBytes) return;
    for (let i = keep - 1; i >= 1; i--)
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    renameSync(path, `${path}.1`);
    // A fresh destination on the new file (the old one's fd is closed).
    try {
      dest?.flushSync();
      dest?.end();
    } catch {
      // closing the rotated file is best effort
    }
    dest = null;
    logger = null;
  };
  return (line, fields) => {
    try {
      open();
      rotate();
      const l = open();
      const msg = redactSecrets(line, secrets);
      const level = WARN_RE.test(msg) ? 'warn' : 'info';
      if (fields) {
        const clean = JSON.parse(redactSecrets(JSON.stringify(fields), secrets)) as Record<
          string,
          unknown
        >;
        l[level](clean, msg);
      } else l[level](msg);
    } catch {
      // The application log must never take the engine down.
    }
  };
}
