import { CryptoError } from '../errors.js'

// Base64 (RFC 4648), once for the whole package: minisign lines, the age header and armor, DSSE
// envelopes and keyrings, format's manifests. Each caller states its exact rule as options (which
// alphabet, whether '=' padding is required, forbidden or optional, whether unused trailing bits
// must be zero), because in a signed or MAC'd format a second spelling of the same bytes is a
// malleability bug. Written by hand rather than taken from Buffer or atob: the browser build
// imports nothing from node:, and atob is lenient (stray bits, missing padding, whitespace).

/** 'standard' (RFC 4648 §4: `+` `/`), 'url' (§5: `-` `_`), or 'either' (each character may be from both). */
export type Base64Alphabet = 'standard' | 'url' | 'either'

/** Whether '=' padding to a multiple of 4 characters must be there, must not, or may. */
export type Base64Padding = 'required' | 'forbidden' | 'optional'

/** How {@link base64Encode} spells its output. */
export interface Base64EncodeOptions {
  /** 'standard' (default) or 'url'. */
  readonly alphabet?: 'standard' | 'url'
  /** Pad with '=' to a multiple of 4 characters; default `true`. */
  readonly padding?: boolean
}

/** What {@link base64Decode} accepts. The defaults are the strictest reading of RFC 4648 §4. */
export interface Base64DecodeOptions {
  /** Default 'standard'. */
  readonly alphabet?: Base64Alphabet
  /** Default 'required'. */
  readonly padding?: Base64Padding
  /**
   * Refuse non-zero unused bits in the last character (RFC 4648 §3.5), so that every byte
   * string has one spelling; default `true`.
   */
  readonly canonical?: boolean
  /** What the text is, for the error of {@link base64Decode} (`details.field`); default 'base64'. */
  readonly field?: string
}

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const URL_SAFE = STANDARD.slice(0, 62) + '-_'
const ENCODE = { standard: Uint8Array.from(STANDARD, (c) => c.charCodeAt(0)), url: Uint8Array.from(URL_SAFE, (c) => c.charCodeAt(0)) }
const PAD = 0x3d // '='

/** Byte -> 6-bit value; 255 for anything outside the alphabet ('=' included). */
function decodeTable(...alphabets: string[]): Uint8Array {
  const table = new Uint8Array(256).fill(255)
  for (const a of alphabets) for (let i = 0; i < 64; i++) table[a.charCodeAt(i)] = i
  return table
}
const DECODE: Record<Base64Alphabet, Uint8Array> = { standard: decodeTable(STANDARD), url: decodeTable(URL_SAFE), either: decodeTable(STANDARD, URL_SAFE) }

/**
 * Whether `byte` is one of the 64 characters of `alphabet` (as an ASCII code).
 *
 * @example
 * ```ts
 * isBase64Char(0x2b) // true: '+'
 * ```
 */
export function isBase64Char(byte: number, alphabet: Base64Alphabet = 'standard'): boolean {
  return DECODE[alphabet][byte] !== 255
}

/**
 * Characters of the encoding of `n` bytes.
 *
 * @example
 * ```ts
 * base64EncodedLength(32, false) // 43
 * ```
 */
export function base64EncodedLength(n: number, padding = true): number {
  return padding ? Math.ceil(n / 3) * 4 : Math.ceil((n * 4) / 3)
}

/**
 * Encode `src` as ASCII into `out` at `at`, sized with {@link base64EncodedLength}; returns the
 * position after the last character. For callers that build byte output (armor, age stanzas).
 *
 * @example
 * ```ts
 * const out = new Uint8Array(base64EncodedLength(bytes.length)); base64EncodeInto(bytes, out, 0)
 * ```
 */
