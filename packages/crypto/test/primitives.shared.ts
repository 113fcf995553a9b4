// Shared by test/primitives*.test.ts: every Primitives implementation, and small helpers.
import { fromHex, toHex } from '../src/bytes'
import { noblePrimitives } from '../src/primitives/noble'
import { nodePrimitives } from '../src/primitives/node'
import type { Primitives } from '../src/primitives/types'
import { createWebPrimitives, webPrimitives } from '../src/primitives/web'

export { fromHex, toHex }

/**
 * Every implementation under test. `web` runs on Node's WebCrypto (OpenSSL underneath, but the
 * WebCrypto code path); `web without WebCrypto` is the same code forced onto its noble fallbacks,
 * as in an insecure browser context.
 */
export const IMPLEMENTATIONS: readonly (readonly [string, Primitives])[] = [
  ['noble', noblePrimitives],
  ['node', nodePrimitives],
  ['web', webPrimitives],
  ['web without WebCrypto', createWebPrimitives(null)],
]

/** Deterministic pseudo-random bytes (tests must be reproducible; these are not keys of anything real). */
export function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let s = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    out[i] = s & 0xff
  }
  return out
}

export const utf8 = (s: string) => new TextEncoder().encode(s)

/**
 * What `webPrimitives.describe()` reports where WebCrypto has Ed25519 and X25519 (Node 20,
 * Chromium 133 and later): WebCrypto for those, SHA-2, AES-GCM, HKDF and HMAC; noble for what
 * WebCrypto lacks.
 */
export const WEBCRYPTO_REPORT = {
  sha256: 'webcrypto',
  sha512: 'webcrypto',
  blake2b512: 'noble',
  blake3: 'noble',
  ed25519: 'webcrypto',
  x25519: 'webcrypto',
  'aes-256-gcm': 'webcrypto',
  'chacha20-poly1305': 'noble',
  hkdf: 'webcrypto',
  hmac: 'webcrypto',
  scrypt: 'noble',
} as const

/** A copy of `bytes` with bit `bit` flipped. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice()
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}
