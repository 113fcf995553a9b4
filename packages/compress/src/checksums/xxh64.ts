/**
 * XXH64 (xxHash, 64-bit), which Zstandard frames use for their content checksum (the low 32
 * bits are stored). The 32-byte stripe loop, where all the time goes, runs in a 200-byte
 * WebAssembly function (assembled below) with native 64-bit integers; without WebAssembly it
 * runs on BigInt, ~10x slower. Everything else (setup, tail, avalanche) is BigInt.
 */

const MASK = (1n << 64n) - 1n
const P1 = 0x9e3779b185ebca87n
const P2 = 0xc2b2ae3d27d4eb4fn
const P3 = 0x165667b19e3779f9n
const P4 = 0x85ebca77c2b2ae63n
const P5 = 0x27d4eb2f165667c5n

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK
const round = (acc: bigint, lane: bigint) => (rotl((acc + lane * P2) & MASK, 31n) * P1) & MASK
const merge = (acc: bigint, v: bigint) => (((acc ^ round(0n, v)) * P1 + P4) & MASK)

// ---------------------------------------------------------------- the WebAssembly stripe loop

/** unsigned and signed LEB128, as WebAssembly encodes integers */
function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}
function sleb(n: bigint): number[] {
  const out: number[] = []
  for (;;) {
    const b = Number(n & 0x7fn)
    n >>= 7n
    if ((n === 0n && !(b & 0x40)) || (n === -1n && b & 0x40)) return [...out, b]
    out.push(b | 0x80)
  }
}
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes]
const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))]
const signed = (u: bigint) => (u >= 1n << 63n ? u - (1n << 64n) : u)

/**
 * (func $stripes (param $ptr i32) (param $end i32) (param $state i32)
 *   v1..v4 := i64 state[0..3]
 *   while ptr + 32 <= end: v_i := rotl(v_i + load64(ptr + 8i) * P2, 31) * P1; ptr += 32
 *   state[0..3] := v1..v4)
 */
function stripesModule(): Uint8Array {
  const [PTR, END, STATE] = [0, 1, 2]
  const lane = (v: number, offset: number) => [
    0x20, v, // local.get v
    0x20, PTR, 0x29, 3, offset, // i64.load ptr+offset
    0x42, ...sleb(signed(P2)), 0x7e, // i64.mul P2
    0x7c, // i64.add
    0x42, 31, 0x89, // i64.rotl 31
    0x42, ...sleb(signed(P1)), 0x7e, // i64.mul P1
    0x21, v, // local.set v
  ]
  const code = [
    1, 4, 0x7e, // four i64 locals (3..6): v1..v4
    ...[0, 1, 2, 3].flatMap((i) => [0x20, STATE, 0x29, 3, 8 * i, 0x21, 3 + i]),
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, PTR, 0x41, 32, 0x6a, 0x20, END, 0x4b, 0x0d, 1, // br_if (ptr + 32 > end) out
    ...lane(3, 0), ...lane(4, 8), ...lane(5, 16), ...lane(6, 24),
    0x20, PTR, 0x41, 32, 0x6a, 0x21, PTR, // ptr += 32
    0x0c, 0, 0x0b, 0x0b, // br loop; end loop; end block
    ...[0, 1, 2, 3].flatMap((i) => [0x20, STATE, 0x20, 3 + i, 0x37, 3, 8 * i]),
    0x0b,
  ]
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]), // type: (i32, i32, i32) -> ()
    ...section(3, [1, 0]), // one function of that type
    ...section(5, [1, 0, 1]), // one memory, at least one page
    ...section(7, [2, ...name('stripes'), 0, 0, ...name('memory'), 2, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ])
}

interface Stripes {
  stripes(ptr: number, end: number, state: number): void
  memory: WebAssembly.Memory
}
let wasm: Stripes | null | undefined

