import { createHasher, toHex } from '@torshpkg/crypto'
import { responseBytes } from '../bytes.js'
import { partsOf } from '../parts.js'
import { digestHex, isDigest, type Digest } from '../content/digest.js'
import { StorageError, throwIfAborted } from '../errors.js'
import { OCI_INDEX, OCI_MANIFEST } from './media-types.js'
import { isTag } from './names.js'
import { boundedText, RegistryTransport, type TransportOptions } from './transport.js'

/**
 * The OCI distribution protocol, one request kind per method: blobs (HEAD, GET, uploads),
 * manifests (HEAD, GET, PUT, DELETE), tag lists and the catalog. Shared by `RegistryClient`
 * (packages) and `ociBackend` (objects); internal to this package.
 */

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

export interface Manifest {
  schemaVersion: 2
  mediaType: string
  artifactType?: string
  config: Descriptor
  layers: Descriptor[]
  subject?: Descriptor
  annotations?: Record<string, string>
}

export interface Index {
  schemaVersion: 2
  mediaType: string
  manifests: Descriptor[]
}

const enc = new TextEncoder()
const dec = new TextDecoder()
export const MAX_MANIFEST = 4 << 20
export const sha256 = (b: Uint8Array): Digest => `sha256:${toHex(createHasher('sha256').update(b).digest())}`

/** What `uploadBlob` takes besides the bytes. */
export interface UploadOptions {
  /** The blob's digest, when the caller knows it (else it is computed). */
  readonly digest?: Digest
  readonly signal?: AbortSignal
  /** A repository of the same registry to mount the blob from. */
  readonly mountFrom?: string
  readonly onProgress?: (sent: number, total: number) => void
}

/** Where and how to reach a registry (the transport options plus upload sizes). */
export interface ConnectOptions extends TransportOptions {
  /** Blobs up to this size are uploaded in one request; larger ones in chunks (default 64 MiB). */
  readonly monolithicLimit?: number
  /** Size of upload chunks (default 16 MiB). */
  readonly chunkSize?: number
  /** Send large bodies as streams (see `RegistryClientOptions.streamUploads`). */
  readonly streamUploads?: boolean
  /** Tags or repositories asked for per page of a listing (default 1000). */
  readonly pageSize?: number
}

const HASH_SLICE = 4 << 20

export class OciProtocol {
  /** Uploads under way, by `repo@digest`. */
  private readonly uploading = new Map<string, Promise<void>>()

  constructor(
    readonly http: RegistryTransport,
    private readonly monolithicLimit: number,
    private readonly chunkSize: number,
    private readonly pageSize = 1000,
  ) {}

