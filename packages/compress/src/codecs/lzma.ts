import { CompressError } from '../errors.js'
import type { Codec } from '../types.js'

/**
 * Legacy `.lzma` (LZMA_Alone, what `lzma`/`xz --format=lzma` write) decoding, read-only.
 * xz-decompress only reads the .xz container, so this is a small LZMA1 decoder written from the
 * format's description: a range decoder, the 12-state model, literal/match/rep decoding.
 * Output is bounded (never past the declared size or the caller's limit), every distance is
 * checked against what has been produced, and the range coder must end clean. The format has
 * no checksum, so some corruptions can only show as wrong bytes; the container's own chunk
 * hashes cover that for packages.
 */

const corrupt = (why: string) => new CompressError('E_CORRUPT', `lzma: ${why}`)
const PROB_INIT = 1024 // half of 2^11
const NUM_STATES = 12
const END_POS_MODEL = 14
const FULL_DISTANCES = 128
const MAX_DICTIONARY = 1 << 30 // the header may say more; nothing real needs it, and it bounds nothing we allocate
// The largest single buffer JavaScript engines hand out (Node: buffer.constants.MAX_LENGTH).
const MAX_ALLOCATION = 2 ** 32 - 1

class RangeDecoder {
  range = 0xffffffff
  code = 0
  pos: number

  constructor(private readonly src: Uint8Array, start: number) {
    if (src.length < start + 5) throw corrupt('stream is too short')
    if (src[start] !== 0) throw corrupt('range coder does not start with 0')
    this.pos = start + 1
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.src[this.pos++]!) >>> 0
    if (this.code === this.range) throw corrupt('range coder starts at an impossible value')
  }

  private next(): number {
    if (this.pos >= this.src.length) throw corrupt('input ends in the middle of the stream (truncated?)')
    return this.src[this.pos++]!
  }

  /** One bit with an adaptive probability `probs[i]`. */
  bit(probs: Uint16Array, i: number): number {
    const p = probs[i]!
    const bound = (this.range >>> 11) * p
    let bit: number
    if (this.code < bound) {
      this.range = bound
      probs[i] = p + ((2048 - p) >>> 5)
      bit = 0
    } else {
      this.range = (this.range - bound) >>> 0
      this.code = (this.code - bound) >>> 0
      probs[i] = p - (p >>> 5)
      bit = 1
    }
    if (this.range < 0x1000000) {
      this.range = (this.range << 8) >>> 0
      this.code = ((this.code << 8) | this.next()) >>> 0
    }
    return bit
  }

  /** `count` bits with fixed probability one half. */
  direct(count: number): number {
    let result = 0
    for (let i = 0; i < count; i++) {
      this.range >>>= 1
      let bit = 0
      if (this.code >= this.range) {
        this.code = (this.code - this.range) >>> 0
        bit = 1
      }
      result = ((result << 1) | bit) >>> 0
      if (this.range < 0x1000000) {
        this.range = (this.range << 8) >>> 0
        this.code = ((this.code << 8) | this.next()) >>> 0
      }
    }
    return result
  }

  /** A `bits`-bit symbol from a bit tree rooted at `probs[base + 1]`. */
  tree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, base + m)
    return m - (1 << bits)
  }

  /** The same, least significant bit first. */
  reverseTree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1
    let symbol = 0
    for (let i = 0; i < bits; i++) {
      const bit = this.bit(probs, base + m)
      m = (m << 1) | bit
      symbol |= bit << i
    }
    return symbol
  }
}

/** Match and rep-match lengths: 2..273 in three ranges. */
class LengthDecoder {
  private readonly choice = new Uint16Array(2).fill(PROB_INIT)
  private readonly low = new Uint16Array(16 << 3).fill(PROB_INIT)
  private readonly mid = new Uint16Array(16 << 3).fill(PROB_INIT)
  private readonly high = new Uint16Array(256).fill(PROB_INIT)

  /** The length minus 2. */
  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.choice, 0) === 0) return rc.tree(this.low, posState << 3, 3)
    if (rc.bit(this.choice, 1) === 0) return 8 + rc.tree(this.mid, posState << 3, 3)
    return 16 + rc.tree(this.high, 0, 8)
  }
}

