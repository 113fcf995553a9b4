import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  randomFillSync,
  scrypt as scryptCallback,
  sign as cryptoSign,
  verify as cryptoVerify,
  type CipherGCM,
  type DecipherGCM,
  type KeyObject,
} from 'node:crypto'
import { concatBytes, copyBytes, isAllZero } from '../bytes.js'
import { algorithmInfo, type HashAlgorithm } from '../hash/algorithms.js'
import { nobleBackend } from '../hash/noble.js'
import { nodeBackend } from '../hash/node.js'
import { checkAead, checkHkdf, checkHmac, checkRandomLength, checkScrypt, decryptError, lowOrderError, requireBytes, requireLength, scryptMaxmem } from './checks.js'
import { ed25519Pkcs8, ed25519Spki, rawFromSpki, x25519Pkcs8, x25519Spki } from './der.js'
import { passesEd25519Prechecks } from './ed25519-rules.js'
import type { AeadAlgorithm, Primitives } from './types.js'

// OpenSSL has SHA-2 and BLAKE2b but not BLAKE3: noble computes what node:crypto cannot.
const hashBackend = (algorithm: HashAlgorithm) => (algorithmInfo(algorithm).node ? nodeBackend : nobleBackend)

/**
 * A plain Uint8Array with the bytes of a Buffer node:crypto returned. Small Buffers can be
 * slices of Node's shared allocation pool; handing out such a view would expose the rest of the
 * pool through `.buffer`, so those are copied.
 */
function own(buf: Buffer | ArrayBuffer): Uint8Array {
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf)
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return new Uint8Array(buf.buffer, 0, buf.byteLength)
  return copyBytes(buf)
}

/**
 * A KeyObject for a raw 32-byte Ed25519/X25519 key. Through JWK, not PKCS#8/SPKI DER: Node hands a
 * JWK's raw bytes to EVP_PKEY_new_raw_*_key, while DER goes through OpenSSL 3's generic decoder,
 * measured at ~2 ms per private key against ~0.2 ms (and ~0.6 ms against ~0.05 ms for public
 * keys): ten times the cost of the signature itself. For a private key Node requires `x` to be a
 * string but derives the public key from `d`, so an empty `x` is enough; should a Node version
 * ever refuse that, the DER route below still works (the tests run both).
 *
 * KeyObjects are rebuilt per call, not cached: the remaining cost is the public-key derivation
 * OpenSSL does on import, and a cache would keep secret keys alive in a module-level map. (The
 * base64url string of a secret is garbage like any other; JS offers no way to wipe strings.)
 */
function okpKey(crv: 'Ed25519' | 'X25519', type: 'private' | 'public', raw: Uint8Array): KeyObject {
  const encoded = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url')
  if (jwkWorks) {
    try {
      return type === 'private'
        ? createPrivateKey({ key: { kty: 'OKP', crv, d: encoded, x: '' }, format: 'jwk' })
        : createPublicKey({ key: { kty: 'OKP', crv, x: encoded }, format: 'jwk' })
    } catch {
      jwkWorks = false
    }
  }
  return derKey(crv, type, raw)
}
let jwkWorks = true

/** The same KeyObject through PKCS#8/SPKI DER (RFC 8410); the fallback of {@link okpKey}. */
export function derKey(crv: 'Ed25519' | 'X25519', type: 'private' | 'public', raw: Uint8Array): KeyObject {
  if (type === 'public') {
    const der = crv === 'Ed25519' ? ed25519Spki(raw) : x25519Spki(raw)
    return createPublicKey({ key: Buffer.from(der.buffer), format: 'der', type: 'spki' })
  }
  const der = crv === 'Ed25519' ? ed25519Pkcs8(raw) : x25519Pkcs8(raw)
  try {
    return createPrivateKey({ key: Buffer.from(der.buffer), format: 'der', type: 'pkcs8' })
  } finally {
    der.fill(0) // our copy of the secret; the KeyObject holds its own
  }
}

const edPrivate = (seed: Uint8Array) => okpKey('Ed25519', 'private', seed)
const edPublic = (publicKey: Uint8Array) => okpKey('Ed25519', 'public', publicKey)
const xPrivate = (scalar: Uint8Array) => okpKey('X25519', 'private', scalar)
const xPublic = (publicKey: Uint8Array) => okpKey('X25519', 'public', publicKey)
const spkiOf = (key: KeyObject): Uint8Array => rawFromSpki(createPublicKey(key).export({ format: 'der', type: 'spki' }))
/** `publicKey` of both curves: the public half OpenSSL derives when it imports the secret. */
const publicKeyOf = (crv: 'Ed25519' | 'X25519', what: string) => async (secret: Uint8Array) => {
  requireLength(what, secret, 32, 'E_KEY')
  return spkiOf(okpKey(crv, 'private', secret))
}

