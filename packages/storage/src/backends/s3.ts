import { concatBytes, createHasher, toHex } from '@torshpkg/crypto'
import { describe, partsOf, readBody, type PartSource } from '../parts.js'
import { checkBody, isStream, pageLimit, rangeWithin, readAll } from '../bytes.js'
import { checkSha256 } from '../digest.js'
import { StorageError, throwIfAborted } from '../errors.js'
import { checkKey, checkPrefix } from '../keys.js'
import { EMPTY_SHA256, sha256Hex, SigV4Signer } from '../s3/sigv4.js'
import { parseCompleteMultipartUpload, parseError, parseInitiateMultipartUpload, parseListObjectsV2, type S3ErrorDocument } from '../s3/xml.js'
import type { DeleteOptions, GetOptions, ListOptions, ListPage, ObjectInfo, PutBody, PutOptions, RequestOptions, StorageBackend } from '../types.js'

/** Options of {@link s3Backend}. */
export interface S3BackendOptions {
  /** The S3 service, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000` (a path after the host is kept). */
  readonly endpoint: string
  readonly bucket: string
  /** Signing region (default `us-east-1`). */
  readonly region?: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** Temporary credentials' session token (`x-amz-security-token`). */
  readonly sessionToken?: string
  /**
   * `https://endpoint/bucket/key` (default, and what most S3-compatible servers want) rather
   * than `https://bucket.endpoint/key`.
   */
  readonly forcePathStyle?: boolean
  /** Bodies up to this many bytes are one PUT; larger ones a multipart upload (default 16 MiB; at most 5 GiB, S3's PUT limit). */
  readonly multipartThreshold?: number
  /**
   * Bytes per multipart part (default 8 MiB). S3 refuses parts under 5 MiB (but the last) at
   * completion; at most 10 000 parts, so 8 MiB parts reach 78 GiB.
   */
  readonly partSize?: number
  /** Most items per `list` page (default and maximum 1000, S3's). */
  readonly maxPageSize?: number
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch
}

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const MAX_PARTS = 10_000
/** Longest S3 answer read whole: a 1000-key listing is ~1 MB; error documents are tiny. */
const MAX_XML_BYTES = 16 * MiB
const MAX_ERROR_BYTES = 64 * 1024
/** A cursor that is S3's continuation token rather than a key (keys cannot hold control characters). */
const TOKEN_CURSOR = '\u0000'
/** How long cleaning up an abandoned multipart upload may take. */
const ABORT_TIMEOUT_MS = 30_000

type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE'

interface Call {
  readonly method: Method
  /** The object; none for bucket requests (listing). */
  readonly key?: string
  readonly query?: ReadonlyArray<readonly [string, string]>
  readonly headers?: Record<string, string>
  readonly body?: Uint8Array
  /** Default: SHA-256 of the body (so the server checks the bytes it received). */
  readonly payloadHash?: string
  readonly signal?: AbortSignal | undefined
}