export function base64EncodeInto(src: Uint8Array, out: Uint8Array, at: number, options: Base64EncodeOptions = {}): number {
  const enc = ENCODE[options.alphabet ?? 'standard']
  const padding = options.padding ?? true
  const n = src.length
  const whole = n - (n % 3)
  let o = at
  for (let i = 0; i < whole; i += 3) {
    const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!
    out[o++] = enc[v >>> 18]!
    out[o++] = enc[(v >>> 12) & 63]!
    out[o++] = enc[(v >>> 6) & 63]!
    out[o++] = enc[v & 63]!
  }
  if (n - whole === 1) {
    const v = src[whole]!
    out[o++] = enc[v >>> 2]!
    out[o++] = enc[(v & 3) << 4]!
    if (padding) (out[o++] = PAD), (out[o++] = PAD)
  } else if (n - whole === 2) {
    const v = (src[whole]! << 8) | src[whole + 1]!
    out[o++] = enc[v >>> 10]!
    out[o++] = enc[(v >>> 4) & 63]!
    out[o++] = enc[(v & 15) << 2]!
    if (padding) out[o++] = PAD
  }
  return o
}

/**
 * Base64 text of `bytes`: standard alphabet with '=' padding unless `options` say otherwise.
 *
 * @example
 * ```ts
 * base64Encode(new Uint8Array([0x45, 0x64])) // 'RWQ='
 * base64Encode(new Uint8Array([0xfb, 0xff]), { alphabet: 'url', padding: false }) // '-_8'
 * ```
 */
export function base64Encode(bytes: Uint8Array, options: Base64EncodeOptions = {}): string {
  if (!(bytes instanceof Uint8Array)) throw new CryptoError('E_ARGUMENT', 'base64Encode: expected a Uint8Array')
  const out = new Uint8Array(base64EncodedLength(bytes.length, options.padding ?? true))
  base64EncodeInto(bytes, out, 0, options)
  let s = ''
  // In slices: String.fromCharCode(...all) would overflow the stack on large inputs.
  for (let i = 0; i < out.length; i += 8192) s += String.fromCharCode(...out.subarray(i, i + 8192))
  out.fill(0) // it may spell a secret (a minisign secret key file); the string is the result
  return s
}

/**
 * Characters of `src[start, end)` that carry data: the length without a '=' padding that
 * completes a 4-character group, or -1 when `padding` does not allow what is there.
 */
function dataLength(src: Uint8Array, start: number, end: number, padding: Base64Padding): number {
  const len = end - start
  if (len % 4 === 0 && len > 0 && src[end - 1] === PAD) {
    if (padding === 'forbidden') return -1
    // At most two '=' are stripped; any other '=' fails the alphabet check of the decoder.
    return len - (src[end - 2] === PAD ? 2 : 1)
  }
  return padding === 'required' && len % 4 !== 0 ? -1 : len
}

/**
 * Decoded size of the ASCII base64 `src[start, end)` under `padding`, or -1 when its length or
 * padding cannot be valid (the characters themselves are checked by {@link base64DecodeInto}).
 *
 * @example
 * ```ts
 * base64DecodedLength(ascii('RWQ='), 0, 4, 'required') // 2
 * ```
 */
export function base64DecodedLength(src: Uint8Array, start: number, end: number, padding: Base64Padding = 'required'): number {
  const len = dataLength(src, start, end, padding)
  return len < 0 || len % 4 === 1 ? -1 : Math.floor((len * 3) / 4)
}

/**
 * Decode the ASCII base64 `src[start, end)` into `out` at `at` under `options`; returns the
 * position after the last byte written, or -1 when the text is not such an encoding (nothing
 * meaningful is left in `out` then). Size `out` with {@link base64DecodedLength}.
 *
 * @example
 * ```ts
 * const n = base64DecodeInto(line, 0, line.length, out, 0, { padding: 'forbidden' }) // -1 if not canonical unpadded base64
 * ```
 */
