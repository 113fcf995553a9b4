import type { CodecPool } from '@torshpkg/compress'
import { equalBytes, hash } from '@torshpkg/crypto'
import { checkEncryptionMetadata } from '../encryption/layout-check.js'
import type { DecryptionOptions } from '../encryption/options.js'
import type { Environment } from '../environment.js'
import { PackageError } from '../errors.js'
import { FOOTER_SIZE, FORMAT_MINOR, MAGIC, PREAMBLE_SIZE } from '../layout/constants.js'
import { packageDigest } from '../layout/digest.js'
import { decodeFooter, type Footer } from '../layout/footer.js'
import { decodeIndex, type IndexTable } from '../layout/index-table.js'
import { decodePreamble, type Preamble } from '../layout/preamble.js'
import { decodeSignatures, type SignatureRecord } from '../layout/signatures.js'
import { DEFAULT_LIMITS, type PackageLimits } from '../limits.js'
import { validateStoredManifest, type Manifest } from '../manifest.js'
import { openHttpSource, type HttpSourceOptions } from './http-source.js'
import { appendableBytesSource, blobSource, customSource, type ByteSource, type RandomAccessSource } from './source.js'

/** What `openPackage` can read from. */
export type PackageSource = Uint8Array | ArrayBuffer | Blob | string | URL | RandomAccessSource

/**
 * Options for `openPackage`. `identity` or `passphrase` open encrypted packages: a package
 * encrypted whole with age, and the encrypted resources of a package (see docs/format.md,
 * "Encryption"); without them such packages fail `E_KEY_REQUIRED` (reads of encrypted resources only).
 */
export interface OpenPackageOptions extends Omit<HttpSourceOptions, 'signal'>, DecryptionOptions {
  /** Override any of the reader's maxima. */
  limits?: Partial<PackageLimits>
  signal?: AbortSignal
  /** Decode compressed chunks on these workers (`createPool()` from `@torshpkg/compress`). */
  pool?: CodecPool
}

/** Everything decoded from a package's two ends. */
export interface PackageMetadata {
  preamble: Preamble
  footer: Footer
  manifest: Manifest
  /** The manifest exactly as stored. */
  manifestBytes: Uint8Array
  index: IndexTable
  signatures: SignatureRecord[]
  digest: Uint8Array
}

/** Turn any accepted source into a ByteSource. */
export async function resolveSource(source: PackageSource, options: OpenPackageOptions, env: Environment): Promise<ByteSource> {
  // The caller's own bytes: signing can append to them (into a new buffer).
  if (source instanceof Uint8Array) return appendableBytesSource(source)
  if (source instanceof ArrayBuffer) return appendableBytesSource(new Uint8Array(source))
  if (typeof Blob !== 'undefined' && source instanceof Blob) return blobSource(source)
  if (typeof source === 'string' || source instanceof URL) {
    const url = typeof source === 'string' ? (/^https?:\/\//i.test(source) ? new URL(source) : undefined) : source
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      return openHttpSource(url.toString(), { ...options, signal: options.signal })
    }
    let path: string
    if (url) {
      if (url.protocol !== 'file:' || !env.fileUrlToPath) throw new PackageError('E_ARGUMENT', `cannot open packages from ${url.protocol} URLs`)
      path = env.fileUrlToPath(url)
    } else path = source as string
    if (!env.openFileSource) {
      throw new PackageError('E_ARGUMENT', 'opening a file path needs Node; in browsers pass a URL, Blob or bytes', { field: 'source' })
    }
    try {
      return await env.openFileSource(path)
    } catch (e) {
      const code = (e as { code?: string }).code
      // Strings are paths; content passed as a string (an armored age file, say) is named as
      // such, and a long "path" is cut short in the message rather than echoed whole.
      const content = /^(-----BEGIN |age-encryption\.org\/)/.test(path)
      const shown = path.length > 200 ? `${JSON.stringify(path.slice(0, 200))}... (${path.length} characters)` : JSON.stringify(path)
      const why = content ? 'a string is a file path, and this looks like file content: pass its bytes (new TextEncoder().encode(text))' : path.length > 200 ? code ?? 'error' : (e as Error).message
      throw new PackageError('E_SOURCE', `cannot open ${shown}: ${why}`, { path: path.length > 200 ? path.slice(0, 200) : path, errno: code }, { cause: e })
    }
  }
  if (source && typeof source === 'object' && typeof (source as RandomAccessSource).read === 'function') {
    return customSource(source as RandomAccessSource)
  }
  throw new PackageError('E_ARGUMENT', 'a package source must be bytes, a Blob, a file path, an http(s) URL, or { size, read(offset, length) }', { field: 'source' })
}

/**
 * Read and check a package's metadata from its two ends: preamble, then the tail (manifest,
 * index, signatures, footer) in one read when the preamble locates it, else footer first.
 * Sizes are checked against the file and the limits before anything is read or allocated,
 * and the recomputed digest must match the footer before the manifest or index is trusted.
 */