/**
 * Objects in an S3 bucket (AWS, or an S3-compatible server: tested against Ceph's radosgw),
 * signed with SigV4, in Node and in browsers (the bucket's CORS must allow the methods and
 * expose `ETag`, `Content-Length` and `Content-Range`).
 *
 * - `stat`/`has` are `HEAD`; ranged reads are `Range` requests, the `Content-Range` checked.
 * - `put` sends bodies up to `multipartThreshold` as one `PUT` (a stream is buffered up to
 *   the threshold), larger ones as a multipart upload of `partSize` parts read from the
 *   stream one after the other (at most two parts in memory). Every request carries the
 *   SHA-256 of its bytes, so the server refuses bytes damaged on the way. Any failure aborts
 *   the upload: nothing half-written becomes visible (when the server is unreachable even for
 *   the abort, the unfinished upload stays invisible until a lifecycle rule removes it).
 * - `sha256`: a single `PUT` sends the expected digest as its `x-amz-content-sha256`, so the
 *   server itself refuses other bytes (400 XAmzContentSHA256Mismatch -> `E_INTEGRITY`) before
 *   anything is stored; a multipart upload hashes the parts as they go and aborts instead of
 *   completing on a mismatch.
 * - `ifNoneMatch: '*'` is `If-None-Match: *` and `ifMatch` is `If-Match`, sent with the ETag
 *   unquoted (radosgw 16 compares the raw header with its unquoted ETag and refuses the quoted
 *   form). For a single `PUT` the server checks them atomically. **For a multipart upload the
 *   guarantee is weaker**: the condition is checked with a `HEAD` just before completing, and
 *   sent with CompleteMultipartUpload too, which AWS honours but radosgw 16 (and other older
 *   servers) ignore: a writer that slips in between the `HEAD` and the completion is
 *   overwritten there. (radosgw 16 also completes without an ETag, so the ETag returned is a
 *   `HEAD`'s, which a write in between would have changed.)
 * - radosgw 16 answers a conditional `PUT` that loses a race inside the server with 500
 *   "UnknownError" instead of 412; when a `HEAD` then shows the condition no longer holds, the
 *   put is `E_CONFLICT` (nothing was written), as the conformance suite's 12 concurrent
 *   compare-and-swap writers need.
 * - ETags are S3's (quoted MD5 of the bytes, or `"<md5>-<parts>"`): writing the same bytes
 *   again gives the same ETag.
 * - `delete` `HEAD`s first, to say whether there was an object (S3's DELETE answers 204
 *   either way). With `ifMatch` it compares that `HEAD`'s ETag and then sends `If-Match` on
 *   the DELETE, which AWS honours and radosgw 16 ignores: there, a write between the two
 *   requests can be deleted.
 * - `list` is ListObjectsV2 in S3's order; the cursor is the page's last key (`start-after`).
 *
 * Errors: 404 `E_NOT_FOUND`; 412 and 409 `E_CONFLICT`; 401/403 `E_AUTH`; 416 `E_ARGUMENT`;
 * XAmzContentSHA256Mismatch and BadDigest `E_INTEGRITY`; 408, 429, 5xx and network failures
 * `E_UNAVAILABLE` (retried by a `StorageManager`); anything unexpected `E_PROTOCOL`. (A
 * missing bucket is NoSuchBucket, `E_NOT_FOUND`, except to `stat`/`has`: a HEAD has no error
 * body, so there it looks like a missing object.)
 *
 * @example
 * ```ts
 * const bucket = s3Backend({
 *   endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1', bucket: 'models',
 *   accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
 *   forcePathStyle: false,
 * })
 * const store = new ContentStore(new StorageManager(bucket, { retry: { retries: 4 } }))
 * await bucket.put('bert/1.0.0.torshpkg', stream, { ifNoneMatch: '*', sha256: digest })
 * ```
 */
