/**
 * Deterministic hashing and pseudo-random helpers for the simulated market (`sim`).
 *
 * Every random-looking value of the simulated market is a pure function of integers (the seed, a
 * ticker key, a day number, a salt) through {@link hash4}; sequences (ticker names, one day's trade
 * prints, an event plan) come from {@link mulberry32} seeded by such a hash. Nothing here reads
 * the clock or `Math.random`, so the same seed gives the same data byte for byte.
 */

/** murmur3 32-bit finaliser: a bijection on uint32 with good avalanche. Returns a uint32. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hash of four integers (each taken modulo 2^32) to a uint32. Injective in each argument when the
 * others are fixed; used as `hash4(seedMix, tickerKey, dayNumber, salt)`.
 */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = fmix32((a ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ Math.imul(b | 0, 0xcc9e2d51)) >>> 0);
  h = fmix32((h + Math.imul(c | 0, 0x1b873593)) >>> 0);
  h = fmix32((h ^ Math.imul(d | 0, 0xe6546b64)) >>> 0);
  return h;
}

/** A uint32 mapped to a uniform number in [0, 1). */
export function u01(h: number): number {
  return (h >>> 0) / 4294967296;
}

/** Uniform in [0, 1) from {@link hash4}. */
export function uh(a: number, b: number, c: number, d: number): number {
  return hash4(a, b, c, d) / 4294967296;
}

/** FNV-1a of a string, finalised with {@link fmix32}. Returns a uint32. */
export function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * Mixes a user seed (any non-negative safe integer) into a uint32 used as the first argument of
 * every {@link hash4} call.
 */
export function seedMix(seed: number): number {
  const lo = seed % 4294967296;
  const hi = Math.floor(seed / 4294967296);
  return fmix32((lo ^ fmix32((hi + 0x5bd1e995) >>> 0)) >>> 0);
}

export { mulberry32 } from '../../util/prng.js';

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
 * `u` is clamped to [1e-12, 1 - 1e-12]; returns a standard normal deviate.
 */
export function invNorm(u: number): number {
  const p = u < 1e-12 ? 1e-12 : u > 1 - 1e-12 ? 1 - 1e-12 : u;
  const a1 = -3.969683028665376e1,
    a2 = 2.209460984245205e2,
    a3 = -2.759285104469687e2;
  const a4 = 1.38357751867269e2,
    a5 = -3.066479806614716e1,
    a6 = 2.506628277459239;
  const b1 = -5.447609879822406e1,
    b2 = 1.615858368580409e2,
    b3 = -1.556989798598866e2;
  const b4 = 6.680131188771972e1,
    b5 = -1.328068155288572e1;
  const c1 = -7.784894002430293e-3,
    c2 = -3.223964580411365e-1,
    c3 = -2.400758277161838;
  const c4 = -2.549732539343734,
    c5 = 4.374664141464968,
    c6 = 2.938163982698783;
  const d1 = 7.784695709041462e-3,
    d2 = 3.224671290700398e-1,
    d3 = 2.445134137142996,
    d4 = 3.754408661907416;
  const plow = 0.02425;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) /
      ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
    );
  }
  if (p > 1 - plow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) /
      ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q) /
    (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1)
  );
}

/** Standard normal deviate from {@link hash4}, clipped to [-clip, clip]. */
export function nh(a: number, b: number, c: number, d: number, clip = 4): number {
  const z = invNorm(uh(a, b, c, d));
  return z > clip ? clip : z < -clip ? -clip : z;
}

/** A small bounded-size memo: a Map that is cleared when it grows past `max` entries. */
export class BoundedMap<K, V> {
  private readonly m = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    return this.m.get(k);
  }
  has(k: K): boolean {
    return this.m.has(k);
  }
  set(k: K, v: V): void {
    if (this.m.size >= this.max) this.m.clear();
    this.m.set(k, v);
  }
}

/** A least-recently-used cache of at most `max` entries (Map insertion order as recency). */
export class Lru<K, V> {
  private readonly m = new Map<K, V>();
  constructor(private readonly max: number) {}
  /** Entries kept now (at most `max`). */
  get size(): number {
    return this.m.size;
  }
  get(k: K): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    if (this.m.has(k)) this.m.delete(k);
    else if (this.m.size >= this.max) {
      const first = this.m.keys().next();
      if (!first.done) this.m.delete(first.value);
    }
    this.m.set(k, v);
  }
}
