import { createHash } from 'node:crypto';

/** A bounded least-recently-used map; `Map` keeps insertion order, which is the recency order here. */
export class LruCache<V> {
  readonly #max: number;
  readonly #entries = new Map<string, V>();

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`LRU size must be a positive integer: ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** The cached value for `key`, computing and storing it on a miss. */
  getOrCreate(key: string, create: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = create();
    this.set(key, value);
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Cache key of a template: engine plus sha256 of its source. */
export function templateKey(engine: string, source: string): string {
  return `${engine}:${createHash('sha256').update(source).digest('hex')}`;
}
