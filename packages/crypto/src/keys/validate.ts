import { CryptoError } from '../errors.js'
import { isKeyId } from './keyid.js'
import type { PublicKey, SecretKey } from './types.js'

// Keys arrive from callers (sometimes deserialised from JSON or built by hand), so every
// function that uses one checks its shape first: a 31-byte seed or a lowercase key id would
// otherwise surface later as a signature nobody can verify, far from the mistake.

/** Ed25519 public key and seed length. */
export const ED25519_KEY_BYTES = 32

function fail(field: string, why: string): never {
  throw new CryptoError('E_ARGUMENT', `${field}: ${why}`, { details: { field } })
}

/**
 * `value` if it is a well-formed {@link PublicKey}, else `E_ARGUMENT` naming the bad field.
 *
 * @example
 * ```ts
 * const pk = assertPublicKey(maybeKey, 'publicKey')
 * ```
 */
export function assertPublicKey(value: unknown, field = 'publicKey'): PublicKey {
  if (typeof value !== 'object' || value === null) fail(field, 'expected a PublicKey object')
  const k = value as Partial<PublicKey>
  if (k.algorithm !== 'ed25519') fail(`${field}.algorithm`, `expected 'ed25519', got ${JSON.stringify(k.algorithm)}`)
  if (!isKeyId(k.keyId)) fail(`${field}.keyId`, 'expected 16 uppercase hex digits')
  if (!(k.bytes instanceof Uint8Array) || k.bytes.length !== ED25519_KEY_BYTES) fail(`${field}.bytes`, `expected ${ED25519_KEY_BYTES} bytes`)
  return k as PublicKey
}

/**
 * `value` if it is a well-formed {@link SecretKey} (seed length, key ids agree), else `E_ARGUMENT`.
 * Whether the seed really gives `publicKey` needs a scalar multiplication: signing checks that.
 *
 * @example
 * ```ts
 * const sk = assertSecretKey(maybeKey)
 * ```
 */
export function assertSecretKey(value: unknown, field = 'secretKey'): SecretKey {
  if (typeof value !== 'object' || value === null) fail(field, 'expected a SecretKey object')
  const k = value as Partial<SecretKey>
  if (k.algorithm !== 'ed25519') fail(`${field}.algorithm`, `expected 'ed25519', got ${JSON.stringify(k.algorithm)}`)
  if (!isKeyId(k.keyId)) fail(`${field}.keyId`, 'expected 16 uppercase hex digits')
  if (!(k.seed instanceof Uint8Array) || k.seed.length !== ED25519_KEY_BYTES) fail(`${field}.seed`, `expected ${ED25519_KEY_BYTES} bytes`)
  const pk = assertPublicKey(k.publicKey, `${field}.publicKey`)
  if (pk.keyId !== k.keyId) fail(`${field}.keyId`, `differs from publicKey.keyId (${k.keyId} vs ${pk.keyId})`)
  return k as SecretKey
}
