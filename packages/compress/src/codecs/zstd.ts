import { Decompress } from 'fzstd'
import { ByteQueue, concatBytes } from '../byte-queue.js'
import { Xxh64 } from '../checksums/xxh64.js'
import { CompressError } from '../errors.js'
import type { Codec, StreamCoder } from '../types.js'

/**
 * Zstandard decoding everywhere without WebAssembly: fzstd (pure JavaScript, ~8 KB, by the
 * author of fflate; sync and streaming). Chosen over the WASM decoders (zstddec,
 * @bokuweb/zstd-wasm) because it needs no async initialisation, works under strict CSPs and
 * in workers alike, and is small; it is slower than native, which Node >= 22.15 provides.
 *
 * fzstd trusts frame headers (it allocates the declared window, up to 2 GiB) and skips the
 * content checksum, so every frame is walked here first: window and content sizes are checked
 * against the limits before fzstd sees a byte, blocks are delimited, and the XXH64 content
 * checksum is verified against the output.
 */

const MAGIC = 0xfd2fb528
const SKIPPABLE = 0x184d2a50 // ...0x184d2a5f
/** Largest window accepted: zstd's own default limit for decompression (windowLog 27). */
export const MAX_WINDOW = 128 * 1024 * 1024
const MAX_BLOCK = 128 * 1024

const u32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
const corrupt = (why: string) => new CompressError('E_CORRUPT', `zstd: ${why}`)
const limit = (max: number) => new CompressError('E_LIMIT', `zstd: output exceeds maxOutputSize ${max}`)

interface FrameHeader {
  length: number
  windowSize: number
  contentSize: number | undefined
  checksum: boolean
}

/** Parse a frame header at the front of `h` (which must hold at least 18 bytes or the whole input). */
function parseHeader(h: Uint8Array): FrameHeader | undefined {
  if (h.length < 5) return undefined
  const fhd = h[4]!
  const fcsFlag = fhd >> 6
  const singleSegment = (fhd >> 5) & 1
  const dictFlag = fhd & 3
  if (fhd & 0x08) throw corrupt('reserved bit set in the frame header')
  const fcsBytes = [singleSegment, 2, 4, 8][fcsFlag]!
  const dictBytes = [0, 1, 2, 4][dictFlag]!
  const length = 5 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes
  if (h.length < length) return undefined
  let at = 5
  let windowSize = 0
  if (!singleSegment) {
    const wd = h[at++]!
    const base = 2 ** (10 + (wd >> 3))
    windowSize = base + (base / 8) * (wd & 7)
  }
  let dictionary = 0
  for (let i = 0; i < dictBytes; i++) dictionary += h[at + i]! * 2 ** (8 * i)
  at += dictBytes
  if (dictionary !== 0) throw new CompressError('E_CODEC_UNAVAILABLE', 'zstd: frames that need a dictionary are not supported')
  let contentSize: number | undefined
  if (fcsBytes > 0) {
    contentSize = 0
    for (let i = 0; i < fcsBytes; i++) contentSize += h[at + i]! * 2 ** (8 * i)
    if (fcsBytes === 2) contentSize += 256
  }
  if (singleSegment) windowSize = contentSize!
  return { length, windowSize, contentSize, checksum: ((fhd >> 2) & 1) === 1 }
}

type State = 'magic' | 'header' | 'block' | 'checksum' | 'skip'

/** Walks frames, checks them, and feeds each one to its own fzstd decoder. */
class ZstdDecoder implements StreamCoder {
  private readonly input = new ByteQueue()
  private state: State = 'magic'
  private frames = 0
  private produced = 0
  private skipLeft = 0
  private header: FrameHeader | undefined
  private inner: Decompress | undefined
  private hash = new Xxh64()
  private frameOutput = 0
  private out: Uint8Array[] = []

  constructor(private readonly max: number) {}

  push(chunk: Uint8Array, final: boolean): Uint8Array[] {
    this.input.push(chunk)
    try {
      while (this.step()) {}
    } catch (e) {
      if (e instanceof CompressError) throw e
      throw corrupt(`malformed frame (${(e as Error)?.message ?? e})`)
    }
    if (final) {
      if (this.state !== 'magic' || this.input.available > 0) throw corrupt('input ends inside a frame (truncated?)')
      if (this.frames === 0) throw corrupt('no frame in the input')
    }
    const out = this.out
    this.out = []
    return out
  }

