/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as gzip's trailer uses it.
 * Slicing-by-8: eight 256-entry tables let the loop consume 8 bytes per iteration.
 */
const TABLES: Uint32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[0]![n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < 8; s++) t[s]![n] = (t[s - 1]![n]! >>> 8) ^ t[0]![t[s - 1]![n]! & 0xff]!
  }
  return t
})()
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array]

/**
 * Continue a CRC-32 over `data` (start with `crc = 0`).
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')) // 0xcbf43926
 * ```
 */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0
  let i = 0
  for (const end = data.length - 8; i <= end; i += 8) {
    const a = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0
    c =
      T7[a & 0xff]! ^ T6[(a >>> 8) & 0xff]! ^ T5[(a >>> 16) & 0xff]! ^ T4[a >>> 24]! ^
      T3[data[i + 4]!]! ^ T2[data[i + 5]!]! ^ T1[data[i + 6]!]! ^ T0[data[i + 7]!]!
  }
  for (; i < data.length; i++) c = T0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}
