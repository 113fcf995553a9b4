import { base64Decode, base64Encode, createHasher, randomBytes, toHex } from '@torshpkg/crypto'
import { checkBody, isStream, pageLimit, rangeWithin } from '../bytes.js'
import { digestHex, type Digest } from '../content/digest.js'
import { checkDigest, checkSha256 } from '../digest.js'
import { StorageError, throwIfAborted } from '../errors.js'
import { checkKey, checkPrefix, compareKeys } from '../keys.js'
import { OCI_EMPTY, OCI_MANIFEST } from '../registry/media-types.js'
import { checkRepository } from '../registry/names.js'
import { boundedBytes, OciProtocol, pullScope, responseError, sha256, verifiedBody, type Manifest } from '../registry/protocol.js'
import type { RegistryAuth } from '../registry/transport.js'
import type { DeleteOptions, GetOptions, ListOptions, ListPage, ObjectInfo, PutBody, PutOptions, RequestOptions, StorageBackend } from '../types.js'

/** Options of {@link ociBackend}. */
export interface OciBackendOptions {
  /** The registry's base URL (`https://ghcr.io`, `http://127.0.0.1:5000`). */
  readonly url: string
  /** The repository that holds the objects (`acme/model-cache`): one tag per key. */
  readonly repository: string
  readonly auth?: RegistryAuth
  /** Blobs up to this size are uploaded in one request; larger ones in chunks (default 64 MiB). */
  readonly monolithicLimit?: number
  /** Size of upload chunks, and of the pieces a streamed `put` is sent in (default 16 MiB). */
  readonly chunkSize?: number
  /** Send large request bodies as streams (default: on in the Node build; see `RegistryClientOptions.streamUploads`). */
  readonly streamUploads?: boolean
  /** Tags asked for per page of the registry's tag list (default 1000). */
  readonly pageSize?: number
  /** Manifests read at once while listing (default 8). */
  readonly listConcurrency?: number
  readonly fetch?: typeof fetch
  readonly headers?: Readonly<Record<string, string>>
}

/** The artifact type of an object's manifest. */
export const OCI_OBJECT_ARTIFACT_TYPE = 'application/vnd.torshpkg.object.v1'
const KEY_ANNOTATION = 'org.torshpkg.key'
const WRITE_ANNOTATION = 'org.torshpkg.write'
const CREATED_ANNOTATION = 'org.opencontainers.image.created'
/** Tags of keys spelled out: `k_` + the key's UTF-8 in unpadded URL-safe base64. */
const ENCODED = 'k_'
/** Tags of keys too long to spell out in a tag's 128 characters: `h_` + SHA-256 of the key. */
const HASHED = 'h_'
/** Longest key (UTF-8 bytes) that fits a tag spelled out: 2 + ceil(94 * 4 / 3) = 128. */
const MAX_SPELLED_KEY = 94

const enc = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const EMPTY_JSON = enc.encode('{}')

/**
 * Objects in an OCI registry: one repository, one tag per key, each tag an OCI image manifest
 * whose one layer is the object's bytes (so blobs are deduplicated and served by the
 * registry's own storage and CDN). The tag spells the key out (`k_<base64url>`) when it fits,
 * else it is a hash of the key (`h_<sha256>`) and the key is read from the manifest's
 * `org.torshpkg.key` annotation. The ETag is the manifest's digest (every write gets a new
 * one). Deleting removes the manifest (and so its tag); the blob stays until the registry's
 * garbage collection.
 *
 * Conditional writes: registries have no compare-and-swap on tags, so `ifMatch` and
 * `ifNoneMatch` are checked (HEAD) just before the manifest is written. Between writers that
 * use one backend object they are exact (writes of one key queue behind each other); writers
 * in other processes can race inside that window, and the last write wins. `conditionalWrites`
 * says so (`'process'`): keep compare-and-swap state (`ContentStore` refs) in a backend with
 * atomic conditions when several machines write it.
 *
 * Listing reads the repository's whole tag list (registries neither filter nor sort tags) and
 * one manifest per listed object, `listConcurrency` at a time.
 *
 * @example
 * ```ts
 * const store = ociBackend({ url: 'https://ghcr.io', repository: 'acme/model-cache', auth: { username, password: token } })
 * await store.put('bert/1.0.0/weights.bin', bytes)
 * const head = await store.get('bert/1.0.0/weights.bin', { range: { offset: 0, length: 4096 } })
 * ```
 */
