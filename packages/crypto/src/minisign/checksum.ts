import { blake2b } from '@noble/hashes/blake2.js'

// minisign's secret-key checksum is BLAKE2b with a 32-byte output (libsodium's
// crypto_generichash default). That is a different function from BLAKE2b-512 cut to 32
// bytes (the output length is a parameter of BLAKE2b), so it is not an entry of the hash
// table; it covers 74 bytes once per key load, so the pure-JS version costs nothing.

/**
 * BLAKE2b-256(sig_alg || key_id || seed || public key): the checksum minisign stores in a
 * secret key, and the way a wrong password is recognised.
 *
 * @example
 * ```ts
 * secretKeyChecksum(ALG_ED, keyIdBytes, seed, publicKey) // Uint8Array(32)
 * ```
 */
export function secretKeyChecksum(sigAlg: Uint8Array, keyId: Uint8Array, seed: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const h = blake2b.create({ dkLen: 32 })
  h.update(sigAlg).update(keyId).update(seed).update(publicKey)
  return h.digest()
}
