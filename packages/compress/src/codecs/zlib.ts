import { Inflate, Zlib, zlibSync } from 'fflate'
import { concatBytes } from '../byte-queue.js'
import { adler32 } from '../checksums/adler32.js'
import { CompressError } from '../errors.js'
import type { Codec, StreamCoder } from '../types.js'
import { DEFLATE_LEVELS } from './deflate.js'
import { fflateDecoder, fflateEncoder } from './fflate-stream.js'

type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9
const corrupt = (why: string) => new CompressError('E_CORRUPT', `zlib: ${why}`)

/**
 * A zlib decoder (RFC 1950): the 2-byte header is checked here, the deflate body goes to
 * fflate's raw inflater, and the last 4 input bytes are held back as the Adler-32 trailer,
 * which must match the output (fflate's own Unzlib does not check it).
 */
class ZlibDecoder implements StreamCoder {
  private readonly inner: ReturnType<typeof fflateDecoder>
  private adler = 1
  private header: Uint8Array = new Uint8Array(0)
  private held: Uint8Array = new Uint8Array(0) // the last 4 bytes seen: the trailer, once input ends

  constructor(max: number) {
    this.inner = fflateDecoder('zlib', new Inflate() as never, max, (data) => {
      this.adler = adler32(data, this.adler)
    })
  }

  push(chunk: Uint8Array, final: boolean): Uint8Array[] {
    if (this.header.length < 2) {
      const take = Math.min(2 - this.header.length, chunk.length)
      this.header = Uint8Array.of(...this.header, ...chunk.subarray(0, take))
      chunk = chunk.subarray(take)
      if (this.header.length === 2) {
        const [cmf, flg] = this.header as unknown as [number, number]
        if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0) throw corrupt('bad header')
        if (flg & 0x20) throw new CompressError('E_CODEC_UNAVAILABLE', 'zlib: streams that need a preset dictionary are not supported')
      }
    }
    // Everything but the last 4 bytes is deflate data.
    const all = this.held.length ? concatBytes([this.held, chunk]) : chunk
    const body = all.subarray(0, Math.max(0, all.length - 4))
    this.held = all.slice(body.length)
    if (final && (this.header.length < 2 || this.held.length < 4)) throw corrupt('stream is too short (truncated?)')
    const out = this.inner.push(body, final)
    if (final) {
      const h = this.held
      const expected = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0
      if (expected !== this.adler) throw corrupt('Adler-32 check failed')
    }
    return out
  }
}

/** zlib (RFC 1950) through fflate. */
export const zlib: Codec = {
  name: 'zlib',
  canCompress: true,
  canDecompress: true,
  streaming: true,
  levels: DEFLATE_LEVELS,
  compressSync: (data, level) => zlibSync(data, { level: level as Level }),
  decompressSync: (data, maxOutputSize, expectedSize) => concatBytes(new ZlibDecoder(expectedSize ?? maxOutputSize).push(data, true)),
  createEncoder: (level) => fflateEncoder(new Zlib({ level: level as Level }) as never),
  createDecoder: (maxOutputSize) => new ZlibDecoder(maxOutputSize),
}
