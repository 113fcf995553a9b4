// Strict base64 (RFC 4648 section 4, standard alphabet) for age. The header uses it unpadded
// and the armor padded; both must be canonical (RFC 4648 section 3.5: unused bits zero), since
// an encoding with several spellings would make the MAC'd header and the armor malleable.
// Table-driven over byte arrays so dearmoring a large file stays cheap; no Buffer/atob,
// which are absent in some runtimes and lenient about padding and stray characters.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))
/** Byte -> 6-bit value, 255 for anything outside the alphabet ('=' included). */
const DECODE = new Uint8Array(256).fill(255)
for (let i = 0; i < 64; i++) DECODE[ENCODE[i]!] = i

/** Whether `byte` is one of the 64 alphabet characters. */
export function isBase64Char(byte: number): boolean {
  return DECODE[byte]! !== 255
}

/** Encoded length of `n` bytes. */
export function base64Length(n: number, padded: boolean): number {
  return padded ? Math.ceil(n / 3) * 4 : Math.ceil((n * 4) / 3)
}

/**
 * Encode `src` as ASCII bytes into `out` at `at`; returns the position after the last character.
 * The caller sizes `out` with {@link base64Length}.
 */
export function encodeBase64Into(src: Uint8Array, out: Uint8Array, at: number, padded: boolean): number {
  const n = src.length
  const whole = n - (n % 3)
  let o = at
  for (let i = 0; i < whole; i += 3) {
    const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!
    out[o++] = ENCODE[v >>> 18]!
    out[o++] = ENCODE[(v >>> 12) & 63]!
    out[o++] = ENCODE[(v >>> 6) & 63]!
    out[o++] = ENCODE[v & 63]!
  }
  const rest = n - whole
  if (rest === 1) {
    const v = src[whole]!
    out[o++] = ENCODE[v >>> 2]!
    out[o++] = ENCODE[(v & 3) << 4]!
    if (padded) (out[o++] = 61), (out[o++] = 61)
  } else if (rest === 2) {
    const v = (src[whole]! << 8) | src[whole + 1]!
    out[o++] = ENCODE[v >>> 10]!
    out[o++] = ENCODE[(v >>> 4) & 63]!
    out[o++] = ENCODE[(v & 15) << 2]!
    if (padded) out[o++] = 61
  }
  return o
}

/** Base64 text of `bytes`, unpadded (age header) or padded (armor). */
export function encodeBase64(bytes: Uint8Array, padded = false): string {
  const out = new Uint8Array(base64Length(bytes.length, padded))
  encodeBase64Into(bytes, out, 0, padded)
  let s = ''
  for (let i = 0; i < out.length; i += 8192) s += String.fromCharCode(...out.subarray(i, i + 8192))
  return s
}

/**
 * Decode ASCII bytes `src[start, end)` into `out` at `at`, strictly: alphabet characters only,
 * canonical trailing bits, and either no padding (`padded` false: a trailing '=' is an error)
 * or exactly the padding that completes a 4-character group (`padded` true). Returns the
 * position after the last decoded byte, or -1 when the text is not such an encoding.
 */
export function decodeBase64Into(src: Uint8Array, start: number, end: number, out: Uint8Array, at: number, padded: boolean): number {
  let len = end - start
  if (padded) {
    if (len % 4 !== 0) return -1
    // At most two '=', only at the very end; any other '=' fails the alphabet check below.
    if (len > 0 && src[end - 1] === 61) len -= src[end - 2] === 61 ? 2 : 1
  }
  if (len % 4 === 1) return -1
  const whole = start + len - (len % 4)
  let o = at
  for (let i = start; i < whole; i += 4) {
    const a = DECODE[src[i]!]!, b = DECODE[src[i + 1]!]!, c = DECODE[src[i + 2]!]!, d = DECODE[src[i + 3]!]!
    if ((a | b | c | d) === 255) return -1
    const v = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = v >>> 16
    out[o++] = (v >>> 8) & 255
    out[o++] = v & 255
  }
  const rest = len % 4
  if (rest === 2) {
    const a = DECODE[src[whole]!]!, b = DECODE[src[whole + 1]!]!
    if ((a | b) === 255 || (b & 15) !== 0) return -1
    out[o++] = (a << 2) | (b >>> 4)
  } else if (rest === 3) {
    const a = DECODE[src[whole]!]!, b = DECODE[src[whole + 1]!]!, c = DECODE[src[whole + 2]!]!
    if ((a | b | c) === 255 || (c & 3) !== 0) return -1
    out[o++] = (a << 2) | (b >>> 4)
    out[o++] = ((b & 15) << 4) | (c >>> 2)
  }
  return o
}

/** Decoded length of `chars` characters of unpadded base64 (valid only if chars % 4 != 1). */
export function decodedLength(chars: number): number {
  return Math.floor((chars * 3) / 4)
}

/** Decode unpadded canonical base64 text, or `undefined` when it is not exactly that. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const src = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > 255) return undefined
    src[i] = c
  }
  const out = new Uint8Array(decodedLength(text.length))
  const end = decodeBase64Into(src, 0, src.length, out, 0, false)
  return end === out.length ? out : undefined
}
