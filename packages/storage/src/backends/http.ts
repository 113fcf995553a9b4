import { pageLimit, rangeWithin } from '../bytes.js'
import { StorageError, throwIfAborted } from '../errors.js'
import { checkKey } from '../keys.js'
import type { GetOptions, ListPage, ObjectInfo, RequestOptions, StorageBackend } from '../types.js'

/** Options of {@link httpBackend}. */
export interface HttpBackendOptions {
  /** Sent with every request (an `Authorization` header, say). */
  readonly headers?: Readonly<Record<string, string>>
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch
}

/**
 * Read-only objects over plain HTTP(S): `key` is fetched from `baseUrl` + "/" + the key (each
 * segment URL-encoded). Ranged reads use `Range` requests and check the server's
 * `Content-Range`; `stat` is a `HEAD`. Works in browsers (CORS permitting: the server must
 * expose `Content-Range`, `Content-Length` and `ETag`). Writes are `E_UNSUPPORTED`, and so is
 * `list` (HTTP has no listing).
 *
 * @example
 * ```ts
 * const cdn = httpBackend('https://models.example.com/packages')
 * const header = await cdn.get('bert/1.0.0.torshpkg', { range: { offset: 0, length: 4096 } })
 * ```
 */
export function httpBackend(baseUrl: string, options: HttpBackendOptions = {}): StorageBackend {
  let base: URL
  try {
    base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
  } catch (e) {
    throw new StorageError('E_ARGUMENT', `httpBackend: not a URL: ${JSON.stringify(baseUrl)}`, { cause: e })
  }
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  const urlOf = (key: string) => new URL(checkKey(key).split('/').map(encodeURIComponent).join('/'), base)

  const request = async (key: string, method: 'GET' | 'HEAD', headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Response> => {
    throwIfAborted(signal, key)
    const url = urlOf(key)
    try {
      return await doFetch(url, { method, headers: { ...options.headers, ...headers }, ...(signal === undefined ? {} : { signal }) })
    } catch (e) {
      if (signal?.aborted) throw new StorageError('E_ABORTED', 'aborted', { key, cause: signal.reason })
      throw new StorageError('E_UNAVAILABLE', `${key}: ${e instanceof Error ? e.message : String(e)}`, { key, cause: e })
    }
  }

  /** The error for a response that is not what was asked for (its body is drained). */
  const failure = async (key: string, res: Response, ifMatch: string | undefined): Promise<StorageError> => {
    await res.body?.cancel().catch(() => {})
    const s = res.status
    const o = { key, status: s }
    if (s === 404 || s === 410) return new StorageError('E_NOT_FOUND', `no object ${JSON.stringify(key)} (HTTP ${s})`, o)
    if (s === 412) return new StorageError('E_CONFLICT', `${key}: ETag is not ${ifMatch ?? '(none given)'} (HTTP 412)`, o)
    if (s === 416) return new StorageError('E_ARGUMENT', `${key}: range past the end (HTTP 416)`, o)
    if (s === 401 || s === 403) return new StorageError('E_AUTH', `${key}: HTTP ${s}`, o)
    if (s === 408 || s === 429 || s >= 500) return new StorageError('E_UNAVAILABLE', `${key}: HTTP ${s}`, o)
    return new StorageError('E_PROTOCOL', `${key}: unexpected HTTP ${s}`, o)
  }

  const stat = async (key: string, options: RequestOptions = {}): Promise<ObjectInfo | undefined> => {
    const res = await request(key, 'HEAD', {}, options.signal)
    if (res.status === 404 || res.status === 410) return undefined
    if (res.status !== 200) throw await failure(key, res, undefined)
    return infoOf(key, res, Number(res.headers.get('content-length')))
  }

  /** A GET for the range asked (whole object when none): the response, and what it holds. */
  const open = async (key: string, o: GetOptions): Promise<{ res: Response; start: number; end: number }> => {
    const headers: Record<string, string> = {}
    if (o.ifMatch !== undefined) headers['if-match'] = o.ifMatch
    if (o.range === undefined) {
      const res = await request(key, 'GET', headers, o.signal)
      if (res.status !== 200) throw await failure(key, res, o.ifMatch)
      const size = Number(res.headers.get('content-length') ?? NaN)
      return { res, start: 0, end: Number.isSafeInteger(size) ? size : -1 }
    }
    // Check the range's own shape first (`rangeWithin` with an unbounded size).
    rangeWithin(o.range, Number.MAX_SAFE_INTEGER, key)
    const { offset, length } = o.range
    if (length === 0) {
      // Nothing to fetch; the object must exist and the offset be within it.
      const info = await stat(key, o)
      if (info === undefined) throw new StorageError('E_NOT_FOUND', `no object ${JSON.stringify(key)}`, { key })
      if (o.ifMatch !== undefined && o.ifMatch !== info.etag) throw new StorageError('E_CONFLICT', `${key}: ETag is ${info.etag}, not ${o.ifMatch}`, { key })
      rangeWithin(o.range, info.size, key)
      return { res: new Response(new Uint8Array(0)), start: offset, end: offset }
    }
    headers.range = length === undefined ? `bytes=${offset}-` : `bytes=${offset}-${offset + length - 1}`
    const res = await request(key, 'GET', headers, o.signal)
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '')
      if (m === null || Number(m[1]) !== offset) {
        await res.body?.cancel().catch(() => {})
        throw new StorageError('E_PROTOCOL', `${key}: asked for ${headers.range}, got Content-Range ${JSON.stringify(res.headers.get('content-range'))}`, { key, status: 206 })
      }
      return { res, start: offset, end: Number(m[2]) + 1 }
    }
    if (res.status === 200) {
      // A server that ignores Range: not something to stream a whole model through by surprise.
      await res.body?.cancel().catch(() => {})
      throw new StorageError('E_PROTOCOL', `${key}: the server ignored the Range request (HTTP 200 instead of 206)`, { key, status: 200 })
    }
    throw await failure(key, res, o.ifMatch)
  }

  return {
    name: 'http',
    writable: false,
    async has(key: string, options: RequestOptions = {}) {
      return (await stat(key, options)) !== undefined
    },
    stat,
    async get(key: string, o: GetOptions = {}) {
      const { res, start, end } = await open(key, o)
      const bytes = new Uint8Array(await res.arrayBuffer())
      if (end >= 0 && bytes.length !== end - start) {
        throw new StorageError('E_UNAVAILABLE', `${key}: expected ${end - start} bytes, the response had ${bytes.length}`, { key })
      }
      return bytes
    },
    async getStream(key: string, o: GetOptions = {}) {
      const { res } = await open(key, o)
      return res.body ?? new Response(new Uint8Array(0)).body!
    },
    async put(key: string) {
      checkKey(key)
      throw new StorageError('E_UNSUPPORTED', 'httpBackend is read-only', { key })
    },
    async delete(key: string) {
      checkKey(key)
      throw new StorageError('E_UNSUPPORTED', 'httpBackend is read-only', { key })
    },
    async list(prefix: string, o = {}): Promise<ListPage> {
      pageLimit((o as { limit?: number }).limit, 1000)
      void prefix
      throw new StorageError('E_UNSUPPORTED', 'httpBackend cannot list: HTTP has no listing')
    },
  }
}

function infoOf(key: string, res: Response, size: number): ObjectInfo {
  if (!Number.isSafeInteger(size) || size < 0) throw new StorageError('E_PROTOCOL', `${key}: no usable Content-Length`, { key, status: res.status })
  const etag = res.headers.get('etag')
  const modified = Date.parse(res.headers.get('last-modified') ?? '')
  const contentType = res.headers.get('content-type')
  return {
    key,
    size,
    etag: etag ?? `"${size}-${Number.isNaN(modified) ? 0 : modified}"`,
    ...(Number.isNaN(modified) ? {} : { modified }),
    ...(contentType === null ? {} : { contentType }),
  }
}
