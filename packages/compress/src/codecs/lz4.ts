import { compressBlock, compressBound } from 'lz4js'
import { concatBytes } from '../byte-queue.js'
import { Xxh32, xxh32 } from '../checksums/xxh32.js'
import { CompressError } from '../errors.js'
import type { Codec, StreamCoder } from '../types.js'
import { FrameDecoder, u32le as u32 } from './frames.js'

/**
 * LZ4 in the standard LZ4 frame format (what the `lz4` CLI reads and writes).
 *
 * Encoding: lz4js's block compressor inside our own frame writer, which writes independent
 * 4 MiB blocks and an xxHash32 content checksum. Decoding is ours: lz4js's decoder trusts its
 * input (no bounds checks, checksums skipped), so a corrupt or hostile frame could yield wrong
 * bytes silently. This one checks every length, offset and checksum, bounds output, decodes
 * dependent or independent blocks, concatenated frames and skippable frames.
 */

const MAGIC = 0x184d2204
const LEGACY_MAGIC = 0x184c2102
const FLG_VERSION = 0x40
const FLG_INDEPENDENT = 0x20
const FLG_BLOCK_CHECKSUM = 0x10
const FLG_CONTENT_SIZE = 0x08
const FLG_CONTENT_CHECKSUM = 0x04
const FLG_DICT_ID = 0x01
const BLOCK_MAX: Readonly<Record<number, number>> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 }
const WRITE_BLOCK_ID = 7
const WRITE_BLOCK = 4 << 20
const UNCOMPRESSED = 0x80000000
const WINDOW = 64 << 10

function putU32(b: Uint8Array, i: number, v: number) {
  b[i] = v & 0xff
  b[i + 1] = (v >>> 8) & 0xff
  b[i + 2] = (v >>> 16) & 0xff
  b[i + 3] = (v >>> 24) & 0xff
}
const corrupt = (why: string) => new CompressError('E_CORRUPT', `lz4: ${why}`)

// ---------------------------------------------------------------- encoder

function frameHeader(contentSize: number | undefined): Uint8Array {
  const h = new Uint8Array(contentSize === undefined ? 7 : 15)
  putU32(h, 0, MAGIC)
  h[4] = FLG_VERSION | FLG_INDEPENDENT | FLG_CONTENT_CHECKSUM | (contentSize === undefined ? 0 : FLG_CONTENT_SIZE)
  h[5] = WRITE_BLOCK_ID << 4
  if (contentSize !== undefined) {
    putU32(h, 6, contentSize >>> 0)
    putU32(h, 10, Math.floor(contentSize / 4294967296))
  }
  h[h.length - 1] = (xxh32(h, 0, 4, h.length - 1) >>> 8) & 0xff
  return h
}

class Lz4Encoder implements StreamCoder {
  private readonly table = new Uint32Array(65536)
  private readonly scratch = new Uint8Array(compressBound(WRITE_BLOCK))
  private readonly checksum = new Xxh32()
  private pending: Uint8Array | undefined
  private fill = 0
  private started = false

  constructor(private readonly contentSize?: number) {}

  push(chunk: Uint8Array, final: boolean): Uint8Array[] {
    const out: Uint8Array[] = []
    if (!this.started) {
      out.push(frameHeader(this.contentSize))
      this.started = true
    }
    this.checksum.update(chunk)
    let at = 0
    while (at < chunk.length) {
      if (this.fill === 0 && chunk.length - at >= WRITE_BLOCK) {
        out.push(this.block(chunk.subarray(at, at + WRITE_BLOCK))) // whole blocks straight from the input
        at += WRITE_BLOCK
        continue
      }
      this.pending ??= new Uint8Array(WRITE_BLOCK)
      const take = Math.min(WRITE_BLOCK - this.fill, chunk.length - at)
      this.pending.set(chunk.subarray(at, at + take), this.fill)
      this.fill += take
      at += take
      if (this.fill === WRITE_BLOCK) {
        out.push(this.block(this.pending))
        this.fill = 0
      }
    }
    if (final) {
      if (this.fill > 0) out.push(this.block(this.pending!.subarray(0, this.fill)))
      const end = new Uint8Array(8) // end mark, then the content checksum
      putU32(end, 4, this.checksum.digest())
      out.push(end)
    }
    return out
  }

  /** One independent block: compressed if that is smaller, else stored. */
  private block(data: Uint8Array): Uint8Array {
    this.table.fill(0)
    const n = compressBlock(data, this.scratch, 0, data.length, this.table)
    const stored = n === 0 || n >= data.length
    const out = new Uint8Array(4 + (stored ? data.length : n))
    putU32(out, 0, stored ? (UNCOMPRESSED | data.length) >>> 0 : n)
    out.set(stored ? data : this.scratch.subarray(0, n), 4)
    return out
  }
}