export function base64DecodeInto(src: Uint8Array, start: number, end: number, out: Uint8Array, at: number, options: Base64DecodeOptions = {}): number {
  const table = DECODE[options.alphabet ?? 'standard']
  const canonical = options.canonical ?? true
  const len = dataLength(src, start, end, options.padding ?? 'required')
  if (len < 0 || len % 4 === 1) return -1
  const whole = start + len - (len % 4)
  let o = at
  for (let i = start; i < whole; i += 4) {
    const a = table[src[i]!]!, b = table[src[i + 1]!]!, c = table[src[i + 2]!]!, d = table[src[i + 3]!]!
    if ((a | b | c | d) === 255) return -1
    const v = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = v >>> 16
    out[o++] = (v >>> 8) & 255
    out[o++] = v & 255
  }
  const rest = len % 4
  if (rest === 2) {
    const a = table[src[whole]!]!, b = table[src[whole + 1]!]!
    if ((a | b) === 255 || (canonical && (b & 15) !== 0)) return -1
    out[o++] = (a << 2) | (b >>> 4)
  } else if (rest === 3) {
    const a = table[src[whole]!]!, b = table[src[whole + 1]!]!, c = table[src[whole + 2]!]!
    if ((a | b | c) === 255 || (canonical && (c & 3) !== 0)) return -1
    out[o++] = (a << 2) | (b >>> 4)
    out[o++] = ((b & 15) << 4) | (c >>> 2)
  }
  return o
}

/**
 * The bytes of `text` under `options`, or `undefined` when it is not exactly such an encoding:
 * for parsers that report the error in their own terms (a line number, a stanza).
 *
 * @example
 * ```ts
 * tryBase64Decode('RWQ=') // Uint8Array [0x45, 0x64]
 * tryBase64Decode('RWR=') // undefined: the last character carries a stray bit
 * ```
 */
export function tryBase64Decode(text: string, options: Base64DecodeOptions = {}): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined
  const src = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // Refused here: storing it would keep only its low byte, which may be an alphabet character.
    if (c > 127) return undefined
    src[i] = c
  }
  const size = base64DecodedLength(src, 0, src.length, options.padding ?? 'required')
  if (size < 0) return undefined
  const out = new Uint8Array(size)
  const end = base64DecodeInto(src, 0, src.length, out, 0, options)
  src.fill(0) // our scratch copy of the text, which may spell a secret (a minisign secret key line)
  if (end === size) return out
  out.fill(0)
  return undefined
}

/**
 * The bytes of base64 `text`. By default only canonical, padded, standard-alphabet base64 is
 * accepted (what {@link base64Encode} writes); `options` relax that per rule of a format, e.g.
 * DSSE accepts either alphabet, padded or not. Anything else (whitespace, stray characters,
 * impossible lengths, misplaced padding) is `CryptoError('E_FORMAT')` naming `options.field`.
 *
 * @example
 * ```ts
 * base64Decode('RWQ=') // Uint8Array [0x45, 0x64]
 * base64Decode('-_8', { alphabet: 'either', padding: 'optional' }) // Uint8Array [0xfb, 0xff]
 * base64Decode('RWQ', { field: 'publicKey' }) // throws CryptoError E_FORMAT, details.field 'publicKey'
 * ```
 */
export function base64Decode(text: string, options: Base64DecodeOptions = {}): Uint8Array {
  const out = tryBase64Decode(text, options)
  if (out) return out
  const alphabet = { standard: 'standard', url: 'URL-safe', either: 'standard or URL-safe' }[options.alphabet ?? 'standard']
  const padding = { required: 'padded', forbidden: 'unpadded', optional: 'padded or not' }[options.padding ?? 'required']
  const why = typeof text === 'string' ? `expected ${options.canonical === false ? '' : 'canonical '}${padding} ${alphabet} base64` : 'not a string'
  const field = options.field ?? 'base64'
  throw new CryptoError('E_FORMAT', `${field} is not valid base64: ${why}`, { details: { field } })
}
