/**
 * A Map that keeps its latest `limit` entries: setting a new key beyond the limit drops the oldest one. Setting a key
 * already kept updates it in place (it keeps its age); `touch` makes a kept key the latest (least recently used
 * order, for a cache whose hits should stay). The one bounded "keep the latest N" map of the project (feature, query,
 * value-row and search-input caches; the server's traces).
 */
export class RecentMap<K, V> extends Map<K, V> {
  /** The most entries kept. */
  readonly limit: number;

  constructor(limit: number) {
    super();
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`RecentMap limit must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    if (this.size > this.limit) this.delete(this.keys().next().value as K);
    return this;
  }

  /** The value of `key`, which becomes the latest entry; undefined (and nothing moved) when it is not kept. */
  touch(key: K): V | undefined {
    if (!this.has(key)) return undefined;
    const value = this.get(key) as V;
    this.delete(key);
    super.set(key, value);
    return value;
  }
}