/** Decode a complete .lzma file. */
export function decodeLzmaAlone(src: Uint8Array, max: number): Uint8Array {
  if (src.length < 13) throw corrupt('input is shorter than the 13-byte header')
  let props = src[0]!
  if (props >= 9 * 5 * 5) throw corrupt('invalid properties byte')
  const lc = props % 9
  props = (props / 9) | 0
  const lp = props % 5
  const pb = (props / 5) | 0
  const dictionary = (src[1]! | (src[2]! << 8) | (src[3]! << 16) | (src[4]! << 24)) >>> 0
  if (dictionary > MAX_DICTIONARY) throw new CompressError('E_LIMIT', `lzma: dictionary of ${dictionary} bytes exceeds the ${MAX_DICTIONARY}-byte limit`)
  // The uncompressed size, or all ones for "unknown, ends with an end marker".
  const known = !src.subarray(5, 13).every((b) => b === 0xff)
  let size = 0
  for (let i = 7; i >= 0; i--) size = size * 256 + src[5 + i]!
  if (known && size > max) throw new CompressError('E_LIMIT', `lzma: declared size ${size} exceeds maxOutputSize ${max}`)
  if (known && size > MAX_ALLOCATION) throw new CompressError('E_LIMIT', `lzma: declared size ${size} is more than one buffer can hold`)
  const ceiling = Math.min(max, MAX_ALLOCATION)

  let out = new Uint8Array(known ? size : Math.min(ceiling, Math.max(1 << 16, src.length * 4)))
  let pos = 0
  const ensure = (n: number) => {
    if (pos + n <= out.length) return
    if (known) throw corrupt('stream decodes past its declared size')
    if (pos + n > ceiling) throw new CompressError('E_LIMIT', `lzma: output exceeds maxOutputSize ${max}`)
    const grown = new Uint8Array(Math.min(ceiling, Math.max(pos + n, out.length * 2)))
    grown.set(out.subarray(0, pos))
    out = grown
  }

  const rc = new RangeDecoder(src, 13)
  const posMask = (1 << pb) - 1
  const lpMask = (1 << lp) - 1
  const literal = new Uint16Array(0x300 << (lc + lp)).fill(PROB_INIT)
  const isMatch = new Uint16Array(NUM_STATES << 4).fill(PROB_INIT)
  const isRep = new Uint16Array(NUM_STATES).fill(PROB_INIT)
  const isRepG0 = new Uint16Array(NUM_STATES).fill(PROB_INIT)
  const isRepG1 = new Uint16Array(NUM_STATES).fill(PROB_INIT)
  const isRepG2 = new Uint16Array(NUM_STATES).fill(PROB_INIT)
  const isRep0Long = new Uint16Array(NUM_STATES << 4).fill(PROB_INIT)
  const posSlot = new Uint16Array(4 << 6).fill(PROB_INIT)
  const posSpecial = new Uint16Array(1 + FULL_DISTANCES - END_POS_MODEL).fill(PROB_INIT)
  const align = new Uint16Array(16).fill(PROB_INIT)
  const lengths = new LengthDecoder()
  const repLengths = new LengthDecoder()
  let state = 0
  let rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0

  for (;;) {
    // At the declared size the stream may simply stop, or carry an end marker anyway (as xz
    // accepts): the range coder tells which.
    if (known && pos === size && rc.code === 0) break
    const posState = pos & posMask
    if (rc.bit(isMatch, (state << 4) + posState) === 0) {
      // Literal: after a match, the byte at rep0 steers the first bits ("matched literal").
      const prev = pos > 0 ? out[pos - 1]! : 0
      const base = 0x300 * (((pos & lpMask) << lc) + (prev >>> (8 - lc)))
      let symbol = 1
      if (state >= 7) {
        if (rep0 >= pos) throw corrupt('a match refers to data before the start')
        let matchByte = out[pos - rep0 - 1]!
        while (symbol < 0x100) {
          const matchBit = (matchByte >>> 7) & 1
          matchByte <<= 1
          const bit = rc.bit(literal, base + ((1 + matchBit) << 8) + symbol)
          symbol = (symbol << 1) | bit
          if (matchBit !== bit) break
        }
      }
      while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(literal, base + symbol)
      if (known && pos === size) throw corrupt('data past the declared size')
      ensure(1)
      out[pos++] = symbol - 0x100
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6
      continue
    }
    let length: number
    if (rc.bit(isRep, state) !== 0) {
      if (pos === 0) throw corrupt('a repeated match before any data')
      if (rc.bit(isRepG0, state) === 0) {
        if (rc.bit(isRep0Long, (state << 4) + posState) === 0) {
          // Short rep: one byte from rep0.
          state = state < 7 ? 9 : 11
          ensure(1)
          out[pos] = out[pos - rep0 - 1]!
          pos++
          continue
        }
      } else {
        let distance: number
        if (rc.bit(isRepG1, state) === 0) distance = rep1
        else {
          if (rc.bit(isRepG2, state) === 0) distance = rep2
          else {
            distance = rep3
            rep3 = rep2
          }
          rep2 = rep1
        }
        rep1 = rep0
        rep0 = distance
      }
      length = repLengths.decode(rc, posState)
      state = state < 7 ? 8 : 11
    } else {
      rep3 = rep2
      rep2 = rep1
      rep1 = rep0
      length = lengths.decode(rc, posState)
      state = state < 7 ? 7 : 10
      // Distance: a 6-bit slot, then context-coded, direct and aligned low bits.
      const slot = rc.tree(posSlot, (length < 4 ? length : 3) << 6, 6)
      if (slot < 4) rep0 = slot
      else {
        const direct = (slot >>> 1) - 1
        let distance = ((2 | (slot & 1)) << direct) >>> 0
        if (slot < END_POS_MODEL) distance += rc.reverseTree(posSpecial, distance - slot, direct)
        else {
          distance = (distance + ((rc.direct(direct - 4) << 4) >>> 0)) >>> 0
          distance = (distance + rc.reverseTree(align, 0, 4)) >>> 0
        }
        rep0 = distance >>> 0
      }
      if (rep0 === 0xffffffff) {
        // The end marker: valid only where the size was not declared (or exactly at it).
        if (known && pos !== size) throw corrupt('end marker before the declared size')
        break
      }
    }
    length += 2
    if (rep0 >= pos) throw corrupt('a match refers to data before the start')
    if (known && length > size - pos) throw corrupt('a match runs past the declared size')
    ensure(length)
    for (let from = pos - rep0 - 1, stop = pos + length; pos < stop; ) out[pos++] = out[from++]!
  }
  if (rc.code !== 0) throw corrupt('the stream does not end cleanly (corrupt data)')
  return out.length === pos ? out : out.slice(0, pos)
}

/** Legacy .lzma: decoding only. Writing it is not supported (use xz, zstd or deflate). */
export const lzma: Codec = {
  name: 'lzma',
  canCompress: false,
  canDecompress: true,
  streaming: false,
  decompressSync: (data, maxOutputSize, expectedSize) => decodeLzmaAlone(data, expectedSize ?? maxOutputSize),
}
