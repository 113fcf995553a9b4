import { copyBytes, fromHex, isAllZero, toHex } from '../bytes.js'
import { algorithmInfo } from '../hash/algorithms.js'
import { nobleBackend } from '../hash/noble.js'
import { checkAead, checkHkdf, checkHmac, decryptError, requireBytes, requireLength } from './checks.js'
import { ed25519Pkcs8, x25519Pkcs8 } from './der.js'
import { passesEd25519Prechecks } from './ed25519-rules.js'
import { RFC7748_DH, RFC8032_TEST1 } from './known-answers.js'
import { noblePrimitives, x25519Shared } from './noble.js'
import type { Primitives } from './types.js'

/** Which implementation an operation of {@link WebPrimitives} runs on in this runtime. */
export type WebBackendName = 'webcrypto' | 'noble'

/** The operations {@link WebPrimitives.describe} reports on. */
export type WebOperation =
  | 'sha256'
  | 'sha512'
  | 'blake2b512'
  | 'blake3'
  | 'ed25519'
  | 'x25519'
  | 'aes-256-gcm'
  | 'chacha20-poly1305'
  | 'hkdf'
  | 'hmac'
  | 'scrypt'

/** {@link Primitives} plus a report of what is native here. */
export interface WebPrimitives extends Primitives {
  /** For each operation, whether this runtime runs it on WebCrypto or on noble (probes once). */
  describe(): Promise<Readonly<Record<WebOperation, WebBackendName>>>
}

type Buf = Uint8Array<ArrayBuffer>

/** WebCrypto refuses views of a SharedArrayBuffer (TypeError): give it a private copy instead. */
function unshared(bytes: Uint8Array): Buf {
  return typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer ? copyBytes(bytes) : (bytes as Buf)
}

function base64UrlBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** A private CryptoKey from its PKCS#8 wrapping, which is wiped afterwards (it holds the secret). */
async function importPrivate(subtle: SubtleCrypto, algorithm: 'Ed25519' | 'X25519', der: Buf, extractable: boolean): Promise<CryptoKey> {
  try {
    return await subtle.importKey('pkcs8', der, { name: algorithm }, extractable, algorithm === 'Ed25519' ? ['sign'] : ['deriveBits'])
  } finally {
    der.fill(0)
  }
}

/** The public key of a private key made extractable for exactly this: its JWK carries it as `x`. */
async function jwkPublic(subtle: SubtleCrypto, algorithm: 'Ed25519' | 'X25519', der: Buf): Promise<Uint8Array> {
  const key = await importPrivate(subtle, algorithm, der, true)
  const { x } = await subtle.exportKey('jwk', key)
  if (!x) throw new TypeError(`WebCrypto exported no public key for ${algorithm}`)
  return base64UrlBytes(x)
}

async function ed25519Sign(subtle: SubtleCrypto, message: Uint8Array, seed: Uint8Array): Promise<Uint8Array> {
  const key = await importPrivate(subtle, 'Ed25519', ed25519Pkcs8(seed), false)
  return new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, unshared(message)))
}

async function x25519Derive(subtle: SubtleCrypto, scalar: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  const privateKey = await importPrivate(subtle, 'X25519', x25519Pkcs8(scalar), false)
  const peer = await subtle.importKey('raw', unshared(publicKey), { name: 'X25519' }, false, [])
  return new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: peer } as AlgorithmIdentifier, privateKey, 256))
}

/** A known-answer test, so a missing or half-implemented algorithm counts as absent; never throws. */
async function passes(test: () => Promise<boolean>): Promise<boolean> {
  try {
    return await test()
  } catch {
    return false
  }
}

/**
 * Browser primitives over `subtle`: WebCrypto for SHA-2 digests, Ed25519 and X25519 (when the
 * runtime passes a known-answer test), AES-GCM, HKDF and HMAC; noble for ChaCha20-Poly1305,
 * scrypt, BLAKE2b/BLAKE3 and every synchronous or incremental hash.
 *
 * @param subtle - the SubtleCrypto to use; `null` forces the pure noble fallback (tests). By
 *   default `globalThis.crypto.subtle`, looked up at the first operation (insecure browser
 *   contexts have none).
 */
