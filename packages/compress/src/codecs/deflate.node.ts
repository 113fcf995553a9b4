import { inflateRawSync } from 'node:zlib'
import { CompressError } from '../errors.js'
import type { Codec } from '../types.js'
import { deflate as portable } from './deflate.js'

/**
 * Node's deflate: the same encoder as the portable codec (fflate, for byte-identical packages
 * everywhere) and zlib's native decoder, which is several times faster and decodes to the
 * same bytes by definition (the test suite checks it on every input it round-trips).
 */
export const deflate: Codec = {
  ...portable,
  decompressSync(data, maxOutputSize, expectedSize) {
    if (data.length === 0) throw new CompressError('E_CORRUPT', 'deflate: empty input is not a deflate stream')
    const limit = expectedSize === undefined ? maxOutputSize : expectedSize
    let out: Buffer
    try {
      // maxOutputLength makes zlib stop (RangeError) instead of growing past the limit.
      out = inflateRawSync(data, { maxOutputLength: Math.max(1, limit) })
    } catch (e) {
      if (e instanceof RangeError) {
        throw expectedSize === undefined
          ? new CompressError('E_LIMIT', `deflate: output exceeds maxOutputSize ${maxOutputSize}`)
          : new CompressError('E_SIZE_MISMATCH', `deflate: output exceeds the expected ${expectedSize} bytes`)
      }
      const detail = e instanceof Error ? e.message : String(e)
      throw new CompressError('E_CORRUPT', `deflate: malformed stream (${detail})`, { cause: e })
    }
    if (expectedSize !== undefined && out.length !== expectedSize) {
      throw new CompressError('E_SIZE_MISMATCH', `deflate: decoded ${out.length} bytes, expected ${expectedSize}`)
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  },
}
