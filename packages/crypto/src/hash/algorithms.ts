import { CryptoError } from '../errors.js'

/**
 * Hash algorithms every build supports. Later additions only extend this list.
 *
 * - `sha256`, `sha512`: FIPS 180-4.
 * - `blake2b512`: BLAKE2b with a 64-byte digest, unkeyed (RFC 7693); minisign's prehash.
 * - `blake3`: BLAKE3's default 32-byte hash (no key, no derive-key mode).
 */
export type HashAlgorithm = 'sha256' | 'sha512' | 'blake2b512' | 'blake3'

/** Facts about an algorithm that every backend (node:crypto, WebCrypto, noble) agrees on. */
export interface AlgorithmInfo {
  readonly name: HashAlgorithm
  /** Digest length in bytes. */
  readonly outputLength: number
  /** Name in node:crypto, when it has one. */
  readonly node?: string
  /** Name in WebCrypto's `subtle.digest`, when it has one. */
  readonly webCrypto?: string
}

/** Digest length and native names of every supported algorithm. */
export const ALGORITHMS: Readonly<Record<HashAlgorithm, AlgorithmInfo>> = Object.freeze({
  sha256: { name: 'sha256', outputLength: 32, node: 'sha256', webCrypto: 'SHA-256' },
  sha512: { name: 'sha512', outputLength: 64, node: 'sha512', webCrypto: 'SHA-512' },
  // OpenSSL (and so node:crypto) has BLAKE2b-512 but neither WebCrypto nor OpenSSL has BLAKE3.
  blake2b512: { name: 'blake2b512', outputLength: 64, node: 'blake2b512' },
  blake3: { name: 'blake3', outputLength: 32 },
})

/** Names accepted by the hashing functions. */
export const HASH_ALGORITHMS = Object.freeze(Object.keys(ALGORITHMS) as HashAlgorithm[])

/** The algorithm's table entry, or `E_UNSUPPORTED_ALGORITHM`. */
export function algorithmInfo(name: unknown): AlgorithmInfo {
  const info = typeof name === 'string' ? (ALGORITHMS as Record<string, AlgorithmInfo>)[name] : undefined
  if (!info) {
    throw new CryptoError('E_UNSUPPORTED_ALGORITHM', `unknown hash algorithm ${JSON.stringify(name)}; supported: ${HASH_ALGORITHMS.join(', ')}`)
  }
  return info
}
