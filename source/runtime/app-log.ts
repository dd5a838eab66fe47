/**
 * The application's own log, `logs/gapctl.log`: one line per event worth keeping (start-up lines,
 * backfill state changes, errors), secrets redacted, rotated by size (gapctl.log.1 .. .3).
 * Written by hand: the needs are a few lines a minute, and no logger library of our stack rotates
 * synchronously without a transport thread of its own.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../util/redact.js';

/** Rotation size, bytes. */
export const APP_LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Rotated files kept. */
export const APP_LOG_KEEP = 3;

/** Returns a sink that appends timestamped, redacted lines to `<dir>/gapctl.log`, rotating it. */
export function createAppLog(dir: string, secrets: readonly string[] = []): (line: string) => void {
  const path = join(dir, 'gapctl.log');
  return (line: string) => {
    try {
      mkdirSync(dir, { recursive: true });
      if (existsSync(path) && statSync(path).size > APP_LOG_MAX_BYTES) {
        for (let i = APP_LOG_KEEP - 1; i >= 1; i--) if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
        renameSync(path, `${path}.1`);
      }
      let text = line;
      for (const s of secrets) if (s && s.length >= 4) text = text.split(s).join('REDACTED');
      appendFileSync(path, `${new Date().toISOString()} ${redact(text)}\n`);
    } catch {
      // The application log must never take the engine down.
    }
  };
}
