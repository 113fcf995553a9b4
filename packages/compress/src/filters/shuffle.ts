/**
 * Byte shuffle for typed numeric data (the HDF5/Blosc "shuffle" filter): byte k of every
 * element is grouped together, so the slowly varying bytes of floats (sign and exponent)
 * sit next to each other and compress, while the noisy mantissa bytes are left to themselves.
 * Trailing bytes that do not fill an element stay at the end, unchanged.
 */

/** Element widths the filter supports: 2 (f16/bf16), 4 (f32), 8 (f64). */
export type ShuffleWidth = 2 | 4 | 8

export function isShuffleWidth(w: unknown): w is ShuffleWidth {
  return w === 2 || w === 4 || w === 8
}

/**
 * Group byte k of every `width`-byte element: `a0 a1 a2 a3 b0 b1 ...` -> `a0 b0 ... a1 b1 ...`.
 *
 * @example
 * ```ts
 * shuffle(Uint8Array.of(1, 2, 3, 4, 5, 6), 2) // [1, 3, 5, 2, 4, 6]
 * ```
 */
export function shuffle(data: Uint8Array, width: ShuffleWidth): Uint8Array {
  const out = new Uint8Array(data.length)
  const n = Math.floor(data.length / width)
  for (let k = 0; k < width; k++) {
    const base = k * n
    for (let i = 0, j = k; i < n; i++, j += width) out[base + i] = data[j]!
  }
  out.set(data.subarray(n * width), n * width)
  return out
}

/** The inverse of {@link shuffle}. */
export function unshuffle(data: Uint8Array, width: ShuffleWidth): Uint8Array {
  const out = new Uint8Array(data.length)
  const n = Math.floor(data.length / width)
  for (let k = 0; k < width; k++) {
    const base = k * n
    for (let i = 0, j = k; i < n; i++, j += width) out[j] = data[base + i]!
  }
  out.set(data.subarray(n * width), n * width)
  return out
}
