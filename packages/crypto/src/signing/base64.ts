import { CryptoError } from '../errors.js'

// Base64 by hand rather than atob/btoa or Buffer: identical in every runtime, strict about
// what it accepts, and no string round trip through Latin-1.

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < 64; i++) DECODE[STANDARD.charCodeAt(i)] = i
// DSSE verifiers must accept URL-safe base64 too: '-' and '_' stand for '+' and '/'.
DECODE['-'.charCodeAt(0)] = 62
DECODE['_'.charCodeAt(0)] = 63

/** Standard base64 (RFC 4648 section 4) with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += STANDARD[n >> 18]! + STANDARD[(n >> 12) & 63]! + STANDARD[(n >> 6) & 63]! + STANDARD[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += STANDARD[n >> 18]! + STANDARD[(n >> 12) & 63]! + '=='
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += STANDARD[n >> 18]! + STANDARD[(n >> 12) & 63]! + STANDARD[(n >> 6) & 63]! + '='
  }
  return out
}

/**
 * Decode standard or URL-safe base64, padded or not (DSSE allows all four). Anything else
 * (whitespace, stray characters, a length no encoder produces, misplaced padding) is refused
 * with `E_FORMAT` naming `field`.
 */
export function decodeBase64(text: string, field: string): Uint8Array {
  const fail = (why: string) => new CryptoError('E_FORMAT', `${field} is not valid base64: ${why}`, { details: { field } })
  if (typeof text !== 'string') throw fail('not a string')
  let end = text.length
  if (end % 4 === 0 && end > 0) {
    if (text[end - 1] === '=') end--
    if (text[end - 1] === '=') end--
  }
  if (end % 4 === 1) throw fail(`${text.length} characters is not a possible length`)
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let acc = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    const v = c < 128 ? DECODE[c]! : -1
    if (v < 0) throw fail(`unexpected character at ${i}`)
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
    }
  }
  return out
}
