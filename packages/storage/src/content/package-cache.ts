import { createHasher, toHex } from '@torshpkg/crypto'
import { memoryBackend } from '../backends/memory.js'
import { StorageError } from '../errors.js'
import { listAll } from '../list-all.js'
import { ByteLru } from '../manager/lru.js'
import type { StorageBackend } from '../types.js'
import { blobKey, digestHex, digestOfBlobKey } from './digest.js'

/** Options of {@link PackageCache}. */
export interface PackageCacheOptions {
  /** Where cached packages are kept (default: memory). A `fsBackend` makes the cache survive restarts. */
  readonly backend?: StorageBackend
  /** Most bytes kept; least recently used packages are evicted past it. */
  readonly maxBytes: number
  /** Keys start with this (default ''). */
  readonly prefix?: string
}

/** Counters of a {@link PackageCache}. */
export interface PackageCacheStats {
  readonly hits: number
  readonly misses: number
  readonly evictions: number
  /** Entries found damaged on read (dropped, counted as misses). */
  readonly corrupt: number
  readonly bytes: number
  readonly entries: number
}

/**
 * Downloaded packages by digest, within a byte budget, least recently used out first: what a
 * registry client (or several) consults before downloading. Entries are verified when stored
 * and when read (a damaged one is dropped and reported as a miss). Over a persistent backend,
 * what is already there is adopted at first use (oldest first in the eviction order).
 *
 * @example
 * ```ts
 * const cache = new PackageCache({ backend: fsBackend('~/.cache/torshpkg'), maxBytes: 20 * 2 ** 30 })
 * const bytes = (await cache.get(digest)) ?? (await download(digest).then((b) => cache.put(digest, b)))
 * ```
 */
export class PackageCache {
  readonly backend: StorageBackend
  readonly maxBytes: number
  private readonly prefix: string
  private readonly lru: ByteLru<true>
  private loaded: Promise<void> | undefined
  private counters = { hits: 0, misses: 0, evictions: 0, corrupt: 0 }
  private readonly evicting: Promise<unknown>[] = []

  constructor(options: PackageCacheOptions) {
    if (!(options.maxBytes >= 0)) throw new StorageError('E_ARGUMENT', 'PackageCache: maxBytes must be a non-negative number')
    this.backend = options.backend ?? memoryBackend()
    this.maxBytes = options.maxBytes
    this.prefix = options.prefix ?? ''
    this.lru = new ByteLru<true>(this.maxBytes, (digest) => {
      this.counters.evictions++
      this.evicting.push(this.backend.delete(this.keyOf(digest)).catch(() => {}))
    })
  }

  /** The package's bytes, or undefined when not cached (or found damaged). */
  async get(digest: string): Promise<Uint8Array | undefined> {
    await this.load()
    const hex = digestHex(digest)
    if (!this.lru.has(digest)) {
      this.counters.misses++
      return undefined
    }
    let bytes: Uint8Array
    try {
      bytes = await this.backend.get(this.keyOf(digest))
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'E_NOT_FOUND')) throw e
      this.lru.delete(digest)
      this.counters.misses++
      return undefined
    }
    if (toHex(createHasher('sha256').update(bytes).digest()) !== hex) {
      this.counters.corrupt++
      this.counters.misses++
      this.lru.delete(digest)
      await this.backend.delete(this.keyOf(digest)).catch(() => {})
      return undefined
    }
    this.lru.get(digest) // most recently used
    this.counters.hits++
    return bytes
  }

  /** Keeps `bytes` as `digest` (checked: `E_INTEGRITY` when they differ), evicting as needed; returns `bytes`. */
  async put(digest: string, bytes: Uint8Array): Promise<Uint8Array> {
    await this.load()
    const hex = digestHex(digest)
    const actual = toHex(createHasher('sha256').update(bytes).digest())
    if (actual !== hex) throw new StorageError('E_INTEGRITY', `PackageCache.put: the bytes hash to sha256:${actual}, not ${digest}`, { key: digest })
    if (bytes.length > this.maxBytes) return bytes
    if (!this.lru.has(digest)) await this.backend.put(this.keyOf(digest), bytes)
    this.lru.set(digest, true, bytes.length)
    await this.settle()
    return bytes
  }

  async has(digest: string): Promise<boolean> {
    await this.load()
    digestHex(digest)
    return this.lru.has(digest)
  }

  async delete(digest: string): Promise<boolean> {
    await this.load()
    digestHex(digest)
    const had = this.lru.delete(digest)
    await this.backend.delete(this.keyOf(digest))
    return had
  }

  stats(): PackageCacheStats {
    return { ...this.counters, bytes: this.lru.bytes, entries: this.lru.size }
  }

  private keyOf(digest: string): string {
    return blobKey(this.prefix, digest.slice(7))
  }

  /** Adopts what the backend holds already, least recently written first. */
  private load(): Promise<void> {
    return (this.loaded ??= (async () => {
      const found: { digest: string; size: number; modified: number }[] = []
      for await (const o of listAll(this.backend, `${this.prefix}blobs/sha256/`)) {
        const digest = digestOfBlobKey(this.prefix, o.key)
        if (digest !== undefined) found.push({ digest, size: o.size, modified: o.modified ?? 0 })
      }
      found.sort((a, b) => a.modified - b.modified)
      for (const f of found) this.lru.set(f.digest, true, f.size)
      await this.settle()
    })())
  }

  private async settle(): Promise<void> {
    while (this.evicting.length > 0) await Promise.all(this.evicting.splice(0))
  }
}