function engine(): Stripes | null {
  if (wasm === undefined) {
    try {
      wasm = new WebAssembly.Instance(new WebAssembly.Module(stripesModule() as Uint8Array<ArrayBuffer>)).exports as unknown as Stripes
    } catch {
      wasm = null // no WebAssembly here (or a CSP forbids it): BigInt it is
    }
  }
  return wasm
}

const STATE = 0 // 4 x u64 at the start of the module's memory
const DATA = 64 // input is copied in from here
const WINDOW = 1 << 20 // bytes per call

// ---------------------------------------------------------------- XXH64

/** Incremental XXH64: feed pieces, then `digest()` gives [hi, lo] (uint32 words). */
export class Xxh64 {
  private v = [0n, 0n, 0n, 0n]
  private total = 0
  private readonly tail = new Uint8Array(32)
  private tailLength = 0

  constructor(private readonly seed = 0) {
    const s = BigInt(seed >>> 0)
    this.v = [(s + P1 + P2) & MASK, (s + P2) & MASK, s, (s - P1) & MASK]
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
      this.stripes(this.tail)
      this.tailLength = 0
    }
    const whole = i + Math.floor((data.length - i) / 32) * 32
    if (whole > i) this.stripes(data.subarray(i, whole))
    this.tail.set(data.subarray(whole), 0)
    this.tailLength = data.length - whole
    return this
  }

  /** The digest as [hi, lo] uint32 words. */
  digest(): [number, number] {
    let h: bigint
    if (this.total >= 32) {
      const [v1, v2, v3, v4] = this.v as [bigint, bigint, bigint, bigint]
      h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK
      for (const v of this.v) h = merge(h, v)
    } else h = (BigInt(this.seed >>> 0) + P5) & MASK
    h = (h + BigInt(this.total)) & MASK
    const t = this.tail
    const view = new DataView(t.buffer, t.byteOffset, t.byteLength)
    let i = 0
    for (; i + 8 <= this.tailLength; i += 8) h = ((rotl(h ^ round(0n, view.getBigUint64(i, true)), 27n) * P1 + P4) & MASK)
    if (i + 4 <= this.tailLength) {
      h = ((rotl(h ^ ((BigInt(view.getUint32(i, true)) * P1) & MASK), 23n) * P2 + P3) & MASK)
      i += 4
    }
    for (; i < this.tailLength; i++) h = (rotl(h ^ ((BigInt(t[i]!) * P5) & MASK), 11n) * P1) & MASK
    h ^= h >> 33n
    h = (h * P2) & MASK
    h ^= h >> 29n
    h = (h * P3) & MASK
    h ^= h >> 32n
    return [Number(h >> 32n), Number(h & 0xffffffffn)]
  }

  /** Process whole 32-byte stripes. */
  private stripes(data: Uint8Array): void {
    const w = engine()
    if (!w) {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
      let [v1, v2, v3, v4] = this.v as [bigint, bigint, bigint, bigint]
      for (let i = 0; i + 32 <= data.length; i += 32) {
        v1 = round(v1, view.getBigUint64(i, true))
        v2 = round(v2, view.getBigUint64(i + 8, true))
        v3 = round(v3, view.getBigUint64(i + 16, true))
        v4 = round(v4, view.getBigUint64(i + 24, true))
      }
      this.v = [v1, v2, v3, v4]
      return
    }
    const need = DATA + Math.min(WINDOW, data.length)
    if (w.memory.buffer.byteLength < need) w.memory.grow(Math.ceil((need - w.memory.buffer.byteLength) / 65536))
    const state = new BigUint64Array(w.memory.buffer, STATE, 4)
    state.set(this.v)
    for (let at = 0; at < data.length; at += WINDOW) {
      const piece = data.subarray(at, Math.min(data.length, at + WINDOW))
      new Uint8Array(w.memory.buffer, DATA, piece.length).set(piece)
      w.stripes(DATA, DATA + piece.length, STATE)
    }
    this.v = Array.from(new BigUint64Array(w.memory.buffer, STATE, 4))
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
