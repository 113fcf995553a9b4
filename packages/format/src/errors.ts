/**
 * Stable error codes raised by `@torshpkg/format`. They are part of the public API: match on
 * them, never on messages. Each is documented in docs/format.md ("Errors").
 */
export type PackageErrorCode =
  /** The file ends before a structure it declares (or has no footer: unfinished or cut off). */
  | 'E_TRUNCATED'
  /** The first bytes are not a torshpkg preamble. */
  | 'E_BAD_MAGIC'
  /** The file's major format version (or byte order) is one this reader does not speak. */
  | 'E_UNSUPPORTED_VERSION'
  /** A codec, filter, hash algorithm, dtype or flag this build cannot handle. */
  | 'E_UNSUPPORTED'
  /** Preamble, footer, padding or layout bytes are inconsistent. */
  | 'E_CORRUPT'
  /** The index is malformed (bad counts, sizes, offsets, ids). */
  | 'E_CORRUPT_INDEX'
  /** A chunk's bytes do not match its hash, or do not decode to its declared size. */
  | 'E_CORRUPT_CHUNK'
  /** Manifest, index or preamble bytes do not hash to the digest recorded in the footer. */
  | 'E_DIGEST_MISMATCH'
  /** A resource path is absolute, escapes, has empty or dot segments, backslashes, control characters, a drive letter, or is a duplicate. */
  | 'E_BAD_PATH'
  /** A count, size or offset exceeds the file or a configured maximum. */
  | 'E_LIMIT'
  /** The manifest is invalid; `details.issues` lists each field and why. */
  | 'E_MANIFEST'
  /** No resource at that path. */
  | 'E_NOT_FOUND'
  /** A range read outside the resource. */
  | 'E_RANGE'
  /** An option or argument is invalid (chunk size, alignment, tensor shape, data type). */
  | 'E_ARGUMENT'
  /** The source or sink failed: I/O error, HTTP status, no Range support, short read. */
  | 'E_SOURCE'
  /** A remote file changed between requests (size or ETag differ). */
  | 'E_SOURCE_CHANGED'
  /** The package or writer is closed, finished or failed. */
  | 'E_CLOSED'
  /** The operation was aborted by its AbortSignal or by `abort()`. */
  | 'E_ABORTED'
  /**
   * Decryption failed: the identity or passphrase does not open the package's key, or an
   * encrypted block (or the age stream around a package) was altered. No plaintext is returned.
   */
  | 'E_DECRYPT'
  /** The package, or the resource read, is encrypted and no identity or passphrase was given. */
  | 'E_KEY_REQUIRED'
  /** The package cannot be changed where it was opened from (Blob, HTTP, custom source): adding signatures needs its bytes or file path. */
  | 'E_READ_ONLY'

/**
 * The one error type `@torshpkg/format` throws for bad input, corrupt files and misuse.
 *
 * @example
 * ```ts
 * try {
 *   await openPackage(bytes)
 * } catch (e) {
 *   if (e instanceof PackageError && e.code === 'E_TRUNCATED') console.error('download incomplete')
 *   else throw e
 * }
 * ```
 */
export class PackageError extends Error {
  override readonly name = 'PackageError'
  /** Stable code; see {@link PackageErrorCode}. */
  readonly code: PackageErrorCode
  /** Machine-readable context: offsets, paths, limits, manifest issues. */
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: PackageErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.details = details
  }
}

/** True for a PackageError, optionally of one of `codes`. */
export function isPackageError(e: unknown, ...codes: PackageErrorCode[]): e is PackageError {
  return e instanceof PackageError && (codes.length === 0 || codes.includes(e.code))
}
