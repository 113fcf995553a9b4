import { copyBytes, equalBytes, hash } from '@torshpkg/crypto'
import { decodeStoredChunk } from '../chunk-codec.js'
import type { ChunkCipher } from '../encryption/chunk-cipher.js'
import { toEntry } from '../entries.js'
import { PackageError } from '../errors.js'
import { digestString } from '../layout/digest.js'
import { DEFAULT_LIMITS } from '../limits.js'
import { sameBlock, type ChunkRecord, type ResourceRecord } from '../layout/index-table.js'
import type { SignatureRecord } from '../layout/signatures.js'
import type { Manifest } from '../manifest.js'
import { DTYPE_SIZES, isDType, tensorView, type DType, type TensorArray } from '../tensor.js'
import type { PackageEntry } from '../types.js'
import type { OpenPackageOptions, PackageMetadata } from './open.js'
import { readMetadata } from './open.js'
import type { ByteSource } from './source.js'
import { verifyPackage, type VerifyOptions, type VerifyReport } from './verify.js'

// Chunks closer than this in the file are fetched with one read, padding included.
const MERGE_GAP = 4096

/** A tensor read from a package: a typed-array view plus its shape. */
export interface Tensor {
  dtype: DType
  shape: number[]
  data: TensorArray
}

/**
 * An open package. Metadata (manifest, index) was read and checked when it was opened; resource
 * bytes are read on demand, and every chunk a read touches is hashed and checked first.
 */
export class Package {
  /** The validated manifest. */
  readonly manifest: Manifest
  /** `sha256:<hex>` over preamble, manifest and index: what signatures sign. */
  readonly digest: string
  /** Bytes in the package file (grows when signatures are added). */
  get size(): number {
    return this.source.size
  }
  /** `major.minor` of the file's format. */
  readonly formatVersion: string
  /** Raw signature records (interpreted by `@torshpkg/crypto`). */
  get signatures(): readonly SignatureRecord[] {
    return this.metadata.signatures
  }
  private readonly byPath = new Map<string, ResourceRecord>()
  private readonly maxReadBytes: number
  private closed = false
  private appending: Promise<unknown> = Promise.resolve()

  /**
   * Every region as decoded and checked at open: preamble, footer, manifest bytes, index,
   * signature records, digest. For tools that inspect or extend packages (signing appends a
   * signature record, for instance); most code needs only the methods below.
   */
  get metadata(): PackageMetadata {
    return this.meta
  }
  // Source and metadata are replaced when signatures are appended (addSignatures), nothing else.
  private source: ByteSource
  private meta: PackageMetadata
  private readonly retired: ByteSource[] = []

  /** @internal Use `openPackage`. */
  constructor(
    source: ByteSource,
    metadata: PackageMetadata,
    private readonly options: OpenPackageOptions,
    /** Opens encrypted chunks; absent when the package has none or was opened without a key. */
    private readonly cipher?: ChunkCipher,
  ) {
    this.source = source
    this.meta = metadata
    this.manifest = metadata.manifest
    this.digest = digestString(metadata.digest)
    this.formatVersion = `${metadata.preamble.major}.${metadata.preamble.minor}`
    this.maxReadBytes = options.limits?.maxReadBytes ?? DEFAULT_LIMITS.maxReadBytes
    for (const r of metadata.index.resources) this.byPath.set(r.path, r)
  }

  /** Every resource, in the order they were added. */
  entries(): PackageEntry[] {
    return this.metadata.index.resources.map((r) => toEntry(r, this.metadata.index.chunks))
  }

  /** One resource's description, or undefined. */
  entry(path: string): PackageEntry | undefined {
    const r = this.find(path)
    return r && toEntry(r, this.metadata.index.chunks)
  }

  /** Whether a resource exists at `path` (compared in NFC form). */
  has(path: string): boolean {
    return this.find(path) !== undefined
  }

  /**
   * The whole resource, verified. For in-memory packages, resources stored uncompressed come
   * back as zero-copy views of the package buffer (do not write to them).
   *
   * @example
   * ```ts
   * const config = JSON.parse(new TextDecoder().decode(await pkg.read('config.json')))
   * ```
   */
  async read(path: string): Promise<Uint8Array> {
    const r = this.require(path)
    return this.readChunks(r, 0, r.chunkCount)
  }