function seal(algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  checkAead(algorithm, key, nonce, plaintext, aad)
  // CipherGCM and CipherChaCha20Poly1305 share setAAD/getAuthTag; @types/node only lacks a common name.
  const c = createCipheriv(algorithm as 'aes-256-gcm', key, nonce, { authTagLength: 16 }) as CipherGCM
  if (aad) c.setAAD(aad)
  const head = c.update(plaintext)
  const tail = c.final()
  return concatBytes([head, tail, c.getAuthTag()])
}

function open(algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  checkAead(algorithm, key, nonce, sealed, aad)
  if (sealed.length < 16) throw decryptError(algorithm)
  const split = sealed.length - 16
  const d = createDecipheriv(algorithm as 'aes-256-gcm', key, nonce, { authTagLength: 16 }) as DecipherGCM
  d.setAuthTag(sealed.subarray(split))
  if (aad) d.setAAD(aad)
  const head = d.update(sealed.subarray(0, split))
  try {
    // final() checks the tag; until it succeeds `head` is unauthenticated and never leaves here.
    const tail = d.final()
    return tail.length === 0 ? own(head) : concatBytes([head, tail])
  } catch (e) {
    head.fill(0)
    throw decryptError(algorithm, e)
  }
}

/** Node primitives: node:crypto (OpenSSL) for everything it has. */
export const nodePrimitives: Primitives = {
  name: 'node',
  hash: async (algorithm, data) => hashBackend(algorithm).hash(algorithm, data),
  hashSync: (algorithm, data) => hashBackend(algorithm).hashSync!(algorithm, data),
  createHasher: (algorithm) => hashBackend(algorithm).createHasher!(algorithm),
  randomBytes(length) {
    checkRandomLength(length)
    return randomFillSync(new Uint8Array(length))
  },
  ed25519: {
    publicKey: publicKeyOf('Ed25519', 'Ed25519 seed'),
    sign: async (message, seed) => {
      requireLength('Ed25519 seed', seed, 32, 'E_KEY')
      requireBytes('message', message)
      return own(cryptoSign(null, message, edPrivate(seed)))
    },
    verify: async (signature, message, publicKey) => {
      // OpenSSL alone accepts small-order and non-canonical public keys: the shared rule
      // (ed25519-rules.ts) refuses them first. OpenSSL checks S < L, R and the equation itself.
      if (!(signature instanceof Uint8Array) || !(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array)) return false
      if (!passesEd25519Prechecks(signature, publicKey)) return false
      try {
        return cryptoVerify(null, message, edPublic(publicKey), signature)
      } catch {
        return false
      }
    },
  },
  x25519: {
    publicKey: publicKeyOf('X25519', 'X25519 secret key'),
    sharedSecret: async (scalar, publicKey) => {
      requireLength('X25519 secret key', scalar, 32, 'E_KEY')
      requireLength('X25519 public key', publicKey, 32, 'E_KEY')
      let shared: Uint8Array
      try {
        shared = own(diffieHellman({ privateKey: xPrivate(scalar), publicKey: xPublic(publicKey) }))
      } catch (e) {
        // OpenSSL fails the derivation exactly when the result is all zeros (a low-order point).
        throw lowOrderError(e)
      }
      if (isAllZero(shared)) throw lowOrderError()
      return shared
    },
  },
  aead: {
    encrypt: async (algorithm, key, nonce, plaintext, aad) => seal(algorithm, key, nonce, plaintext, aad),
    decrypt: async (algorithm, key, nonce, sealed, aad) => open(algorithm, key, nonce, sealed, aad),
  },
  hkdf: async (ikm, salt, info, length) => {
    checkHkdf(ikm, salt, info, length)
    return own(hkdfSync('sha256', ikm, salt, info, length))
  },
  hmac: async (key, data) => {
    checkHmac(key, data)
    return own(createHmac('sha256', key).update(data).digest())
  },
  scrypt: async (password, salt, { logN, r, p, dkLen }) => {
    checkScrypt(password, salt, { logN, r, p, dkLen })
    // The callback form runs on libuv's thread pool: the event loop stays free during the work.
    return new Promise((resolve, reject) =>
      scryptCallback(password, salt, dkLen, { N: 2 ** logN, r, p, maxmem: scryptMaxmem(logN, r, p) }, (err, key) => (err ? reject(err) : resolve(own(key)))),
    )
  },
  describe: async () => ({
    sha256: 'node',
    sha512: 'node',
    blake2b512: 'node',
    blake3: 'noble',
    ed25519: 'node',
    x25519: 'node',
    'aes-256-gcm': 'node',
    'chacha20-poly1305': 'node',
    hkdf: 'node',
    hmac: 'node',
    scrypt: 'node',
  }),
}
