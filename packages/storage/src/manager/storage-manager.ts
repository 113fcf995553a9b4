import { isStream, rangeWithin, streamOf } from '../bytes.js'
import { StorageError } from '../errors.js'
import type { DeleteOptions, GetOptions, ListOptions, ListPage, ObjectInfo, PutBody, PutOptions, RequestOptions, StorageBackend } from '../types.js'
import { backoffDelay, sleep, type RetryOptions } from './backoff.js'
import { LatencyWindow, type LatencySummary } from './latency.js'
import { ByteLru } from './lru.js'

/** Options of {@link StorageManager}. */
export interface StorageManagerOptions {
  /**
   * Cache whole objects read or written through the manager, least recently used first out,
   * within `maxBytes` (objects over `maxObjectBytes`, default a quarter of it, pass by).
   * With `revalidate`, a hit costs a `stat` to check the ETag (for keys other writers
   * change); without it, hits are served as cached (for immutable keys, such as a
   * `ContentStore`'s blobs, or a single writer). Default: no cache.
   */
  readonly cache?: { readonly maxBytes: number; readonly maxObjectBytes?: number; readonly revalidate?: boolean }
  /** Retries of calls that failed with `E_UNAVAILABLE` or `E_TIMEOUT` (exponential backoff, full jitter). */
  readonly retry?: RetryOptions
  /** Each attempt's time limit, in ms (default 30 s; 0 for none): `E_TIMEOUT`. */
  readonly timeoutMs?: number
  /** (Tests.) The random source of the jitter. */
  readonly random?: () => number
}

/** Counters of a {@link StorageManager}, since it was made or `resetStats` was called. */
export interface StorageStats {
  /** Calls made to the manager. */
  readonly requests: number
  /** `get`s served from the cache / not. */
  readonly hits: number
  readonly misses: number
  /** Attempts repeated after `E_UNAVAILABLE` or `E_TIMEOUT`. */
  readonly retries: number
  /** Calls that failed (after their retries). */
  readonly errors: number
  /** Attempts that hit the time limit. */
  readonly timeouts: number
  /** Bytes returned by `get` (cache hits included) and given to `put`. */
  readonly bytesRead: number
  readonly bytesWritten: number
  /** What the cache holds now. */
  readonly cachedBytes: number
  readonly cachedObjects: number
  /** Latency of whole calls (retries included), by operation, in ms. */
  readonly latency: Readonly<Record<Operation, LatencySummary>>
}

type Operation = 'has' | 'stat' | 'get' | 'getStream' | 'put' | 'delete' | 'list'
const OPERATIONS: readonly Operation[] = ['has', 'stat', 'get', 'getStream', 'put', 'delete', 'list']

interface Cached {
  readonly bytes: Uint8Array
  readonly info: ObjectInfo
}

/**
 * Any backend, with what production use needs around it: a byte-bounded LRU cache, retries
 * with exponential backoff and jitter for `E_UNAVAILABLE` (and attempts that time out),
 * per-attempt timeouts, and stats (hits, misses, bytes, latency percentiles). It is itself a
 * `StorageBackend`, so it goes wherever a backend does.
 *
 * Retried: every read; writes whose body is bytes (a stream cannot be replayed). A write that
 * timed out may still have happened: a retried `ifNoneMatch` write can then report
 * `E_CONFLICT` for its own first attempt.
 *
 * @example
 * ```ts
 * const storage = new StorageManager(s3Backend({ ... }), { cache: { maxBytes: 512 << 20 }, retry: { retries: 5 }, timeoutMs: 10_000 })
 * const bytes = await storage.get('models/bert.torshpkg')
 * console.log(storage.stats().latency.get.p99)
 * ```
 */
export class StorageManager implements StorageBackend {
  readonly name: string
  readonly writable: boolean
  /** The wrapped backend's (a manager adds no atomicity of its own). */
  readonly conditionalWrites: 'atomic' | 'process'
  private readonly cache: ByteLru<Cached> | undefined
  private readonly maxObjectBytes: number
  private readonly revalidate: boolean
  private readonly timeoutMs: number
  private readonly random: () => number
  private counters = { requests: 0, hits: 0, misses: 0, retries: 0, errors: 0, timeouts: 0, bytesRead: 0, bytesWritten: 0 }
  private latencies = newLatencies()