// ---------------------------------------------------------------- decoder

class Overflow extends Error {}
const OVERFLOW = new Overflow()

/**
 * Decode one LZ4 block `src[s, end)` into `dst` from `d`; matches may reach back to `lowest`.
 * Returns the new end of output. Throws OVERFLOW if `dst` is too small, E_CORRUPT otherwise.
 */
function decodeBlock(src: Uint8Array, s: number, end: number, dst: Uint8Array, d: number, lowest: number): number {
  for (;;) {
    if (s >= end) throw corrupt('block ends inside a sequence')
    const token = src[s++]!
    let literals = token >>> 4
    if (literals === 15) {
      let b: number
      do {
        if (s >= end) throw corrupt('block ends inside a literal length')
        b = src[s++]!
        literals += b
      } while (b === 255)
    }
    if (literals > end - s) throw corrupt('literals run past the end of the block')
    if (literals > dst.length - d) throw OVERFLOW
    if (literals < 16) for (let i = 0; i < literals; i++) dst[d++] = src[s++]!
    else {
      dst.set(src.subarray(s, s + literals), d)
      s += literals
      d += literals
    }
    if (s === end) return d // the last sequence has literals only
    if (end - s < 2) throw corrupt('block ends inside a match offset')
    const offset = src[s]! | (src[s + 1]! << 8)
    s += 2
    if (offset === 0 || d - offset < lowest) throw corrupt(`match offset ${offset} reaches before the start of the data`)
    let length = token & 15
    if (length === 15) {
      let b: number
      do {
        if (s >= end) throw corrupt('block ends inside a match length')
        b = src[s++]!
        length += b
      } while (b === 255)
    }
    length += 4
    if (length > dst.length - d) throw OVERFLOW
    let m = d - offset
    if (offset >= length && length > 32) {
      dst.copyWithin(d, m, m + length)
      d += length
    } else for (const stop = d + length; d < stop; ) dst[d++] = dst[m++]! // overlapping copies repeat a pattern
  }
}

type State = 'header' | 'blockSize' | 'block' | 'checksum'

class Lz4Decoder extends FrameDecoder {
  private state: State = 'header'
  private produced = 0
  // current frame
  private flags = 0
  private blockMax = 0
  private contentSize: number | undefined
  private frameOutput = 0
  private checksum = new Xxh32()
  private window: Uint8Array | undefined // decoded blocks; in linked frames, the history too
  private end = 0 // end of the history in `window` (0 at the start of a frame)
  private blockLength = 0
  private blockStored = false

  constructor(private readonly max: number) {
    super('lz4', MAGIC)
  }

  protected override unknownMagic(magic: number): never {
    if (magic === LEGACY_MAGIC) throw corrupt('the legacy LZ4 format (lz4 -l) is not supported')
    return super.unknownMagic(magic)
  }

  protected startFrame(): void {
    this.state = 'header'
  }

