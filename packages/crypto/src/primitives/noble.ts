import { gcm } from '@noble/ciphers/aes.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
import * as ed from '@noble/ed25519'
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { CryptoError } from '../errors.js'
import { nobleBackend } from '../hash/noble.js'
import type { AeadAlgorithm, Primitives } from './types.js'

// @noble/ed25519 needs a synchronous SHA-512 for its sync API; set on first use, not at import
// (the package is side-effect free).
function edReady(): typeof ed {
  if (!ed.hashes.sha512) ed.hashes.sha512 = sha512
  return ed
}

const cipher = (algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) =>
  algorithm === 'aes-256-gcm' ? gcm(key, nonce, aad) : chacha20poly1305(key, nonce, aad)

/** Secure random bytes from the platform's CSPRNG (WebCrypto's getRandomValues, also in Node). */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length)
  // getRandomValues fills at most 65 536 bytes per call.
  for (let at = 0; at < length; at += 65536) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65536)))
  return out
}

/** Pure-JS primitives (@noble/*): synchronous underneath, available everywhere. */
export const noblePrimitives: Primitives = {
  name: 'noble',
  hash: (algorithm, data) => nobleBackend.hash(algorithm, data),
  hashSync: (algorithm, data) => nobleBackend.hashSync!(algorithm, data),
  createHasher: (algorithm) => nobleBackend.createHasher!(algorithm),
  randomBytes,
  ed25519: {
    publicKey: async (seed) => edReady().getPublicKey(seed),
    sign: async (message, seed) => edReady().sign(message, seed),
    verify: async (signature, message, publicKey) => {
      try {
        // zip215: false = RFC 8032 / FIPS 186-5 strict: canonical encodings, no small-order A or R.
        return edReady().verify(signature, message, publicKey, { zip215: false })
      } catch {
        return false
      }
    },
  },
  x25519: {
    publicKey: async (scalar) => x25519.getPublicKey(scalar),
    sharedSecret: async (scalar, publicKey) => {
      let shared: Uint8Array
      try {
        shared = x25519.getSharedSecret(scalar, publicKey)
      } catch (e) {
        throw new CryptoError('E_DECRYPT', 'X25519 gave the all-zero shared secret (a low-order public key)', { cause: e })
      }
      if (shared.every((b) => b === 0)) throw new CryptoError('E_DECRYPT', 'X25519 gave the all-zero shared secret (a low-order public key)')
      return shared
    },
  },
  aead: {
    encrypt: async (algorithm, key, nonce, plaintext, aad) => cipher(algorithm, key, nonce, aad).encrypt(plaintext),
    decrypt: async (algorithm, key, nonce, sealed, aad) => {
      try {
        return cipher(algorithm, key, nonce, aad).decrypt(sealed)
      } catch (e) {
        throw new CryptoError('E_DECRYPT', `${algorithm}: the authentication tag does not match (wrong key, or the data was changed)`, { cause: e })
      }
    },
  },
  hkdf: async (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
  hmac: async (key, data) => hmac(sha256, key, data),
  scrypt: async (password, salt, { logN, r, p, dkLen }) => scrypt(password, salt, { N: 2 ** logN, r, p, dkLen, maxmem: 2 ** 31 }),
}
