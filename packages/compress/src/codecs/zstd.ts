import { Decompress } from 'fzstd'
import { concatBytes } from '../byte-queue.js'
import { Xxh64 } from '../checksums/xxh64.js'
import { CompressError } from '../errors.js'
import type { Codec } from '../types.js'
import { FrameDecoder, u32le as u32 } from './frames.js'

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
/** Largest window accepted: zstd's own default limit for decompression (windowLog 27). */
export const MAX_WINDOW = 128 * 1024 * 1024
const WINDOW_BUDGET_CAP = 4 * 1024 * 1024 * 1024
const MAX_BLOCK = 128 * 1024

const corrupt = (why: string) => new CompressError('E_CORRUPT', `zstd: ${why}`)
const limit = (max: number) => new CompressError('E_LIMIT', `zstd: output exceeds maxOutputSize ${max}`)

interface FrameHeader {
  length: number
  windowSize: number
  contentSize: number | undefined
  checksum: boolean
}

/** Parse a frame header (after the magic number) at the front of `h` (at most 14 bytes long). */
function parseHeader(h: Uint8Array): FrameHeader | undefined {
  if (h.length < 1) return undefined
  const fhd = h[0]!
  const fcsFlag = fhd >> 6
  const singleSegment = (fhd >> 5) & 1
  const dictFlag = fhd & 3
  if (fhd & 0x08) throw corrupt('reserved bit set in the frame header')
  const fcsBytes = [singleSegment, 2, 4, 8][fcsFlag]!
  const dictBytes = [0, 1, 2, 4][dictFlag]!
  const length = 1 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes
  if (h.length < length) return undefined
  let at = 1
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

type State = 'header' | 'block' | 'checksum'

/** Walks frames, checks them, and feeds each one to its own fzstd decoder. */
class ZstdDecoder extends FrameDecoder {
  private state: State = 'header'
  private produced = 0
  private header: FrameHeader | undefined
  private inner: Decompress | undefined
  private hash = new Xxh64()
  private frameOutput = 0
  private out: Uint8Array[] = []

  // Window memory all frames together may ask for: 4x the output limit (at least two largest
  // windows, at most 4 GiB). Real streams stay far below it (a window is at most its frame's
  // size, or 8 MiB for a streamed frame), while thousands of empty frames each asking for
  // 128 MiB are refused instead of allocated and zeroed one by one.
  private windowBudget: number

  constructor(private readonly max: number) {
    super('zstd', MAGIC)
    this.windowBudget = Math.min(Math.max(2 * MAX_WINDOW, 4 * max), WINDOW_BUDGET_CAP)
  }

  protected startFrame(): void {
    this.state = 'header'
  }

  protected frameStep(out: Uint8Array[]): 'more' | 'progress' | 'done' {
    this.out = out // fzstd delivers output through accept()
    const q = this.input
    switch (this.state) {
      case 'header': {
        const h = parseHeader(q.peek(Math.min(q.available, 14)))
        if (!h) return 'more'
        if (h.windowSize > MAX_WINDOW) {
          throw new CompressError('E_LIMIT', `zstd: frame window of ${h.windowSize} bytes exceeds the ${MAX_WINDOW}-byte limit`)
        }
        if (h.contentSize !== undefined && h.contentSize > this.max - this.produced) throw limit(this.max)
        // fzstd's streaming decoder allocates the frame's whole window up front.
        this.windowBudget -= h.windowSize
        if (this.windowBudget < 0) throw new CompressError('E_LIMIT', 'zstd: the frames ask for more window memory than the output limit allows')
        this.header = h
        this.frameOutput = 0
        this.hash = new Xxh64()
        this.inner = new Decompress((data) => this.accept(data))
        // fzstd parses the header itself: give it the magic number back in front.
        this.inner.push(Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd), false)
        this.inner.push(q.take(h.length), false)
        this.state = 'block'
        return 'progress'
      }
      case 'block': {
        if (q.available < 3) return 'more'
        const bh = q.peek(3)
        const word = bh[0]! | (bh[1]! << 8) | (bh[2]! << 16)
        const last = word & 1
        const type = (word >> 1) & 3
        const size = word >>> 3
        if (type === 3) throw corrupt('reserved block type')
        if (size > MAX_BLOCK || (type !== 1 && size > this.header!.windowSize)) throw corrupt(`block of ${size} bytes exceeds the maximum`)
        const payload = type === 1 ? 1 : size // an RLE block stores one byte
        if (q.available < 3 + payload) return 'more'
        this.inner!.push(q.take(3 + payload), false)
        if (last) this.state = 'checksum'
        return 'progress'
      }
      case 'checksum': {
        const need = this.header!.checksum ? 4 : 0
        if (q.available < need) return 'more'
        const stored = need ? q.take(4) : new Uint8Array(0)
        this.inner!.push(stored, true) // fzstd expects (and skips) the checksum bytes
        if (need && u32(stored, 0) !== this.hash.digest()[1]) throw corrupt('content checksum mismatch')
        const h = this.header!
        if (h.contentSize !== undefined && this.frameOutput !== h.contentSize) {
          throw corrupt(`frame declares ${h.contentSize} bytes but decodes to ${this.frameOutput}`)
        }
        return 'done'
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
