/**
 * A least-recently-used map bounded by bytes: each entry has a size, and inserting past the
 * budget evicts the oldest entries first. An entry larger than the whole budget is not kept.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; size: number }>()
  private used = 0

  constructor(
    readonly maxBytes: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  /** Bytes held. */
  get bytes(): number {
    return this.used
  }

  get size(): number {
    return this.entries.size
  }

  /** The value, made the most recently used. */
  get(key: string): V | undefined {
    const e = this.entries.get(key)
    if (e === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, e)
    return e.value
  }

  /** The value without touching its recency. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  /** Stores `value` as the most recent; returns false when it is larger than the budget (and not kept). */
  set(key: string, value: V, size: number): boolean {
    this.delete(key)
    if (size > this.maxBytes) return false
    this.entries.set(key, { value, size })
    this.used += size
    for (const [k, e] of this.entries) {
      if (this.used <= this.maxBytes) break
      this.entries.delete(k)
      this.used -= e.size
      this.onEvict?.(k, e.value)
    }
    return true
  }

  delete(key: string): boolean {
    const e = this.entries.get(key)
    if (e === undefined) return false
    this.entries.delete(key)
    this.used -= e.size
    return true
  }

  clear(): void {
    this.entries.clear()
    this.used = 0
  }

  /** Keys from least to most recently used. */
  keys(): IterableIterator<string> {
    return this.entries.keys()
  }
}
