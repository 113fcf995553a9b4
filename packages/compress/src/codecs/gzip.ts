import { Gunzip, Gzip, gzipSync } from 'fflate'
import { concatBytes } from '../byte-queue.js'
import { crc32 } from '../checksums/crc32.js'
import { CompressError } from '../errors.js'
import type { Codec, StreamCoder } from '../types.js'
import { DEFLATE_LEVELS } from './deflate.js'
import { fflateDecoder, fflateEncoder } from './fflate-stream.js'

type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9

// Every member header we write is the same 10 bytes: no name, no comment, mtime 0 (so the
// output depends only on the input), OS 3 (Unix), as fflate writes it.
const GZIP_OPTIONS = { mtime: 0 } as const

/**
 * A gzip decoder (RFC 1952) over fflate's Gunzip, which handles concatenated members, plus
 * what fflate leaves out: each member's CRC-32 and length (ISIZE) are checked against its
 * output, so corrupted data is an error, not silently wrong bytes.
 */
class GzipDecoder implements StreamCoder {
  private readonly inner: ReturnType<typeof fflateDecoder>
  private crc = 0
  private memberLength = 0
  private members = 0
  // Input is addressed by absolute offset: the chunk being decoded, and the tail of what came
  // before it (a member's 8-byte trailer can precede the header that reveals the boundary).
  private current: Uint8Array = new Uint8Array(0)
  private currentStart = 0
  private before: Uint8Array = new Uint8Array(0)
  private beforeStart = 0
  private consumed = 0

  constructor(max: number) {
    const gunzip = new Gunzip()
    gunzip.onmember = (offset: number) => this.endMember(offset)
    this.inner = fflateDecoder('gzip', gunzip as never, max, (data) => {
      this.crc = crc32(data, this.crc)
      this.memberLength += data.length
    })
  }

  push(chunk: Uint8Array, final: boolean): Uint8Array[] {
    this.current = chunk
    this.currentStart = this.consumed
    this.consumed += chunk.length
    if (final && this.consumed === 0) throw new CompressError('E_CORRUPT', 'gzip: empty input is not a gzip stream')
    const out = this.inner.push(chunk, final)
    if (final) this.endMember(this.consumed)
    const joined = this.before.length ? concatBytes([this.before, chunk]) : chunk
    this.before = joined.slice(Math.max(0, joined.length - KEEP))
    this.beforeStart = this.consumed - this.before.length
    return out
  }

  private byteAt(offset: number): number {
    if (offset >= this.currentStart && offset < this.consumed) return this.current[offset - this.currentStart]!
    if (offset >= this.beforeStart && offset < this.beforeStart + this.before.length) return this.before[offset - this.beforeStart]!
    throw new CompressError('E_CORRUPT', 'gzip: a member trailer lies out of reach (a member header over 128 KiB?)')
  }

  /** A member ended just before input offset `end`: check its trailer against its output. */
  private endMember(end: number): void {
    if (end - 8 < 0 || end > this.consumed) throw new CompressError('E_CORRUPT', 'gzip: stream ends inside a member (truncated?)')
    let crc = 0
    let size = 0
    for (let i = 3; i >= 0; i--) {
      crc = crc * 256 + this.byteAt(end - 8 + i)
      size = size * 256 + this.byteAt(end - 4 + i)
    }
    const member = ++this.members
    if (crc !== this.crc >>> 0) throw new CompressError('E_CORRUPT', `gzip: member ${member} fails its CRC-32 check`)
    if (size !== this.memberLength % 4294967296) throw new CompressError('E_CORRUPT', `gzip: member ${member} length does not match its trailer`)
    this.crc = 0
    this.memberLength = 0
  }
}

const KEEP = 128 * 1024

/** gzip (RFC 1952) through fflate; concatenated members are read back as one stream. */
export const gzip: Codec = {
  name: 'gzip',
  canCompress: true,
  canDecompress: true,
  streaming: true,
  levels: DEFLATE_LEVELS,
  compressSync: (data, level) => gzipSync(data, { level: level as Level, ...GZIP_OPTIONS }),
  decompressSync: (data, maxOutputSize, expectedSize) => concatBytes(new GzipDecoder(expectedSize ?? maxOutputSize).push(data, true)),
  createEncoder: (level) => fflateEncoder(new Gzip({ level: level as Level, ...GZIP_OPTIONS }) as never),
  createDecoder: (maxOutputSize) => new GzipDecoder(maxOutputSize),
}
