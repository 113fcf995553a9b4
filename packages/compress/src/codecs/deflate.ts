import { Deflate, deflateSync, Inflate, inflateSync } from 'fflate'
import { concatBytes } from '../byte-queue.js'
import { CompressError } from '../errors.js'
import type { Codec, Levels } from '../types.js'
import { fflateDecoder, fflateEncoder } from './fflate-stream.js'

type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9

/** zlib's levels, shared by deflate, gzip and zlib. */
export const DEFLATE_LEVELS: Levels = { min: 0, max: 9, default: 6, presets: { fast: 1, balanced: 6, max: 9 } }

/**
 * Raw DEFLATE (RFC 1951) through fflate, everywhere. Compression always uses fflate, so a
 * package packed in Node and in a browser is byte-identical (node:zlib's encoder emits
 * different bytes for the same input). Raw deflate has no checksum of its own.
 */
export const deflate: Codec = {
  name: 'deflate',
  canCompress: true,
  canDecompress: true,
  streaming: true,
  levels: DEFLATE_LEVELS,
  compressSync: (data, level) => deflateSync(data, { level: level as Level }),
  decompressSync(data, maxOutputSize, expectedSize) {
    // An empty input is not a deflate stream (even an empty payload needs a final block).
    if (data.length === 0) throw new CompressError('E_CORRUPT', 'deflate: empty input is not a deflate stream')
    return expectedSize === undefined ? inflateBounded(data, maxOutputSize) : inflateExact(data, expectedSize)
  },
  createEncoder: (level) => fflateEncoder(new Deflate({ level: level as Level }) as never),
  createDecoder(maxOutputSize) {
    const d = fflateDecoder('deflate', new Inflate() as never, maxOutputSize)
    let seen = false
    return {
      push(chunk, final) {
        seen ||= chunk.length > 0
        const out = d.push(chunk, final)
        if (final && (!seen || !d.done)) throw new CompressError('E_CORRUPT', 'deflate: stream ended before its final block')
        return out
      },
    }
  },
}

/** Inflate into a buffer of exactly `size + 1` bytes; a full buffer means the stream was longer. */
function inflateExact(data: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size + 1)
  let result: Uint8Array
  try {
    result = inflateSync(data, { out })
  } catch (e) {
    // fflate throws RangeError when a stored block overruns the fixed buffer.
    if (e instanceof RangeError) throw new CompressError('E_SIZE_MISMATCH', `deflate: output exceeds the expected ${size} bytes`)
    throw new CompressError('E_CORRUPT', `deflate: malformed stream (${(e as Error).message})`, { cause: e })
  }
  // fflate silently drops Huffman output past the end of a fixed buffer; the spare byte catches that.
  if (result.length !== size) {
    throw new CompressError('E_SIZE_MISMATCH', `deflate: decoded ${result.length > size ? 'more than' : result.length} bytes, expected ${size}`)
  }
  return result.subarray(0, size)
}

/** Inflate with no size hint, stopping as soon as the output passes `max`. */
function inflateBounded(data: Uint8Array, max: number): Uint8Array {
  const d = fflateDecoder('deflate', new Inflate() as never, max)
  const out = d.push(data, true)
  if (!d.done) throw new CompressError('E_CORRUPT', 'deflate: stream ended before its final block')
  return concatBytes(out, d.produced)
}