  /**
   * `length` bytes from `offset` within the resource. Only the chunks covering the range are
   * read and verified.
   */
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const r = this.require(path)
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > r.size) {
      throw new PackageError('E_RANGE', `range ${offset}+${length} is outside ${JSON.stringify(r.path)} (${r.size} bytes)`, { path: r.path, offset, length, size: r.size })
    }
    if (length === 0) return new Uint8Array(0)
    const first = Math.floor(offset / r.chunkSize)
    const last = Math.floor((offset + length - 1) / r.chunkSize)
    const bytes = await this.readChunks(r, first, last + 1)
    const start = offset - first * r.chunkSize
    return bytes.subarray(start, start + length)
  }

  /** A tensor resource as a typed array (see {@link tensorView} for 16- and 8-bit floats). */
  async readTensor(path: string): Promise<Tensor> {
    const r = this.require(path)
    if (!r.tensor) throw new PackageError('E_ARGUMENT', `${JSON.stringify(r.path)} has no tensor info`, { path: r.path })
    const dtype = r.tensor.dtype
    if (!isDType(dtype)) throw new PackageError('E_UNSUPPORTED', `dtype ${dtype} is not known to this build`, { path: r.path, dtype })
    let bytes = await this.read(path)
    // Views need element alignment: guaranteed for stored-raw data, not for arbitrary copies.
    if (bytes.byteOffset % DTYPE_SIZES[dtype] !== 0) bytes = copyBytes(bytes)
    return { dtype, shape: [...r.tensor.shape], data: tensorView(dtype, bytes) }
  }

  /**
   * The resource as a stream of verified chunks: memory stays at one chunk however large the
   * resource. A corrupt chunk errors the stream before any of its bytes are delivered.
   */
  stream(path: string): ReadableStream<Uint8Array> {
    const r = this.require(path)
    let next = 0
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (next >= r.chunkCount) {
            controller.close()
            return
          }
          const bytes = await this.readChunks(r, next, next + 1)
          next++
          controller.enqueue(bytes)
          if (next >= r.chunkCount) controller.close()
        },
      },
      { highWaterMark: 1 },
    )
  }

  /**
   * Check every byte of the file: metadata again, every chunk's hash and decoding, and that
   * the padding between chunks is zero and nothing hides between regions. Problems are
   * reported, not thrown. Encrypted chunks are decrypted too when the package was opened with
   * its key; without it their stored hashes are still all checked.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    this.assertOpen()
    return verifyPackage(this.source, this.metadata, { ...this.options, ...options, cipher: this.cipher })
  }

  /**
   * The whole package file as bytes: for a package opened from bytes, a view of them (no
   * copy; do not write to it), otherwise read from the source, within `limits.maxReadBytes`.
   * For a package that was age-encrypted as a whole, these are the decrypted package's bytes.
   *
   * @example
   * ```ts
   * const signed = await signPackage(await openPackage(bytes), secretKey)
   * await writeFile('model.torshpkg', await signed.bytes())
   * ```
   */
  async bytes(): Promise<Uint8Array> {
    this.assertOpen()
    if (this.source.kind !== 'memory' && this.size > this.maxReadBytes) {
      throw new PackageError('E_LIMIT', `the package is ${this.size} bytes, over limits.maxReadBytes (${this.maxReadBytes})`, { size: this.size, limit: this.maxReadBytes })
    }
    return this.source.read(0, this.size)
  }

  /**
   * Append records to the signature block without rewriting any data (what `signPackage`
   * and `attestPackage` from `@torshpkg/crypto` call). Only the footer is replaced, and this
   * Package then reads the signed package (it resolves to `this`, for chaining):
   * - opened from bytes: the signed package is new bytes (`bytes()` gives them); the bytes
   *   it was opened from are not touched;
   * - opened from a file path (Node): the file is appended to in place and fsynced, refused
   *   with `E_SOURCE_CHANGED` if it changed since it was opened;
   * - Blob, HTTP, custom and age-decrypted sources: `E_READ_ONLY` (sign the bytes or the file).
   * Appends to one Package run one at a time, each after the previous one.
   *
   * @example
   * ```ts
   * const before = pkg.signatures.length
   * await pkg.addSignatures([{ kind: 1, payload }])
   * pkg.signatures.length === before + 1 // true
   * ```
   */
  async addSignatures(records: readonly { readonly kind: number; readonly payload: Uint8Array }[]): Promise<Package> {
    const run = async (): Promise<Package> => {
      this.assertOpen()
      if (!this.source.appendSignatures) {
        throw new PackageError(
          'E_READ_ONLY',
          `a package opened from a ${this.source.kind === 'memory' ? 'decrypted' : this.source.kind} source cannot be changed: open its bytes, or (in Node) its file path, to add signatures`,
          { source: this.source.kind },
        )
      }
      const f = this.metadata.footer
      const source = await this.source.appendSignatures(records, { size: this.size, digest: f.digest, signaturesDigest: f.signaturesDigest })
      let metadata: PackageMetadata
      try {
        metadata = await readMetadata(source, this.options)
        // A file is reopened by its path, which another process may have replaced since the
        // append: what comes back must be this package with exactly these records added.
        if (!isAppendedTo(this.metadata, metadata, records)) {
          throw new PackageError('E_SOURCE_CHANGED', 'the package changed while signatures were appended to it; open it again and check it', { what: 'reopened package' })
        }
      } catch (e) {
        await source.close().catch(() => {})
        throw e
      }
      // Same digest, same index: only the source and the signature records change. The old
      // source is closed with the Package, not now: a read may still be using it.
      if (this.source !== source) this.retired.push(this.source)
      this.source = source
      this.meta = metadata
      return this
    }
    const next = this.appending.then(run, run)
    this.appending = next.catch(() => {})
    return next
  }

  /** Release the source (closes a file handle). Further reads fail with `E_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([this.source, ...this.retired].map((source) => source.close()))
  }

  private find(path: string): ResourceRecord | undefined {
    if (typeof path !== 'string') return undefined
    return this.byPath.get(path) ?? this.byPath.get(path.normalize('NFC'))
  }

  private require(path: string): ResourceRecord {
    this.assertOpen()
    const r = this.find(path)
    if (!r) throw new PackageError('E_NOT_FOUND', `no resource at ${JSON.stringify(path)}`, { path })
    return r
  }

  private assertOpen(): void {
    if (this.closed) throw new PackageError('E_CLOSED', 'the package is closed')
  }

  /** Raw bytes of chunks [from, to) of `r`, read in as few source reads as possible and verified. */
  private async readChunks(r: ResourceRecord, from: number, to: number): Promise<Uint8Array> {
    if (r.encrypted && !this.cipher) {
      throw new PackageError(
        'E_KEY_REQUIRED',
        `${JSON.stringify(r.path)} is encrypted: open the package with { identity } or { passphrase } to read it`,
        { path: r.path },
      )
    }
    const records = this.metadata.index.chunks.slice(r.firstChunk + from, r.firstChunk + to)
    const total = records.reduce((n, c) => n + c.rawLength, 0)
    if (records.length === 0) return new Uint8Array(0)
    const where = (k: number) => `chunk ${from + k} of ${JSON.stringify(r.path)}`
    const runs = planRuns(records)

    // One contiguous run of raw, unfiltered chunks: a single read is the result, and for an
    // in-memory package a view rather than a copy.
    const only = runs[0]!
    const direct = runs.length === 1 && only.end - only.start === total && records.every((c) => c.codec === 0 && c.filter === 0)
    if (!(direct && this.source.kind === 'memory') && total > this.maxReadBytes) {
      throw new PackageError(
        'E_LIMIT',
        `reading ${total} bytes of ${JSON.stringify(r.path)} at once exceeds limits.maxReadBytes (${this.maxReadBytes}); use stream() or readRange(), or raise the limit`,
        { path: r.path, size: total, limit: this.maxReadBytes },
      )
    }
    if (direct) {
      const bytes = await this.source.read(only.start, total)
      for (let k = 0; k < records.length; k++) {
        const c = records[k]!
        await checkHash(c, bytes.subarray(c.offset - only.start, c.offset - only.start + c.storedLength), where(k))
      }
      return bytes
    }

    const out = new Uint8Array(total)
    // A block repeated in this read (deduplicated chunks) is checked and decoded once. Decoding
    // runs concurrently (in parallel on a pool, if the package was opened with one).
    const decoded = new Map<number, { chunk: ChunkRecord; raw: Promise<Uint8Array> }>()
    const jobs: Promise<void>[] = []
    let at = 0
    let k = 0
    for (const run of runs) {
      const span = await this.source.read(run.start, run.end - run.start)
      for (const c of run.chunks) {
        const seen = decoded.get(c.offset)
        let raw: Promise<Uint8Array>
        if (seen && sameBlock(seen.chunk, c)) raw = seen.raw
        else {
          const stored = span.subarray(c.offset - run.start, c.offset - run.start + c.storedLength)
          const label = where(k)
          raw = checkHash(c, stored, label).then(() => decodeStoredChunk(c, stored, label, this.cipher, this.options.pool))
          decoded.set(c.offset, { chunk: c, raw })
        }
        const position = at
        jobs.push(raw.then((bytes) => out.set(bytes, position)))
        at += c.rawLength
        k++
      }
    }
    await settleAll(jobs)
    return out
  }
}