  /** A protocol client for the registry at `base`; `who` names the caller in argument errors. */
  static connect(base: URL, options: ConnectOptions, who: string): OciProtocol {
    const chunkSize = options.chunkSize ?? 16 << 20
    const monolithicLimit = options.monolithicLimit ?? 64 << 20
    if (!(Number.isSafeInteger(chunkSize) && chunkSize >= 1)) throw new StorageError('E_ARGUMENT', `${who}: chunkSize must be a positive integer`)
    if (!(Number.isSafeInteger(monolithicLimit) && monolithicLimit >= 0)) throw new StorageError('E_ARGUMENT', `${who}: monolithicLimit must be a non-negative integer`)
    const pageSize = options.pageSize ?? 1000
    if (!(Number.isSafeInteger(pageSize) && pageSize >= 1)) throw new StorageError('E_ARGUMENT', `${who}: pageSize must be a positive integer`)
    const transport = new RegistryTransport(new URL(`${base.origin}/`), {
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.streamUploads === undefined ? {} : { streamBodies: options.streamUploads }),
    })
    return new OciProtocol(transport, monolithicLimit, chunkSize, pageSize)
  }

  /** Does `repo` hold blob `digest`? (HEAD) */
  async hasBlob(repo: string, digest: string, signal: AbortSignal | undefined): Promise<boolean> {
    const res = await this.http.request('HEAD', `/v2/${repo}/blobs/${digest}`, { scope: pullScope(repo), ...(signal === undefined ? {} : { signal }) })
    await res.body?.cancel().catch(() => {})
    if (res.status === 200) return true
    if (res.status === 404) return false
    throw await responseError(res, `${repo}@${digest}`)
  }

  /**
   * Uploads a blob unless the repository has it, and returns its digest. With the digest known
   * (given, or hashed first for blobs up to `monolithicLimit`): a HEAD first; a
   * cross-repository mount when `mountFrom` is given (falling back to an upload); then one PUT
   * up to `monolithicLimit`, else PATCH chunks of `chunkSize` and a closing PUT. A chunk that
   * fails is re-sent when the upload session still stands at its start (asked with GET), else
   * the upload starts over (three times at most).
   *
   * A larger blob whose digest is not given does not wait for its hash: hashing runs beside
   * the first chunks (it is several times faster than a registry takes bytes), the HEAD goes
   * out as soon as the digest is known, and when the registry has the blob already the upload
   * stops there. Only the closing PUT needs the digest.
   */
  async uploadBlob(repo: string, bytes: Uint8Array, options: UploadOptions = {}): Promise<Digest> {
    if (options.digest === undefined && options.mountFrom === undefined && bytes.length > this.monolithicLimit) return this.uploadWhileHashing(repo, bytes, options)
    const digest = options.digest ?? sha256(bytes)
    // One upload per blob at a time from this client: distribution 2.8 answers concurrent
    // uploads of one blob with transient errors (a HEAD that says yes before the blob is
    // linked into the repository, so the manifest naming it is refused; a 500 now and then).
    const id = `${repo}@${digest}`
    const running = this.uploading.get(id)
    if (running !== undefined) {
      await running.catch(() => {})
      if (await this.hasBlob(repo, digest, options.signal).catch(() => false)) {
        options.onProgress?.(bytes.length, bytes.length)
        return digest
      }
    }
    const upload = (async () => {
      // A HEAD that fails (a 5xx) only means the blob is uploaded again: uploads are idempotent.
      if (await this.hasBlob(repo, digest, options.signal).catch((e: unknown) => (e instanceof StorageError && e.code === 'E_UNAVAILABLE' ? false : Promise.reject(e)))) {
        options.onProgress?.(bytes.length, bytes.length)
        return
      }
      await this.uploadWithRestarts(repo, bytes, Promise.resolve(digest), options)
    })()
    this.uploading.set(id, upload)
    try {
      await upload
    } finally {
      if (this.uploading.get(id) === upload) this.uploading.delete(id)
    }
    return digest
  }

  private async uploadWhileHashing(repo: string, bytes: Uint8Array, options: UploadOptions): Promise<Digest> {
    const found = new AbortController()
    const signal = options.signal === undefined ? found.signal : AbortSignal.any([options.signal, found.signal])
    const digest = hashInSlices(bytes, signal)
    digest.catch(() => {}) // (awaited below; this only keeps an early failure from going unhandled)
    // A failed HEAD is not an error: the upload goes on and its end says what is wrong.
    void digest.then((d) => this.hasBlob(repo, d, signal)).then((has) => has && found.abort(), () => {})
    try {
      await this.uploadWithRestarts(repo, bytes, digest, { ...options, signal })
    } catch (e) {
      if (!found.signal.aborted || options.signal?.aborted) throw e
      options.onProgress?.(bytes.length, bytes.length)
    }
    return digest
  }

  private async uploadWithRestarts(repo: string, bytes: Uint8Array, digest: Promise<Digest>, options: UploadOptions): Promise<void> {
    const { signal } = options
    for (let attempt = 0; ; attempt++) {
      try {
        await this.uploadOnce(repo, bytes, digest, options, attempt === 0 ? options.mountFrom : undefined)
        return
      } catch (e) {
        // A broken session (the registry restarted, a chunk was cut off) or an unreachable
        // registry: start over with a new session, after a growing pause, three times at most.
        if (!(e instanceof StorageError && (e.code === 'E_UNAVAILABLE' || e.code === 'E_PROTOCOL')) || attempt >= 3 || signal?.aborted) throw e
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt))
        if (await this.hasBlob(repo, await digest, signal).catch(() => false)) return
      }
    }
  }

  /** One upload session, start to end (the session is cancelled when the upload is aborted). */
  private async uploadOnce(repo: string, bytes: Uint8Array, digest: Promise<Digest>, options: UploadOptions, mountFrom: string | undefined): Promise<void> {
    const { signal } = options
    let location: URL
    if (mountFrom !== undefined) {
      const res = await this.http.request('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(await digest)}&from=${encodeURIComponent(mountFrom)}`, { scope: `${pushScope(repo)} ${pullScope(mountFrom)}`, ...(signal === undefined ? {} : { signal }) })
      await res.body?.cancel().catch(() => {})
      if (res.status === 201) {
        options.onProgress?.(bytes.length, bytes.length)
        return
      }
      if (res.status !== 202) throw await responseError(res, `${repo} mount`)
      location = this.locationOf(res)
    } else {
      location = await this.startUpload(repo, signal)
    }
    try {
      if (bytes.length <= this.monolithicLimit) {
        await this.finishUpload(repo, location, await digest, bytes, signal)
      } else {
        let offset = 0
        while (offset < bytes.length) {
          throwIfAborted(signal)
          const end = Math.min(bytes.length, offset + this.chunkSize)
          location = await this.patchChunk(repo, location, bytes.subarray(offset, end), offset, signal)
          offset = end
          options.onProgress?.(offset, bytes.length)
        }
        await this.finishUpload(repo, location, await digest, undefined, signal)
      }
    } catch (e) {
      if (signal?.aborted) void this.cancelUpload(repo, location)
      throw e
    }
    options.onProgress?.(bytes.length, bytes.length)
  }

  /**
   * Uploads a stream of unknown length in chunks of `chunkSize`, hashing as it goes; returns
   * the digest and size. (A stream cannot be read twice: a broken session fails the upload.)
   * `key` names the object in errors about the stream itself.
   */
  async uploadStream(repo: string, stream: ReadableStream<Uint8Array>, options: { signal?: AbortSignal; expectSha256?: string; key?: string } = {}): Promise<{ digest: Digest; size: number }> {
    const { signal } = options
    const key = options.key ?? repo
    const hasher = createHasher('sha256')
    const parts = partsOf([], stream.getReader(), this.chunkSize, key)
    let location = await this.startUpload(repo, signal).catch(async (e: unknown) => {
      await parts.cancel(e)
      throw e
    })
    let offset = 0
    try {
      for (let part = await parts.next(signal); part !== undefined; part = await parts.next(signal)) {
        hasher.update(part)
        location = await this.patchChunk(repo, location, part, offset, signal)
        offset += part.length
      }
      const digest: Digest = `sha256:${toHex(hasher.digest())}`
      if (options.expectSha256 !== undefined && digestHex(digest) !== options.expectSha256) {
        throw new StorageError('E_INTEGRITY', `${key}: the stream's SHA-256 is ${digestHex(digest)}, not the ${options.expectSha256} expected`, { key })
      }
      await this.finishUpload(repo, location, digest, undefined, signal)
      return { digest, size: offset }
    } catch (e) {
      await parts.cancel(e)
      void this.cancelUpload(repo, location)
      throw e
    }
  }

  /** Ends an unfinished upload session (best effort: registries purge stale ones anyway). */
  private async cancelUpload(repo: string, location: URL): Promise<void> {
    try {
      const res = await this.http.request('DELETE', location, { scope: pushScope(repo) })
      await res.body?.cancel().catch(() => {})
    } catch {
      // the registry purges abandoned sessions itself
    }
  }

  async startUpload(repo: string, signal: AbortSignal | undefined): Promise<URL> {
    const res = await this.http.request('POST', `/v2/${repo}/blobs/uploads/`, { scope: pushScope(repo), ...(signal === undefined ? {} : { signal }) })
    if (res.status !== 202) throw await responseError(res, `${repo} upload`)
    await res.body?.cancel().catch(() => {})
    return this.locationOf(res)
  }

  /** One PATCH; on failure, asks the session where it stands and re-sends once if it is still at `offset`. */
  async patchChunk(repo: string, location: URL, chunk: Uint8Array, offset: number, signal: AbortSignal | undefined): Promise<URL> {
    const send = async (at: URL) => {
      const res = await this.http.request('PATCH', at, {
        scope: pushScope(repo),
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}`, 'content-length': String(chunk.length) },
        body: chunk,
        ...(signal === undefined ? {} : { signal }),
      })
      if (res.status !== 202) throw await responseError(res, `${repo} upload chunk at ${offset}`)
      await res.body?.cancel().catch(() => {})
      return this.locationOf(res)
    }
    try {
      return await send(location)
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'E_UNAVAILABLE') || signal?.aborted) throw e
      // Where does the session stand? (Only a session still at `offset` can take the chunk again.)
      await new Promise((r) => setTimeout(r, 100))
      const status = await this.http.request('GET', location, { scope: pushScope(repo), ...(signal === undefined ? {} : { signal }) })
      await status.body?.cancel().catch(() => {})
      const range = /^0-(\d+)$/.exec(status.headers.get('range') ?? '')
      const stored = range === null ? -1 : Number(range[1]) + 1
      // ("0-0" is both "nothing" and "one byte": only trust it for offset 0 or 1 as appropriate.)
      if (status.status === 204 && (stored === offset || (offset === 0 && stored === 1))) return send(this.locationOf(status))
      throw new StorageError('E_UNAVAILABLE', `${repo}: the upload session broke at ${offset} bytes (it stands at ${stored}); starting over`, { cause: e })
    }
  }

  async finishUpload(repo: string, location: URL, digest: Digest, body: Uint8Array | undefined, signal: AbortSignal | undefined): Promise<void> {
    const url = new URL(location)
    url.searchParams.set('digest', digest)
    const res = await this.http.request('PUT', url, {
      scope: pushScope(repo),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(body?.length ?? 0) },
      ...(body === undefined ? {} : { body }),
      ...(signal === undefined ? {} : { signal }),
    })
    if (res.status === 201 || res.status === 204) {
      await res.body?.cancel().catch(() => {})
      return
    }
    const error = await responseError(res, `${repo} upload of ${digest}`)
    if (res.status === 400) throw new StorageError('E_INTEGRITY', `the registry refused the blob as ${digest} (DIGEST_INVALID or a broken upload): ${error.message}`, { status: 400, cause: error })
    throw error
  }

  locationOf(res: Response): URL {
    const location = res.headers.get('location')
    if (location === null) throw new StorageError('E_PROTOCOL', `upload: HTTP ${res.status} without a Location`, { status: res.status })
    return new URL(location, this.http.base)
  }

  /** A small blob (config, referrer data), checked against its descriptor. */
  async getBlobSmall(repo: string, d: Descriptor, signal: AbortSignal | undefined, max = MAX_MANIFEST): Promise<Uint8Array> {
    if (!isDigest(d.digest) || !Number.isSafeInteger(d.size) || d.size < 0 || d.size > max) throw new StorageError('E_PROTOCOL', `${repo}: bad descriptor ${JSON.stringify(d).slice(0, 200)}`)
    const res = await this.http.request('GET', `/v2/${repo}/blobs/${d.digest}`, { scope: pullScope(repo), ...(signal === undefined ? {} : { signal }) })
    if (res.status !== 200) throw await responseError(res, `${repo}@${d.digest}`)
    const bytes = await boundedBytes(res, d.size)
    if (bytes.length !== d.size || sha256(bytes) !== d.digest) throw new StorageError('E_INTEGRITY', `${repo}@${d.digest}: the blob does not match its descriptor`, { key: d.digest })
    return bytes
  }


  // ---- manifests and tags -------------------------------------------------------------------

  /** The manifest's digest under `reference`, or undefined (HEAD). */
  async manifestDigest(repo: string, reference: string, signal: AbortSignal | undefined): Promise<Digest | undefined> {
    const res = await this.http.request('HEAD', `/v2/${repo}/manifests/${reference}`, { scope: pullScope(repo), headers: { accept: `${OCI_MANIFEST}, ${OCI_INDEX}` }, ...(signal === undefined ? {} : { signal }) })
    await res.body?.cancel().catch(() => {})
    if (res.status === 404) return undefined
    if (res.status !== 200) throw await responseError(res, `${repo}:${reference}`)
    const digest = res.headers.get('docker-content-digest')
    if (digest !== null && isDigest(digest)) return digest
    return (await this.getManifest(repo, reference, signal)).digest
  }

  /** The manifest under `reference` (a tag or digest), checked against its digest. */
  async getManifest(repo: string, reference: string, signal: AbortSignal | undefined): Promise<{ manifest: Manifest; digest: Digest; size: number }> {
    const res = await this.http.request('GET', `/v2/${repo}/manifests/${reference}`, { scope: pullScope(repo), headers: { accept: OCI_MANIFEST }, ...(signal === undefined ? {} : { signal }) })
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {})
      throw new StorageError('E_NOT_FOUND', `${repo}:${reference} is not in the registry`, { key: `${repo}:${reference}`, status: 404 })
    }
    if (res.status !== 200) throw await responseError(res, `${repo}:${reference}`)
    const bytes = await boundedBytes(res, MAX_MANIFEST)
    const digest = sha256(bytes)
    if (isDigest(reference) && reference !== digest) throw new StorageError('E_INTEGRITY', `${repo}@${reference}: the manifest's bytes hash to ${digest}`)
    const manifest = parseJson<Manifest>(dec.decode(bytes), `${repo}:${reference}`)
    if (manifest.schemaVersion !== 2 || typeof manifest.config !== 'object' || !Array.isArray(manifest.layers)) throw new StorageError('E_PROTOCOL', `${repo}:${reference} is not an OCI image manifest`)
    return { manifest, digest, size: bytes.length }
  }

  async getIndex(repo: string, tag: string, signal: AbortSignal | undefined): Promise<Index | undefined> {
    const res = await this.http.request('GET', `/v2/${repo}/manifests/${tag}`, { scope: pullScope(repo), headers: { accept: OCI_INDEX }, ...(signal === undefined ? {} : { signal }) })
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {})
      return undefined
    }
    if (res.status !== 200) throw await responseError(res, `${repo}:${tag}`)
    const index = parseJson<Index>(await boundedText(res, MAX_MANIFEST), `${repo}:${tag}`)
    if (!Array.isArray(index.manifests)) throw new StorageError('E_PROTOCOL', `${repo}:${tag} is not an OCI image index`)
    return index
  }

  /**
   * PUT of a manifest whose blobs this client just uploaded. Distribution 2.8 can refuse it as
   * "manifest blob unknown" when another client's upload of the same blob was still being
   * linked into the repository while ours was skipped (its HEAD already said yes): then
   * `ensureBlobs` runs again after a short pause and the PUT is retried, three times at most.
   */
  async putManifestAfterUpload(repo: string, tag: string, manifest: Manifest, ensureBlobs: () => Promise<void>, signal: AbortSignal | undefined): Promise<Digest> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.putManifest(repo, tag, manifest, signal)
      } catch (e) {
        if (!(e instanceof StorageError && e.code === 'E_NOT_FOUND') || attempt >= 3) throw e
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt))
        await ensureBlobs()
      }
    }
  }

  async putManifest(repo: string, tag: string, manifest: Manifest, signal: AbortSignal | undefined): Promise<Digest> {
    return this.putManifestBytes(repo, tag, enc.encode(JSON.stringify(manifest)), OCI_MANIFEST, signal)
  }

  async putManifestBytes(repo: string, reference: string, bytes: Uint8Array, mediaType: string, signal: AbortSignal | undefined): Promise<Digest> {
    const res = await this.http.request('PUT', `/v2/${repo}/manifests/${reference}`, { scope: pushScope(repo), headers: { 'content-type': mediaType }, body: bytes, ...(signal === undefined ? {} : { signal }) })
    if (res.status !== 201 && res.status !== 200) throw await responseError(res, `${repo}:${reference}`)
    await res.body?.cancel().catch(() => {})
    const digest = sha256(bytes)
    const said = res.headers.get('docker-content-digest')
    if (said !== null && said !== digest) throw new StorageError('E_PROTOCOL', `${repo}:${reference}: the registry says the manifest is ${said}, its bytes are ${digest}`)
    return digest
  }

  /** Deletes the manifest `digest` (and with it the tags naming it): false when there was none; `E_UNSUPPORTED` where the registry does not allow deletes. */
  async deleteManifest(repo: string, digest: Digest, signal: AbortSignal | undefined): Promise<boolean> {
    const res = await this.http.request('DELETE', `/v2/${repo}/manifests/${digest}`, { scope: pushScope(repo), ...(signal === undefined ? {} : { signal }) })
    await res.body?.cancel().catch(() => {})
    if (res.status === 202 || res.status === 200) return true
    if (res.status === 404) return false
    if (res.status === 405) throw new StorageError('E_UNSUPPORTED', `${repo}: this registry does not allow deletes (HTTP 405)`, { status: 405 })
    throw await responseError(res, `${repo}@${digest}`)
  }

  /** Every tag of `repo` (following `Link` pages where the registry paginates). */
  async tags(repo: string, signal: AbortSignal | undefined): Promise<string[]> {
    const tags = await this.pages(`/v2/${repo}/tags/list`, 'tags', pullScope(repo), `${repo} tags`, signal, true)
    return [...new Set(tags.filter(isTag))]
  }

  /** Every repository in the registry's catalog. */
  async catalog(signal: AbortSignal | undefined): Promise<string[]> {
    return this.pages('/v2/_catalog', 'repositories', 'registry:catalog:*', 'catalog', signal, false)
  }

  /**
   * The strings in `field` of every page of a list: `?n=<pageSize>`, then each `Link: <...>;
   * rel="next"` (distribution 2.8 pages the catalog, not tags). At most 10,000 pages.
   */
  private async pages(path: string, field: string, scope: string, what: string, signal: AbortSignal | undefined, missingIsEmpty: boolean): Promise<string[]> {
    const out: string[] = []
    let next: string | undefined = `${path}?n=${this.pageSize}`
    for (let pages = 0; next !== undefined && pages < 10_000; pages++) {
      const res: Response = await this.http.request('GET', next, { scope, ...(signal === undefined ? {} : { signal }) })
      if (res.status === 404 && missingIsEmpty) {
        await res.body?.cancel().catch(() => {})
        return out
      }
      if (res.status !== 200) throw await responseError(res, what)
      const body = parseJson<Record<string, unknown>>(await boundedText(res, 16 << 20), what)
      const items = body[field]
      if (Array.isArray(items)) for (const x of items) if (typeof x === 'string') out.push(x)
      next = nextLink(res.headers.get('link'))
    }
    return out
  }
}

