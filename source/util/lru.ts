/**
 * A Map that keeps at most `max` entries, evicting the least recently used (reads refresh an
 * entry). Used for bounded per-day caches (replay market days, recently scanned bars).
 */
export class LruMap<K, V> extends Map<K, V> {
  /** @param max the most entries kept (>= 1). */
  constructor(private readonly max: number) {
    super();
  }

  /** The value of `key` (marking it most recently used), or undefined. */
  override get(key: K): V | undefined {
    if (!super.has(key)) return undefined;
    const v = super.get(key)!;
    super.delete(key);
    super.set(key, v);
    return v;
  }

  /** Sets `key` as most recently used, evicting the least recently used beyond `max`. */
  override set(key: K, value: V): this {
    if (super.has(key)) super.delete(key);
    super.set(key, value);
    while (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}
