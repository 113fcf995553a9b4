/**
 * Stable error codes raised by `@torshpkg/compress`.
 *
 * - `E_LIMIT`: decompressed output would exceed the caller's `maxOutputSize` (a decompression bomb).
 * - `E_CORRUPT`: the compressed stream is malformed or truncated.
 * - `E_SIZE_MISMATCH`: the stream decoded cleanly but not to the size the caller expected.
 * - `E_CODEC_UNAVAILABLE`: the codec exists but this runtime or build cannot do the asked direction.
 * - `E_UNKNOWN_CODEC`: no codec by that name, or none could be detected from the magic bytes.
 * - `E_ARGUMENT`: an option is out of range (a level, a size).
 */
export type CompressErrorCode =
  | 'E_LIMIT'
  | 'E_CORRUPT'
  | 'E_SIZE_MISMATCH'
  | 'E_CODEC_UNAVAILABLE'
  | 'E_UNKNOWN_CODEC'
  | 'E_ARGUMENT'

/**
 * The one error type this package throws. Match on `code`, not on `message`.
 *
 * @example
 * ```ts
 * try { await decompress(bytes, { codec: 'deflate', maxOutputSize: 1 << 20 }) }
 * catch (e) { if (e instanceof CompressError && e.code === 'E_LIMIT') console.log('too big') }
 * ```
 */
export class CompressError extends Error {
  override readonly name = 'CompressError'
  /** Stable code; see {@link CompressErrorCode}. */
  readonly code: CompressErrorCode

  constructor(code: CompressErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