/** Whether `after` is `before` (same digest) with `added` appended to its signature records. */
function isAppendedTo(before: PackageMetadata, after: PackageMetadata, added: readonly { readonly kind: number; readonly payload: Uint8Array }[]): boolean {
  const expected = [...before.signatures, ...added]
  return (
    equalBytes(after.digest, before.digest) &&
    after.signatures.length === expected.length &&
    after.signatures.every((r, i) => r.kind === expected[i]!.kind && equalBytes(r.payload, expected[i]!.payload))
  )
}

/** Wait for every job; if any failed, throw the first failure (after all have settled). */
async function settleAll(jobs: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(jobs)
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
}

async function checkHash(c: ChunkRecord, stored: Uint8Array, where: string): Promise<void> {
  if (!equalBytes(await hash('sha256', stored), c.hash)) {
    throw new PackageError('E_CORRUPT_CHUNK', `${where} (bytes ${c.offset}-${c.offset + c.storedLength - 1}) does not match its hash`, {
      offset: c.offset,
      length: c.storedLength,
    })
  }
}

interface Run {
  start: number
  end: number
  chunks: ChunkRecord[]
}

/** Group chunks, in resource order, into runs that sit (nearly) back to back in the file. */
function planRuns(records: readonly ChunkRecord[]): Run[] {
  const runs: Run[] = []
  let run: Run | undefined
  for (const c of records) {
    const end = c.offset + c.storedLength
    if (run && c.offset >= run.end && c.offset - run.end <= MERGE_GAP) {
      run.end = end
      run.chunks.push(c)
    } else {
      run = { start: c.offset, end, chunks: [c] }
      runs.push(run)
    }
  }
  return runs
}