  constructor(
    readonly backend: StorageBackend,
    private readonly options: StorageManagerOptions = {},
  ) {
    this.name = `manager(${backend.name})`
    this.writable = backend.writable
    this.conditionalWrites = backend.conditionalWrites ?? 'atomic'
    const c = options.cache
    if (c !== undefined && !(c.maxBytes >= 0)) throw new StorageError('E_ARGUMENT', 'StorageManager: cache.maxBytes must be a non-negative number')
    this.cache = c === undefined ? undefined : new ByteLru<Cached>(c.maxBytes)
    this.maxObjectBytes = c?.maxObjectBytes ?? (c === undefined ? 0 : c.maxBytes / 4)
    this.revalidate = c?.revalidate === true
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.random = options.random ?? Math.random
  }

  /** Counters and latency percentiles (see {@link StorageStats}). */
  stats(): StorageStats {
    const latency = {} as Record<Operation, LatencySummary>
    for (const op of OPERATIONS) latency[op] = this.latencies[op].summary()
    return { ...this.counters, cachedBytes: this.cache?.bytes ?? 0, cachedObjects: this.cache?.size ?? 0, latency }
  }

  resetStats(): void {
    this.counters = { requests: 0, hits: 0, misses: 0, retries: 0, errors: 0, timeouts: 0, bytesRead: 0, bytesWritten: 0 }
    this.latencies = newLatencies()
  }

  /** Drops `key` from the cache (every key when none is given). */
  invalidate(key?: string): void {
    if (key === undefined) this.cache?.clear()
    else this.cache?.delete(key)
  }

  has(key: string, options: RequestOptions = {}): Promise<boolean> {
    return this.call('has', options.signal, true, (signal) => this.backend.has(key, { ...options, signal }))
  }

  stat(key: string, options: RequestOptions = {}): Promise<ObjectInfo | undefined> {
    return this.call('stat', options.signal, true, (signal) => this.backend.stat(key, { ...options, signal }))
  }

  get(key: string, options: GetOptions = {}): Promise<Uint8Array> {
    return this.call('get', options.signal, true, async (signal) => {
      const hit = await this.cached(key, options, signal)
      if (hit !== undefined) {
        const [start, end] = rangeWithin(options.range, hit.bytes.length, key)
        this.counters.bytesRead += end - start
        return hit.bytes.slice(start, end)
      }
      if (options.range !== undefined || this.cache === undefined) {
        const bytes = await this.backend.get(key, { ...options, signal })
        this.counters.bytesRead += bytes.length
        return bytes
      }
      // Whole object: read the version we will cache (stat, then get exactly that ETag).
      const info = await this.backend.stat(key, { signal })
      if (info === undefined) throw new StorageError('E_NOT_FOUND', `no object ${JSON.stringify(key)}`, { key })
      if (options.ifMatch !== undefined && options.ifMatch !== info.etag) throw new StorageError('E_CONFLICT', `${key}: ETag is ${info.etag}, not ${options.ifMatch}`, { key })
      const bytes = await this.backend.get(key, { signal, ifMatch: info.etag }).catch((e: unknown) => {
        // Changed between stat and get: read whatever is there now, uncached.
        if (e instanceof StorageError && e.code === 'E_CONFLICT' && options.ifMatch === undefined) return this.backend.get(key, { signal })
        throw e
      })
      if (bytes.length === info.size) this.remember(key, bytes, info)
      this.counters.bytesRead += bytes.length
      return bytes.length === info.size ? bytes.slice() : bytes
    })
  }

  getStream(key: string, options: GetOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.call('getStream', options.signal, true, async (signal) => {
      const hit = await this.cached(key, options, signal)
      if (hit !== undefined) {
        const [start, end] = rangeWithin(options.range, hit.bytes.length, key)
        this.counters.bytesRead += end - start
        return streamOf(hit.bytes.slice(start, end))
      }
      // (Streams are for objects too big to hold: not cached. Only opening is timed and retried.)
      return this.backend.getStream(key, { ...options, signal })
    })
  }

  put(key: string, body: PutBody, options: PutOptions = {}): Promise<ObjectInfo> {
    const replayable = !isStream(body)
    return this.call('put', options.signal, replayable, async (signal) => {
      this.cache?.delete(key)
      const info = await this.backend.put(key, body, { ...options, signal })
      this.counters.bytesWritten += info.size
      if (replayable && this.cache !== undefined) this.remember(key, (body as Uint8Array).slice(), info)
      return info
    })
  }

  delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    return this.call('delete', options.signal, true, async (signal) => {
      this.cache?.delete(key)
      return this.backend.delete(key, { ...options, signal })
    })
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    return this.call('list', options.signal, true, (signal) => this.backend.list(prefix, { ...options, signal }))
  }

  async close(): Promise<void> {
    this.cache?.clear()
    await this.backend.close?.()
  }

  /** The cached object for a read, when it is there (and still current, with `revalidate`). */
  private async cached(key: string, options: GetOptions, signal: AbortSignal): Promise<Cached | undefined> {
    if (this.cache === undefined) return undefined
    const hit = this.cache.get(key)
    if (hit !== undefined && options.ifMatch !== undefined && options.ifMatch !== hit.info.etag && !this.revalidate) {
      throw new StorageError('E_CONFLICT', `${key}: ETag is ${hit.info.etag}, not ${options.ifMatch}`, { key })
    }
    if (hit !== undefined && this.revalidate) {
      const now = await this.backend.stat(key, { signal })
      if (now?.etag !== hit.info.etag) {
        this.cache.delete(key)
        this.counters.misses++
        return undefined
      }
      if (options.ifMatch !== undefined && options.ifMatch !== hit.info.etag) throw new StorageError('E_CONFLICT', `${key}: ETag is ${hit.info.etag}, not ${options.ifMatch}`, { key })
    }
    if (hit === undefined) this.counters.misses++
    else this.counters.hits++
    return hit
  }

  private remember(key: string, bytes: Uint8Array, info: ObjectInfo): void {
    if (this.cache === undefined || bytes.length > this.maxObjectBytes) return
    this.cache.set(key, { bytes, info }, bytes.length)
  }

  /**
   * Runs `attempt` with a time limit per attempt, retrying `E_UNAVAILABLE` / `E_TIMEOUT`
   * (when `retryable`), and records latency and counters.
   */
  private async call<T>(op: Operation, signal: AbortSignal | undefined, retryable: boolean, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.counters.requests++
    const started = performance.now()
    const retries = retryable ? (this.options.retry?.retries ?? 4) : 0
    try {
      for (let n = 0; ; n++) {
        try {
          return await this.timed(attempt, signal)
        } catch (e) {
          const transient = e instanceof StorageError && (e.code === 'E_UNAVAILABLE' || e.code === 'E_TIMEOUT')
          if (!transient || n >= retries || signal?.aborted) throw e
          this.counters.retries++
          await sleep(backoffDelay(n + 1, this.options.retry, this.random), signal)
        }
      }
    } catch (e) {
      this.counters.errors++
      throw e
    } finally {
      this.latencies[op].add(performance.now() - started)
    }
  }

  /** One attempt, aborted after `timeoutMs` (`E_TIMEOUT`) or with the caller's signal (`E_ABORTED`). */
  private async timed<T>(attempt: (signal: AbortSignal) => Promise<T>, outer: AbortSignal | undefined): Promise<T> {
    const ctl = new AbortController()
    const onAbort = () => ctl.abort(outer?.reason)
    if (outer?.aborted) throw new StorageError('E_ABORTED', 'aborted', { cause: outer.reason })
    outer?.addEventListener('abort', onAbort, { once: true })
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const work = attempt(ctl.signal)
      if (this.timeoutMs <= 0) return await work
      const limit = new Promise<never>((_, fail) => {
        timer = setTimeout(() => {
          this.counters.timeouts++
          const e = new StorageError('E_TIMEOUT', `no answer within ${this.timeoutMs} ms`)
          ctl.abort(e)
          fail(e)
        }, this.timeoutMs)
      })
      work.catch(() => {}) // (its failure after a timeout is not the caller's)
      return await Promise.race([work, limit])
    } catch (e) {
      // A backend aborted by our timer reports E_ABORTED: it is a timeout to the caller.
      if (e instanceof StorageError && e.code === 'E_ABORTED' && ctl.signal.reason instanceof StorageError && ctl.signal.reason.code === 'E_TIMEOUT' && !outer?.aborted) throw ctl.signal.reason
      throw e
    } finally {
      clearTimeout(timer)
      outer?.removeEventListener('abort', onAbort)
    }
  }
}

function newLatencies(): Record<Operation, LatencyWindow> {
  const out = {} as Record<Operation, LatencyWindow>
  for (const op of OPERATIONS) out[op] = new LatencyWindow()
  return out
}
