/** Latency percentiles of one kind of operation, in milliseconds. */
export interface LatencySummary {
  readonly count: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

/**
 * The last `capacity` latencies of an operation, in a ring: percentiles describe recent
 * behaviour in bounded memory, however long the process runs. `count` is every sample.
 */
export class LatencyWindow {
  private readonly ring: Float64Array
  private next = 0
  private filled = 0
  count = 0
  max = 0

  constructor(capacity = 1024) {
    this.ring = new Float64Array(capacity)
  }

  add(ms: number): void {
    this.ring[this.next] = ms
    this.next = (this.next + 1) % this.ring.length
    this.filled = Math.min(this.filled + 1, this.ring.length)
    this.count++
    if (ms > this.max) this.max = ms
  }

  summary(): LatencySummary {
    const sorted = this.ring.slice(0, this.filled).sort()
    const at = (q: number) => (this.filled === 0 ? 0 : sorted[Math.min(this.filled - 1, Math.ceil(q * this.filled) - 1)]!)
    return { count: this.count, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: this.max }
  }
}