  protected frameStep(out: Uint8Array[]): 'more' | 'progress' | 'done' {
    const q = this.input
    switch (this.state) {
      case 'header': {
        if (q.available < 3) return 'more'
        const head = q.peek(2)
        const flg = head[0]!
        const bd = head[1]!
        const length = 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0) + 1
        if (q.available < length) return 'more'
        const h = q.take(length)
        if ((flg & 0xc0) !== FLG_VERSION) throw corrupt(`frame version ${(flg >> 6) & 3} is not 1`)
        if (flg & 0x02 || bd & 0x8f) throw corrupt('reserved bits are set in the frame descriptor')
        if (flg & FLG_DICT_ID) throw new CompressError('E_CODEC_UNAVAILABLE', 'lz4: frames that need a dictionary are not supported')
        const blockMax = BLOCK_MAX[(bd >> 4) & 7]
        if (!blockMax) throw corrupt(`block size id ${(bd >> 4) & 7} is not defined`)
        if (((xxh32(h, 0, 0, length - 1) >>> 8) & 0xff) !== h[length - 1]) throw corrupt('frame header checksum mismatch')
        this.flags = flg
        this.blockMax = blockMax
        this.contentSize = undefined
        if (flg & FLG_CONTENT_SIZE) {
          const size = u32(h, 2) + u32(h, 6) * 4294967296
          if (size > this.max - this.produced) throw limit(this.max)
          this.contentSize = size
        }
        this.frameOutput = 0
        this.checksum = new Xxh32()
        this.end = 0
        this.state = 'blockSize'
        return 'progress'
      }
      case 'blockSize': {
        if (q.available < 4) return 'more'
        const word = u32(q.take(4), 0)
        if (word === 0) {
          this.state = 'checksum'
          return 'progress'
        }
        this.blockStored = (word & UNCOMPRESSED) !== 0
        this.blockLength = word & 0x7fffffff
        if (this.blockLength > this.blockMax) throw corrupt(`block of ${this.blockLength} bytes exceeds the frame's ${this.blockMax}`)
        this.state = 'block'
        return 'progress'
      }
      case 'block': {
        const withSum = this.blockLength + (this.flags & FLG_BLOCK_CHECKSUM ? 4 : 0)
        if (q.available < withSum) return 'more'
        const block = q.take(withSum)
        if (this.flags & FLG_BLOCK_CHECKSUM && xxh32(block, 0, 0, this.blockLength) !== u32(block, this.blockLength)) {
          throw corrupt('block checksum mismatch')
        }
        out.push(this.decode(block.subarray(0, this.blockLength)))
        this.state = 'blockSize'
        return 'progress'
      }
      case 'checksum': {
        const need = this.flags & FLG_CONTENT_CHECKSUM ? 4 : 0
        if (q.available < need) return 'more'
        if (need && u32(q.take(4), 0) !== this.checksum.digest()) throw corrupt('content checksum mismatch')
        if (this.contentSize !== undefined && this.frameOutput !== this.contentSize) {
          throw corrupt(`frame declares ${this.contentSize} bytes but decodes to ${this.frameOutput}`)
        }
        return 'done'
      }
    }
  }

  /**
   * Decode one block. Blocks decode into one window buffer, reused for the whole frame, and are
   * copied out at their real size: a frame of thousands of tiny blocks costs what it outputs,
   * not a block-sized allocation each. In a frame of linked blocks, output (stored and
   * compressed blocks alike) accumulates in the buffer so matches can reach back 64 KiB; only
   * when the next block might not fit are the last 64 KiB moved to the front, so keeping the
   * history costs at most one byte moved per byte decoded.
   */
  private decode(block: Uint8Array): Uint8Array {
    const room = this.max - this.produced
    const linked = (this.flags & FLG_INDEPENDENT) === 0
    if (this.blockStored && block.length > room) throw limit(this.max)
    const capacity = this.blockStored ? block.length : Math.min(this.blockMax, room)
    const need = capacity + (capacity < this.blockMax ? 1 : 0) // one spare byte tells "over the limit"
    if (!linked) this.end = 0
    const size = linked ? WINDOW + 2 * this.blockMax + 1 : this.blockMax + 1
    if (!this.window || this.window.length < size) {
      const grown = new Uint8Array(size)
      if (this.window) grown.set(this.window.subarray(0, this.end))
      this.window = grown
    }
    if (this.end + need > this.window.length) {
      const keep = Math.min(this.end, WINDOW)
      this.window.copyWithin(0, this.end - keep, this.end)
      this.end = keep
    }
    const start = this.end
    let end: number
    if (this.blockStored) {
      this.window.set(block, start)
      end = start + block.length
    } else {
      try {
        end = decodeBlock(block, 0, block.length, this.window.subarray(0, start + need), start, linked ? 0 : start)
      } catch (e) {
        if (e !== OVERFLOW) throw e
        throw capacity < this.blockMax ? limit(this.max) : corrupt(`a block decodes to more than the frame's ${this.blockMax}-byte blocks`)
      }
      if (end - start > capacity) throw limit(this.max)
    }
    const data = this.window.slice(start, end)
    if (linked) this.end = end
    this.produced += data.length
    this.frameOutput += data.length
    if (this.contentSize !== undefined && this.frameOutput > this.contentSize) {
      throw corrupt(`frame declares ${this.contentSize} bytes but decodes to more`)
    }
    this.checksum.update(data)
    return data
  }
}

const limit = (max: number) => new CompressError('E_LIMIT', `lz4: output exceeds maxOutputSize ${max}`)

export const lz4: Codec = {
  name: 'lz4',
  canCompress: true,
  canDecompress: true,
  streaming: true,
  // lz4js implements LZ4's one fast compressor (no HC levels): every preset is that.
  levels: { min: 1, max: 1, default: 1, presets: { fast: 1, balanced: 1, max: 1 } },
  compressSync: (data) => concatBytes(new Lz4Encoder(data.length).push(data, true)),
  decompressSync(data, maxOutputSize, expectedSize) {
    return concatBytes(new Lz4Decoder(expectedSize ?? maxOutputSize).push(data, true))
  },
  createEncoder: () => new Lz4Encoder(),
  createDecoder: (maxOutputSize) => new Lz4Decoder(maxOutputSize),
}
