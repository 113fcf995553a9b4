import { CryptoError, type CryptoErrorCode } from '../errors.js'
import type { AeadAlgorithm, ScryptParams } from './types.js'

/**
 * Argument checks shared by every implementation, so that a wrong key length is the same
 * `CryptoError` whether node:crypto, WebCrypto or noble would have complained (each in its own
 * words) or, worse, silently accepted it.
 */

const AEAD_ALGORITHMS: readonly string[] = ['aes-256-gcm', 'chacha20-poly1305'] satisfies AeadAlgorithm[]

/** `bytes` is a Uint8Array of exactly `length` bytes, or `code`. */
export function requireLength(what: string, bytes: unknown, length: number, code: CryptoErrorCode = 'E_ARGUMENT'): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new CryptoError('E_ARGUMENT', `${what} must be a Uint8Array`)
  if (bytes.length !== length) throw new CryptoError(code, `${what} must be ${length} bytes, got ${bytes.length}`, { details: { expected: length, actual: bytes.length } })
}

/** `bytes` is a Uint8Array (any length). */
export function requireBytes(what: string, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new CryptoError('E_ARGUMENT', `${what} must be a Uint8Array`)
}

/** A known AEAD with a 32-byte key and a 12-byte nonce. */
export function checkAead(algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array | undefined): void {
  if (!AEAD_ALGORITHMS.includes(algorithm)) {
    throw new CryptoError('E_UNSUPPORTED_ALGORITHM', `unknown AEAD ${JSON.stringify(algorithm)}; supported: ${AEAD_ALGORITHMS.join(', ')}`)
  }
  requireLength(`${algorithm} key`, key, 32, 'E_KEY')
  requireLength(`${algorithm} nonce`, nonce, 12)
  requireBytes('data', data)
  if (aad !== undefined) requireBytes('associated data', aad)
}

/** The error every implementation throws when an AEAD tag does not verify (or `sealed` is too short to hold one). */
export function decryptError(algorithm: AeadAlgorithm, cause?: unknown): CryptoError {
  return new CryptoError('E_DECRYPT', `${algorithm}: the authentication tag does not match (wrong key, or the data was changed)`, { cause })
}

/** The error every implementation throws when X25519 yields the all-zero secret. */
export function lowOrderError(cause?: unknown): CryptoError {
  return new CryptoError('E_DECRYPT', 'X25519 gave the all-zero shared secret (a low-order public key)', { cause })
}

/**
 * Byte arguments of HKDF-SHA-256, and its output length: at most 255 blocks of 32 bytes (RFC
 * 5869 §2.3). node:crypto would also take strings (as UTF-8) where noble throws a TypeError.
 */
export function checkHkdf(ikm: unknown, salt: unknown, info: unknown, length: number): void {
  requireBytes('HKDF input key', ikm)
  requireBytes('HKDF salt', salt)
  requireBytes('HKDF info', info)
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * 32) {
    throw new CryptoError('E_ARGUMENT', `HKDF-SHA-256 output length must be 0..${255 * 32}, got ${length}`)
  }
}

/** Byte arguments of HMAC-SHA-256 (see {@link checkHkdf} on strings). */
export function checkHmac(key: unknown, data: unknown): void {
  requireBytes('HMAC key', key)
  requireBytes('HMAC data', data)
}

/**
 * scrypt arguments every implementation accepts identically: RFC 7914 §2 within what each can
 * run, so that no parameter set computes in one and throws its own error in another. OpenSSL
 * enforces N < 2^(16 r) (§2; noble does not) and keeps 128·r·p in a signed 32-bit length;
 * Node caps the output at 2^31 - 1 bytes and `maxmem` at a safe integer.
 */
export function checkScrypt(password: unknown, salt: unknown, { logN, r, p, dkLen }: ScryptParams): void {
  requireBytes('scrypt password', password)
  requireBytes('scrypt salt', salt)
  const ok = (n: number, max: number) => Number.isSafeInteger(n) && n >= 1 && n <= max
  if (!ok(logN, 40) || !ok(r, 2 ** 30) || !ok(p, 2 ** 30) || !ok(dkLen, 2 ** 31 - 1) || logN >= 16 * r || 128 * r * p > 2 ** 31 - 1 || !Number.isSafeInteger(scryptMaxmem(logN, r, p))) {
    throw new CryptoError('E_ARGUMENT', `invalid scrypt parameters logN=${logN} r=${r} p=${p} dkLen=${dkLen}`)
  }
}

/** A length for randomBytes (the same CryptoError whichever CSPRNG would have complained). */
export function checkRandomLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) throw new CryptoError('E_ARGUMENT', `randomBytes: the length must be a non-negative integer, got ${String(length)}`)
}

/**
 * Memory limit for one scrypt run: OpenSSL needs 128·r·(N + 2) bytes for V plus 128·r·p for B,
 * noble 128·r·(N + p); take the larger plus 1 MiB of slack, so the limit never refuses
 * parameters that passed `checkScrypt` and the caller's own cap on logN.
 */
export function scryptMaxmem(logN: number, r: number, p: number): number {
  return 128 * r * (2 ** logN + p + 2) + (1 << 20)
}
