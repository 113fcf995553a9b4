import type { CodecName } from './types.js'

/** Codecs that announce themselves with magic bytes (raw deflate does not). */
export type DetectableCodec = Extract<CodecName, 'gzip' | 'zlib' | 'lz4' | 'xz' | 'lzma' | 'zstd'>

/**
 * Identify a compressed stream from its first bytes. Returns `undefined` for anything
 * unrecognised, including raw deflate and uncompressed data.
 *
 * @example
 * ```ts
 * detectCodec(new Uint8Array([0x1f, 0x8b, 8, 0])) // 'gzip'
 * ```
 */
export function detectCodec(data: Uint8Array): DetectableCodec | undefined {
  const b = data
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8) return 'gzip'
  if (b.length >= 6 && b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0) return 'xz'
  if (b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd'
  if (b.length >= 4 && b[0] === 0x04 && b[1] === 0x22 && b[2] === 0x4d && b[3] === 0x18) return 'lz4'
  if (isZlibHeader(b)) return 'zlib'
  if (isLzmaAloneHeader(b)) return 'lzma'
  return undefined
}

// RFC 1950: CM = 8 (deflate), CINFO <= 7 (window <= 32 KiB), and CMF*256+FLG divisible by 31.
function isZlibHeader(b: Uint8Array): boolean {
  if (b.length < 2) return false
  const cmf = b[0]!, flg = b[1]!
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0
}

// The legacy .lzma ("LZMA_Alone") header has no magic: 1 properties byte (lc/lp/pb, < 225),
// a 4-byte dictionary size, and an 8-byte uncompressed size (all 0xFF when unknown).
// We accept only what xz/lzma-utils write: dictionary sizes of 2^n or 2^n + 2^(n-1), and a
// known size below 2^48 or the unknown marker; that keeps random data from matching.
function isLzmaAloneHeader(b: Uint8Array): boolean {
  if (b.length < 13 || b[0]! >= 225) return false
  const dict = (b[1]! | (b[2]! << 8) | (b[3]! << 16) | (b[4]! << 24)) >>> 0
  if (dict < 4096) return false
  const top = 31 - Math.clz32(dict)
  const pow = 2 ** top
  if (dict !== pow && dict !== pow + pow / 2) return false
  const unknown = b.subarray(5, 13).every((x) => x === 0xff)
  return unknown || (b[11] === 0 && b[12] === 0)
}
