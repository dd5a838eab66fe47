/**
 * Deterministic fault dice for the emulator: a mulberry32 PRNG seeded from (seed, family, canonical
 * request key, occurrence number of that key). Deterministic across runs and independent of how
 * concurrent requests for different URLs interleave.
 */

/** mulberry32: a tiny 32-bit PRNG; returns a generator of uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

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
