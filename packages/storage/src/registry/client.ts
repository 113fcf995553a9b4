import { createHasher, toHex } from '@torshpkg/crypto'
import { responseBytes } from '../bytes.js'
import type { PackageCache } from '../content/package-cache.js'
import { digestHex, isDigest, type Digest } from '../content/digest.js'
import { StorageError, throwIfAborted } from '../errors.js'
import {
  ANNOTATION,
  OCI_EMPTY,
  OCI_INDEX,
  OCI_MANIFEST,
  PACKAGE_ARTIFACT_TYPE,
  PACKAGE_CONFIG_MEDIA_TYPE,
  PACKAGE_LAYER_MEDIA_TYPE,
  YANKS_ARTIFACT_TYPE,
  YANKS_CONFIG_MEDIA_TYPE,
  YANKS_TAG,
} from './media-types.js'
import { isTag, nameOfRepository, repositoryOf, tagOfVersion, versionOfTag } from './names.js'
import { boundedText, RegistryTransport, type RegistryAuth } from './transport.js'
import { compareVersions } from './versions.js'

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** The registry's base URL (`https://ghcr.io`, `http://127.0.0.1:5000`). */
  readonly url: string
  readonly auth?: RegistryAuth
  /** Repositories live under this path (`acme/models`); default: the registry's root. */
  readonly namespace?: string
  /** Blobs up to this size are uploaded in one request; larger ones in chunks (default 64 MiB). */
  readonly monolithicLimit?: number
  /** Size of upload chunks (default 16 MiB; lower it for registries that cap request size). */
  readonly chunkSize?: number
  /** Downloads are looked up here first and kept here after (by digest). */
  readonly cache?: PackageCache
  readonly fetch?: typeof fetch
  readonly headers?: Readonly<Record<string, string>>
}

/** What `publish` and `getMetadata` describe. */
export interface PackageVersionInfo {
  readonly name: string
  readonly version: string
  readonly repository: string
  /** Digest of the version's OCI manifest (what a signature's `subject` names). */
  readonly manifestDigest: Digest
  /** Digest and size of the package file (the manifest's layer). */
  readonly digest: Digest
  readonly size: number
  readonly description?: string
  readonly created?: string
  /** The package's own manifest JSON (kept in the config blob), when one was published. */
  readonly manifest?: unknown
  /** The yank record, when the version is yanked. */
  readonly yanked?: { readonly reason: string; readonly at: string }
}

export interface PublishOptions {
  readonly description?: string
  /** The package's own manifest (JSON), stored in the config blob and returned by `getMetadata`. */
  readonly manifest?: unknown
  readonly annotations?: Readonly<Record<string, string>>
  /** Replace an existing version (default: `E_CONFLICT` when the version exists). */
  readonly overwrite?: boolean
  /** A repository of the same registry that may hold the package blob already: mounted, not uploaded. */
  readonly mountFrom?: string
  /** Bytes sent so far, after each request. */
  readonly onProgress?: (sent: number, total: number) => void
  /** The publication time recorded (ISO 8601; default: now). Fixed, it makes the manifest reproducible. */
  readonly created?: string
  readonly signal?: AbortSignal
}

interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

interface Manifest {
  schemaVersion: 2
  mediaType: string
  artifactType?: string
  config: Descriptor
  layers: Descriptor[]
  subject?: Descriptor
  annotations?: Record<string, string>
}

interface Index {
  schemaVersion: 2
  mediaType: string
  manifests: Descriptor[]
}

const enc = new TextEncoder()
const dec = new TextDecoder()
const MAX_MANIFEST = 4 << 20
const sha256 = (b: Uint8Array): Digest => `sha256:${toHex(createHasher('sha256').update(b).digest())}`

/**
 * Model packages in any OCI registry (distribution, Harbor, GHCR, ECR, Docker Hub...), on the
 * OCI distribution spec: one repository per package (`<namespace>/<name>`), one image
 * manifest per version (tag = version), the package file as its layer, a config blob with
 * our metadata, annotations for name, version and description. See docs/registry.md.
 *
 * @example
 * ```ts
 * const registry = new RegistryClient({ url: 'https://ghcr.io', namespace: 'acme/models', auth: { username, password: token } })
 * await registry.publish('bert', '1.0.0', bytes, { description: 'BERT base, uncased' })
 * const same = await registry.download('bert', '1.0.0')
 * ```
 */
