/**
 * The cheap test behind `compression: 'auto'`: estimate the order-0 entropy of a few KiB
 * sampled across the input, and only spend time compressing when it suggests a real saving.
 * Float weights (near-random mantissas) come out around 7.5-8 bits per byte and are stored
 * raw after looking at ~4 KiB; JSON, code and tokenizers come out at 4-6 bits per byte.
 */

/** Bytes examined per decision; spread over the input in {@link SAMPLE_SLICES} slices. */
export const SAMPLE_BYTES = 4096
const SAMPLE_SLICES = 16

/** Entropy (bits per byte) at or above which compressing is assumed not to pay. */
export const COMPRESSIBLE_ENTROPY_LIMIT = 7.2

/**
 * Shannon entropy in bits per byte (0..8) of a sample of `data`: the whole input when it is
 * at most {@link SAMPLE_BYTES}, otherwise evenly spaced slices totalling that many bytes.
 *
 * @example
 * ```ts
 * sampleEntropy(new TextEncoder().encode('{"a":1,"a":1,"a":1}')) // ~2.9
 * ```
 */
export function sampleEntropy(data: Uint8Array): number {
  const counts = new Uint32Array(256)
  let n = 0
  if (data.length <= SAMPLE_BYTES) {
    for (let i = 0; i < data.length; i++) counts[data[i]!]!++
    n = data.length
  } else {
    const slice = SAMPLE_BYTES / SAMPLE_SLICES
    const stride = Math.floor((data.length - slice) / (SAMPLE_SLICES - 1))
    for (let s = 0; s < SAMPLE_SLICES; s++) {
      const start = s * stride
      for (let i = start; i < start + slice; i++) counts[data[i]!]!++
    }
    n = SAMPLE_SLICES * slice
  }
  if (n === 0) return 0
  let bits = 0
  for (let i = 0; i < 256; i++) {
    const c = counts[i]!
    if (c !== 0) {
      const p = c / n
      bits -= p * Math.log2(p)
    }
  }
  return bits
}

/**
 * Whether compressing `data` is likely to save enough to be worth the time.
 * Tiny inputs (under 64 bytes) never are: the codec's framing eats the gain.
 */
export function worthCompressing(data: Uint8Array): boolean {
  if (data.length < 64) return false
  return sampleEntropy(data) < COMPRESSIBLE_ENTROPY_LIMIT
}
