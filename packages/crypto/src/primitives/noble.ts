import { gcm } from '@noble/ciphers/aes.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
import * as ed from '@noble/ed25519'
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { isAllZero } from '../bytes.js'
import { nobleBackend } from '../hash/noble.js'
import { checkAead, checkHkdf, checkHmac, checkRandomLength, checkScrypt, decryptError, lowOrderError, requireBytes, requireLength, scryptMaxmem } from './checks.js'
import { passesEd25519Prechecks } from './ed25519-rules.js'
import type { AeadAlgorithm, Primitives } from './types.js'

// @noble/ed25519 needs a synchronous SHA-512 for its sync API; set on first use, not at import
// (the package is side-effect free).
function edReady(): typeof ed {
  if (!ed.hashes.sha512) ed.hashes.sha512 = sha512
  return ed
}

const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

/**
 * Ed25519 verification under the shared rule of ed25519-rules.ts: its byte prechecks, then the
 * cofactorless equation [S]B = R + [k]A (RFC 8032 §5.1.7) on noble's point arithmetic.
 * Not `ed.verify(..., { zip215: false })`: that one checks the cofactored equation
 * [8][S]B = [8]R + [8][k]A and so accepts signatures OpenSSL and WebCrypto reject.
 */
export function verifyEd25519Strict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!passesEd25519Prechecks(signature, publicKey)) return false
  const { Point } = edReady()
  const r = signature.subarray(0, 32)
  let A: ed.Point, R: ed.Point
  try {
    // Strict decoding (zip215 = false): y < p, and the point must be on the curve.
    A = Point.fromBytes(publicKey, false)
    R = Point.fromBytes(r, false)
  } catch {
    return false
  }
  const k = littleEndian(sha512.create().update(r).update(publicKey).update(message).digest()) % ED25519_L
  // multiply(n, false): variable time (all inputs are public) and allows n = 0.
  return Point.BASE.multiply(littleEndian(signature.subarray(32)), false).equals(R.add(A.multiply(k, false)))
}

const cipher = (algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) =>
  algorithm === 'aes-256-gcm' ? gcm(key, nonce, aad) : chacha20poly1305(key, nonce, aad)

/** Secure random bytes from the platform's CSPRNG (WebCrypto's getRandomValues, also in Node). */
export function randomBytes(length: number): Uint8Array {
  checkRandomLength(length)
  const out = new Uint8Array(length)
  // getRandomValues fills at most 65 536 bytes per call.
  for (let at = 0; at < length; at += 65536) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65536)))
  return out
}

/** X25519 with our all-zero rule; shared with the web path's fallback. */
export function x25519Shared(scalar: Uint8Array, publicKey: Uint8Array): Uint8Array {
  requireLength('X25519 secret key', scalar, 32, 'E_KEY')
  requireLength('X25519 public key', publicKey, 32, 'E_KEY')
  let shared: Uint8Array
  try {
    shared = x25519.getSharedSecret(scalar, publicKey)
  } catch (e) {
    // @noble/curves itself refuses the all-zero result; nothing else can fail after the checks above.
    throw lowOrderError(e)
  }
  if (isAllZero(shared)) throw lowOrderError()
  return shared
}

/** Pure-JS primitives (@noble/*): synchronous underneath, available everywhere. */
export const noblePrimitives: Primitives = {
  name: 'noble',
  hash: (algorithm, data) => nobleBackend.hash(algorithm, data),
  hashSync: (algorithm, data) => nobleBackend.hashSync!(algorithm, data),
  createHasher: (algorithm) => nobleBackend.createHasher!(algorithm),
  randomBytes,
  ed25519: {
    publicKey: async (seed) => {
      requireLength('Ed25519 seed', seed, 32, 'E_KEY')
      return edReady().getPublicKey(seed)
    },
    sign: async (message, seed) => {
      requireLength('Ed25519 seed', seed, 32, 'E_KEY')
      requireBytes('message', message)
      return edReady().sign(message, seed)
    },
    verify: async (signature, message, publicKey) => {
      try {
        return verifyEd25519Strict(signature, message, publicKey)
      } catch {
        return false
      }
    },
  },
  x25519: {
    publicKey: async (scalar) => {
      requireLength('X25519 secret key', scalar, 32, 'E_KEY')
      return x25519.getPublicKey(scalar)
    },
    sharedSecret: async (scalar, publicKey) => x25519Shared(scalar, publicKey),
  },
  aead: {
    encrypt: async (algorithm, key, nonce, plaintext, aad) => {
      checkAead(algorithm, key, nonce, plaintext, aad)
      return cipher(algorithm, key, nonce, aad).encrypt(plaintext)
    },
    decrypt: async (algorithm, key, nonce, sealed, aad) => {
      checkAead(algorithm, key, nonce, sealed, aad)
      try {
        return cipher(algorithm, key, nonce, aad).decrypt(sealed)
      } catch (e) {
        throw decryptError(algorithm, e)
      }
    },
  },
  hkdf: async (ikm, salt, info, length) => {
    checkHkdf(ikm, salt, info, length)
    return hkdf(sha256, ikm, salt, info, length)
  },
  hmac: async (key, data) => {
    checkHmac(key, data)
    return hmac(sha256, key, data)
  },
  scrypt: async (password, salt, { logN, r, p, dkLen }) => {
    checkScrypt(password, salt, { logN, r, p, dkLen })
    // The async variant yields to the event loop every few ms: a browser tab stays responsive.
    return scryptAsync(password, salt, { N: 2 ** logN, r, p, dkLen, maxmem: scryptMaxmem(logN, r, p) })
  },
}