/**
 * SHA-256 of `bytes` in 4 MiB slices, yielding to the event loop between slices so that an
 * upload of the same bytes proceeds meanwhile.
 */
async function hashInSlices(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<Digest> {
  const hasher = createHasher('sha256')
  for (let at = 0; at < bytes.length; at += HASH_SLICE) {
    throwIfAborted(signal)
    hasher.update(bytes.subarray(at, Math.min(bytes.length, at + HASH_SLICE)))
    await new Promise((r) => setTimeout(r, 0))
  }
  return `sha256:${toHex(hasher.digest())}`
}

export const pullScope = (repo: string) => `repository:${repo}:pull`
export const pushScope = (repo: string) => `repository:${repo}:pull,push`

/** The next page of a `Link: </v2/...?n=2&last=b>; rel="next"` header. */
export function nextLink(link: string | null): string | undefined {
  if (link === null) return undefined
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)
  return m?.[1]
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T
  } catch (e) {
    throw new StorageError('E_PROTOCOL', `${what}: not JSON`, { cause: e })
  }
}

/** The body, at most `max` bytes (more is `E_INTEGRITY`: the registry sent more than the descriptor says). */
export async function boundedBytes(res: Response, max: number): Promise<Uint8Array> {
  try {
    return await responseBytes(res, max)
  } catch (e) {
    if (e instanceof StorageError && e.code === 'E_LIMIT') throw new StorageError('E_INTEGRITY', `the registry sent more than the ${max} bytes expected`, { status: res.status, cause: e })
    throw e
  }
}