export function createWebPrimitives(subtle?: SubtleCrypto | null): WebPrimitives {
  // Everything is looked up lazily and cached: importing the package does no work, and the
  // first Ed25519 (X25519) operation pays for its known-answer probe (< 1 ms) once.
  let found: { subtle: SubtleCrypto | undefined } | undefined
  const native = (): SubtleCrypto | undefined => (found ??= { subtle: subtle === null ? undefined : (subtle ?? globalThis.crypto?.subtle) }).subtle
  let edProbe: Promise<boolean> | undefined
  let xProbe: Promise<boolean> | undefined
  const hasEd25519 = () =>
    (edProbe ??= passes(async () => toHex(await ed25519Sign(native()!, new Uint8Array(0), fromHex(RFC8032_TEST1.seed))) === RFC8032_TEST1.signature))
  const hasX25519 = () =>
    (xProbe ??= passes(async () => toHex(await x25519Derive(native()!, fromHex(RFC7748_DH.alicePrivate), fromHex(RFC7748_DH.bobPublic))) === RFC7748_DH.shared))

  return {
    ...noblePrimitives,
    name: 'web',
    hash: async (algorithm, data) => {
      const name = algorithmInfo(algorithm).webCrypto
      const s = native()
      // WebCrypto digests SHA-256/SHA-512 only (one-shot); BLAKE2b and BLAKE3 are always noble.
      if (!name || !s) return nobleBackend.hash(algorithm, data)
      return new Uint8Array(await s.digest(name, unshared(data)))
    },
    ed25519: {
      publicKey: async (seed) => {
        requireLength('Ed25519 seed', seed, 32, 'E_KEY')
        return (await hasEd25519()) ? jwkPublic(native()!, 'Ed25519', ed25519Pkcs8(seed)) : noblePrimitives.ed25519.publicKey(seed)
      },
      sign: async (message, seed) => {
        requireLength('Ed25519 seed', seed, 32, 'E_KEY')
        requireBytes('message', message)
        return (await hasEd25519()) ? ed25519Sign(native()!, message, seed) : noblePrimitives.ed25519.sign(message, seed)
      },
      verify: async (signature, message, publicKey) => {
        if (!(signature instanceof Uint8Array) || !(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array)) return false
        if (!(await hasEd25519())) return noblePrimitives.ed25519.verify(signature, message, publicKey)
        // Engines accept small-order and non-canonical keys (BoringSSL and OpenSSL measured in the
        // tests; others per ed25519-speccheck): the shared rule of ed25519-rules.ts refuses them first.
        if (!passesEd25519Prechecks(signature, publicKey)) return false
        try {
          const s = native()!
          const key = await s.importKey('raw', unshared(publicKey), { name: 'Ed25519' }, false, ['verify'])
          return await s.verify({ name: 'Ed25519' }, key, unshared(signature), unshared(message))
        } catch {
          return false // e.g. a public key that is not a curve point
        }
      },
    },
    x25519: {
      publicKey: async (scalar) => {
        requireLength('X25519 secret key', scalar, 32, 'E_KEY')
        return (await hasX25519()) ? jwkPublic(native()!, 'X25519', x25519Pkcs8(scalar)) : noblePrimitives.x25519.publicKey(scalar)
      },
      sharedSecret: async (scalar, publicKey) => {
        requireLength('X25519 secret key', scalar, 32, 'E_KEY')
        requireLength('X25519 public key', publicKey, 32, 'E_KEY')
        if (await hasX25519()) {
          try {
            const shared = await x25519Derive(native()!, scalar, publicKey)
            if (!isAllZero(shared)) return shared
          } catch {
            // WebCrypto throws an OperationError for the all-zero result; noble below gives the
            // definitive answer (and our E_DECRYPT) for that and for anything else it refused.
          }
        }
        return x25519Shared(scalar, publicKey)
      },
    },
    aead: {
      encrypt: async (algorithm, key, nonce, plaintext, aad) => {
        checkAead(algorithm, key, nonce, plaintext, aad)
        const s = native()
        if (algorithm !== 'aes-256-gcm' || !s) return noblePrimitives.aead.encrypt(algorithm, key, nonce, plaintext, aad)
        const k = await s.importKey('raw', unshared(key), { name: 'AES-GCM' }, false, ['encrypt'])
        const params: AesGcmParams = { name: 'AES-GCM', iv: unshared(nonce), tagLength: 128 }
        if (aad) params.additionalData = unshared(aad)
        return new Uint8Array(await s.encrypt(params, k, unshared(plaintext)))
      },
      decrypt: async (algorithm, key, nonce, sealed, aad) => {
        checkAead(algorithm, key, nonce, sealed, aad)
        const s = native()
        if (algorithm !== 'aes-256-gcm' || !s) return noblePrimitives.aead.decrypt(algorithm, key, nonce, sealed, aad)
        if (sealed.length < 16) throw decryptError(algorithm)
        const k = await s.importKey('raw', unshared(key), { name: 'AES-GCM' }, false, ['decrypt'])
        const params: AesGcmParams = { name: 'AES-GCM', iv: unshared(nonce), tagLength: 128 }
        if (aad) params.additionalData = unshared(aad)
        try {
          // WebCrypto releases nothing unless the tag verifies.
          return new Uint8Array(await s.decrypt(params, k, unshared(sealed)))
        } catch (e) {
          throw decryptError(algorithm, e)
        }
      },
    },
    hkdf: async (ikm, salt, info, length) => {
      checkHkdf(ikm, salt, info, length)
      const s = native()
      if (s && length > 0) {
        try {
          const key = await s.importKey('raw', unshared(ikm), { name: 'HKDF' }, false, ['deriveBits'])
          return new Uint8Array(await s.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: unshared(salt), info: unshared(info) }, key, length * 8))
        } catch {
          // Some engines refuse edge cases RFC 5869 allows (an empty IKM); noble computes those.
        }
      }
      return noblePrimitives.hkdf(ikm, salt, info, length)
    },
    hmac: async (key, data) => {
      checkHmac(key, data)
      const s = native()
      if (s && key.length > 0) {
        // WebCrypto refuses empty HMAC keys (allowed by RFC 2104): those go to noble.
        const k = await s.importKey('raw', unshared(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
        return new Uint8Array(await s.sign('HMAC', k, unshared(data)))
      }
      return noblePrimitives.hmac(key, data)
    },
    async describe() {
      const web = (yes: boolean): WebBackendName => (yes ? 'webcrypto' : 'noble')
      const s = !!native()
      return {
        sha256: web(s),
        sha512: web(s),
        blake2b512: 'noble',
        blake3: 'noble',
        ed25519: web(await hasEd25519()),
        x25519: web(await hasX25519()),
        'aes-256-gcm': web(s),
        'chacha20-poly1305': 'noble',
        hkdf: web(s),
        hmac: web(s),
        scrypt: 'noble',
      }
    },
  }
}

/** Browser primitives: WebCrypto where the runtime has the algorithm, noble otherwise. */
export const webPrimitives: WebPrimitives = createWebPrimitives()
