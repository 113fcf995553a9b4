import type { ShuffleWidth } from '@torshpkg/compress'
import { hash, toHex } from '@torshpkg/crypto'
import { compressionPolicy, DEFAULT_POLICY, encodeChunk, type CompressionPolicy } from '../chunk-codec.js'
import type { ChunkCipher, BlockPosition } from '../encryption/chunk-cipher.js'
import { newPackageKey } from '../encryption/key-envelope.js'
import { encryptionPlan, type EncryptionPlan } from '../encryption/options.js'
import { toEntry } from '../entries.js'
import type { Environment } from '../environment.js'
import { PackageError } from '../errors.js'
import {
  AEAD_TAG_SIZE,
  BASE_MINOR,
  DEFAULT_ALIGNMENT,
  DEFAULT_CHUNK_SIZE,
  DIGEST_SIZE,
  ENCRYPTION_MINOR,
  LOCATOR_OFFSET,
  MAX_ALIGNMENT,
  MAX_CHUNK_SIZE,
  MIN_ALIGNMENT,
  MIN_CHUNK_SIZE,
  PREAMBLE_SIZE,
} from '../layout/constants.js'
import { digestString, packageDigest } from '../layout/digest.js'
import { encodeFooter } from '../layout/footer.js'
import { CODEC_ENCRYPTED, RESOURCE_TYPES, type ResourceType } from '../layout/ids.js'
import { encodeIndex, type ChunkRecord, type ResourceRecord } from '../layout/index-table.js'
import { encodePreamble, isPowerOfTwo } from '../layout/preamble.js'
import { DEFAULT_LIMITS } from '../limits.js'
import { canonicalJson, validateManifest, type Manifest, type ManifestInput } from '../manifest.js'
import { checkMediaType, defaultMediaType } from '../media-types.js'
import { bad, normalizePath } from '../paths.js'
import { checkTensorInfo, checkTensorSize, type TensorInfo } from '../tensor.js'
import type { AddOptions, CreatePackageOptions, PackageEntry, PackageSummary } from '../types.js'
import { isPackageData, pieces, sizedInput, type PackageData } from './pieces.js'
import { customSink, memorySink, sinkError, writableStreamSink, type PackageSink, type Sink } from './sink.js'

/** Where `createPackage` writes: a file path (Node), a WritableStream, a custom sink, or `'memory'`. */
export type PackageTarget = string | URL | 'memory' | WritableStream<Uint8Array> | PackageSink

const encoder = new TextEncoder()

/**
 * Streams a package to its sink in one pass: each chunk is hashed (and maybe compressed) and
 * written as it arrives, so memory grows with the number of chunks, never with their bytes.
 * Calls may overlap; they run in call order. See {@link createPackage}.
 */
export class PackageWriter {
  /** The validated manifest that `finish()` will write (plus `encryption`, for an encrypting writer). */
  readonly manifest: Manifest
  private readonly manifestBytes: Uint8Array
  private readonly chunkSize: number
  private readonly alignment: number
  private readonly policy: CompressionPolicy
  private readonly options: CreatePackageOptions
  private readonly sinkPromise: Promise<Sink>
  private sink: Sink | undefined
  private pos = 0
  private queue: Promise<unknown> = Promise.resolve()
  private state: 'open' | 'finishing' | 'finished' | 'failed' = 'open'
  private failure: PackageError | undefined
  private readonly resources: ResourceRecord[] = []
  private readonly chunks: ChunkRecord[] = []
  /** Blocks already in the file, by the SHA-256 of their raw content: identical chunks are written once. */
  private readonly blocks = new Map<string, Block>()
  private readonly paths = new Set<string>()
  /** Set when the package encrypts resources: the plan now, its keys (wrapped asynchronously) before the first byte. */
  private readonly encryption: { plan: EncryptionPlan; keys: ReturnType<typeof newPackageKey> } | undefined
  private cipher: ChunkCipher | undefined