export function s3Backend(options: S3BackendOptions): StorageBackend {
  const fail = (why: string) => new StorageError('E_ARGUMENT', `s3Backend: ${why}`)
  let endpoint: URL
  try {
    endpoint = new URL(options.endpoint)
  } catch (e) {
    throw new StorageError('E_ARGUMENT', `s3Backend: endpoint is not a URL: ${JSON.stringify(options.endpoint)}`, { cause: e })
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw fail(`endpoint must be http(s), got ${endpoint.protocol}`)
  const bucket = options.bucket
  // DNS-style names (3-63 of a-z 0-9 . -): what both addressing styles can carry.
  if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw fail(`bucket must be an S3 bucket name, got ${JSON.stringify(bucket)}`)
  if (!options.accessKeyId || !options.secretAccessKey) throw fail('accessKeyId and secretAccessKey are required')
  const region = options.region ?? 'us-east-1'
  const pathStyle = options.forcePathStyle ?? true
  const threshold = options.multipartThreshold ?? 16 * MiB
  const partSize = options.partSize ?? 8 * MiB
  if (!Number.isSafeInteger(threshold) || threshold < 0 || threshold > 5 * GiB) throw fail(`multipartThreshold must be an integer from 0 to 5 GiB, got ${threshold}`)
  if (!Number.isSafeInteger(partSize) || partSize < 1 || partSize > 5 * GiB) throw fail(`partSize must be an integer from 1 to 5 GiB, got ${partSize}`)
  const maxPage = options.maxPageSize === undefined ? 1000 : pageLimit(options.maxPageSize, 1000)
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  const signer = new SigV4Signer({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }),
  })
  const basePath = endpoint.pathname.replace(/\/+$/, '')
  const host = pathStyle ? endpoint.host : `${bucket}.${endpoint.host}`
  const pathOf = (key: string | undefined) => (pathStyle ? `${basePath}/${bucket}${key === undefined ? '' : `/${key}`}` : `${basePath}/${key ?? ''}`)
  const where = (key: string | undefined) => (key === undefined ? {} : { key })

  /** Signs and sends one request; network failures are `E_UNAVAILABLE`, aborts `E_ABORTED`. */
  const send = async (call: Call): Promise<Response> => {
    throwIfAborted(call.signal, call.key)
    const body = call.body
    const signed = await signer.sign({
      method: call.method,
      host,
      path: pathOf(call.key),
      query: call.query ?? [],
      headers: call.headers ?? {},
      payloadHash: call.payloadHash ?? (body === undefined ? EMPTY_SHA256 : sha256Hex(body)),
      region,
    })
    try {
      return await doFetch(`${endpoint.protocol}//${host}${signed.pathAndQuery}`, {
        method: call.method,
        headers: signed.headers,
        // A redirect (wrong region or endpoint) would carry the signature elsewhere: refused below.
        redirect: 'manual',
        ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }),
        ...(call.signal === undefined ? {} : { signal: call.signal }),
      })
    } catch (e) {
      if (call.signal?.aborted) throw new StorageError('E_ABORTED', 'aborted', { ...where(call.key), cause: call.signal.reason })
      throw new StorageError('E_UNAVAILABLE', `${call.method} ${call.key ?? bucket}: ${describe(e)}`, { ...where(call.key), cause: e })
    }
  }

  /** The error for an unwanted response, and S3's error code (its body read, at most 64 KiB). */
  const failureOf = async (res: Response, call: Call, context: { ifMatch?: boolean } = {}): Promise<{ error: StorageError; code: string }> => {
    if (call.method === 'HEAD') await res.body?.cancel().catch(() => {}) // (no body, no code)
    const doc = call.method === 'HEAD' ? undefined : parseError(await readText(res, MAX_ERROR_BYTES, call.signal, true).catch(() => ''))
    return { error: errorFor(res.status, doc, call, context), code: doc?.code ?? '' }
  }
  const failure = async (res: Response, call: Call, context: { ifMatch?: boolean } = {}) => (await failureOf(res, call, context)).error

  /** Maps an HTTP status and S3 error code to the StorageError of the same meaning. */
  const errorFor = (s: number, doc: S3ErrorDocument | undefined, call: Call, context: { ifMatch?: boolean }): StorageError => {
    const code = doc?.code ?? ''
    const about = call.key ?? `bucket ${bucket}`
    const what = `${call.method} ${about}: HTTP ${s}${code ? ` ${code}` : ''}${doc?.message ? `: ${doc.message}` : ''}`
    const o = { ...where(call.key), status: s }
    if (code === 'XAmzContentSHA256Mismatch' || code === 'BadDigest') return new StorageError('E_INTEGRITY', `${what} (the bytes do not match their digest; nothing was written)`, o)
    // AWS answers If-Match on a missing key with 404 NoSuchKey, radosgw with 412: both mean "not that version".
    if (s === 404 && context.ifMatch && code !== 'NoSuchBucket') return new StorageError('E_CONFLICT', `${what} (ifMatch: the object does not exist)`, o)
    if (s === 404) return new StorageError('E_NOT_FOUND', code === 'NoSuchBucket' ? `${what} (no bucket ${bucket})` : `no object ${JSON.stringify(about)} (${what})`, o)
    if (s === 412 || s === 409) return new StorageError('E_CONFLICT', `${what} (a condition did not hold)`, o)
    if (s === 401 || s === 403) return new StorageError('E_AUTH', `${what} (credentials refused)`, o)
    if (s === 416) return new StorageError('E_ARGUMENT', `${what} (range past the end)`, o)
    if (s === 408 || s === 429 || s >= 500 || code === 'SlowDown' || code === 'RequestTimeout' || code === 'InternalError') return new StorageError('E_UNAVAILABLE', what, o)
    if (code === 'EntityTooLarge') return new StorageError('E_LIMIT', what, o)
    if (s === 0 || (s >= 300 && s < 400)) return new StorageError('E_PROTOCOL', `${what} (redirected: is the region or endpoint right?)`, o)
    return new StorageError('E_PROTOCOL', `${what} (unexpected answer)`, o)
  }

  /** Sends `call`; resolves to the response when its status is one of `ok`, else throws the mapped error. */
  const sendFor = async (call: Call, ok: readonly number[], context: { ifMatch?: boolean } = {}): Promise<Response> => {
    const res = await send(call)
    if (!ok.includes(res.status)) throw await failure(res, call, context)
    return res
  }

  const stat = async (key: string, o: RequestOptions = {}): Promise<ObjectInfo | undefined> => {
    checkKey(key)
    const call: Call = { method: 'HEAD', key, signal: o.signal }
    const res = await send(call)
    if (res.status === 404) return undefined
    if (res.status !== 200) throw await failure(res, call)
    await res.body?.cancel().catch(() => {})
    return infoOf(key, res, sizeOf(res.headers.get('content-length'), key, res.status))
  }

  /** A GET of the object or the range asked, with how many bytes its body must hold. */
  const open = async (key: string, o: GetOptions): Promise<{ body: ReadableStream<Uint8Array> | null; length: number }> => {
    checkKey(key)
    throwIfAborted(o.signal, key)
    const headers: Record<string, string> = {}
    // Reads take the standard quoted form (radosgw accepts both here; only its PUT needs it bare).
    if (o.ifMatch !== undefined) headers['if-match'] = quotedEtag(o.ifMatch)
    const call: Call = { method: 'GET', key, headers, signal: o.signal }
    if (o.range === undefined) {
      const res = await sendFor(call, [200])
      return { body: res.body, length: sizeOf(res.headers.get('content-length'), key, 200) }
    }
    rangeWithin(o.range, Number.MAX_SAFE_INTEGER, key) // the range's own shape
    const { offset, length } = o.range
    /** No bytes to fetch (or none the server will give): the object's size decides. */
    const byStat = async () => {
      const info = await stat(key, o)
      if (info === undefined) throw new StorageError('E_NOT_FOUND', `no object ${JSON.stringify(key)}`, { key })
      if (o.ifMatch !== undefined && bareEtag(o.ifMatch) !== bareEtag(info.etag)) throw new StorageError('E_CONFLICT', `${key}: ETag is ${info.etag}, not ${o.ifMatch}`, { key })
      const [start, end] = rangeWithin(o.range, info.size, key)
      if (start !== end) throw new StorageError('E_UNAVAILABLE', `${key}: the object changed while being read (HTTP 416, then ${info.size} bytes)`, { key })
      return { body: null, length: 0 }
    }
    if (length === 0) return byStat()
    headers.range = length === undefined ? `bytes=${offset}-` : `bytes=${offset}-${offset + length - 1}`
    const res = await send(call)
    if (res.status === 206) {
      const m = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/.exec(res.headers.get('content-range') ?? '')
      const first = Number(m?.[1])
      const last = Number(m?.[2])
      if (m === null || first !== offset || last < first || (length !== undefined && last - first + 1 > length)) {
        await res.body?.cancel().catch(() => {})
        throw new StorageError('E_PROTOCOL', `${key}: asked for ${headers.range}, got Content-Range ${JSON.stringify(res.headers.get('content-range'))}`, { key, status: 206 })
      }
      return { body: res.body, length: last - first + 1 }
    }
    if (res.status === 416) {
      // Past the end, or an empty object (which has no byte 0 to range over, yet {offset: 0} of it is valid).
      await res.body?.cancel().catch(() => {})
      return byStat()
    }
    if (res.status === 200) {
      await res.body?.cancel().catch(() => {})
      throw new StorageError('E_PROTOCOL', `${key}: the server ignored the Range request (HTTP 200 instead of 206)`, { key, status: 200 })
    }
    throw await failure(res, call)
  }

  /** The body checked to hold exactly `length` bytes; its failures as StorageErrors. */
  const checked = (key: string, body: ReadableStream<Uint8Array> | null, length: number, signal: AbortSignal | undefined): ReadableStream<Uint8Array> => {
    if (body === null) return new Response(new Uint8Array(0)).body!
    const reader = body.getReader()
    let got = 0
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          let r: ReadableStreamReadResult<Uint8Array>
          try {
            r = await reader.read()
          } catch (e) {
            controller.error(
              signal?.aborted
                ? new StorageError('E_ABORTED', 'aborted', { key, cause: signal.reason })
                : new StorageError('E_UNAVAILABLE', `${key}: the download failed after ${got} of ${length} bytes: ${describe(e)}`, { key, cause: e }),
            )
            return
          }
          if (r.done) {
            if (got === length) controller.close()
            else controller.error(new StorageError('E_UNAVAILABLE', `${key}: the download ended after ${got} of ${length} bytes`, { key }))
            return
          }
          got += r.value.length
          if (got > length) {
            await reader.cancel().catch(() => {})
            controller.error(new StorageError('E_PROTOCOL', `${key}: the server sent more than the ${length} bytes it announced`, { key }))
            return
          }
          controller.enqueue(r.value)
        },
        cancel(reason) {
          return reader.cancel(reason)
        },
      },
      { highWaterMark: 0 },
    )
  }

  /** Replaces `key` with `bytes` in one PUT (conditions and digest checked by the server). */
  const putSingle = async (key: string, bytes: Uint8Array, o: PutOptions, contentType: string): Promise<ObjectInfo> => {
    const headers: Record<string, string> = { 'content-type': contentType }
    if (o.ifNoneMatch === '*') headers['if-none-match'] = '*'
    if (o.ifMatch !== undefined) headers['if-match'] = bareEtag(o.ifMatch)
    // With `sha256`, the expected digest is the payload hash: the server refuses other bytes.
    const call: Call = { method: 'PUT', key, headers, body: bytes, payloadHash: o.sha256 ?? sha256Hex(bytes), signal: o.signal }
    const res = await send(call)
    if (res.status !== 200) {
      const { error, code } = await failureOf(res, call, { ifMatch: o.ifMatch !== undefined })
      // radosgw 16 checks the condition, then writes guarded by it (a RADOS compare of the
      // stored ETag): a writer that loses the race there gets 500 "UnknownError" (ECANCELED,
      // nothing written) rather than 412. When the condition visibly no longer holds, that is
      // the conflict it is.
      if (res.status === 500 && code === 'UnknownError' && (o.ifMatch !== undefined || o.ifNoneMatch === '*')) {
        const current = await stat(key, o)
        const lost = o.ifNoneMatch === '*' ? current !== undefined : current === undefined || bareEtag(current.etag) !== bareEtag(o.ifMatch!)
        if (lost) throw new StorageError('E_CONFLICT', `${key}: another write won (radosgw: HTTP 500 UnknownError on a conditional PUT, and the condition no longer holds)`, { key, status: 500, cause: error })
      }
      throw error
    }
    await res.body?.cancel().catch(() => {})
    return written(key, res.headers.get('etag'), bytes.length, contentType, o.signal)
  }

  /** The info of what was just written: the ETag the server gave, or a HEAD's when it gave none. */
  const written = async (key: string, etag: string | null, size: number, contentType: string, signal: AbortSignal | undefined): Promise<ObjectInfo> => {
    if (etag !== null && bareEtag(etag) !== '') return { key, size, etag: quotedEtag(etag), modified: Date.now(), contentType }
    const info = await stat(key, { signal })
    if (info === undefined) throw new StorageError('E_UNAVAILABLE', `${key}: written, then gone before its ETag could be read`, { key })
    return info
  }

  /** A multipart upload of `parts`; aborted on any failure, so that nothing partial remains. */
  const putMultipart = async (key: string, parts: PartSource, o: PutOptions, contentType: string): Promise<ObjectInfo> => {
    const signal = o.signal
    const created = await sendFor({ method: 'POST', key, query: [['uploads', '']], headers: { 'content-type': contentType }, signal }, [200])
    const uploadId = parseInitiateMultipartUpload(await readText(created, MAX_XML_BYTES, signal))
    const q = (extra: Array<readonly [string, string]> = []) => [['uploadId', uploadId] as const, ...extra]
    const hasher = o.sha256 === undefined ? undefined : createHasher('sha256')
    let size = 0
    let etag: string
    try {
      const etags: string[] = []
      let next = parts.next(signal)
      for (let n = 1; ; n++) {
        const part = await next
        if (part === undefined) break
        if (n > MAX_PARTS) throw new StorageError('E_LIMIT', `${key}: more than ${MAX_PARTS} parts of ${partSize} bytes (raise partSize)`, { key })
        hasher?.update(part)
        size += part.length
        // Each part is signed with its own SHA-256: the server refuses a part damaged on the way.
        const uploading = sendFor({ method: 'PUT', key, query: q([['partNumber', String(n)]]), body: part, signal }, [200])
        next = parts.next(signal) // read the next part while this one is on the wire
        next.catch(() => {}) // (awaited below; this only keeps an early failure from being "unhandled")
        const res = await uploading
        await res.body?.cancel().catch(() => {})
        const etag = res.headers.get('etag')
        if (etag === null || bareEtag(etag) === '') throw new StorageError('E_PROTOCOL', `${key}: part ${n} was stored without an ETag`, { key, status: res.status })
        etags.push(quotedEtag(etag))
      }
      if (hasher !== undefined) {
        const actual = toHex(hasher.digest())
        if (actual !== o.sha256) throw new StorageError('E_INTEGRITY', `sha256 mismatch: expected ${o.sha256}, got ${actual}; nothing was written`, { key })
      }
      const headers: Record<string, string> = { 'content-type': 'application/xml' }
      if (o.ifNoneMatch === '*' || o.ifMatch !== undefined) {
        // Checked here because radosgw 16 ignores conditions on CompleteMultipartUpload; sent
        // there as well, where AWS makes them atomic.
        const current = await stat(key, { signal })
        if (o.ifNoneMatch === '*' && current !== undefined) throw new StorageError('E_CONFLICT', `${key} exists (ifNoneMatch: '*')`, { key })
        if (o.ifMatch !== undefined && (current === undefined || bareEtag(current.etag) !== bareEtag(o.ifMatch))) {
          throw new StorageError('E_CONFLICT', current === undefined ? `${key} does not exist (ifMatch)` : `${key}: ETag is ${current.etag}, not ${o.ifMatch}`, { key })
        }
        if (o.ifNoneMatch === '*') headers['if-none-match'] = '*'
        if (o.ifMatch !== undefined) headers['if-match'] = bareEtag(o.ifMatch)
      }
      const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(e)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`
      const call: Call = { method: 'POST', key, query: q(), headers, body: new TextEncoder().encode(xml), signal }
      const res = await sendFor(call, [200], { ifMatch: o.ifMatch !== undefined })
      // S3 may fail a completion after its 200 status line (it keeps the connection alive with
      // spaces meanwhile): the body says.
      const done = parseCompleteMultipartUpload(await readText(res, MAX_XML_BYTES, signal))
      if ('error' in done) throw errorFor(statusOf(done.error.code), done.error, call, { ifMatch: o.ifMatch !== undefined })
      etag = done.etag
    } catch (e) {
      await parts.cancel(e)
      // No user signal here: an aborted put must still clean up after itself.
      await send({ method: 'DELETE', key, query: q(), signal: AbortSignal.timeout(ABORT_TIMEOUT_MS) })
        .then((res) => res.body?.cancel())
        .catch(() => {})
      throw e
    }
    // radosgw 16 answers with an empty ETag: then a HEAD tells.
    return written(key, etag || null, size, contentType, signal)
  }

  return {
    name: 's3',
    writable: true,
    async has(key: string, o: RequestOptions = {}) {
      return (await stat(key, o)) !== undefined
    },
    stat,
    async get(key: string, o: GetOptions = {}) {
      const { body, length } = await open(key, o)
      return readAll(checked(key, body, length, o.signal), length, o.signal)
    },
    async getStream(key: string, o: GetOptions = {}) {
      const { body, length } = await open(key, o)
      return checked(key, body, length, o.signal)
    },
    async put(key: string, body: PutBody, o: PutOptions = {}) {
      checkKey(key)
      checkBody(body, key)
      if (o.sha256 !== undefined) checkSha256(o.sha256, key)
      if (o.ifNoneMatch !== undefined && o.ifNoneMatch !== '*') throw new StorageError('E_ARGUMENT', `put: ifNoneMatch must be '*', got ${JSON.stringify(o.ifNoneMatch)}`, { key })
      throwIfAborted(o.signal, key)
      const contentType = o.contentType ?? 'application/octet-stream'
      if (!isStream(body)) {
        if (body.length <= threshold) return putSingle(key, body, o, contentType)
        return putMultipart(key, partsOf([body], undefined, partSize, key), o, contentType)
      }
      // A stream: buffered up to the threshold, which decides between one PUT and multipart.
      const reader = body.getReader()
      const head: Uint8Array[] = []
      let have = 0
      try {
        while (have <= threshold) {
          throwIfAborted(o.signal, key)
          const chunk = await readBody(reader, key)
          if (chunk === undefined) return await putSingle(key, concatBytes(head), o, contentType)
          head.push(chunk)
          have += chunk.length
        }
      } catch (e) {
        await reader.cancel(e).catch(() => {})
        throw e
      }
      return putMultipart(key, partsOf(head, reader, partSize, key), o, contentType)
    },
    async delete(key: string, o: DeleteOptions = {}) {
      checkKey(key)
      throwIfAborted(o.signal, key)
      // S3's DELETE is 204 whether or not there was an object: a HEAD says which.
      const current = await stat(key, o)
      const headers: Record<string, string> = {}
      if (o.ifMatch !== undefined) {
        if (current === undefined) throw new StorageError('E_CONFLICT', `${key} does not exist (ifMatch)`, { key })
        if (bareEtag(current.etag) !== bareEtag(o.ifMatch)) throw new StorageError('E_CONFLICT', `${key}: ETag is ${current.etag}, not ${o.ifMatch}`, { key })
        headers['if-match'] = bareEtag(o.ifMatch)
      } else if (current === undefined) return false
      const res = await sendFor({ method: 'DELETE', key, headers, signal: o.signal }, [200, 204], { ifMatch: o.ifMatch !== undefined })
      await res.body?.cancel().catch(() => {})
      return true
    },
    async list(prefix: string, o: ListOptions = {}): Promise<ListPage> {
      checkPrefix(prefix)
      throwIfAborted(o.signal)
      const limit = pageLimit(o.limit, maxPage)
      const query: Array<readonly [string, string]> = [
        ['list-type', '2'],
        ['prefix', prefix],
        ['max-keys', String(limit)],
      ]
      if (o.cursor !== undefined) {
        if (typeof o.cursor !== 'string' || o.cursor === '') throw new StorageError('E_ARGUMENT', `list: cursor must be one a previous page returned, got ${JSON.stringify(o.cursor)}`)
        if (o.cursor.startsWith(TOKEN_CURSOR)) query.push(['continuation-token', o.cursor.slice(TOKEN_CURSOR.length)])
        else query.push(['start-after', o.cursor])
      }
      const res = await sendFor({ method: 'GET', query, signal: o.signal }, [200])
      const page = parseListObjectsV2(await readText(res, MAX_XML_BYTES, o.signal))
      const items: ObjectInfo[] = page.items.map((it) => ({
        key: it.key,
        size: it.size,
        etag: quotedEtag(it.etag),
        ...(it.modified === undefined ? {} : { modified: it.modified }),
      }))
      for (const it of items) if (!it.key.startsWith(prefix)) throw new StorageError('E_PROTOCOL', `list: the server returned ${JSON.stringify(it.key)} for prefix ${JSON.stringify(prefix)}`)
      if (!page.isTruncated) return { items }
      // The last key continues the listing (start-after): stable, and valid with any limit.
      // A truncated page without keys (possible on AWS) continues by S3's own token.
      if (items.length > 0) return { items, cursor: items[items.length - 1]!.key }
      if (page.nextContinuationToken === undefined) throw new StorageError('E_PROTOCOL', 'list: a truncated page with neither keys nor a continuation token')
      return { items, cursor: TOKEN_CURSOR + page.nextContinuationToken }
    },
  }
}

/** A response body as text, at most `max` bytes (`E_PROTOCOL` past that, or the cut text when `cut`). */
async function readText(res: Response, max: number, signal: AbortSignal | undefined, cut = false): Promise<string> {
  if (res.body === null) return ''
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      throwIfAborted(signal)
      const { done, value } = await reader.read()
      if (done) break
      if (total + value.length > max) {
        await reader.cancel().catch(() => {})
        if (cut) {
          parts.push(value.subarray(0, max - total))
          total = max
          break
        }
        throw new StorageError('E_PROTOCOL', `the server's answer is longer than ${max} bytes`, { status: res.status })
      }
      parts.push(value)
      total += value.length
    }
  } catch (e) {
    if (e instanceof StorageError) throw e
    if (signal?.aborted) throw new StorageError('E_ABORTED', 'aborted', { cause: signal.reason })
    throw new StorageError('E_UNAVAILABLE', `reading the server's answer failed: ${describe(e)}`, { cause: e, status: res.status })
  } finally {
    reader.releaseLock()
  }
  return new TextDecoder().decode(concatBytes(parts))
}

