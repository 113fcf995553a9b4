/** Deterministic PRNG (mulberry32): the same seed gives the same test data on every machine. */
export function rng(seed: number) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (max: number) => Math.floor(next() * max),
    bytes(n: number): Uint8Array<ArrayBuffer> {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = (next() * 256) | 0
      return out
    },
    /** Normally distributed float32 weights (Box-Muller), like a trained layer. */
    weights(n: number, scale = 0.02): Float32Array {
      const out = new Float32Array(n)
      for (let i = 0; i < n; i += 2) {
        const u = Math.max(next(), 1e-12)
        const v = next()
        const r = Math.sqrt(-2 * Math.log(u)) * scale
        out[i] = r * Math.cos(2 * Math.PI * v)
        if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v)
      }
      return out
    },
  }
}

export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

/** Fast byte equality for large arrays (vitest's deep equality walks element by element). */
export function sameBytes(actual: ArrayBufferView, expected: ArrayBufferView): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength)
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)
  if (a.equals(b)) return
  let i = 0
  while (i < Math.min(a.length, b.length) && a[i] === b[i]) i++
  throw new Error(`bytes differ: lengths ${a.length} vs ${b.length}, first difference at ${i}`)
}
