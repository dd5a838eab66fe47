/**
 * One-line error messages for operators: the first line of an error's message, trimmed, with
 * secrets (apiKey=, Bearer tokens) redacted. Every "one clear line" in gapctl goes through here.
 */
import { redact } from './redact.js';

/** The first line of `e`'s message (or of String(e) for a non-Error), trimmed and redacted. */
export function errorLine(e: unknown): string {
  const msg =
    e instanceof Error ? e.message : String((e as { message?: unknown } | null)?.message ?? e);
  return redact((msg.split('\n')[0] ?? '').trim());
}

/**
 * A bad command line or a bad command (a flag, a date, a range, a control-socket command that the
 * command line would refuse): printed as one line; the CLI exits with code 2. Defined here, below
 * every layer, so that the CLI (commands/) and the headless runner's control socket (runtime/)
 * throw the same error from the same checks (runtime/input-checks.ts).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
