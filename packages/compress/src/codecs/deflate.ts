import { deflateSync, Inflate, inflateSync } from 'fflate'
import { CompressError } from '../errors.js'
import type { Codec } from '../types.js'

// Compressed input is fed to the streaming inflater in slices this big, so one push can
// produce at most ~1032x of it (deflate's maximum ratio): the overshoot past a limit stays small.
const INPUT_SLICE = 16 * 1024

/**
 * Raw DEFLATE (RFC 1951) through fflate, everywhere. Compression always uses fflate, so a
 * package packed in Node and in a browser is byte-identical (node:zlib's encoder emits
 * different bytes for the same input).
 */
export const deflate: Codec = {
  name: 'deflate',
  canCompress: true,
  canDecompress: true,
  streaming: false,
  levels: { min: 0, max: 9, default: 6 },
  compressSync(data, level) {
    return deflateSync(data, { level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 })
  },
  decompressSync(data, maxOutputSize, expectedSize) {
    // An empty input is not a deflate stream (even an empty payload needs a final block).
    if (data.length === 0) throw new CompressError('E_CORRUPT', 'deflate: empty input is not a deflate stream')
    return expectedSize === undefined
      ? inflateBounded(data, maxOutputSize)
      : inflateExact(data, expectedSize)
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
    throw corrupt(e)
  }
  // fflate silently drops Huffman output past the end of a fixed buffer; the spare byte catches that.
  if (result.length !== size) {
    throw new CompressError('E_SIZE_MISMATCH', `deflate: decoded ${result.length > size ? 'more than' : result.length} bytes, expected ${size}`)
  }
  return result.subarray(0, size)
}

/** Inflate with no size hint, stopping as soon as the output passes `max`. */
function inflateBounded(data: Uint8Array, max: number): Uint8Array {
  const parts: Uint8Array[] = []
  let total = 0
  let done = false
  const inflater = new Inflate((chunk, final) => {
    total += chunk.length
    if (total > max) throw new CompressError('E_LIMIT', `deflate: output exceeds maxOutputSize ${max}`)
    parts.push(chunk)
    done ||= final
  })
  try {
    for (let at = 0; at < data.length; at += INPUT_SLICE) {
      const end = Math.min(at + INPUT_SLICE, data.length)
      inflater.push(data.subarray(at, end), end === data.length)
    }
  } catch (e) {
    if (e instanceof CompressError) throw e
    throw corrupt(e)
  }
  if (!done) throw new CompressError('E_CORRUPT', 'deflate: stream ended before its final block')
  return concat(parts, total)
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function corrupt(cause: unknown): CompressError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new CompressError('E_CORRUPT', `deflate: malformed stream (${detail})`, { cause })
}
