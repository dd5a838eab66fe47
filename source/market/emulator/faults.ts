/**
 * Deterministic fault dice for the emulator: a mulberry32 PRNG seeded from (seed, family, canonical
 * request key, occurrence number of that key). Deterministic across runs and independent of how
 * concurrent requests for different URLs interleave.
 */

import { fnv1a, mulberry32 } from '../../util/prng.js';

export { fnv1a, mulberry32 };

/**
 * Hands out one PRNG per request. `roll(family, key)` counts how many times `key` was rolled in
 * that family and seeds mulberry32 with hash(seed|family|key|n): the n-th ask of the same URL always
 * gets the same draws.
 */
export class FaultDice {
  private readonly counters = new Map<string, number>();

  /** @param seed any integer (the emulator's `seed` option). */
  constructor(private readonly seed: number) {}

  /** A fresh generator for this occurrence of `key` in `family` (e.g. `polygon`, `v3`, `v1`). */
  roll(family: string, key: string): () => number {
    const k = `${family}|${key}`;
    const n = this.counters.get(k) ?? 0;
    if (this.counters.size > 1_000_000) this.counters.clear();
    this.counters.set(k, n + 1);
    return mulberry32(fnv1a(`${this.seed}|${k}|${n}`));
  }
}

/** Draws `count` uniforms in a fixed order, so switching one probability never shifts the others. */
export function draws(rng: () => number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(rng());
  return out;
}
