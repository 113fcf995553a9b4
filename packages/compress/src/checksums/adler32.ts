/**
 * Adler-32 (RFC 1950), the zlib trailer. The sums are reduced every 5552 bytes, zlib's NMAX:
 * the most bytes after which `b` still fits in 32 bits, so no reduction is needed inside.
 */
const MOD = 65521
const NMAX = 5552

/**
 * Continue an Adler-32 over `data` (start with `adler = 1`).
 *
 * @example
 * ```ts
 * adler32(new TextEncoder().encode('Wikipedia')) // 0x11e60398
 * ```
 */
export function adler32(data: Uint8Array, adler = 1): number {
  let a = adler & 0xffff
  let b = adler >>> 16
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + NMAX, data.length)
    for (; i < end; i++) {
      a += data[i]!
      b += a
    }
    a %= MOD
    b %= MOD
  }
  return ((b << 16) | a) >>> 0
}
