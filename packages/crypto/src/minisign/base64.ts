// Standard base64 (RFC 4648 section 4, with padding): the alphabet of every minisign line.
// Written here rather than taken from Buffer/atob: the browser build imports nothing from
// node:, atob accepts non-canonical input (stray bits, missing padding), and a signature
// format needs one encoding per value so that tampering always shows.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i

/**
 * Base64 of `bytes`, padded.
 *
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([0x45, 0x64])) // 'RWQ='
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '=='
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '='
  }
  return out
}

/**
 * The bytes of canonical padded base64 `text`, or `undefined` when it is not exactly that:
 * a character outside the alphabet, a length that is not a multiple of 4, padding anywhere
 * but the end, or non-zero bits under the padding (which would give a second spelling of
 * the same bytes). Callers turn `undefined` into an error that names the field and line.
 *
 * @example
 * ```ts
 * decodeBase64('RWQ=') // Uint8Array [0x45, 0x64]
 * decodeBase64('RWR=') // undefined: the last character carries a stray bit
 * ```
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const out = new Uint8Array((text.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length
    let n = 0
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j)
      // '=' is allowed only as the final one or two characters.
      if (c === 61 && last && j >= 4 - pad) {
        n <<= 6
        continue
      }
      const v = c < 128 ? DECODE[c]! : -1
      if (v < 0) return undefined
      n = (n << 6) | v
    }
    if (last && pad === 2) {
      if (n & 0xffff) return undefined
      out[o++] = n >>> 16
    } else if (last && pad === 1) {
      if (n & 0xff) return undefined
      out[o++] = n >>> 16
      out[o++] = (n >>> 8) & 0xff
    } else {
      out[o++] = n >>> 16
      out[o++] = (n >>> 8) & 0xff
      out[o++] = n & 0xff
    }
  }
  return out
}
