import { concatBytes, copyBytes } from '../bytes.js'

/**
 * The fixed DER wrappers (RFC 8410) that carry raw 32-byte X25519/Ed25519 keys into the native
 * APIs: WebCrypto's `importKey('pkcs8')` (its only way in for a raw private key) and node.ts's
 * fallback route to KeyObjects. A raw key is always the last 32 bytes: no ASN.1 parser needed.
 */

const ED25519_PKCS8 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20)
const ED25519_SPKI = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00)
const X25519_PKCS8 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20)
const X25519_SPKI = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00)

const wrap = (prefix: Uint8Array, key: Uint8Array) => concatBytes([prefix, key])

/** PKCS#8 `PrivateKeyInfo` of a 32-byte Ed25519 seed. */
export const ed25519Pkcs8 = (seed: Uint8Array) => wrap(ED25519_PKCS8, seed)
/** SPKI `SubjectPublicKeyInfo` of a 32-byte Ed25519 public key. */
export const ed25519Spki = (publicKey: Uint8Array) => wrap(ED25519_SPKI, publicKey)
/** PKCS#8 `PrivateKeyInfo` of a 32-byte X25519 scalar. */
export const x25519Pkcs8 = (scalar: Uint8Array) => wrap(X25519_PKCS8, scalar)
/** SPKI `SubjectPublicKeyInfo` of a 32-byte X25519 public key (u-coordinate). */
export const x25519Spki = (publicKey: Uint8Array) => wrap(X25519_SPKI, publicKey)
/** The raw key at the end of an exported SPKI structure, copied (a Buffer's `slice` is a view). */
export const rawFromSpki = (spki: Uint8Array) => copyBytes(spki.subarray(spki.length - 32))
