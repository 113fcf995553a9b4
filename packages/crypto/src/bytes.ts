import { CryptoError } from './errors.js'

/** Input accepted wherever bytes are expected. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView

/** View any bytes-like input as a Uint8Array without copying. */
export function toBytes(data: BytesLike): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  throw new CryptoError('E_ARGUMENT', 'expected a Uint8Array, ArrayBuffer or ArrayBufferView')
}

const HEX = '0123456789abcdef'
const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!)

/**
 * Lowercase hexadecimal of `bytes`.
 *
 * @example
 * ```ts
 * toHex(new Uint8Array([0xca, 0xfe])) // 'cafe'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX_PAIRS[bytes[i]!]
  return s
}

/**
 * Bytes from a hexadecimal string (either case, even length).
 *
 * @example
 * ```ts
 * fromHex('CAFE') // Uint8Array [0xca, 0xfe]
 * ```
 */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new CryptoError('E_ARGUMENT', 'expected an even-length hexadecimal string')
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Constant-time equality of two byte strings (the length itself is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/**
 * Whether every byte is zero, in time that depends only on the length: for secrets such as
 * an X25519 shared secret, where `every(b => b === 0)` would stop at the first non-zero byte.
 *
 * @example
 * ```ts
 * isAllZero(new Uint8Array(32)) // true
 * ```
 */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!
  return acc === 0
}

/**
 * The concatenation of `parts` in one new buffer.
 *
 * @example
 * ```ts
 * concatBytes([signature, commentBytes]) // what a minisign global signature covers
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/**
 * A copy of `bytes` in a buffer of its own. Not `bytes.slice()`: on a Node Buffer (a
 * Uint8Array subclass callers often pass) `slice` returns a view of the same memory.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.byteLength)
  out.set(bytes)
  return out
}

/**
 * Whether `bytes[at..]` begins with `prefix` (not constant-time: for formats, not secrets).
 *
 * @example
 * ```ts
 * startsWithBytes(new TextEncoder().encode('age-encryption.org/v1'), new TextEncoder().encode('age-')) // true
 * ```
 */
export function startsWithBytes(bytes: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (at < 0 || bytes.length - at < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false
  return true
}