  private step(): boolean {
    const q = this.input
    switch (this.state) {
      case 'magic': {
        if (q.available < 4) return false
        const magic = u32(q.peek(4), 0)
        if (magic === MAGIC) {
          this.state = 'header'
          return true
        }
        if ((magic & 0xfffffff0) === SKIPPABLE) {
          if (q.available < 8) return false
          this.skipLeft = u32(q.take(8), 4)
          this.state = 'skip'
          return true
        }
        throw corrupt(this.frames === 0 ? 'not a zstd frame (bad magic number)' : 'garbage after the last frame')
      }
      case 'skip': {
        const n = Math.min(this.skipLeft, q.available)
        q.skip(n)
        this.skipLeft -= n
        if (this.skipLeft > 0) return false
        this.frames++
        this.state = 'magic'
        return true
      }
      case 'header': {
        const h = parseHeader(q.peek(Math.min(q.available, 18)))
        if (!h) return false
        if (h.windowSize > MAX_WINDOW) {
          throw new CompressError('E_LIMIT', `zstd: frame window of ${h.windowSize} bytes exceeds the ${MAX_WINDOW}-byte limit`)
        }
        if (h.contentSize !== undefined && h.contentSize > this.max - this.produced) throw limit(this.max)
        this.header = h
        this.frameOutput = 0
        this.hash = new Xxh64()
        this.inner = new Decompress((data) => this.accept(data))
        this.inner.push(q.take(h.length), false)
        this.state = 'block'
        return true
      }
      case 'block': {
        if (q.available < 3) return false
        const bh = q.peek(3)
        const word = bh[0]! | (bh[1]! << 8) | (bh[2]! << 16)
        const last = word & 1
        const type = (word >> 1) & 3
        const size = word >>> 3
        if (type === 3) throw corrupt('reserved block type')
        if (size > MAX_BLOCK || (type !== 1 && size > this.header!.windowSize)) throw corrupt(`block of ${size} bytes exceeds the maximum`)
        const payload = type === 1 ? 1 : size // an RLE block stores one byte
        if (q.available < 3 + payload) return false
        this.inner!.push(q.take(3 + payload), false)
        if (last) this.state = 'checksum'
        return true
      }
      case 'checksum': {
        const need = this.header!.checksum ? 4 : 0
        if (q.available < need) return false
        const stored = need ? q.take(4) : new Uint8Array(0)
        this.inner!.push(stored, true) // fzstd expects (and skips) the checksum bytes
        if (need && u32(stored, 0) !== this.hash.digest()[1]) throw corrupt('content checksum mismatch')
        const h = this.header!
        if (h.contentSize !== undefined && this.frameOutput !== h.contentSize) {
          throw corrupt(`frame declares ${h.contentSize} bytes but decodes to ${this.frameOutput}`)
        }
        this.frames++
        this.state = 'magic'
        return true
      }
    }
  }

  private accept(data: Uint8Array): void {
    if (data.length === 0) return
    this.produced += data.length
    this.frameOutput += data.length
    if (this.produced > this.max) throw limit(this.max)
    const h = this.header!
    if (h.contentSize !== undefined && this.frameOutput > h.contentSize) throw corrupt(`frame declares ${h.contentSize} bytes but decodes to more`)
    if (h.checksum) this.hash.update(data)
    this.out.push(data.slice()) // fzstd reuses its window buffer
  }
}

/** Zstandard: decoding everywhere (fzstd); encoding only where the runtime has it (see zstd.node.ts). */
export const zstd: Codec = {
  name: 'zstd',
  canCompress: false,
  canDecompress: true,
  streaming: true,
  decompressSync: (data, maxOutputSize, expectedSize) => concatBytes(new ZstdDecoder(expectedSize ?? maxOutputSize).push(data, true)),
  createDecoder: (maxOutputSize) => new ZstdDecoder(maxOutputSize),
}
