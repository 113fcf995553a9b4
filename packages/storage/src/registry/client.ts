import type { PackageCache } from '../content/package-cache.js'
import { digestHex, isDigest, type Digest } from '../content/digest.js'
import { StorageError } from '../errors.js'
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
import { nameOfRepository, repositoryOf, tagOfVersion, versionOfTag } from './names.js'
import { boundedBytes, MAX_MANIFEST, OciProtocol, parseJson, pullScope, pushScope, responseError, sha256, verifiedBody, type Descriptor, type Index, type Manifest } from './protocol.js'
import { boundedText, type RegistryAuth } from './transport.js'
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
  /**
   * Send large request bodies as streams of 1 MiB pieces (default: on in the Node build, off
   * in the browser build). Node's fetch uploads a stream markedly faster than one large
   * buffer; browsers only stream request bodies over HTTP/2.
   */
  readonly streamUploads?: boolean
  /** Tags and repositories asked for per page when listing (default 1000; some registries cap it lower). */
  readonly pageSize?: number
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

const enc = new TextEncoder()
const dec = new TextDecoder()

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
  private readonly oci: OciProtocol
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
    this.oci = OciProtocol.connect(base, options, 'RegistryClient')
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
    if (!options.overwrite && (await this.oci.manifestDigest(repo, tag, signal)) !== undefined) {
      throw new StorageError('E_CONFLICT', `${name}@${version} is already published (pass overwrite to replace it)`, { key: `${repo}:${tag}` })
    }
    const created = options.created ?? new Date().toISOString()
    const config = enc.encode(JSON.stringify({ name, version, ...(options.description === undefined ? {} : { description: options.description }), created, manifest: options.manifest ?? null }))
    const configDigest = await this.oci.uploadBlob(repo, config, { signal })
    const digest = await this.oci.uploadBlob(repo, pkg, { signal, ...(options.mountFrom === undefined ? {} : { mountFrom: this.repository(options.mountFrom) }), ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) })
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
    const ensure = async () => {
      await this.oci.uploadBlob(repo, config, { digest: configDigest, signal })
      await this.oci.uploadBlob(repo, pkg, { digest, signal })
    }
    const manifestDigest = await this.oci.putManifestAfterUpload(repo, tag, manifest, ensure, signal)
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
    const res = await this.oci.http.request('GET', `/v2/${repo}/blobs/${layer.digest}`, { scope: pullScope(repo), ...(options.signal === undefined ? {} : { signal: options.signal }) })
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
        const res = await this.oci.http.request('GET', `/v2/${repo}/blobs/${layer.digest}`, { scope: pullScope(repo), headers: { range: `bytes=${offset}-${offset + length - 1}` }, ...(options.signal === undefined ? {} : { signal: options.signal }) })
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
    const { manifest, digest } = await this.oci.getManifest(repo, this.reference(versionOrDigest), options.signal)
    const layer = packageLayerOf(manifest, `${name}@${versionOrDigest}`)
    const configBytes = await this.oci.getBlobSmall(repo, manifest.config, options.signal)
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
    const tags = await this.oci.tags(repo, options.signal)
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
    for (const repo of await this.oci.catalog(options.signal)) {
      if (out.length >= limit) break
      const name = nameOfRepository(this.namespace, repo)
      if (name === undefined) continue
      const versions = await this.listVersions(name, { includeYanked: false, ...(options.signal === undefined ? {} : { signal: options.signal }) }).catch(() => [])
      const newest = versions[versions.length - 1]
      if (newest === undefined) continue
      const { manifest } = await this.oci.getManifest(repo, tagOfVersion(newest), options.signal)
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
    if ((await this.oci.manifestDigest(repo, tagOfVersion(version), options.signal)) === undefined) throw new StorageError('E_NOT_FOUND', `${name}@${version} is not published`)
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
    const digest = await this.oci.manifestDigest(repo, this.reference(version), options.signal)
    if (digest === undefined) return false
    return this.oci.deleteManifest(repo, digest, options.signal)
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
    const subject = await this.oci.getManifest(repo, this.reference(version), signal)
    const empty = enc.encode('{}')
    await this.oci.uploadBlob(repo, empty, { signal })
    const dataDigest = await this.oci.uploadBlob(repo, artifact.data, { signal })
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
    const digest = await this.oci.putManifestBytes(repo, sha256(bytes), bytes, OCI_MANIFEST, signal)
    // Fallback index, for registries without the referrers API.
    const tag = `sha256-${digestHex(subject.digest)}`
    const current = await this.oci.getIndex(repo, tag, signal)
    const entry: Descriptor = { mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType: artifact.artifactType, ...(artifact.annotations === undefined ? {} : { annotations: artifact.annotations }) }
    const index: Index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...(current?.manifests ?? []).filter((m) => m.digest !== digest), entry] }
    const indexBytes = enc.encode(JSON.stringify(index))
    await this.oci.putManifestBytes(repo, tag, indexBytes, OCI_INDEX, signal)
    return digest
  }

  /** The referrers of `name@version` (optionally of one `artifactType`): the API where there is one, else the fallback tag. */
  async referrers(name: string, version: string, options: { readonly artifactType?: string; readonly signal?: AbortSignal } = {}): Promise<Descriptor[]> {
    const repo = this.repository(name)
    const subject = await this.oci.getManifest(repo, this.reference(version), options.signal)
    const res = await this.oci.http.request('GET', `/v2/${repo}/referrers/${subject.digest}`, { scope: pullScope(repo), headers: { accept: OCI_INDEX }, ...(options.signal === undefined ? {} : { signal: options.signal }) })
    let list: Descriptor[]
    if (res.status === 200 && (res.headers.get('content-type') ?? '').includes(OCI_INDEX)) {
      list = (parseJson<Index>(await boundedText(res, MAX_MANIFEST), 'referrers').manifests ?? []) as Descriptor[]
    } else {
      await res.body?.cancel().catch(() => {})
      list = (await this.oci.getIndex(repo, `sha256-${digestHex(subject.digest)}`, options.signal))?.manifests ?? []
    }
    return options.artifactType === undefined ? list : list.filter((d) => d.artifactType === options.artifactType)
  }

  /** A referrer's data (its one layer), by the digest `referrers` listed. */
  async referrerData(name: string, digest: string, options: { readonly signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const repo = this.repository(name)
    const { manifest } = await this.oci.getManifest(repo, digest, options.signal)
    const layer = manifest.layers[0]
    if (layer === undefined) throw new StorageError('E_PROTOCOL', `${repo}@${digest}: the referrer has no layer`)
    return this.oci.getBlobSmall(repo, layer, options.signal, 64 << 20)
  }

  // ---- manifests and tags -------------------------------------------------------------------

  private reference(versionOrDigest: string): string {
    return isDigest(versionOrDigest) ? versionOrDigest : tagOfVersion(versionOrDigest)
  }


  // ---- yank record --------------------------------------------------------------------------

  private async yanks(repo: string, signal: AbortSignal | undefined): Promise<YankState> {
    let m: { manifest: Manifest }
    try {
      m = await this.oci.getManifest(repo, YANKS_TAG, signal)
    } catch (e) {
      if (e instanceof StorageError && e.code === 'E_NOT_FOUND') return { yanked: {}, log: [] }
      throw e
    }
    const state = parseJson<YankState>(dec.decode(await this.oci.getBlobSmall(repo, m.manifest.config, signal)), `${repo} yank record`)
    return { yanked: typeof state.yanked === 'object' && state.yanked !== null ? state.yanked : {}, log: Array.isArray(state.log) ? state.log : [] }
  }

  private async putYanks(repo: string, state: YankState, signal: AbortSignal | undefined): Promise<void> {
    const config = enc.encode(JSON.stringify(state))
    const configDigest = await this.oci.uploadBlob(repo, config, signal === undefined ? {} : { signal })
    const empty = enc.encode('{}')
    await this.oci.uploadBlob(repo, empty, signal === undefined ? {} : { signal })
    await this.oci.putManifest(repo, YANKS_TAG, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: YANKS_ARTIFACT_TYPE,
      config: { mediaType: YANKS_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI_EMPTY, digest: sha256(empty), size: 2 }],
    }, signal)
  }

  private async packageLayer(name: string, versionOrDigest: string, signal: AbortSignal | undefined): Promise<{ layer: Descriptor; repo: string }> {
    const repo = this.repository(name)
    const { manifest } = await this.oci.getManifest(repo, this.reference(versionOrDigest), signal)
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

export type { Descriptor as OciDescriptor }