export class RegistryClient {
  readonly url: string
  readonly namespace: string
  private readonly http: RegistryTransport
  private readonly monolithicLimit: number
  private readonly chunkSize: number
  private readonly cache: PackageCache | undefined

  constructor(options: RegistryClientOptions) {
    let base: URL
    try {
      base = new URL(options.url)
    } catch (e) {
      throw new StorageError('E_ARGUMENT', `RegistryClient: not a URL: ${JSON.stringify(options.url)}`, { cause: e })
    }
    this.url = base.origin
    this.namespace = (options.namespace ?? '').replace(/^\/+|\/+$/g, '')
    if (this.namespace !== '') repositoryOf('', this.namespace) // checks its grammar
    this.http = new RegistryTransport(new URL(`${base.origin}/`), {
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    })
    this.monolithicLimit = options.monolithicLimit ?? 64 << 20
    this.chunkSize = options.chunkSize ?? 16 << 20
    if (!(this.chunkSize >= 1)) throw new StorageError('E_ARGUMENT', 'RegistryClient: chunkSize must be at least 1')
    this.cache = options.cache
  }

  /** The repository of package `name`. */
  repository(name: string): string {
    return repositoryOf(this.namespace, name)
  }

  // ---- publish ---------------------------------------------------------------------------

  /**
   * Publishes `pkg` (the package file's bytes) as `name@version`: the config blob and the
   * package blob (skipped when the registry has it, mounted with `mountFrom`), then the
   * manifest under the version's tag. `E_CONFLICT` when the version exists, unless `overwrite`.
   */
  async publish(name: string, version: string, pkg: Uint8Array, options: PublishOptions = {}): Promise<PackageVersionInfo> {
    const repo = this.repository(name)
    const tag = tagOfVersion(version)
    if (!(pkg instanceof Uint8Array)) throw new StorageError('E_ARGUMENT', 'publish: the package must be a Uint8Array')
    const signal = options.signal
    if (!options.overwrite && (await this.manifestDigest(repo, tag, signal)) !== undefined) {
      throw new StorageError('E_CONFLICT', `${name}@${version} is already published (pass overwrite to replace it)`, { key: `${repo}:${tag}` })
    }
    const created = options.created ?? new Date().toISOString()
    const config = enc.encode(JSON.stringify({ name, version, ...(options.description === undefined ? {} : { description: options.description }), created, manifest: options.manifest ?? null }))
    const configDigest = sha256(config)
    const digest = sha256(pkg)
    await this.uploadBlob(repo, config, configDigest, { signal })
    await this.uploadBlob(repo, pkg, digest, { signal, ...(options.mountFrom === undefined ? {} : { mountFrom: this.repository(options.mountFrom) }), ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) })
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: PACKAGE_ARTIFACT_TYPE,
      config: { mediaType: PACKAGE_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.length },
      layers: [{ mediaType: PACKAGE_LAYER_MEDIA_TYPE, digest, size: pkg.length, annotations: { [ANNOTATION.title]: `${name.replace(/^@/, '').replace('/', '-')}-${version}.torshpkg` } }],
      annotations: {
        ...options.annotations,
        [ANNOTATION.name]: name,
        [ANNOTATION.version]: version,
        [ANNOTATION.created]: created,
        ...(options.description === undefined ? {} : { [ANNOTATION.description]: options.description }),
      },
    }
    const manifestDigest = await this.putManifest(repo, tag, manifest, signal)
    return { name, version, repository: repo, manifestDigest, digest, size: pkg.length, created, ...(options.description === undefined ? {} : { description: options.description }), ...(options.manifest === undefined ? {} : { manifest: options.manifest }) }
  }

  // ---- download and metadata ---------------------------------------------------------------

  /**
   * The package file of `name` at `version` (or at a manifest digest), checked against its
   * digest and size (`E_INTEGRITY`). Served from the cache when it is there, kept there after.
   */
  async download(name: string, versionOrDigest: string, options: { readonly signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const { layer, repo } = await this.packageLayer(name, versionOrDigest, options.signal)
    const cached = await this.cache?.get(layer.digest)
    if (cached !== undefined) return cached
    const res = await this.http.request('GET', `/v2/${repo}/blobs/${layer.digest}`, { scope: pullScope(repo), ...(options.signal === undefined ? {} : { signal: options.signal }) })
    if (res.status !== 200) throw await responseError(res, `${repo}@${layer.digest}`)
    const bytes = await verifiedBody(res, layer.size, layer.digest, `${name}@${versionOrDigest}`)
    await this.cache?.put(layer.digest, bytes)
    return bytes
  }

  /**
   * Random access to the package file without downloading it: `read(offset, length)` is a
   * `Range` request. Hand it to `openPackage` (from `@torshpkg/format`), which then reads only
   * the footer, the index and the chunks asked for.
   */
  async openBlob(name: string, versionOrDigest: string, options: { readonly signal?: AbortSignal } = {}): Promise<{ readonly size: number; readonly digest: Digest; read(offset: number, length: number): Promise<Uint8Array> }> {
    const { layer, repo } = await this.packageLayer(name, versionOrDigest, options.signal)
    const size = layer.size
    return {
      size,
      digest: layer.digest as Digest,
      read: async (offset: number, length: number) => {
        if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
          throw new StorageError('E_ARGUMENT', `read(${offset}, ${length}) outside the ${size}-byte blob`, { key: layer.digest })
        }
        if (length === 0) return new Uint8Array(0)
        const res = await this.http.request('GET', `/v2/${repo}/blobs/${layer.digest}`, { scope: pullScope(repo), headers: { range: `bytes=${offset}-${offset + length - 1}` }, ...(options.signal === undefined ? {} : { signal: options.signal }) })
        if (res.status !== 206) {
          await res.body?.cancel().catch(() => {})
          throw res.status === 200
            ? new StorageError('E_PROTOCOL', `${repo}@${layer.digest}: the registry ignored the Range request`, { status: 200 })
            : await responseError(res, `${repo}@${layer.digest}`)
        }
        const bytes = await boundedBytes(res, length)
        if (bytes.length !== length) throw new StorageError('E_UNAVAILABLE', `${repo}@${layer.digest}: asked for ${length} bytes at ${offset}, got ${bytes.length}`)
        return bytes
      },
    }
  }

  /** What the registry holds about `name@version` (or a manifest digest). */
  async getMetadata(name: string, versionOrDigest: string, options: { readonly signal?: AbortSignal } = {}): Promise<PackageVersionInfo> {
    const repo = this.repository(name)
    const { manifest, digest } = await this.getManifest(repo, this.reference(versionOrDigest), options.signal)
    const layer = packageLayerOf(manifest, `${name}@${versionOrDigest}`)
    const configBytes = await this.getBlobSmall(repo, manifest.config, options.signal)
    let config: { version?: unknown; description?: unknown; created?: unknown; manifest?: unknown }
    try {
      config = JSON.parse(dec.decode(configBytes)) as typeof config
    } catch (e) {
      throw new StorageError('E_PROTOCOL', `${name}@${versionOrDigest}: the config blob is not JSON`, { cause: e })
    }
    const version = typeof config.version === 'string' ? config.version : (manifest.annotations?.[ANNOTATION.version] ?? versionOrDigest)
    const yanks = await this.yanks(repo, options.signal)
    const yanked = yanks.yanked[version]
    return {
      name,
      version,
      repository: repo,
      manifestDigest: digest,
      digest: layer.digest as Digest,
      size: layer.size,
      ...(typeof config.description === 'string' ? { description: config.description } : {}),
      ...(typeof config.created === 'string' ? { created: config.created } : {}),
      ...(config.manifest !== null && config.manifest !== undefined ? { manifest: config.manifest } : {}),
      ...(yanked === undefined ? {} : { yanked }),
    }
  }

  /** Versions of `name`, ascending (semver order); yanked ones too unless `includeYanked: false`. */
  async listVersions(name: string, options: { readonly includeYanked?: boolean; readonly signal?: AbortSignal } = {}): Promise<string[]> {
    const repo = this.repository(name)
    const tags = await this.tags(repo, options.signal)
    let versions = tags.filter((t) => t !== YANKS_TAG && !/^sha256-[0-9a-f]{64}$/.test(t)).map(versionOfTag)
    if (options.includeYanked === false) {
      const { yanked } = await this.yanks(repo, options.signal)
      versions = versions.filter((v) => yanked[v] === undefined)
    }
    return versions.sort(compareVersions)
  }

  /**
   * Packages whose name contains `query` (case-insensitive) or whose newest version's
   * description does, from the registry's catalog under this client's namespace.
   */
  async search(query: string, options: { readonly limit?: number; readonly signal?: AbortSignal } = {}): Promise<{ name: string; version: string; description?: string }[]> {
    const q = query.toLowerCase()
    const limit = options.limit ?? 100
    const out: { name: string; version: string; description?: string }[] = []
    for (const repo of await this.catalog(options.signal)) {
      if (out.length >= limit) break
      const name = nameOfRepository(this.namespace, repo)
      if (name === undefined) continue
      const versions = await this.listVersions(name, { includeYanked: false, ...(options.signal === undefined ? {} : { signal: options.signal }) }).catch(() => [])
      const newest = versions[versions.length - 1]
      if (newest === undefined) continue
      const { manifest } = await this.getManifest(repo, tagOfVersion(newest), options.signal)
      const description = manifest.annotations?.[ANNOTATION.description]
      if (name.toLowerCase().includes(q) || (description !== undefined && description.toLowerCase().includes(q))) {
        out.push({ name, version: newest, ...(description === undefined ? {} : { description }) })
      }
    }
    return out
  }

  // ---- yank and delete --------------------------------------------------------------------

  /**
   * Marks `name@version` yanked: it still downloads by exact version, but
   * `listVersions(..., { includeYanked: false })` (and so range resolution) skips it. The
   * record is kept in the repository (tag `_torshpkg.yanks`) with the reason and time;
   * `unyank` reverses it. (Registries have no compare-and-swap on tags: two writers yanking
   * at the same moment can lose one record; the last write wins.)
   */
  async yank(name: string, version: string, options: { readonly reason?: string; readonly signal?: AbortSignal } = {}): Promise<void> {
    const repo = this.repository(name)
    if ((await this.manifestDigest(repo, tagOfVersion(version), options.signal)) === undefined) throw new StorageError('E_NOT_FOUND', `${name}@${version} is not published`)
    const state = await this.yanks(repo, options.signal)
    state.yanked[version] = { reason: options.reason ?? '', at: new Date().toISOString() }
    state.log.push({ version, action: 'yank', reason: options.reason ?? '', at: new Date().toISOString() })
    await this.putYanks(repo, state, options.signal)
  }

  /** Reverses {@link yank}. */
  async unyank(name: string, version: string, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    const repo = this.repository(name)
    const state = await this.yanks(repo, options.signal)
    if (state.yanked[version] === undefined) return
    delete state.yanked[version]
    state.log.push({ version, action: 'unyank', reason: '', at: new Date().toISOString() })
    await this.putYanks(repo, state, options.signal)
  }

  /** Deletes `name@version` (its manifest, and so its tag) where the registry allows it (`E_UNSUPPORTED` where not). */
  async delete(name: string, version: string, options: { readonly signal?: AbortSignal } = {}): Promise<boolean> {
    const repo = this.repository(name)
    const digest = await this.manifestDigest(repo, this.reference(version), options.signal)
    if (digest === undefined) return false
    const res = await this.http.request('DELETE', `/v2/${repo}/manifests/${digest}`, { scope: pushScope(repo), ...(options.signal === undefined ? {} : { signal: options.signal }) })
    await res.body?.cancel().catch(() => {})
    if (res.status === 202 || res.status === 200) return true
    if (res.status === 404) return false
    if (res.status === 405) throw new StorageError('E_UNSUPPORTED', `${repo}: this registry does not allow deletes (HTTP 405)`, { status: 405 })
    throw await responseError(res, `${repo}@${digest}`)
  }

  // ---- referrers (signatures, attestations) ----------------------------------------------------

  /**
   * Attaches an artifact (a signature, an SBOM) to `name@version` as a referrer: a manifest
   * whose `subject` is the version's manifest. Registries with the referrers API index it
   * themselves; for the others the referrers-tag fallback (`sha256-<hex>` holding an image
   * index of referrers) is updated too.
   */
  async attach(name: string, version: string, artifact: { readonly artifactType: string; readonly data: Uint8Array; readonly mediaType?: string; readonly annotations?: Record<string, string> }, options: { readonly signal?: AbortSignal } = {}): Promise<Digest> {
    const repo = this.repository(name)
    const signal = options.signal
    const subject = await this.getManifest(repo, this.reference(version), signal)
    const empty = enc.encode('{}')
    await this.uploadBlob(repo, empty, sha256(empty), { signal })
    const dataDigest = sha256(artifact.data)
    await this.uploadBlob(repo, artifact.data, dataDigest, { signal })
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: artifact.artifactType,
      config: { mediaType: OCI_EMPTY, digest: sha256(empty), size: 2 },
      layers: [{ mediaType: artifact.mediaType ?? 'application/octet-stream', digest: dataDigest, size: artifact.data.length }],
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.size },
      ...(artifact.annotations === undefined ? {} : { annotations: artifact.annotations }),
    }
    const bytes = enc.encode(JSON.stringify(manifest))
    const digest = await this.putManifestBytes(repo, sha256(bytes), bytes, OCI_MANIFEST, signal)
    // Fallback index, for registries without the referrers API.
    const tag = `sha256-${digestHex(subject.digest)}`
    const current = await this.getIndex(repo, tag, signal)
    const entry: Descriptor = { mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType: artifact.artifactType, ...(artifact.annotations === undefined ? {} : { annotations: artifact.annotations }) }
    const index: Index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...(current?.manifests ?? []).filter((m) => m.digest !== digest), entry] }
    const indexBytes = enc.encode(JSON.stringify(index))
    await this.putManifestBytes(repo, tag, indexBytes, OCI_INDEX, signal)
    return digest
  }

  /** The referrers of `name@version` (optionally of one `artifactType`): the API where there is one, else the fallback tag. */
  async referrers(name: string, version: string, options: { readonly artifactType?: string; readonly signal?: AbortSignal } = {}): Promise<Descriptor[]> {
    const repo = this.repository(name)
    const subject = await this.getManifest(repo, this.reference(version), options.signal)
    const res = await this.http.request('GET', `/v2/${repo}/referrers/${subject.digest}`, { scope: pullScope(repo), headers: { accept: OCI_INDEX }, ...(options.signal === undefined ? {} : { signal: options.signal }) })
    let list: Descriptor[]
    if (res.status === 200 && (res.headers.get('content-type') ?? '').includes(OCI_INDEX)) {
      list = (parseJson<Index>(await boundedText(res, MAX_MANIFEST), 'referrers').manifests ?? []) as Descriptor[]
    } else {
      await res.body?.cancel().catch(() => {})
      list = (await this.getIndex(repo, `sha256-${digestHex(subject.digest)}`, options.signal))?.manifests ?? []
    }
    return options.artifactType === undefined ? list : list.filter((d) => d.artifactType === options.artifactType)
  }

  /** A referrer's data (its one layer), by the digest `referrers` listed. */
  async referrerData(name: string, digest: string, options: { readonly signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const repo = this.repository(name)
    const { manifest } = await this.getManifest(repo, digest, options.signal)
    const layer = manifest.layers[0]
    if (layer === undefined) throw new StorageError('E_PROTOCOL', `${repo}@${digest}: the referrer has no layer`)
    return this.getBlobSmall(repo, layer, options.signal, 64 << 20)
  }

  // ---- blobs --------------------------------------------------------------------------------

  /** Does `repo` hold blob `digest`? (HEAD) */
  private async hasBlob(repo: string, digest: string, signal: AbortSignal | undefined): Promise<boolean> {
    const res = await this.http.request('HEAD', `/v2/${repo}/blobs/${digest}`, { scope: pullScope(repo), ...(signal === undefined ? {} : { signal }) })
    await res.body?.cancel().catch(() => {})
    if (res.status === 200) return true
    if (res.status === 404) return false
    throw await responseError(res, `${repo}@${digest}`)
  }

  /**
   * Uploads a blob unless the repository has it: a HEAD first; a cross-repository mount when
   * `mountFrom` is given (falling back to an upload); then one PUT up to `monolithicLimit`,
   * else PATCH chunks of `chunkSize` and a closing PUT. A chunk that fails is re-sent when the
   * upload session still stands at its start (asked with GET), else the upload starts over.
   */
  private async uploadBlob(repo: string, bytes: Uint8Array, digest: Digest, options: { signal?: AbortSignal; mountFrom?: string; onProgress?: (sent: number, total: number) => void }): Promise<void> {
    const { signal } = options
    if (await this.hasBlob(repo, digest, signal)) {
      options.onProgress?.(bytes.length, bytes.length)
      return
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.uploadOnce(repo, bytes, digest, options, attempt === 0 ? options.mountFrom : undefined)
        return
      } catch (e) {
        // A broken session (the registry restarted, a chunk was cut off) or an unreachable
        // registry: start over with a new session, after a growing pause, three times at most.
        if (!(e instanceof StorageError && (e.code === 'E_UNAVAILABLE' || e.code === 'E_PROTOCOL')) || attempt >= 3 || signal?.aborted) throw e
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt))
        if (await this.hasBlob(repo, digest, signal).catch(() => false)) return
      }
    }
  }

  /** One upload session, start to end. */
  private async uploadOnce(repo: string, bytes: Uint8Array, digest: Digest, options: { signal?: AbortSignal; onProgress?: (sent: number, total: number) => void }, mountFrom: string | undefined): Promise<void> {
    const { signal } = options
    {
      let location: URL
      if (mountFrom !== undefined) {
        const res = await this.http.request('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`, { scope: `${pushScope(repo)} ${pullScope(mountFrom)}`, ...(signal === undefined ? {} : { signal }) })
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
      if (bytes.length <= this.monolithicLimit) {
        await this.finishUpload(repo, location, digest, bytes, signal)
      } else {
        let offset = 0
        while (offset < bytes.length) {
          throwIfAborted(signal)
          const end = Math.min(bytes.length, offset + this.chunkSize)
          location = await this.patchChunk(repo, location, bytes.subarray(offset, end), offset, signal)
          offset = end
          options.onProgress?.(offset, bytes.length)
        }
        await this.finishUpload(repo, location, digest, undefined, signal)
      }
      options.onProgress?.(bytes.length, bytes.length)
    }
  }

  private async startUpload(repo: string, signal: AbortSignal | undefined): Promise<URL> {
    const res = await this.http.request('POST', `/v2/${repo}/blobs/uploads/`, { scope: pushScope(repo), ...(signal === undefined ? {} : { signal }) })
    await res.body?.cancel().catch(() => {})
    if (res.status !== 202) throw await responseError(res, `${repo} upload`)
    return this.locationOf(res)
  }

  /** One PATCH; on failure, asks the session where it stands and re-sends once if it is still at `offset`. */
  private async patchChunk(repo: string, location: URL, chunk: Uint8Array, offset: number, signal: AbortSignal | undefined): Promise<URL> {
    const send = async (at: URL) => {
      const res = await this.http.request('PATCH', at, {
        scope: pushScope(repo),
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}`, 'content-length': String(chunk.length) },
        body: chunk,
        ...(signal === undefined ? {} : { signal }),
      })
      await res.body?.cancel().catch(() => {})
      if (res.status !== 202) throw await responseError(res, `${repo} upload chunk at ${offset}`)
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

  private async finishUpload(repo: string, location: URL, digest: Digest, body: Uint8Array | undefined, signal: AbortSignal | undefined): Promise<void> {
    const url = new URL(location)
    url.searchParams.set('digest', digest)
    const res = await this.http.request('PUT', url, {
      scope: pushScope(repo),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(body?.length ?? 0) },
      ...(body === undefined ? {} : { body }),
      ...(signal === undefined ? {} : { signal }),
    })
    await res.body?.cancel().catch(() => {})
    if (res.status === 201 || res.status === 204) return
    if (res.status === 400) throw new StorageError('E_INTEGRITY', `${repo}: the registry refused the blob as ${digest} (HTTP 400: DIGEST_INVALID or a broken upload)`, { status: 400 })
    throw await responseError(res, `${repo} upload`)
  }

  private locationOf(res: Response): URL {
    const location = res.headers.get('location')
    if (location === null) throw new StorageError('E_PROTOCOL', `upload: HTTP ${res.status} without a Location`, { status: res.status })
    return new URL(location, this.http.base)
  }

  /** A small blob (config, referrer data), checked against its descriptor. */
  private async getBlobSmall(repo: string, d: Descriptor, signal: AbortSignal | undefined, max = MAX_MANIFEST): Promise<Uint8Array> {
    if (!isDigest(d.digest) || !Number.isSafeInteger(d.size) || d.size < 0 || d.size > max) throw new StorageError('E_PROTOCOL', `${repo}: bad descriptor ${JSON.stringify(d).slice(0, 200)}`)
    const res = await this.http.request('GET', `/v2/${repo}/blobs/${d.digest}`, { scope: pullScope(repo), ...(signal === undefined ? {} : { signal }) })
    if (res.status !== 200) throw await responseError(res, `${repo}@${d.digest}`)
    const bytes = await boundedBytes(res, d.size)
    if (bytes.length !== d.size || sha256(bytes) !== d.digest) throw new StorageError('E_INTEGRITY', `${repo}@${d.digest}: the blob does not match its descriptor`, { key: d.digest })
    return bytes
  }

  // ---- manifests and tags -------------------------------------------------------------------

  private reference(versionOrDigest: string): string {
    return isDigest(versionOrDigest) ? versionOrDigest : tagOfVersion(versionOrDigest)
  }

  /** The manifest's digest under `reference`, or undefined (HEAD). */
  private async manifestDigest(repo: string, reference: string, signal: AbortSignal | undefined): Promise<Digest | undefined> {
    const res = await this.http.request('HEAD', `/v2/${repo}/manifests/${reference}`, { scope: pullScope(repo), headers: { accept: `${OCI_MANIFEST}, ${OCI_INDEX}` }, ...(signal === undefined ? {} : { signal }) })
    await res.body?.cancel().catch(() => {})
    if (res.status === 404) return undefined
    if (res.status !== 200) throw await responseError(res, `${repo}:${reference}`)
    const digest = res.headers.get('docker-content-digest')
    if (digest !== null && isDigest(digest)) return digest
    return (await this.getManifest(repo, reference, signal)).digest
  }

  /** The manifest under `reference` (a tag or digest), checked against its digest. */
  private async getManifest(repo: string, reference: string, signal: AbortSignal | undefined): Promise<{ manifest: Manifest; digest: Digest; size: number }> {
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

  private async getIndex(repo: string, tag: string, signal: AbortSignal | undefined): Promise<Index | undefined> {
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

  private async putManifest(repo: string, tag: string, manifest: Manifest, signal: AbortSignal | undefined): Promise<Digest> {
    return this.putManifestBytes(repo, tag, enc.encode(JSON.stringify(manifest)), OCI_MANIFEST, signal)
  }

  private async putManifestBytes(repo: string, reference: string, bytes: Uint8Array, mediaType: string, signal: AbortSignal | undefined): Promise<Digest> {
    const res = await this.http.request('PUT', `/v2/${repo}/manifests/${reference}`, { scope: pushScope(repo), headers: { 'content-type': mediaType }, body: bytes, ...(signal === undefined ? {} : { signal }) })
    await res.body?.cancel().catch(() => {})
    if (res.status !== 201 && res.status !== 200) throw await responseError(res, `${repo}:${reference}`)
    const digest = sha256(bytes)
    const said = res.headers.get('docker-content-digest')
    if (said !== null && said !== digest) throw new StorageError('E_PROTOCOL', `${repo}:${reference}: the registry says the manifest is ${said}, its bytes are ${digest}`)
    return digest
  }

  /** Every tag of `repo` (following `Link` pages where the registry paginates). */
  private async tags(repo: string, signal: AbortSignal | undefined): Promise<string[]> {
    const out: string[] = []
    let next: string | undefined = `/v2/${repo}/tags/list?n=1000`
    for (let pages = 0; next !== undefined && pages < 10_000; pages++) {
      const res: Response = await this.http.request('GET', next, { scope: pullScope(repo), ...(signal === undefined ? {} : { signal }) })
      if (res.status === 404) {
        await res.body?.cancel().catch(() => {})
        return out
      }
      if (res.status !== 200) throw await responseError(res, `${repo} tags`)
      const body = parseJson<{ tags?: unknown }>(await boundedText(res, 16 << 20), `${repo} tags`)
      if (Array.isArray(body.tags)) for (const t of body.tags) if (typeof t === 'string' && isTag(t)) out.push(t)
      next = nextLink(res.headers.get('link'))
    }
    return [...new Set(out)]
  }

  /** Every repository in the registry's catalog. */
  private async catalog(signal: AbortSignal | undefined): Promise<string[]> {
    const out: string[] = []
    let next: string | undefined = '/v2/_catalog?n=1000'
    for (let pages = 0; next !== undefined && pages < 10_000; pages++) {
      const res: Response = await this.http.request('GET', next, { scope: 'registry:catalog:*', ...(signal === undefined ? {} : { signal }) })
      if (res.status !== 200) throw await responseError(res, 'catalog')
      const body = parseJson<{ repositories?: unknown }>(await boundedText(res, 16 << 20), 'catalog')
      if (Array.isArray(body.repositories)) for (const r of body.repositories) if (typeof r === 'string') out.push(r)
      next = nextLink(res.headers.get('link'))
    }
    return out
  }

  // ---- yank record --------------------------------------------------------------------------

  private async yanks(repo: string, signal: AbortSignal | undefined): Promise<YankState> {
    let m: { manifest: Manifest }
    try {
      m = await this.getManifest(repo, YANKS_TAG, signal)
    } catch (e) {
      if (e instanceof StorageError && e.code === 'E_NOT_FOUND') return { yanked: {}, log: [] }
      throw e
    }
    const state = parseJson<YankState>(dec.decode(await this.getBlobSmall(repo, m.manifest.config, signal)), `${repo} yank record`)
    return { yanked: typeof state.yanked === 'object' && state.yanked !== null ? state.yanked : {}, log: Array.isArray(state.log) ? state.log : [] }
  }

  private async putYanks(repo: string, state: YankState, signal: AbortSignal | undefined): Promise<void> {
    const config = enc.encode(JSON.stringify(state))
    const configDigest = sha256(config)
    await this.uploadBlob(repo, config, configDigest, signal === undefined ? {} : { signal })
    const empty = enc.encode('{}')
    await this.uploadBlob(repo, empty, sha256(empty), signal === undefined ? {} : { signal })
    await this.putManifest(repo, YANKS_TAG, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: YANKS_ARTIFACT_TYPE,
      config: { mediaType: YANKS_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI_EMPTY, digest: sha256(empty), size: 2 }],
    }, signal)
  }

  private async packageLayer(name: string, versionOrDigest: string, signal: AbortSignal | undefined): Promise<{ layer: Descriptor; repo: string }> {
    const repo = this.repository(name)
    const { manifest } = await this.getManifest(repo, this.reference(versionOrDigest), signal)
    return { layer: packageLayerOf(manifest, `${name}@${versionOrDigest}`), repo }
  }
}

interface YankState {
  yanked: Record<string, { reason: string; at: string }>
  log: { version: string; action: 'yank' | 'unyank'; reason: string; at: string }[]
}

function packageLayerOf(manifest: Manifest, what: string): Descriptor {
  if (manifest.artifactType !== undefined && manifest.artifactType !== PACKAGE_ARTIFACT_TYPE) throw new StorageError('E_PROTOCOL', `${what} is not a torshpkg package (artifactType ${manifest.artifactType})`)
  const layer = manifest.layers.find((l) => l.mediaType === PACKAGE_LAYER_MEDIA_TYPE)
  if (layer === undefined || !isDigest(layer.digest) || !Number.isSafeInteger(layer.size) || layer.size < 0) throw new StorageError('E_PROTOCOL', `${what}: the manifest has no torshpkg package layer`)
  return layer
}

const pullScope = (repo: string) => `repository:${repo}:pull`
const pushScope = (repo: string) => `repository:${repo}:pull,push`

/** The next page of a `Link: </v2/...?n=2&last=b>; rel="next"` header. */
function nextLink(link: string | null): string | undefined {
  if (link === null) return undefined
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)
  return m?.[1]
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T
  } catch (e) {
    throw new StorageError('E_PROTOCOL', `${what}: not JSON`, { cause: e })
  }
}

/** The body, at most `max` bytes (more is `E_INTEGRITY`: the registry sent more than the descriptor says). */
async function boundedBytes(res: Response, max: number): Promise<Uint8Array> {
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
async function verifiedBody(res: Response, size: number, digest: string, what: string): Promise<Uint8Array> {
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
async function responseError(res: Response, what: string): Promise<StorageError> {
  let detail = ''
  try {
    const text = await boundedText(res, 64 * 1024)
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] }
    detail = (body.errors ?? []).map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ')
  } catch {
    // not JSON: the status says enough
  }
  const s = res.status
  const message = `${what}: HTTP ${s}${detail === '' ? '' : ` (${detail})`}`
  if (s === 404) return new StorageError('E_NOT_FOUND', message, { status: s })
  if (s === 401 || s === 403) return new StorageError('E_AUTH', message, { status: s })
  if (s === 405) return new StorageError('E_UNSUPPORTED', message, { status: s })
  if (s === 409 || s === 412) return new StorageError('E_CONFLICT', message, { status: s })
  if (s === 416) return new StorageError('E_ARGUMENT', message, { status: s })
  if (s === 408 || s === 429 || s >= 500) return new StorageError('E_UNAVAILABLE', message, { status: s })
  return new StorageError('E_PROTOCOL', message, { status: s })
}

export type { Descriptor as OciDescriptor }
