/**
 * XXH64 (xxHash, 64-bit), which Zstandard frames use for their content checksum (the low 32
 * bits are stored). JavaScript has no fast 64-bit integers, so each 64-bit value is a pair of
 * uint32 words (hi, lo), and results come back through two module-level registers instead of
 * allocated pairs: the hot loop allocates nothing.
 */

// Primes as [hi, lo].
const P1H = 0x9e3779b1, P1L = 0x85ebca87
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f
const P3H = 0x165667b1, P3L = 0x9e3779f9
const P4H = 0x85ebca77, P4L = 0xc2b2ae63
const P5H = 0x27d4eb2f, P5L = 0x165667c5

// Result registers of the helpers below.
let RH = 0
let RL = 0

/** (ah:al) + (bh:bl) mod 2^64 -> RH:RL */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl
  RL = lo >>> 0
  RH = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0
}

/** (ah:al) * (bh:bl) mod 2^64 -> RH:RL, with the 32x32 low product split into 16-bit halves. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16
  const mid = a1 * b0 + a0 * b1 // < 2^33, exact
  const low = a0 * b0 + (mid % 65536) * 65536 // < 2^33, exact
  RL = low >>> 0
  const carry = Math.floor(low / 4294967296)
  RH = (a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0
}

/** rotate (h:l) left by r (0 < r < 32) -> RH:RL */
function rotl(h: number, l: number, r: number): void {
  RH = ((h << r) | (l >>> (32 - r))) >>> 0
  RL = ((l << r) | (h >>> (32 - r))) >>> 0
}

const u32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0

/** acc = rotl(acc + lane * P2, 31) * P1, the per-lane round -> RH:RL */
function round(ah: number, al: number, lh: number, ll: number): void {
  mul(lh, ll, P2H, P2L)
  add(ah, al, RH, RL)
  rotl(RH, RL, 31)
  mul(RH, RL, P1H, P1L)
}

/** Incremental XXH64: feed pieces, then `digest()` gives [hi, lo] (or use {@link xxh64Low32}). */
export class Xxh64 {
  private v1h: number; private v1l: number
  private v2h: number; private v2l: number
  private v3h: number; private v3l: number
  private v4h: number; private v4l: number
  private total = 0
  private readonly tail = new Uint8Array(32)
  private tailLength = 0

  constructor(private readonly seed = 0) {
    // v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1 (seed < 2^32 here)
    add(P1H, P1L, P2H, P2L)
    add(RH, RL, 0, seed >>> 0)
    this.v1h = RH; this.v1l = RL
    add(P2H, P2L, 0, seed >>> 0)
    this.v2h = RH; this.v2l = RL
    this.v3h = 0; this.v3l = seed >>> 0
    add(0, seed >>> 0, ~P1H >>> 0, ~P1L >>> 0) // seed + (-P1) = seed + ~P1 + 1
    add(RH, RL, 0, 1)
    this.v4h = RH; this.v4l = RL
  }

  update(data: Uint8Array): this {
    this.total += data.length
    let i = 0
    if (this.tailLength > 0) {
      const take = Math.min(32 - this.tailLength, data.length)
      this.tail.set(data.subarray(0, take), this.tailLength)
      this.tailLength += take
      i = take
      if (this.tailLength < 32) return this
      this.stripe(this.tail, 0)
      this.tailLength = 0
    }
    for (const limit = data.length - 32; i <= limit; i += 32) this.stripe(data, i)
    this.tail.set(data.subarray(i), 0)
    this.tailLength = data.length - i
    return this
  }

  /** The digest as [hi, lo] uint32 words. */
  digest(): [number, number] {
    let h: number, l: number
    if (this.total >= 32) {
      rotl(this.v1h, this.v1l, 1); let ah = RH, al = RL
      rotl(this.v2h, this.v2l, 7); add(ah, al, RH, RL); ah = RH; al = RL
      rotl(this.v3h, this.v3l, 12); add(ah, al, RH, RL); ah = RH; al = RL
      rotl(this.v4h, this.v4l, 18); add(ah, al, RH, RL); ah = RH; al = RL
      for (const [vh, vl] of [[this.v1h, this.v1l], [this.v2h, this.v2l], [this.v3h, this.v3l], [this.v4h, this.v4l]] as const) {
        round(0, 0, vh, vl) // mergeRound: acc ^= round(0, v); acc = acc * P1 + P4
        ah = (ah ^ RH) >>> 0
        al = (al ^ RL) >>> 0
        mul(ah, al, P1H, P1L)
        add(RH, RL, P4H, P4L)
        ah = RH; al = RL
      }
      h = ah; l = al
    } else {
      add(0, this.seed >>> 0, P5H, P5L)
      h = RH; l = RL
    }
    add(h, l, Math.floor(this.total / 4294967296), this.total >>> 0)
    h = RH; l = RL
    const b = this.tail
    let i = 0
    for (; i + 8 <= this.tailLength; i += 8) {
      round(0, 0, u32(b, i + 4), u32(b, i))
      h = (h ^ RH) >>> 0; l = (l ^ RL) >>> 0
      rotl(h, l, 27); mul(RH, RL, P1H, P1L); add(RH, RL, P4H, P4L)
      h = RH; l = RL
    }
    if (i + 4 <= this.tailLength) {
      mul(0, u32(b, i), P1H, P1L)
      h = (h ^ RH) >>> 0; l = (l ^ RL) >>> 0
      rotl(h, l, 23); mul(RH, RL, P2H, P2L); add(RH, RL, P3H, P3L)
      h = RH; l = RL
      i += 4
    }
    for (; i < this.tailLength; i++) {
      mul(0, b[i]!, P5H, P5L)
      h = (h ^ RH) >>> 0; l = (l ^ RL) >>> 0
      rotl(h, l, 11); mul(RH, RL, P1H, P1L)
      h = RH; l = RL
    }
    // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32 (64-bit shifts on words)
    l = (l ^ (h >>> 1)) >>> 0
    mul(h, l, P2H, P2L)
    h = RH; l = RL
    const shiftedLow = ((l >>> 29) | (h << 3)) >>> 0
    h = (h ^ (h >>> 29)) >>> 0
    l = (l ^ shiftedLow) >>> 0
    mul(h, l, P3H, P3L)
    h = RH; l = RL
    l = (l ^ h) >>> 0
    return [h, l]
  }

  private stripe(d: Uint8Array, i: number): void {
    round(this.v1h, this.v1l, u32(d, i + 4), u32(d, i)); this.v1h = RH; this.v1l = RL
    round(this.v2h, this.v2l, u32(d, i + 12), u32(d, i + 8)); this.v2h = RH; this.v2l = RL
    round(this.v3h, this.v3l, u32(d, i + 20), u32(d, i + 16)); this.v3h = RH; this.v3l = RL
    round(this.v4h, this.v4l, u32(d, i + 28), u32(d, i + 24)); this.v4h = RH; this.v4l = RL
  }
}

/**
 * XXH64 of `data` as [hi, lo] uint32 words.
 *
 * @example
 * ```ts
 * xxh64(new TextEncoder().encode('abc')) // [0x44bc2cf5, 0xad770999]
 * ```
 */
export function xxh64(data: Uint8Array, seed = 0): [number, number] {
  return new Xxh64(seed).update(data).digest()
}
