import { checkBody, isStream, pageLimit, rangeWithin, readAll, streamOf } from '../bytes.js'
import { checkDigest, checkSha256, sha256Hex } from '../digest.js'
import { StorageError, throwIfAborted } from '../errors.js'
import { checkKey, checkPrefix, compareKeys } from '../keys.js'
import type { DeleteOptions, GetOptions, ListOptions, ListPage, ObjectInfo, PutBody, PutOptions, RequestOptions, StorageBackend } from '../types.js'

interface Entry {
  readonly bytes: Uint8Array
  readonly info: ObjectInfo
}

/** Options of {@link memoryBackend}. */
export interface MemoryBackendOptions {
  /** Most items per `list` page (default 1000). */
  readonly maxPageSize?: number
}

/**
 * A backend in this process's memory: for tests, caches and the browser. Bytes are copied in
 * and out, so callers can reuse their buffers. Writes are atomic and conditional writes are
 * exact (JavaScript runs one operation at a time).
 *
 * @example
 * ```ts
 * const store = memoryBackend()
 * await store.put('a/b.bin', new Uint8Array([1, 2, 3]))
 * await store.get('a/b.bin', { range: { offset: 1 } }) // Uint8Array [2, 3]
 * ```
 */
export function memoryBackend(options: MemoryBackendOptions = {}): StorageBackend {
  const maxPage = options.maxPageSize === undefined ? 1000 : pageLimit(options.maxPageSize, Number.MAX_SAFE_INTEGER)
  const objects = new Map<string, Entry>()
  let sorted: string[] | undefined // keys in order, made again after a write
  let version = 0

  const entry = (key: string, signal: AbortSignal | undefined): Entry | undefined => {
    checkKey(key)
    throwIfAborted(signal, key)
    return objects.get(key)
  }
  const required = (key: string, options: GetOptions): Entry => {
    const e = entry(key, options.signal)
    if (e === undefined) throw new StorageError('E_NOT_FOUND', `no object ${JSON.stringify(key)}`, { key })
    if (options.ifMatch !== undefined && options.ifMatch !== e.info.etag) throw new StorageError('E_CONFLICT', `${key}: ETag is ${e.info.etag}, not ${options.ifMatch}`, { key })
    return e
  }
  const keys = (): string[] => (sorted ??= [...objects.keys()].sort(compareKeys))

  return {
    name: 'memory',
    writable: true,
    async has(key: string, options: RequestOptions = {}) {
      return entry(key, options.signal) !== undefined
    },
    async stat(key: string, options: RequestOptions = {}) {
      return entry(key, options.signal)?.info
    },
    async get(key: string, options: GetOptions = {}) {
      const e = required(key, options)
      const [start, end] = rangeWithin(options.range, e.bytes.length, key)
      return e.bytes.slice(start, end)
    },
    async getStream(key: string, options: GetOptions = {}) {
      const e = required(key, options)
      const [start, end] = rangeWithin(options.range, e.bytes.length, key)
      return streamOf(e.bytes.subarray(start, end))
    },
    async put(key: string, body: PutBody, options: PutOptions = {}) {
      checkKey(key)
      checkBody(body, key)
      if (options.sha256 !== undefined) checkSha256(options.sha256, key)
      throwIfAborted(options.signal, key)
      const bytes = isStream(body) ? await readAll(body, undefined, options.signal) : body.slice()
      throwIfAborted(options.signal, key)
      if (options.sha256 !== undefined) checkDigest(options.sha256, sha256Hex(bytes), key)
      // Conditions are checked after the body has arrived, at the moment of the write.
      const current = objects.get(key)
      if (options.ifNoneMatch === '*' && current !== undefined) throw new StorageError('E_CONFLICT', `${key} exists (ifNoneMatch: '*')`, { key })
      if (options.ifMatch !== undefined && current?.info.etag !== options.ifMatch) {
        throw new StorageError('E_CONFLICT', current === undefined ? `${key} does not exist (ifMatch)` : `${key}: ETag is ${current.info.etag}, not ${options.ifMatch}`, { key })
      }
      const info: ObjectInfo = {
        key,
        size: bytes.length,
        etag: `"m${(++version).toString(36)}"`,
        modified: Date.now(),
        ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      }
      if (current === undefined) sorted = undefined
      objects.set(key, { bytes, info })
      return info
    },
    async delete(key: string, options: DeleteOptions = {}) {
      const e = entry(key, options.signal)
      if (e === undefined) {
        if (options.ifMatch !== undefined) throw new StorageError('E_CONFLICT', `${key} does not exist (ifMatch)`, { key })
        return false
      }
      if (options.ifMatch !== undefined && options.ifMatch !== e.info.etag) throw new StorageError('E_CONFLICT', `${key}: ETag is ${e.info.etag}, not ${options.ifMatch}`, { key })
      objects.delete(key)
      sorted = undefined
      return true
    },
    async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
      checkPrefix(prefix)
      throwIfAborted(options.signal)
      const limit = pageLimit(options.limit, maxPage)
      const all = keys()
      // First key after the cursor (or at the prefix), by binary search.
      const from = options.cursor !== undefined && compareKeys(options.cursor, prefix) >= 0 ? options.cursor : prefix
      const strict = options.cursor !== undefined && from === options.cursor
      let lo = 0
      let hi = all.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        const c = compareKeys(all[mid]!, from)
        if (c < 0 || (strict && c === 0)) lo = mid + 1
        else hi = mid
      }
      const items: ObjectInfo[] = []
      let i = lo
      for (; i < all.length && items.length < limit; i++) {
        if (!all[i]!.startsWith(prefix)) break
        items.push(objects.get(all[i]!)!.info)
      }
      const more = i < all.length && all[i]!.startsWith(prefix)
      return more ? { items, cursor: items[items.length - 1]!.key } : { items }
    },
  }
}
