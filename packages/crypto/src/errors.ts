/**
 * Stable error codes raised by `@torshpkg/crypto`.
 *
 * - `E_UNSUPPORTED_ALGORITHM`: the algorithm name is unknown, or this runtime cannot run it.
 * - `E_ARGUMENT`: malformed input (not bytes, bad hex, a finished hasher reused).
 */
export type CryptoErrorCode = 'E_UNSUPPORTED_ALGORITHM' | 'E_ARGUMENT'

/**
 * The one error type this package throws. Match on `code`, not on `message`.
 *
 * @example
 * ```ts
 * try { fromHex('zz') } catch (e) { if (e instanceof CryptoError) console.log(e.code) } // 'E_ARGUMENT'
 * ```
 */
export class CryptoError extends Error {
  override readonly name = 'CryptoError'
  /** Stable code; see {@link CryptoErrorCode}. */
  readonly code: CryptoErrorCode

  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
