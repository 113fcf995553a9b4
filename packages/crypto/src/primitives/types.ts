import type { HashAlgorithm } from '../hash/algorithms.js'
import type { Hasher } from '../hash/types.js'

/** AEAD ciphers: 32-byte key, 12-byte nonce, 16-byte tag appended to the ciphertext. */
export type AeadAlgorithm = 'aes-256-gcm' | 'chacha20-poly1305'

/** scrypt cost: N = 2^logN, block size r, parallelism p, output length dkLen. */
export interface ScryptParams {
  logN: number
  r: number
  p: number
  dkLen: number
}

/**
 * Every primitive the higher layers (minisign, age, package signatures, encryption) use.
 * One implementation per platform: `nodePrimitives` (node:crypto), `webPrimitives`
 * (WebCrypto where it has the algorithm, noble otherwise) and `noblePrimitives` (pure JS,
 * everywhere). They give identical bytes; the tests prove it. The builds bind one of them.
 */
export interface Primitives {
  readonly name: string
  hash(algorithm: HashAlgorithm, data: Uint8Array): Promise<Uint8Array>
  hashSync(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array
  createHasher(algorithm: HashAlgorithm): Hasher
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array
  readonly ed25519: {
    /** The 32-byte public key of a 32-byte secret seed. */
    publicKey(seed: Uint8Array): Promise<Uint8Array>
    /** RFC 8032 Ed25519 (pure, not prehashed): 64-byte signature. */
    sign(message: Uint8Array, seed: Uint8Array): Promise<Uint8Array>
    /** Strict RFC 8032 verification (canonical S and encodings; not ZIP-215). Never throws on bad input. */
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>
  }
  readonly x25519: {
    /** The public u-coordinate of a 32-byte scalar (RFC 7748). */
    publicKey(scalar: Uint8Array): Promise<Uint8Array>
    /** X25519(scalar, u). Throws `E_DECRYPT` if the result is all zeros (a low-order point). */
    sharedSecret(scalar: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>
  }
  readonly aead: {
    /** ciphertext || 16-byte tag. */
    encrypt(algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>
    /** The plaintext, or `CryptoError('E_DECRYPT')` when the tag does not match. */
    decrypt(algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>
  }
  /** HKDF-SHA-256 (RFC 5869). */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>
  /** HMAC-SHA-256. */
  hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>
  /** scrypt (RFC 7914). Callers cap logN before calling. */
  scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array>
  /**
   * Optional: which engine runs each operation here (`'node'`, `'webcrypto'` or `'noble'`), for
   * diagnostics and benchmarks. The web implementation probes WebCrypto to answer.
   */
  describe?(): Promise<Readonly<Record<string, 'node' | 'webcrypto' | 'noble'>>>
}
