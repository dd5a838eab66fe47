/**
 * Secret redaction for provider URLs and errors: re-exported from the leaf module util/redact.ts,
 * which the store, the market and the runtime use too.
 */
export { redact, redactSecrets } from '../util/redact.js';
