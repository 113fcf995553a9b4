import { createHasher, toHex } from '@torshpkg/crypto'
import { isStream } from '../bytes.js'
import { StorageError, throwIfAborted } from '../errors.js'
import { checkKey } from '../keys.js'
import { listAll } from '../list-all.js'
import { sleep } from '../manager/backoff.js'
import type { ObjectInfo, PutBody, RequestOptions, StorageBackend } from '../types.js'
import { blobKey, digestHex, digestOfBlobKey, type Digest } from './digest.js'

/** Options of {@link ContentStore}. */
export interface ContentStoreOptions {
  /** Keys of the store start with this (default ''; end it with "/"). */
  readonly prefix?: string
  /** A writer's intent older than this is taken for a crashed writer's (default 2 min). */
  readonly intentTtlMs?: number
  /** A gc lock older than this is taken for a crashed collector's (default 10 min; a running gc refreshes it). */
  readonly gcLockTtlMs?: number
  /** How long a writer waits for a running gc, and gc for writers, before `E_UNAVAILABLE` (default 10 min). */
  readonly waitTimeoutMs?: number
}

/** A blob: its digest and size. */
export interface BlobInfo {
  readonly digest: Digest
  readonly size: number
}

/** A named ref: `name@version` -> digest, with the ETag to update it by compare-and-swap. */
export interface RefInfo {
  readonly name: string
  readonly version: string
  readonly digest: Digest
  readonly size: number
  readonly etag: string
}

/** What {@link ContentStore.gc} did. */
export interface GcResult {
  /** Blobs reachable from refs (kept). */
  readonly reachable: number
  /** Unreachable blobs kept because they are younger than `graceMs`. */
  readonly young: number
  /** Blobs deleted (or, with `dryRun`, that would be). */
  readonly deleted: Digest[]
  readonly bytesFreed: number
}

export interface GcOptions extends RequestOptions {
  /**
   * Keep unreferenced blobs written less than this long ago (default 10 min), so that a blob
   * put just before its ref is set is not collected in between.
   */
  readonly graceMs?: number
  /** Report what would be deleted, delete nothing. */
  readonly dryRun?: boolean
}

interface RefBody {
  readonly digest: Digest
  readonly size: number
}

const enc = new TextEncoder()
const dec = new TextDecoder()

/**
 * Content-addressed storage over any backend: blobs are keyed by their SHA-256
 * (`blobs/sha256/ab/cd/<hex>`), written once, verified on read and deduplicated; named refs
 * (`refs/<name>/<version>` -> digest) are updated by compare-and-swap; `gc()` deletes blobs no
 * ref reaches.
 *
 * gc never deletes a blob reachable from a ref, even while writers add blobs and refs: a
 * writer announces itself (an `intents/` object) before touching refs and backs off while a
 * gc lock exists; gc takes the lock (create-only), waits until no writer is announced, then
 * marks and sweeps. Either the gc sees a writer's intent and waits for it, or the writer sees
 * the gc's lock and waits: this needs only read-after-write consistency and create-only puts,
 * which every backend here gives. A ref to a blob that is gone cannot be set (`E_NOT_FOUND`).
 *
 * @example
 * ```ts
 * const store = new ContentStore(fsBackend('/var/lib/torshpkg'))
 * const { digest } = await store.add('bert', '1.0.0', bytes)   // blob + ref
 * const same = await store.get(digest)                          // verified
 * await store.gc()                                              // frees unreferenced blobs
 * ```
 */
export class ContentStore {
  readonly prefix: string
  private readonly intentTtlMs: number
  private readonly gcLockTtlMs: number
  private readonly waitTimeoutMs: number

  constructor(
    readonly backend: StorageBackend,
    options: ContentStoreOptions = {},
  ) {
    const prefix = options.prefix ?? ''
    if (prefix !== '' && (!prefix.endsWith('/') || (checkKey(prefix.slice(0, -1)), false))) {
      throw new StorageError('E_ARGUMENT', `ContentStore: prefix must be '' or end with "/", got ${JSON.stringify(prefix)}`)
    }
    this.prefix = prefix
    this.intentTtlMs = options.intentTtlMs ?? 120_000
    this.gcLockTtlMs = options.gcLockTtlMs ?? 600_000
    this.waitTimeoutMs = options.waitTimeoutMs ?? 600_000
  }

