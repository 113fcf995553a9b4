import { copyBytes } from '../bytes.js'
import type { PublicKey, SecretKey } from './types.js'

// The single place key objects are built: own copies of the bytes (a caller's Buffer may be a
// view of a pooled ArrayBuffer that is reused later) and frozen objects, so a key that passed
// validation cannot change afterwards. Callers have validated lengths and the key id.

/**
 * A frozen {@link PublicKey} over a private copy of `bytes`.
 *
 * @example
 * ```ts
 * const pk = newPublicKey(bytes32, 'C58F983C0AD8C39B')
 * ```
 */
export function newPublicKey(bytes: Uint8Array, keyId: string): PublicKey {
  return Object.freeze({ algorithm: 'ed25519' as const, keyId, bytes: copyBytes(bytes) })
}

/**
 * A frozen {@link SecretKey} over a private copy of `seed`, carrying its public half.
 *
 * @example
 * ```ts
 * const sk = newSecretKey(seed32, pk)
 * ```
 */
export function newSecretKey(seed: Uint8Array, publicKey: PublicKey): SecretKey {
  return Object.freeze({ algorithm: 'ed25519' as const, keyId: publicKey.keyId, seed: copyBytes(seed), publicKey })
}