export function ociBackend(options: OciBackendOptions): StorageBackend {
  let base: URL
  try {
    base = new URL(options.url)
  } catch (e) {
    throw new StorageError('E_ARGUMENT', `ociBackend: not a URL: ${JSON.stringify(options.url)}`, { cause: e })
  }
  const repo = checkRepository(options.repository, 'ociBackend')
  const oci = OciProtocol.connect(base, options, 'ociBackend')
  const concurrency = options.listConcurrency ?? 8
  if (!(Number.isSafeInteger(concurrency) && concurrency >= 1)) throw new StorageError('E_ARGUMENT', 'ociBackend: listConcurrency must be a positive integer')
  let emptyConfig: Promise<Digest> | undefined

  /** Writes of one key, one after another (what makes conditions exact within this object). */
  const queues = new Map<string, Promise<unknown>>()
  const serialized = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const before = queues.get(key) ?? Promise.resolve()
    const run = before.then(fn, fn)
    const tail = run.catch(() => {})
    queues.set(key, tail)
    void tail.then(() => queues.get(key) === tail && queues.delete(key))
    return run
  }

  /** The object's manifest and digest, or undefined; `reference` is its tag or a digest. */
  const manifestOf = async (key: string, reference: string, signal: AbortSignal | undefined): Promise<{ manifest: Manifest; digest: Digest } | undefined> => {
    let m: { manifest: Manifest; digest: Digest }
    try {
      m = await oci.getManifest(repo, reference, signal)
    } catch (e) {
      if (e instanceof StorageError && e.code === 'E_NOT_FOUND') return undefined
      throw withKey(e, key)
    }
    const layer = m.manifest.layers[0]
    if (m.manifest.artifactType !== OCI_OBJECT_ARTIFACT_TYPE || layer === undefined || !Number.isSafeInteger(layer.size) || layer.size < 0) {
      throw new StorageError('E_PROTOCOL', `${key}: ${repo}:${reference} is not an object written by ociBackend`, { key })
    }
    const stored = m.manifest.annotations?.[KEY_ANNOTATION]
    if (stored !== key) throw new StorageError('E_PROTOCOL', `${key}: ${repo}:${reference} holds ${JSON.stringify(stored)}`, { key })
    return m
  }

  const infoOf = (key: string, m: { manifest: Manifest; digest: Digest }): ObjectInfo => {
    const layer = m.manifest.layers[0]!
    const modified = Date.parse(m.manifest.annotations?.[CREATED_ANNOTATION] ?? '')
    return {
      key,
      size: layer.size,
      etag: m.digest,
      ...(Number.isNaN(modified) ? {} : { modified }),
      ...(layer.mediaType === 'application/octet-stream' ? {} : { contentType: layer.mediaType }),
    }
  }

  /** The current manifest digest under the key's tag (HEAD), or undefined. */
  const currentDigest = async (key: string, signal: AbortSignal | undefined): Promise<Digest | undefined> => {
    try {
      return await oci.manifestDigest(repo, tagOf(key), signal)
    } catch (e) {
      throw withKey(e, key)
    }
  }

  /** The manifest to read: the key's current one, or the version `ifMatch` names (E_CONFLICT when it is not current). */
  const readable = async (key: string, o: GetOptions): Promise<{ manifest: Manifest; digest: Digest }> => {
    checkKey(key)
    throwIfAborted(o.signal, key)
    if (o.range !== undefined) rangeWithin(o.range, Number.MAX_SAFE_INTEGER, key) // the range's own shape first
    let m: { manifest: Manifest; digest: Digest } | undefined
    if (o.ifMatch === undefined) m = await manifestOf(key, tagOf(key), o.signal)
    else {
      const current = await currentDigest(key, o.signal)
      if (current !== undefined && current !== o.ifMatch) throw new StorageError('E_CONFLICT', `${key}: ETag is ${current}, not ${o.ifMatch}`, { key })
      // By digest: that version's bytes, even if the tag moves meanwhile.
      if (current !== undefined) m = await manifestOf(key, current, o.signal)
    }
    if (m === undefined) throw new StorageError('E_NOT_FOUND', `no object ${JSON.stringify(key)}`, { key })
    return m
  }

  /** A GET of the object's layer: the whole blob, or `[start, end)` of it. */
  const fetchLayer = async (key: string, m: Manifest, start: number, end: number, signal: AbortSignal | undefined): Promise<Response> => {
    const layer = m.layers[0]!
    const whole = start === 0 && end === layer.size
    const res = await oci.http.request('GET', `/v2/${repo}/blobs/${layer.digest}`, {
      scope: pullScope(repo),
      ...(whole ? {} : { headers: { range: `bytes=${start}-${end - 1}` } }),
      ...(signal === undefined ? {} : { signal }),
    })
    if (res.status === (whole ? 200 : 206)) return res
    if (res.status === 200) {
      await res.body?.cancel().catch(() => {})
      throw new StorageError('E_PROTOCOL', `${key}: the registry ignored the Range request`, { key, status: 200 })
    }
    throw withKey(await responseError(res, `${key} (${repo}@${layer.digest})`), key)
  }

  const uploadConfig = (signal: AbortSignal | undefined): Promise<Digest> => {
    emptyConfig ??= oci.uploadBlob(repo, EMPTY_JSON, signal === undefined ? {} : { signal }).catch((e: unknown) => {
      emptyConfig = undefined
      throw e
    })
    return emptyConfig
  }

  return {
    name: 'oci',
    writable: true,
    conditionalWrites: 'process',
    async has(key: string, o: RequestOptions = {}) {
      checkKey(key)
      throwIfAborted(o.signal, key)
      return (await currentDigest(key, o.signal)) !== undefined
    },
    async stat(key: string, o: RequestOptions = {}) {
      checkKey(key)
      throwIfAborted(o.signal, key)
      const m = await manifestOf(key, tagOf(key), o.signal)
      return m === undefined ? undefined : infoOf(key, m)
    },
    async get(key: string, o: GetOptions = {}) {
      const m = await readable(key, o)
      const layer = m.manifest.layers[0]!
      const [start, end] = rangeWithin(o.range, layer.size, key)
      if (start === end) return new Uint8Array(0)
      const res = await fetchLayer(key, m.manifest, start, end, o.signal)
      // Whole objects are checked against the layer digest; ranges can only be checked for length.
      if (start === 0 && end === layer.size) return verifiedBody(res, layer.size, layer.digest, key)
      const bytes = await boundedBytes(res, end - start)
      if (bytes.length !== end - start) throw new StorageError('E_UNAVAILABLE', `${key}: asked for ${end - start} bytes at ${start}, got ${bytes.length}`, { key })
      return bytes
    },
    async getStream(key: string, o: GetOptions = {}) {
      const m = await readable(key, o)
      const layer = m.manifest.layers[0]!
      const [start, end] = rangeWithin(o.range, layer.size, key)
      if (start === end) return new Response(new Uint8Array(0)).body!
      const res = await fetchLayer(key, m.manifest, start, end, o.signal)
      return checkedStream(res.body ?? new Response(new Uint8Array(0)).body!, end - start, start === 0 && end === layer.size ? layer.digest : undefined, key)
    },
    async put(key: string, body: PutBody, o: PutOptions = {}) {
      checkKey(key)
      checkBody(body, key)
      if (o.sha256 !== undefined) checkSha256(o.sha256, key)
      throwIfAborted(o.signal, key)
      const signal = o.signal
      // The bytes go up first (invisible until a manifest names them), then the manifest.
      let layer: { digest: Digest; size: number }
      try {
        if (isStream(body)) {
          layer = await oci.uploadStream(repo, body, { key, ...(signal === undefined ? {} : { signal }), ...(o.sha256 === undefined ? {} : { expectSha256: o.sha256 }) })
        } else {
          const digest = sha256(body)
          if (o.sha256 !== undefined) checkDigest(o.sha256, digestHex(digest), key)
          await oci.uploadBlob(repo, body, { digest, ...(signal === undefined ? {} : { signal }) })
          layer = { digest, size: body.length }
        }
      } catch (e) {
        throw withKey(e, key)
      }
      const config = await uploadConfig(signal).catch((e: unknown) => {
        throw withKey(e, key)
      })
      return serialized(key, async () => {
        throwIfAborted(signal, key)
        if (o.ifNoneMatch === '*' || o.ifMatch !== undefined) {
          const current = await currentDigest(key, signal)
          if (o.ifNoneMatch === '*' && current !== undefined) throw new StorageError('E_CONFLICT', `${key} exists (ifNoneMatch: '*')`, { key })
          if (o.ifMatch !== undefined && current !== o.ifMatch) {
            throw new StorageError('E_CONFLICT', current === undefined ? `${key} does not exist (ifMatch)` : `${key}: ETag is ${current}, not ${o.ifMatch}`, { key })
          }
        }
        const created = new Date()
        const manifest: Manifest = {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: OCI_OBJECT_ARTIFACT_TYPE,
          config: { mediaType: OCI_EMPTY, digest: config, size: EMPTY_JSON.length },
          layers: [{ mediaType: o.contentType ?? 'application/octet-stream', digest: layer.digest, size: layer.size }],
          // The write's random id makes every write a new manifest, so a new ETag, even for the same bytes.
          annotations: { [KEY_ANNOTATION]: key, [CREATED_ANNOTATION]: created.toISOString(), [WRITE_ANNOTATION]: toHex(randomBytes(8)) },
        }
        // (A stream was sent already; its blob is only waited for.)
        const ensure = async () => {
          await oci.uploadBlob(repo, EMPTY_JSON, { digest: config, ...(signal === undefined ? {} : { signal }) })
          if (!isStream(body)) await oci.uploadBlob(repo, body, { digest: layer.digest, ...(signal === undefined ? {} : { signal }) })
        }
        try {
          return infoOf(key, { manifest, digest: await oci.putManifestAfterUpload(repo, tagOf(key), manifest, ensure, signal) })
        } catch (e) {
          throw withKey(e, key)
        }
      })
    },
    async delete(key: string, o: DeleteOptions = {}) {
      checkKey(key)
      throwIfAborted(o.signal, key)
      return serialized(key, async () => {
        const current = await currentDigest(key, o.signal)
        if (o.ifMatch !== undefined && current !== o.ifMatch) {
          throw new StorageError('E_CONFLICT', current === undefined ? `${key} does not exist (ifMatch)` : `${key}: ETag is ${current}, not ${o.ifMatch}`, { key })
        }
        if (current === undefined) return false
        // Deleting that manifest (by digest) removes the tags naming it; a newer write of the key is another manifest and stays.
        try {
          return await oci.deleteManifest(repo, current, o.signal)
        } catch (e) {
          throw withKey(e, key)
        }
      })
    },
    async list(prefix: string, o: ListOptions = {}): Promise<ListPage> {
      checkPrefix(prefix)
      throwIfAborted(o.signal)
      const limit = pageLimit(o.limit, 1000)
      const keyed: { key: string; manifest?: { manifest: Manifest; digest: Digest } }[] = []
      const hashed: string[] = []
      for (const tag of await oci.tags(repo, o.signal)) {
        const key = keyOfTag(tag)
        if (key !== undefined) keyed.push({ key })
        else if (tag.startsWith(HASHED) && /^h_[0-9a-f]{64}$/.test(tag)) hashed.push(tag)
      }
      // Long keys are only known from their manifests.
      await eachLimited(hashed, concurrency, async (tag) => {
        const m = await oci.getManifest(repo, tag, o.signal).catch((e: unknown) => {
          if (e instanceof StorageError && e.code === 'E_NOT_FOUND') return undefined
          throw e
        })
        const key = m?.manifest.annotations?.[KEY_ANNOTATION]
        if (m !== undefined && typeof key === 'string' && tagOf(key) === tag) keyed.push({ key, manifest: m })
      })
      const after = o.cursor
      const wanted = keyed.filter((x) => x.key.startsWith(prefix) && (after === undefined || compareKeys(x.key, after) > 0)).sort((a, b) => compareKeys(a.key, b.key))
      const items: ObjectInfo[] = []
      let i = 0
      // Objects deleted since the tag list was read are left out, and the page filled from the next ones.
      while (items.length < limit && i < wanted.length) {
        const batch = wanted.slice(i, i + (limit - items.length))
        i += batch.length
        const infos = new Array<ObjectInfo | undefined>(batch.length)
        await eachLimited(batch.map((x, j) => [x, j] as const), concurrency, async ([x, j]) => {
          const m = x.manifest ?? (await manifestOf(x.key, tagOf(x.key), o.signal))
          if (m !== undefined) infos[j] = infoOf(x.key, m)
        })
        for (const info of infos) if (info !== undefined) items.push(info)
      }
      return i < wanted.length && items.length > 0 ? { items, cursor: items[items.length - 1]!.key } : { items }
    },
  }
}

