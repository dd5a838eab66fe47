/**
 * The `--market` value's grammar, in a module light enough for the command line's flag check
 * (commands/flag-check.ts) to load before anything else: `replay[:PATH] | sim[:SEED] | live`.
 * runtime/session.ts re-exports it; this is its one definition.
 */
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_REPLAY_DIR } from '../market/replay/index.js';

/** A parsed `--market` value. */
export type MarketSpec =
  { kind: 'replay'; path: string } | { kind: 'sim'; seed: number } | { kind: 'live' };

/**
 * Parses `replay[:PATH] | sim[:SEED] | live`. PATH is relative to the working directory; `replay`
 * alone is the bundled sample (market/replay DEFAULT_REPLAY_DIR); `sim` alone is seed 1.
 * @throws Error with a one-line message on anything else.
 */
export function parseMarket(spec: string): MarketSpec {
  if (spec === 'live') return { kind: 'live' };
  if (spec === 'replay') return { kind: 'replay', path: DEFAULT_REPLAY_DIR };
  if (spec.startsWith('replay:') && spec.length > 7) {
    const p = spec.slice(7);
    return { kind: 'replay', path: isAbsolute(p) ? p : resolve(p) };
  }
  if (spec === 'sim') return { kind: 'sim', seed: 1 };
  const m = /^sim:(\d{1,9})$/.exec(spec);
  if (m) return { kind: 'sim', seed: Number(m[1]) };
  throw new Error(`bad --market "${spec}": expected replay[:PATH], sim[:SEED] or live`);
}