/**
 * The body of a blob of known size and digest: read into one buffer of that size (no copy at
 * the end) and hashed as it arrives, so checking costs no second pass. More or fewer bytes, or
 * another digest, is `E_INTEGRITY`.
 */
export async function verifiedBody(res: Response, size: number, digest: string, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(size)
  const hasher = createHasher('sha256')
  let at = 0
  if (res.body !== null) {
    const reader = res.body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (at + value.length > size) throw new StorageError('E_INTEGRITY', `${what}: the registry sent more than the ${size} bytes the manifest names`, { key: digest })
        out.set(value, at)
        hasher.update(value)
        at += value.length
      }
    } catch (e) {
      await reader.cancel().catch(() => {})
      throw e instanceof StorageError ? e : new StorageError('E_UNAVAILABLE', `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
    }
  }
  if (at !== size || `sha256:${toHex(hasher.digest())}` !== digest) {
    throw new StorageError('E_INTEGRITY', `${what}: the blob is not the ${size} bytes of ${digest} the manifest names`, { key: digest })
  }
  return out
}

/** A registry error response as a StorageError (the spec's `errors[].code` in the message). */
export async function responseError(res: Response, what: string): Promise<StorageError> {
  let detail = ''
  let codes: string[] = []
  try {
    const text = await boundedText(res, 64 * 1024)
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] }
    detail = (body.errors ?? []).map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ')
    codes = (body.errors ?? []).map((e) => String(e.code))
  } catch {
    // not JSON: the status says enough
  }
  const s = res.status
  const message = `${what}: HTTP ${s}${detail === '' ? '' : ` (${detail})`}`
  // A manifest naming a blob the repository does not have (yet: see OciProtocol.uploadBlob).
  if (s === 400 && codes.some((c) => c === 'MANIFEST_BLOB_UNKNOWN' || c === 'BLOB_UNKNOWN')) return new StorageError('E_NOT_FOUND', message, { status: s })
  if (s === 404) return new StorageError('E_NOT_FOUND', message, { status: s })
  if (s === 401 || s === 403) return new StorageError('E_AUTH', message, { status: s })
  if (s === 405) return new StorageError('E_UNSUPPORTED', message, { status: s })
  if (s === 409 || s === 412) return new StorageError('E_CONFLICT', message, { status: s })
  if (s === 416) return new StorageError('E_ARGUMENT', message, { status: s })
  if (s === 408 || s === 429 || s >= 500) return new StorageError('E_UNAVAILABLE', message, { status: s })
  return new StorageError('E_PROTOCOL', message, { status: s })
}
