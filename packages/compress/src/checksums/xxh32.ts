/**
 * XXH32 (xxHash, 32-bit), as the LZ4 frame format uses it for header, block and content
 * checksums. Written for speed: no allocation, Math.imul arithmetic, 16-byte stripes.
 */
const P1 = 0x9e3779b1
const P2 = 0x85ebca77
const P3 = 0xc2b2ae3d
const P4 = 0x27d4eb2f
const P5 = 0x165667b1

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r))
const u32 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)

/**
 * XXH32 of `data[start, end)`.
 *
 * @example
 * ```ts
 * xxh32(new TextEncoder().encode('abc')) // 0x32d153ff
 * ```
 */
export function xxh32(data: Uint8Array, seed = 0, start = 0, end = data.length): number {
  return new Xxh32(seed).update(data.subarray(start, end)).digest()
}

/** Incremental XXH32 for streams: feed pieces, then `digest()`. */
export class Xxh32 {
  private v1: number
  private v2: number
  private v3: number
  private v4: number
  private total = 0
  private readonly tail = new Uint8Array(16)
  private tailLength = 0

  constructor(private readonly seed = 0) {
    this.v1 = (seed + P1 + P2) | 0
    this.v2 = (seed + P2) | 0
    this.v3 = seed | 0
    this.v4 = (seed - P1) | 0
  }

  update(data: Uint8Array): this {
    this.total += data.length
    let i = 0
    if (this.tailLength > 0) {
      const take = Math.min(16 - this.tailLength, data.length)
      this.tail.set(data.subarray(0, take), this.tailLength)
      this.tailLength += take
      i = take
      if (this.tailLength < 16) return this
      this.stripe(this.tail, 0)
      this.tailLength = 0
    }
    for (const limit = data.length - 16; i <= limit; i += 16) this.stripe(data, i)
    this.tail.set(data.subarray(i), 0)
    this.tailLength = data.length - i
    return this
  }

  digest(): number {
    let h = this.total >= 16 ? (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0 : (this.seed + P5) | 0
    h = (h + this.total) | 0 // the spec adds the length modulo 2^32
    const b = this.tail
    let i = 0
    for (; i + 4 <= this.tailLength; i += 4) h = Math.imul(rotl((h + Math.imul(u32(b, i), P3)) | 0, 17), P4)
    for (; i < this.tailLength; i++) h = Math.imul(rotl((h + Math.imul(b[i]!, P5)) | 0, 11), P1)
    h ^= h >>> 15
    h = Math.imul(h, P2)
    h ^= h >>> 13
    h = Math.imul(h, P3)
    h ^= h >>> 16
    return h >>> 0
  }

  private stripe(d: Uint8Array, i: number): void {
    this.v1 = Math.imul(rotl((this.v1 + Math.imul(u32(d, i), P2)) | 0, 13), P1)
    this.v2 = Math.imul(rotl((this.v2 + Math.imul(u32(d, i + 4), P2)) | 0, 13), P1)
    this.v3 = Math.imul(rotl((this.v3 + Math.imul(u32(d, i + 8), P2)) | 0, 13), P1)
    this.v4 = Math.imul(rotl((this.v4 + Math.imul(u32(d, i + 12), P2)) | 0, 13), P1)
  }
}