  /** @internal Use {@link createPackage}. */
  constructor(target: PackageTarget, manifest: ManifestInput, options: CreatePackageOptions, env: Environment) {
    this.options = options
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
    this.alignment = options.alignment ?? DEFAULT_ALIGNMENT
    if (!isPowerOfTwo(this.alignment) || this.alignment < MIN_ALIGNMENT || this.alignment > MAX_ALIGNMENT) {
      throw new PackageError('E_ARGUMENT', `alignment must be a power of two from ${MIN_ALIGNMENT} to ${MAX_ALIGNMENT}, got ${options.alignment}`, { field: 'alignment' })
    }
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < MIN_CHUNK_SIZE || this.chunkSize > MAX_CHUNK_SIZE || this.chunkSize % this.alignment !== 0) {
      throw new PackageError('E_ARGUMENT', `chunkSize must be a multiple of the alignment (${this.alignment}) from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}, got ${options.chunkSize}`, { field: 'chunkSize' })
    }
    this.policy = compressionPolicy(options.compression, DEFAULT_POLICY)
    if (manifest && typeof manifest === 'object' && 'encryption' in manifest) {
      throw new PackageError('E_MANIFEST', 'manifest.encryption is written by the writer: pass createPackage(sink, manifest, { encryption: { recipients } })', {
        issues: [{ path: ['encryption'], field: 'encryption', message: 'is set by the writer from options.encryption' }],
      })
    }
    this.manifest = validateManifest(manifest)
    this.manifestBytes = encoder.encode(canonicalJson(this.manifest))
    if (this.manifestBytes.length > DEFAULT_LIMITS.maxManifestBytes) {
      throw new PackageError('E_LIMIT', `the manifest is ${this.manifestBytes.length} bytes; the limit is ${DEFAULT_LIMITS.maxManifestBytes}`, { field: 'manifest' })
    }
    if (options.encryption !== undefined) {
      const plan = encryptionPlan(options.encryption)
      // Wrapping the key may take a while (scrypt for a passphrase): it runs while the caller
      // starts adding, and is awaited before the first byte is written.
      const keys = newPackageKey(plan)
      keys.catch(() => {}) // surfaced by the first add() or finish()
      this.encryption = { plan, keys }
    }
    this.sinkPromise = openSink(target, options, env)
    this.sinkPromise.catch(() => {}) // surfaced by the first add() or finish()
    options.signal?.addEventListener('abort', () => void this.abort(options.signal?.reason), { once: true })
  }

  /** Bytes handed to the sink so far. */
  get bytesWritten(): number {
    return this.pos
  }

  /**
   * Add a resource. Bad arguments reject without harming the writer. If the content itself
   * fails midway (its stream errors, or it ends at a size that contradicts `tensor`), the
   * bytes already written cannot be taken back: the writer fails and discards its output.
   *
   * @example
   * ```ts
   * await w.add('weights/layer0.bin', new Float32Array(1024), { tensor: { dtype: 'float32', shape: [32, 32] } })
   * await w.add('config.json', JSON.stringify(config), { type: 'config' })
   * ```
   */
  add(path: string, data: PackageData, options: AddOptions = {}): Promise<PackageEntry> {
    let job: () => Promise<PackageEntry>
    try {
      this.assertOpen()
      const p = normalizePath(path)
      if (this.paths.has(p)) throw bad(path, 'duplicate', 'a resource with this path was already added')
      if (this.paths.size >= DEFAULT_LIMITS.maxResources) {
        throw new PackageError('E_LIMIT', `a package holds at most ${DEFAULT_LIMITS.maxResources} resources`)
      }
      if (!isPackageData(data)) {
        throw new PackageError('E_ARGUMENT', `content for ${JSON.stringify(p)} must be a Uint8Array, ArrayBuffer, string, Blob, ReadableStream or (async) iterable of Uint8Array`, { field: 'data' })
      }
      const sized = sizedInput(data)
      const tensor = options.tensor === undefined ? undefined : checkTensorInfo(options.tensor, sized?.size)
      const type = options.type ?? (tensor ? 'weights' : 'other')
      if (!RESOURCE_TYPES.includes(type)) {
        throw new PackageError('E_ARGUMENT', `type must be one of ${RESOURCE_TYPES.join(', ')}, got ${JSON.stringify(type)}`, { field: 'type' })
      }
      const mediaType = options.mediaType === undefined ? defaultMediaType(p) : checkMediaType(options.mediaType)
      const policy = compressionPolicy(options.compression, this.policy)
      const encrypt = this.encrypts(p, type, options.encrypt)
      this.paths.add(p)
      job = () => this.write(p, data, sized, { type, mediaType, tensor, policy, floatWidth: floatWidth(tensor), encrypt })
    } catch (e) {
      return Promise.reject(e)
    }
    return this.enqueue(job)
  }

  /** Whether the resource at `path` is encrypted: the add() flag, else the package's selector. */
  private encrypts(path: string, type: ResourceType, flag: boolean | undefined): boolean {
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw new PackageError('E_ARGUMENT', `encrypt must be true or false, got ${JSON.stringify(flag)}`, { field: 'encrypt' })
    }
    if (!this.encryption) {
      if (flag) throw new PackageError('E_ARGUMENT', `cannot encrypt ${JSON.stringify(path)}: create the package with { encryption: { recipients } } or { encryption: { passphrase } }`, { field: 'encrypt' })
      return false
    }
    return flag ?? this.encryption.plan.select(path, type) === true
  }

  /**
   * Write manifest, index and footer, and close the sink. Resolves once every earlier `add()`
   * has; a file sink is fsynced and renamed into place before this resolves.
   */
  finish(): Promise<PackageSummary> {
    try {
      this.assertOpen()
    } catch (e) {
      return Promise.reject(e)
    }
    this.state = 'finishing'
    return this.enqueue(async () => {
      try {
        return await this.writeTail()
      } catch (e) {
        throw await this.fail(e)
      }
    })
  }

  /**
   * Stop and discard the output (a file sink deletes its temp file). Safe to call at any time;
   * once `finish()` has started it is too late to discard: this then waits for `finish()` and
   * leaves its outcome alone.
   */
  async abort(reason?: unknown): Promise<void> {
    if (this.state === 'finishing') {
      await this.queue
      return
    }
    if (this.state === 'finished' || this.state === 'failed') return
    this.state = 'failed'
    this.failure = new PackageError('E_ABORTED', 'the package writer was aborted', { reason }, { cause: reason })
    const sink = await this.sinkPromise.catch(() => undefined)
    await sink?.abort(reason).catch(() => {})
  }

  private async write(
    path: string,
    data: PackageData,
    sized: ReturnType<typeof sizedInput>,
    info: { type: ResourceType; mediaType: string; tensor: TensorInfo | undefined; policy: CompressionPolicy; floatWidth: ShuffleWidth | undefined; encrypt: boolean },
  ): Promise<PackageEntry> {
    const firstChunk = this.chunks.length
    let startPos = -1
    let size = 0
    try {
      await this.start()
      startPos = this.pos
      // Chunks are hashed in order; their encoding (compression, on the pool if there is one)
      // runs ahead by up to `window` chunks; they are placed and written strictly in order, so
      // the output is the same whatever finishes first.
      const window = this.options.pool ? this.options.pool.size * 2 : 1
      const inFlight: { key: string; rawLength: number; block: Promise<Block & { stored?: Uint8Array }> }[] = []
      const pendingBlocks = new Map<string, Promise<Block & { stored?: Uint8Array }>>()
      let writing: Promise<void> = Promise.resolve()
      const placeNext = async () => {
        const next = inFlight.shift()!
        const block = await next.block
        // Encoding the next chunks overlaps with writing this one; only one write is in flight.
        await writing
        writing = this.place(next.key, next.rawLength, block, block.stored)
        writing.catch(() => {})
        pendingBlocks.delete(next.key)
        this.options.onProgress?.({ path, resourceBytes: size, bytesWritten: this.pos })
      }
      for await (const piece of pieces(data, this.chunkSize, sized)) {
        this.assertRunning()
        // One hash of the raw bytes finds duplicates before any compression work; it is also
        // the stored hash when the chunk is stored raw. A compressed chunk's stored bytes get
        // their own (smaller) hash, so every byte in the file is covered.
        const rawDigest = await hash('sha256', piece)
        // Encrypted chunks share blocks only with encrypted ones: a plain resource must never
        // point at ciphertext, nor an encrypted one at plaintext.
        const key = (info.encrypt ? 'e' : '') + toHex(rawDigest)
        const known = this.blocks.get(key) ?? pendingBlocks.get(key)
        const block = known
          ? Promise.resolve(known).then((b) => ({ ...b, stored: undefined }))
          : this.encode(piece, rawDigest, info)
        if (!known) pendingBlocks.set(key, block)
        block.catch(() => {})
        inFlight.push({ key, rawLength: piece.length, block })
        size += piece.length
        while (inFlight.length >= window) await placeNext()
      }
      while (inFlight.length > 0) await placeNext()
      await writing
      if (info.tensor) checkTensorSize(info.tensor, size)
      if (sized && size !== sized.size) {
        throw new PackageError('E_SOURCE', `content for ${JSON.stringify(path)} changed size while being read (${sized.size} -> ${size})`)
      }
    } catch (e) {
      const misuse = e instanceof PackageError && (e.code === 'E_ABORTED' || e.code === 'E_CLOSED')
      if (startPos !== -1 && this.pos === startPos && !misuse) {
        // Nothing of this resource reached the sink: forget it and keep the writer usable.
        this.chunks.length = firstChunk
        this.paths.delete(path)
        throw e instanceof PackageError ? e : sinkError(e, `reading the content of ${JSON.stringify(path)}`)
      }
      throw await this.fail(e)
    }
    const record: ResourceRecord = {
      path,
      type: info.type,
      mediaType: info.mediaType,
      size,
      chunkSize: this.chunkSize,
      firstChunk,
      chunkCount: this.chunks.length - firstChunk,
    }
    if (info.tensor) record.tensor = { dtype: info.tensor.dtype, shape: [...info.tensor.shape] }
    if (info.encrypt) record.encrypted = true
    this.resources.push(record)
    return toEntry(record, this.chunks)
  }

  /**
   * Compress (maybe) and hash one chunk's stored form. A chunk to encrypt is only compressed
   * here: it is sealed when placed, since its nonce is its offset, and hashed after that.
   */
  private async encode(
    piece: Uint8Array,
    rawDigest: Uint8Array,
    info: { policy: CompressionPolicy; floatWidth: ShuffleWidth | undefined; encrypt: boolean },
  ): Promise<Block & { stored: Uint8Array }> {
    const encoded = await encodeChunk(piece, info.policy, info.floatWidth, this.options.pool)
    const { codec, filter, filterParam, stored } = encoded
    if (info.encrypt) {
      // The hash is filled in once the block is sealed (see place()).
      return { offset: -1, storedLength: stored.length + AEAD_TAG_SIZE, codec: codec | CODEC_ENCRYPTED, filter, filterParam, hash: new Uint8Array(DIGEST_SIZE), stored }
    }
    const storedHash = stored === piece ? rawDigest : await hash('sha256', stored)
    return { offset: -1, storedLength: stored.length, codec, filter, filterParam, hash: storedHash, stored }
  }

  /** Record a chunk, and write its block unless an identical one is already in the file. */
  private place(key: string, rawLength: number, block: Block, stored: Uint8Array | undefined): Promise<void> {
    if (this.chunks.length >= DEFAULT_LIMITS.maxChunks) {
      // Readers refuse more by default; better to stop here than write a package nobody opens.
      throw new PackageError('E_LIMIT', `a package holds at most ${DEFAULT_LIMITS.maxChunks} chunks; use a larger chunkSize`)
    }
    const known = this.blocks.get(key)
    if (known || !stored) {
      const b = known ?? block
      this.chunks.push({ offset: b.offset, storedLength: b.storedLength, rawLength, codec: b.codec, filter: b.filter, filterParam: b.filterParam, hash: b.hash })
      return Promise.resolve()
    }
    // Raw chunks start on the alignment boundary (zero-copy typed-array views); compressed and
    // encrypted ones need not (their codec byte is not 0).
    const offset = block.codec === 0 ? alignUp(this.pos, this.alignment) : this.pos
    const pad = offset - this.pos
    block.offset = offset
    // Only the block's description is kept (its bytes go to the sink and are forgotten), so
    // memory grows with the number of chunks, not their size.
    this.blocks.set(key, { offset, storedLength: block.storedLength, codec: block.codec, filter: block.filter, filterParam: block.filterParam, hash: block.hash })
    this.chunks.push({ offset, storedLength: block.storedLength, rawLength, codec: block.codec, filter: block.filter, filterParam: block.filterParam, hash: block.hash })
    this.pos = offset + block.storedLength
    if (block.codec & CODEC_ENCRYPTED) return this.emitSealed(pad, { offset, rawLength, codec: block.codec, filter: block.filter, filterParam: block.filterParam }, stored, block.hash)
    return this.emit(pad, stored)
  }

  /**
   * Encrypt a block at its now-known offset, fill in its hash (over the ciphertext, so verify()
   * needs no key), and write it. The next block is placed only after this resolves, so the
   * hash is in place before any duplicate of the block copies the record.
   */
  private async emitSealed(pad: number, position: BlockPosition, content: Uint8Array, hashOut: Uint8Array): Promise<void> {
    const sealed = await this.cipher!.seal(position, content)
    hashOut.set(await hash('sha256', sealed))
    await this.emit(pad, sealed)
  }

  private async emit(pad: number, stored: Uint8Array): Promise<void> {
    const sink = this.sink!
    try {
      if (pad > 0) await sink.write(new Uint8Array(pad))
      await sink.write(stored)
    } catch (e) {
      throw sinkError(e, 'writing to the sink')
    }
  }

  /** Open the sink and write the preamble, once. */
  private async start(): Promise<void> {
    if (this.sink) return
    try {
      this.sink = await this.sinkPromise
    } catch (e) {
      throw sinkError(e, 'opening the sink')
    }
    if (this.encryption) this.cipher = (await this.encryption.keys).cipher
    this.assertRunning()
    this.pos = PREAMBLE_SIZE
    await this.emit(0, this.preamble())
  }

  /** The preamble as written first; a seekable sink gets its tail locator patched in at the end. */
  private preamble(): Uint8Array {
    // Only a package that can hold encrypted chunks says 1.1: the others stay exactly 1.0.
    const minor = this.encryption ? ENCRYPTION_MINOR : BASE_MINOR
    return encodePreamble({ hashAlgorithm: 'sha256', alignment: this.alignment, chunkSize: this.chunkSize, locator: 0, minor })
  }

  private async writeTail(): Promise<PackageSummary> {
    await this.start()
    const index = encodeIndex({ resources: this.resources, chunks: this.chunks })
    if (index.length > DEFAULT_LIMITS.maxIndexBytes) {
      throw new PackageError('E_LIMIT', `the index is ${index.length} bytes; the limit is ${DEFAULT_LIMITS.maxIndexBytes}`)
    }
    const manifestBytes = this.encryption
      ? encoder.encode(canonicalJson({ ...this.manifest, encryption: (await this.encryption.keys).envelope }))
      : this.manifestBytes
    if (manifestBytes.length > DEFAULT_LIMITS.maxManifestBytes) {
      throw new PackageError('E_LIMIT', `the manifest is ${manifestBytes.length} bytes with its wrapped key; the limit is ${DEFAULT_LIMITS.maxManifestBytes}`, { field: 'manifest' })
    }
    const tailOffset = this.pos
    const digest = await packageDigest(this.preamble(), tailOffset, manifestBytes, index)
    const footer = encodeFooter({
      digest,
      signaturesDigest: new Uint8Array(DIGEST_SIZE),
      tailOffset,
      manifestLength: manifestBytes.length,
      indexLength: index.length,
      signaturesLength: 0,
      hasLocator: this.sink!.patch !== undefined,
    })
    const sink = this.sink!
    try {
      for (const part of [manifestBytes, index, footer]) await sink.write(part)
      this.pos += manifestBytes.length + index.length + footer.length
      if (sink.patch) {
        const locator = new Uint8Array(8)
        new DataView(locator.buffer).setBigUint64(0, BigInt(tailOffset), true)
        await sink.patch(LOCATOR_OFFSET, locator)
      }
      this.assertRunning()
      const result = await sink.finish()
      this.state = 'finished'
      const entries = this.resources.map((r) => toEntry(r, this.chunks))
      return { digest: digestString(digest), size: this.pos, resources: this.resources.length, entries, ...result }
    } catch (e) {
      throw sinkError(e, 'finishing the package')
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      this.assertRunning()
      return task()
    })
    this.queue = run.catch(() => {})
    return run
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw this.closedError()
  }

  private assertRunning(): void {
    if (this.state === 'failed' || this.state === 'finished') throw this.closedError()
  }

  private closedError(): PackageError {
    if (this.failure?.code === 'E_ABORTED') return this.failure
    if (this.state === 'failed') return new PackageError('E_CLOSED', `the writer failed earlier: ${this.failure?.message}`, {}, { cause: this.failure })
    return new PackageError('E_CLOSED', this.state === 'finished' ? 'the package is already finished' : 'finish() was already called')
  }

  /** Enter the failed state, discard the output, and return the error to throw. */
  private async fail(e: unknown): Promise<PackageError> {
    const error = e instanceof PackageError ? e : sinkError(e, 'writing the package')
    if (this.state !== 'failed') {
      this.state = 'failed'
      this.failure = error
      const sink = this.sink ?? (await this.sinkPromise.catch(() => undefined))
      await sink?.abort(error).catch(() => {})
    }
    return error.code === 'E_ABORTED' ? (this.failure ?? error) : error
  }
}

