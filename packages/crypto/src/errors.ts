/**
 * Stable error codes raised by `@torshpkg/crypto`.
 *
 * - `E_UNSUPPORTED_ALGORITHM`: the algorithm name is unknown, or this runtime cannot run it.
 * - `E_ARGUMENT`: malformed input (not bytes, bad hex, a finished hasher reused).
 * - `E_FORMAT`: a key file, signature file, age file or envelope is not well-formed; `details`
 *   says which field (`field`) and, for text formats, which line (`line`).
 * - `E_KEY`: a key of the wrong kind, length or algorithm, or a key file whose checksum fails.
 * - `E_DECRYPT`: decryption failed: wrong key or passphrase, no matching recipient, or the
 *   ciphertext was changed. Never accompanied by partial plaintext.
 * - `E_LIMIT`: an untrusted header asks for more work or memory than allowed (scrypt work
 *   factor, stanza count, header size).
 * - `E_UNSUPPORTED`: well-formed input using a feature this library does not implement.
 */
export type CryptoErrorCode = 'E_UNSUPPORTED_ALGORITHM' | 'E_ARGUMENT' | 'E_FORMAT' | 'E_KEY' | 'E_DECRYPT' | 'E_LIMIT' | 'E_UNSUPPORTED'

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
  /** Where the problem is: `field`, `line`, `offset`, limits; stable keys, for programs. */
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = Object.freeze({ ...options?.details })
  }
}
