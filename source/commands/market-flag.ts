/**
 * The `--market` flag as a usage error: light (the market grammar and the error type only), so the
 * command line's flag check (commands/flag-check.ts) can load it before any command module.
 * commands/common.ts re-exports it.
 */
import { parseMarket, type MarketSpec } from '../runtime/market-spec.js';
import { errorLine, UsageError } from '../util/errors.js';

/**
 * The `--market` value parsed (runtime/market-spec.ts parseMarket), a bad one as a usage error.
 * @throws UsageError `bad --market "sim:-1": expected replay[:PATH], sim[:SEED] or live`
 */
export function marketFlag(value: string): MarketSpec {
  try {
    return parseMarket(value);
  } catch (e) {
    throw new UsageError(errorLine(e));
  }
}