/** A block written to the data region. */
interface Block {
  offset: number
  storedLength: number
  codec: number
  filter: number
  filterParam: number
  /** Hash of the stored bytes. */
  hash: Uint8Array
}

/** Element width of a float tensor, which 'auto' may byte-shuffle by. */
function floatWidth(tensor: TensorInfo | undefined): ShuffleWidth | undefined {
  switch (tensor?.dtype) {
    case 'float16':
    case 'bfloat16':
      return 2
    case 'float32':
      return 4
    case 'float64':
      return 8
    default:
      return undefined
  }
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a
}

async function openSink(target: PackageTarget, options: CreatePackageOptions, env: Environment): Promise<Sink> {
  if (target === 'memory') return memorySink()
  if (typeof target === 'string' || target instanceof URL) {
    const path = target instanceof URL ? fileUrl(target, env) : target
    if (!env.openFileSink) {
      throw new PackageError('E_ARGUMENT', 'writing to a file path needs Node; in browsers pass a WritableStream or "memory"', { field: 'sink' })
    }
    return env.openFileSink(path, { durable: options.durable })
  }
  if (typeof WritableStream !== 'undefined' && target instanceof WritableStream) return writableStreamSink(target)
  if (target && typeof (target as PackageSink).write === 'function') return customSink(target as PackageSink)
  throw new PackageError('E_ARGUMENT', 'the sink must be a file path, a WritableStream, an object with write(), or "memory"', { field: 'sink' })
}

function fileUrl(url: URL, env: Environment): string {
  if (url.protocol !== 'file:' || !env.fileUrlToPath) {
    throw new PackageError('E_ARGUMENT', `cannot write a package to ${url.protocol} URLs`, { field: 'sink' })
  }
  return env.fileUrlToPath(url)
}
