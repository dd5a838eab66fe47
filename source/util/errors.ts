/**
 * One-line error messages for operators: the first line of an error's message, trimmed, with
 * secrets (apiKey=, Bearer tokens) redacted. Every "one clear line" in gapctl goes through here.
 */
import { redact } from './redact.js';

/** The first line of `e`'s message (or of String(e) for a non-Error), trimmed and redacted. */
export function errorLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String((e as { message?: unknown } | null)?.message ?? e);
  return redact((msg.split('\n')[0] ?? '').trim());
}
