/**
 * Stable error codes of `@torshpkg/storage`. Match on `code`, never on messages; every backend
 * raises the same code for the same situation (the conformance suite checks it).
 */
export type StorageErrorCode =
  /** No object under that key (or no blob with that digest, no such ref). */
  | 'E_NOT_FOUND'
  /** A condition did not hold: `ifNoneMatch: '*'` on an existing key, `ifMatch` with another ETag, a ref changed meanwhile. */
  | 'E_CONFLICT'
  /** The backend could not be reached or answered with a server error; worth retrying (`StorageManager` does). */
  | 'E_UNAVAILABLE'
  /** The operation took longer than its timeout. */
  | 'E_TIMEOUT'
  /** The key is empty, too long, absolute, has empty, `.` or `..` segments, backslashes or control characters, or is reserved. */
  | 'E_INVALID_KEY'
  /** An argument or option is invalid (a range outside the object, a negative limit, a malformed digest). */
  | 'E_ARGUMENT'
  /** Bytes do not match their digest (on write with `sha256`, on read from a `ContentStore`). */
  | 'E_INTEGRITY'
  /** The backend is read-only (`http`) or does not support the operation. */
  | 'E_UNSUPPORTED'
  /** The credentials were refused (HTTP 401/403). */
  | 'E_AUTH'
  /** A size limit was exceeded (an object larger than a reader's `maxBytes`). */
  | 'E_LIMIT'
  /** The operation was aborted by its `signal`. */
  | 'E_ABORTED'
  /** The backend answered something this library does not understand (a malformed listing, an unexpected status). */
  | 'E_PROTOCOL'

/**
 * The one error type `@torshpkg/storage` throws. `key` names the object concerned where
 * there is one; `status` is the HTTP status for remote backends.
 *
 * @example
 * ```ts
 * try {
 *   await backend.put('models/a.torshpkg', bytes, { ifNoneMatch: '*' })
 * } catch (e) {
 *   if (e instanceof StorageError && e.code === 'E_CONFLICT') console.log('already published')
 * }
 * ```
 */
export class StorageError extends Error {
  override readonly name = 'StorageError'
  readonly code: StorageErrorCode
  /** The key (or digest, or ref) the error is about, when there is one. */
  readonly key: string | undefined
  /** HTTP status of the response that caused it (remote backends). */
  readonly status: number | undefined

  constructor(code: StorageErrorCode, message: string, options: { key?: string; status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.key = options.key
    this.status = options.status
  }
}

/** Is `e` a {@link StorageError} with one of `codes` (any code when none are given)? */
export function isStorageError(e: unknown, ...codes: StorageErrorCode[]): e is StorageError {
  return e instanceof StorageError && (codes.length === 0 || codes.includes(e.code))
}

/** `E_ABORTED` when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, key?: string): void {
  if (signal?.aborted) throw new StorageError('E_ABORTED', 'aborted', key === undefined ? { cause: signal.reason } : { key, cause: signal.reason })
}