/** The tag of `key`: spelled out when it fits, else hashed. */
function tagOf(key: string): string {
  const utf8 = enc.encode(key)
  if (utf8.length <= MAX_SPELLED_KEY) return ENCODED + base64Encode(utf8, { alphabet: 'url', padding: false })
  return HASHED + toHex(createHasher('sha256').update(utf8).digest())
}

/** The key a `k_` tag spells, or undefined (another tag, or not a valid key). */
function keyOfTag(tag: string): string | undefined {
  if (!tag.startsWith(ENCODED)) return undefined
  let key: string
  try {
    key = strictUtf8.decode(base64Decode(tag.slice(ENCODED.length), { alphabet: 'url', padding: 'forbidden' }))
  } catch {
    return undefined
  }
  try {
    checkKey(key)
  } catch {
    return undefined
  }
  return tagOf(key) === tag ? key : undefined
}

/** `e` with the key it concerns (registry errors name the repository, not the key). */
function withKey(e: unknown, key: string): unknown {
  if (!(e instanceof StorageError) || e.key !== undefined) return e
  return new StorageError(e.code, `${key}: ${e.message}`, { key, ...(e.status === undefined ? {} : { status: e.status }), cause: e })
}

/** Runs `fn` over `items`, at most `limit` at a time; the first failure fails the whole. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * `body` passed through, checked as it goes: exactly `size` bytes, and (for whole objects)
 * the layer's digest; a mismatch errors the stream with `E_INTEGRITY` at the end.
 */
function checkedStream(body: ReadableStream<Uint8Array>, size: number, digest: string | undefined, key: string): ReadableStream<Uint8Array> {
  const hasher = digest === undefined ? undefined : createHasher('sha256')
  let seen = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.length
        if (seen > size) throw new StorageError('E_INTEGRITY', `${key}: the registry sent more than the object's ${size} bytes`, { key })
        hasher?.update(chunk)
        controller.enqueue(chunk)
      },
      flush() {
        if (seen !== size) throw new StorageError('E_UNAVAILABLE', `${key}: the registry sent ${seen} of ${size} bytes`, { key })
        if (hasher !== undefined && `sha256:${toHex(hasher.digest())}` !== digest) throw new StorageError('E_INTEGRITY', `${key}: the bytes do not match the layer digest ${digest}`, { key })
      },
    }),
  )
}