  // ---- blobs -----------------------------------------------------------------------------

  /**
   * Stores `body` as a blob and returns its digest (a blob already there is not written
   * again). Give `digest` when you know it: a stream then goes straight to its place, checked
   * on the way (`E_INTEGRITY`, nothing written, when it differs); a stream without one is
   * first written under `uploads/` while hashed, then copied to its place.
   */
  async put(body: PutBody, options: RequestOptions & { readonly digest?: string } = {}): Promise<BlobInfo> {
    if (!isStream(body)) {
      if (!(body instanceof Uint8Array)) throw new StorageError('E_ARGUMENT', 'ContentStore.put: the body must be a Uint8Array or a ReadableStream')
      const hex = toHex(createHasher('sha256').update(body).digest())
      if (options.digest !== undefined && digestHex(options.digest) !== hex) {
        throw new StorageError('E_INTEGRITY', `sha256 mismatch: expected ${options.digest}, got sha256:${hex}; nothing was written`)
      }
      return this.place(hex, body, options.signal)
    }
    if (options.digest !== undefined) return this.place(digestHex(options.digest), body, options.signal)
    // Unknown digest: spool under uploads/ (hashing), then copy into place.
    const upload = `${this.prefix}uploads/${Date.now().toString(36)}-${randomId()}`
    const hasher = createHasher('sha256')
    const hashing = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          hasher.update(chunk)
          controller.enqueue(chunk)
        },
      }),
    )
    await this.backend.put(upload, hashing, { signal: options.signal })
    try {
      const hex = toHex(hasher.digest())
      if (await this.backend.has(blobKey(this.prefix, hex), { signal: options.signal })) return { digest: `sha256:${hex}`, size: (await this.backend.stat(upload))!.size }
      return await this.place(hex, await this.backend.getStream(upload, { signal: options.signal }), options.signal)
    } finally {
      await this.backend.delete(upload).catch(() => {})
    }
  }

  /** Writes a blob at its digest's key unless it is there; the backend checks the digest before it becomes visible. */
  private async place(hex: string, body: PutBody, signal: AbortSignal | undefined): Promise<BlobInfo> {
    const key = blobKey(this.prefix, hex)
    const existing = await this.backend.stat(key, { signal })
    if (existing !== undefined) {
      if (isStream(body)) await body.cancel().catch(() => {})
      return { digest: `sha256:${hex}`, size: existing.size }
    }
    try {
      const info = await this.backend.put(key, body, { ifNoneMatch: '*', sha256: hex, signal })
      return { digest: `sha256:${hex}`, size: info.size }
    } catch (e) {
      // Written meanwhile by another writer: same digest, same bytes.
      if (e instanceof StorageError && e.code === 'E_CONFLICT') return { digest: `sha256:${hex}`, size: (await this.backend.stat(key, { signal }))?.size ?? 0 }
      throw e
    }
  }

  /** The blob's bytes, checked against its digest (`E_INTEGRITY` when the stored bytes are damaged). */
  async get(digest: string, options: RequestOptions = {}): Promise<Uint8Array> {
    const hex = digestHex(digest)
    const bytes = await this.backend.get(blobKey(this.prefix, hex), options).catch((e: unknown) => {
      throw notFound(e, digest)
    })
    const actual = toHex(createHasher('sha256').update(bytes).digest())
    if (actual !== hex) throw new StorageError('E_INTEGRITY', `blob ${digest} is damaged: its bytes hash to sha256:${actual}`, { key: digest })
    return bytes
  }

  /** The blob as a stream, checked as it is read: the stream errors with `E_INTEGRITY` at its end when the bytes are damaged. */
  async getStream(digest: string, options: RequestOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const hex = digestHex(digest)
    const stream = await this.backend.getStream(blobKey(this.prefix, hex), options).catch((e: unknown) => {
      throw notFound(e, digest)
    })
    const hasher = createHasher('sha256')
    return stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          hasher.update(chunk)
          controller.enqueue(chunk)
        },
        flush(controller) {
          const actual = toHex(hasher.digest())
          if (actual !== hex) controller.error(new StorageError('E_INTEGRITY', `blob ${digest} is damaged: its bytes hash to sha256:${actual}`, { key: digest }))
        },
      }),
    )
  }

  async has(digest: string, options: RequestOptions = {}): Promise<boolean> {
    return this.backend.has(blobKey(this.prefix, digestHex(digest)), options)
  }

  /** The blob's size, or undefined. */
  async stat(digest: string, options: RequestOptions = {}): Promise<BlobInfo | undefined> {
    const info = await this.backend.stat(blobKey(this.prefix, digestHex(digest)), options)
    return info === undefined ? undefined : { digest: digest as Digest, size: info.size }
  }

  /** Every blob (digest and size). */
  async *blobs(options: RequestOptions = {}): AsyncGenerator<BlobInfo & { readonly modified?: number }> {
    for await (const o of listAll(this.backend, `${this.prefix}blobs/sha256/`, options)) {
      const digest = digestOfBlobKey(this.prefix, o.key)
      if (digest !== undefined) yield o.modified === undefined ? { digest, size: o.size } : { digest, size: o.size, modified: o.modified }
    }
  }

  // ---- refs ------------------------------------------------------------------------------

  /**
   * Points `name@version` at `digest`, which must be stored (`E_NOT_FOUND` otherwise).
   * `ifMatch` (a ref's `etag`) replaces exactly that version of the ref, `ifNoneMatch: '*'`
   * only creates: `E_CONFLICT` when someone else changed it first.
   */
  async setRef(name: string, version: string, digest: string, options: RequestOptions & { readonly ifMatch?: string; readonly ifNoneMatch?: '*' } = {}): Promise<RefInfo> {
    const key = this.refKey(name, version)
    digestHex(digest)
    return this.asWriter(options.signal, () => this.writeRef(key, name, version, digest, options))
  }

  /** Writes the ref (the caller is an announced writer). */
  private async writeRef(key: string, name: string, version: string, digest: string, options: RequestOptions & { readonly ifMatch?: string; readonly ifNoneMatch?: '*' }): Promise<RefInfo> {
    {
      const blob = await this.stat(digest, options)
      if (blob === undefined) throw new StorageError('E_NOT_FOUND', `cannot point ${name}@${version} at ${digest}: no such blob (put it first)`, { key: digest })
      const body: RefBody = { digest: digest as Digest, size: blob.size }
      const info = await this.backend.put(key, enc.encode(JSON.stringify(body)), {
        contentType: 'application/json',
        ...(options.ifMatch === undefined ? {} : { ifMatch: options.ifMatch }),
        ...(options.ifNoneMatch === undefined ? {} : { ifNoneMatch: options.ifNoneMatch }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
      return { name, version, digest: body.digest, size: body.size, etag: info.etag }
    }
  }

  /**
   * Stores `body` and points `name@version` at it, as one announced writer: no gc can run
   * between the two, however long the upload takes (the intent is refreshed meanwhile).
   */
  async add(name: string, version: string, body: PutBody, options: RequestOptions & { readonly digest?: string; readonly ifNoneMatch?: '*' } = {}): Promise<RefInfo> {
    const key = this.refKey(name, version)
    return this.asWriter(options.signal, async () => {
      const blob = await this.put(body, options)
      return this.writeRef(key, name, version, blob.digest, options)
    })
  }

  /** The ref, or undefined. */
  async getRef(name: string, version: string, options: RequestOptions = {}): Promise<RefInfo | undefined> {
    const key = this.refKey(name, version)
    const info = await this.backend.stat(key, options)
    if (info === undefined) return undefined
    let bytes: Uint8Array
    try {
      bytes = await this.backend.get(key, { ...options, ifMatch: info.etag })
    } catch (e) {
      if (e instanceof StorageError && (e.code === 'E_CONFLICT' || e.code === 'E_NOT_FOUND')) return this.getRef(name, version, options) // changed meanwhile
      throw e
    }
    const body = parseRef(bytes, key)
    return { name, version, digest: body.digest, size: body.size, etag: info.etag }
  }

  /** Removes the ref (`ifMatch`: only that version of it); resolves to whether there was one. */
  async deleteRef(name: string, version: string, options: RequestOptions & { readonly ifMatch?: string } = {}): Promise<boolean> {
    return this.backend.delete(this.refKey(name, version), options)
  }

  /** Every ref (of `name` only, when given). */
  async *refs(name?: string, options: RequestOptions = {}): AsyncGenerator<RefInfo> {
    const base = `${this.prefix}refs/`
    const from = name === undefined ? base : `${this.refDir(name)}/`
    for await (const o of listAll(this.backend, from, options)) {
      const rest = o.key.slice(base.length)
      const cut = rest.lastIndexOf('/')
      const ref = await this.getRef(decodeSegment(rest.slice(0, cut)), decodeSegment(rest.slice(cut + 1)), options)
      if (ref !== undefined) yield ref
    }
  }

  // ---- gc --------------------------------------------------------------------------------

  /**
   * Deletes the blobs no ref points at (mark and sweep). Safe with concurrent writers (see
   * the class notes); one gc at a time per store (`E_CONFLICT` when another holds the lock).
   */
  async gc(options: GcOptions = {}): Promise<GcResult> {
    const graceMs = options.graceMs ?? 600_000
    const lockKey = `${this.prefix}gc/lock`
    const lock = await this.takeGcLock(lockKey, options.signal)
    let lockEtag = lock.etag
    const refresh = async () => {
      if (Date.now() - lastRefresh < this.gcLockTtlMs / 4) return
      lastRefresh = Date.now()
      lockEtag = (await this.backend.put(lockKey, enc.encode(JSON.stringify({ refreshed: Date.now() })), { ifMatch: lockEtag })).etag
    }
    let lastRefresh = Date.now()
    try {
      await this.waitForWriters(options.signal, refresh)
      // Mark: every blob a ref points at. (Writers wait while the lock exists.)
      const reachable = new Set<string>()
      for await (const ref of this.refs(undefined, options)) reachable.add(ref.digest)
      await refresh()
      // Sweep.
      const started = Date.now()
      const deleted: Digest[] = []
      let young = 0
      let bytesFreed = 0
      for await (const blob of this.blobs(options)) {
        throwIfAborted(options.signal)
        if (reachable.has(blob.digest)) continue
        if (blob.modified !== undefined && started - blob.modified < graceMs) {
          young++
          continue
        }
        if (!options.dryRun) {
          await this.backend.delete(blobKey(this.prefix, blob.digest.slice(7)), options)
          await refresh()
        }
        deleted.push(blob.digest)
        bytesFreed += blob.size
      }
      return { reachable: reachable.size, young, deleted, bytesFreed }
    } finally {
      await this.backend.delete(lockKey, { ifMatch: lockEtag }).catch(() => {})
    }
  }

  private async takeGcLock(lockKey: string, signal: AbortSignal | undefined): Promise<ObjectInfo> {
    for (;;) {
      try {
        return await this.backend.put(lockKey, enc.encode(JSON.stringify({ taken: Date.now(), by: randomId() })), { ifNoneMatch: '*', contentType: 'application/json', ...(signal === undefined ? {} : { signal }) })
      } catch (e) {
        if (!(e instanceof StorageError && e.code === 'E_CONFLICT')) throw e
      }
      const held = await this.backend.stat(lockKey, { signal })
      if (held === undefined) continue
      if (held.modified !== undefined && Date.now() - held.modified > this.gcLockTtlMs) {
        await this.backend.delete(lockKey, { ifMatch: held.etag }).catch(() => {}) // a crashed gc's
        continue
      }
      throw new StorageError('E_CONFLICT', 'another gc is running on this store', { key: lockKey })
    }
  }

  /** Waits until no live writer intent is left (stale ones are removed). */
  private async waitForWriters(signal: AbortSignal | undefined, refresh: () => Promise<void>): Promise<void> {
    const started = Date.now()
    for (let round = 0; ; round++) {
      let live = 0
      for await (const o of listAll(this.backend, `${this.prefix}intents/`, { signal })) {
        if (o.modified !== undefined && Date.now() - o.modified > this.intentTtlMs) await this.backend.delete(o.key, { ifMatch: o.etag }).catch(() => {})
        else live++
      }
      if (live === 0) return
      if (Date.now() - started > this.waitTimeoutMs) throw new StorageError('E_UNAVAILABLE', `gc: ${live} writer(s) still busy after ${this.waitTimeoutMs} ms`)
      await refresh()
      await sleep(Math.min(200, 5 * 2 ** Math.min(round, 6)), signal)
    }
  }

  /**
   * Runs `work` as an announced writer: an intent is written, then the gc lock checked; with
   * a gc running, the intent is withdrawn and the writer waits for the gc to finish.
   */
  private async asWriter<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const intent = `${this.prefix}intents/${Date.now().toString(36)}-${randomId()}`
    const lockKey = `${this.prefix}gc/lock`
    const started = Date.now()
    for (let round = 0; ; round++) {
      await this.backend.put(intent, enc.encode('{}'), signal === undefined ? {} : { signal })
      const gc = await this.backend.stat(lockKey, { signal })
      const stale = gc !== undefined && gc.modified !== undefined && Date.now() - gc.modified > this.gcLockTtlMs
      if (gc === undefined || stale) break
      await this.backend.delete(intent).catch(() => {})
      if (Date.now() - started > this.waitTimeoutMs) throw new StorageError('E_UNAVAILABLE', `a gc has held this store for over ${this.waitTimeoutMs} ms`, { key: lockKey })
      await sleep(Math.min(200, 5 * 2 ** Math.min(round, 6)), signal)
    }
    // Long work (an upload) refreshes the intent, so that a gc does not take it for a crashed writer's.
    const timer = setInterval(() => void this.backend.put(intent, enc.encode('{}')).catch(() => {}), Math.max(1000, this.intentTtlMs / 3))
    try {
      return await work()
    } finally {
      clearInterval(timer)
      await this.backend.delete(intent).catch(() => {})
    }
  }

  private refDir(name: string): string {
    if (typeof name !== 'string' || name === '') throw new StorageError('E_ARGUMENT', 'a ref name must be a non-empty string')
    return `${this.prefix}refs/${encodeSegment(name)}`
  }

  private refKey(name: string, version: string): string {
    if (typeof version !== 'string' || version === '') throw new StorageError('E_ARGUMENT', 'a ref version must be a non-empty string')
    return checkKey(`${this.refDir(name)}/${encodeSegment(version)}`)
  }
}

/** A name or version as one key segment ("@scope/name" keeps readable: only "/" and "%" are escaped). */
function encodeSegment(s: string): string {
  const out = s.replace(/%/g, '%25').replace(/\//g, '%2F')
  return out === '.' || out === '..' ? out.replace(/\./g, '%2E') : out
}

function decodeSegment(s: string): string {
  return s.replace(/%(25|2F|2E)/g, (_, code: string) => (code === '25' ? '%' : code === '2F' ? '/' : '.'))
}

function parseRef(bytes: Uint8Array, key: string): RefBody {
  let body: unknown
  try {
    body = JSON.parse(dec.decode(bytes))
  } catch (e) {
    throw new StorageError('E_PROTOCOL', `${key}: a ref must be JSON`, { key, cause: e })
  }
  const b = body as Partial<RefBody> | null
  if (typeof b !== 'object' || b === null || typeof b.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(b.digest) || !Number.isSafeInteger(b.size) || b.size! < 0) {
    throw new StorageError('E_PROTOCOL', `${key}: a ref must be { digest: "sha256:<hex>", size }`, { key })
  }
  return { digest: b.digest as Digest, size: b.size! }
}

function notFound(e: unknown, digest: string): unknown {
  if (e instanceof StorageError && e.code === 'E_NOT_FOUND') return new StorageError('E_NOT_FOUND', `no blob ${digest}`, { key: digest, cause: e })
  return e
}

function randomId(): string {
  const b = new Uint8Array(8)
  crypto.getRandomValues(b)
  return toHex(b)
}
