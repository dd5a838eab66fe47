/**
 * Secret redaction for anything shown to a human or written to a file: URLs, error messages, logs.
 */

const KEY_PARAM_RE = /([?&](?:apiKey|apikey|api_key|token|key)=)[^&#\s"']*/gi;
const BEARER_RE = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

/**
 * Replaces the value of `apiKey=` (and `api_key=`, `apikey=`, `token=`, `key=`) query parameters
 * and Bearer tokens in any text with `REDACTED`. Idempotent.
 */
export function redact(text: string): string {
  return text.replace(KEY_PARAM_RE, '$1REDACTED').replace(BEARER_RE, '$1REDACTED');
}

/**
 * Redacts the given literal secrets (e.g. the configured API keys) wherever they appear, then
 * applies {@link redact}. Empty secrets are ignored.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('REDACTED');
  return redact(out);
}
