import { createHash } from 'node:crypto';

interface Entry<V> {
  value: V;
  /** Recency tick of the last `get`/`set`; the smallest is evicted first. */
  used: number;
}

/**
 * A bounded least-recently-used map. A hit only stamps its entry with a tick (no re-insertion into
 * the map, which cost more than the render it served); a full cache evicts the entry with the oldest
 * stamp, found by a scan that runs only when a new template has just been compiled.
 */
export class LruCache<V> {
  readonly #max: number;
  readonly #entries = new Map<string, Entry<V>>();
  #tick = 0;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`LRU size must be a positive integer: ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = ++this.#tick;
    return entry.value;
  }

  set(key: string, value: V): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.used = ++this.#tick;
      return;
    }
    if (this.#entries.size >= this.#max) this.#evictOldest();
    this.#entries.set(key, { value, used: ++this.#tick });
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

  #evictOldest(): void {
    let oldestKey: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.#entries) {
      if (entry.used < oldest) {
        oldest = entry.used;
        oldestKey = key;
      }
    }
    if (oldestKey !== undefined) this.#entries.delete(oldestKey);
  }
}

/** Cache key of a template: engine plus sha256 of its source. */
export function templateKey(engine: string, source: string): string {
  return `${engine}:${createHash('sha256').update(source).digest('hex')}`;
}