export async function readMetadata(source: ByteSource, options: OpenPackageOptions = {}): Promise<PackageMetadata> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const size = source.size
  if (size < PREAMBLE_SIZE + FOOTER_SIZE) {
    const head = await source.read(0, Math.min(size, MAGIC.length))
    const magicOk = head.every((b, i) => b === MAGIC[i])
    if (!magicOk || size === 0) {
      if (size === 0) throw new PackageError('E_TRUNCATED', 'the file is empty', { size })
      throw new PackageError('E_BAD_MAGIC', 'not a torshpkg package (bad magic bytes)', { size })
    }
    throw new PackageError('E_TRUNCATED', `the file is ${size} bytes, shorter than a preamble and footer`, { size })
  }
  const preambleBytes = await source.read(0, PREAMBLE_SIZE)
  const preamble = decodePreamble(preambleBytes)
  const maxTail = limits.maxManifestBytes + limits.maxIndexBytes + limits.maxSignatureBytes + FOOTER_SIZE

  let tail: Uint8Array
  let tailStart: number
  if (preamble.locator !== 0) {
    // The writer filled in where the tail starts: fetch it in one read.
    if (preamble.locator < PREAMBLE_SIZE) {
      throw new PackageError('E_CORRUPT', `preamble at byte 24: tail locator ${preamble.locator} points into the preamble`, { region: 'preamble', offset: 24 })
    }
    if (preamble.locator > size - FOOTER_SIZE) {
      // The writer recorded a tail beyond the end of this file: most likely it was cut short.
      throw new PackageError('E_TRUNCATED', `the preamble places the tail at byte ${preamble.locator} but the file has only ${size} bytes`, { region: 'preamble', offset: 24 })
    }
    if (size - preamble.locator > maxTail) throw tooBig('metadata tail', size - preamble.locator, maxTail)
    tailStart = preamble.locator
    tail = await source.read(tailStart, size - tailStart)
  } else {
    // Unknown (a package streamed to a non-seekable sink): where reads are cheap, read just the
    // footer and then the tail. Where each read is a round trip, guess generously: the source's
    // base guess plus 64 bytes per chunk at the default chunk size (a chunk record is 52), so
    // that most such packages still open with one more request.
    const guess = Math.min(
      size - PREAMBLE_SIZE,
      maxTail,
      source.tailHint <= FOOTER_SIZE ? FOOTER_SIZE : source.tailHint + 64 * Math.ceil(size / preamble.chunkSize),
    )
    tailStart = size - guess
    tail = await source.read(tailStart, guess)
  }
  const strict = preamble.minor <= FORMAT_MINOR
  const footer = decodeFooter(tail.subarray(tail.length - FOOTER_SIZE), size, strict)
  // The locator is outside the digest; the footer's flag says what it must hold.
  const expectedLocator = footer.hasLocator ? footer.tailOffset : 0
  if (preamble.locator !== expectedLocator) {
    throw new PackageError(
      'E_CORRUPT',
      `preamble at byte 24: tail locator ${preamble.locator} disagrees with the footer (${footer.hasLocator ? `tail at ${footer.tailOffset}` : 'no locator'})`,
      { region: 'preamble', offset: 24 },
    )
  }
  if (footer.manifestLength > limits.maxManifestBytes) throw tooBig('manifest', footer.manifestLength, limits.maxManifestBytes)
  if (footer.indexLength > limits.maxIndexBytes) throw tooBig('index', footer.indexLength, limits.maxIndexBytes)
  if (footer.signaturesLength > limits.maxSignatureBytes) throw tooBig('signature block', footer.signaturesLength, limits.maxSignatureBytes)
  if (footer.tailOffset < tailStart) {
    const missing = await source.read(footer.tailOffset, tailStart - footer.tailOffset)
    const whole = new Uint8Array(size - footer.tailOffset)
    whole.set(missing)
    whole.set(tail, missing.length)
    tail = whole
  } else if (footer.tailOffset > tailStart) {
    tail = tail.subarray(footer.tailOffset - tailStart)
  }

  const manifestBytes = tail.subarray(0, footer.manifestLength)
  const indexBytes = tail.subarray(footer.manifestLength, footer.manifestLength + footer.indexLength)
  const sigStart = footer.manifestLength + footer.indexLength
  const signatureBytes = tail.subarray(sigStart, sigStart + footer.signaturesLength)

  const digest = await packageDigest(preambleBytes, footer.tailOffset, manifestBytes, indexBytes)
  if (!equalBytes(digest, footer.digest)) {
    throw new PackageError('E_DIGEST_MISMATCH', 'the preamble, manifest or index do not match the package digest in the footer: the file is corrupt', {
      region: 'metadata',
      offset: footer.tailOffset,
    })
  }
  if (footer.signaturesLength > 0 && !equalBytes(await hash('sha256', signatureBytes), footer.signaturesDigest)) {
    throw new PackageError('E_DIGEST_MISMATCH', 'the signature block does not match its digest in the footer', {
      region: 'signatures',
      offset: footer.tailOffset + sigStart,
    })
  }
  const manifest = parseManifest(manifestBytes, footer.tailOffset)
  const index = decodeIndex(indexBytes, footer.tailOffset + footer.manifestLength, {
    dataEnd: footer.tailOffset,
    alignment: preamble.alignment,
    minor: preamble.minor,
    limits,
  })
  checkEncryptionMetadata(manifest, index)
  const signatures = decodeSignatures(signatureBytes, footer.tailOffset + sigStart, strict, limits.maxSignatureRecords)
  return { preamble, footer, manifest, manifestBytes, index, signatures, digest }
}

function parseManifest(bytes: Uint8Array, offset: number): Manifest {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes))
  } catch (e) {
    throw new PackageError('E_MANIFEST', `the manifest at byte ${offset} is not valid UTF-8 JSON: ${(e as Error).message}`, { region: 'manifest', offset })
  }
  return validateStoredManifest(json)
}

function tooBig(what: string, size: number, limit: number): PackageError {
  return new PackageError('E_LIMIT', `the ${what} is ${size} bytes; the limit is ${limit} (raise it with openPackage(source, { limits }))`, { what, size, limit })
}