/** A Content-Length as a size: `E_PROTOCOL` when absent or not a safe integer. */
function sizeOf(header: string | null, key: string, status: number): number {
  const size = header !== null && /^\d{1,16}$/.test(header.trim()) ? Number(header.trim()) : NaN
  if (!Number.isSafeInteger(size)) throw new StorageError('E_PROTOCOL', `${key}: no usable Content-Length (${JSON.stringify(header)})`, { key, status })
  return size
}

function infoOf(key: string, res: Response, size: number): ObjectInfo {
  const etag = res.headers.get('etag')
  if (etag === null || bareEtag(etag) === '') throw new StorageError('E_PROTOCOL', `${key}: the server gave no ETag`, { key, status: res.status })
  const modified = Date.parse(res.headers.get('last-modified') ?? '')
  const contentType = res.headers.get('content-type')
  return {
    key,
    size,
    etag: quotedEtag(etag),
    ...(Number.isNaN(modified) ? {} : { modified }),
    ...(contentType === null ? {} : { contentType }),
  }
}

/** The ETag without `W/` and quotes: what radosgw compares `If-Match` with. */
function bareEtag(etag: string): string {
  return String(etag).trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1')
}

/** ETags as S3 shows them (quoted), however the server or the caller wrote them. */
function quotedEtag(etag: string): string {
  return `"${bareEtag(etag)}"`
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** The HTTP status S3 gives an error code it can also send inside a 200 (CompleteMultipartUpload). */
function statusOf(code: string): number {
  if (code === 'SlowDown') return 503
  if (code === 'InternalError' || code === 'ServiceUnavailable') return 500
  if (code === 'NoSuchUpload' || code === 'NoSuchKey') return 404
  if (code === 'PreconditionFailed') return 412
  if (code === 'ConditionalRequestConflict' || code === 'OperationAborted') return 409
  if (code === 'AccessDenied') return 403
  return 400
}
