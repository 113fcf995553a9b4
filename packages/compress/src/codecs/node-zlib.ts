import { gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib'
import { CompressError } from '../errors.js'

type Decode = (data: Uint8Array, options: ZlibOptions & { maxOutputLength?: number }) => Buffer

const DECODERS: Record<'deflate' | 'gzip' | 'zlib', Decode> = {
  deflate: inflateRawSync,
  gzip: gunzipSync, // every member of a multi-member stream, each CRC-checked
  zlib: inflateSync, // Adler-32 checked
}

/**
 * One-shot decoding with Node's zlib: native speed, the same output as fflate by definition
 * (tests compare both on every fixture), and `maxOutputLength` stops it at the limit.
 */
export function nodeDecode(name: 'deflate' | 'gzip' | 'zlib', data: Uint8Array, maxOutputSize: number, expectedSize?: number): Uint8Array {
  if (data.length === 0) throw new CompressError('E_CORRUPT', `${name}: empty input is not a ${name} stream`)
  const limit = expectedSize === undefined ? maxOutputSize : expectedSize
  let out: Buffer
  try {
    out = DECODERS[name](data, { maxOutputLength: Math.max(1, limit) })
  } catch (e) {
    if (e instanceof RangeError) {
      throw expectedSize === undefined
        ? new CompressError('E_LIMIT', `${name}: output exceeds maxOutputSize ${maxOutputSize}`)
        : new CompressError('E_SIZE_MISMATCH', `${name}: output exceeds the expected ${expectedSize} bytes`)
    }
    throw new CompressError('E_CORRUPT', `${name}: malformed stream (${(e as Error)?.message ?? e})`, { cause: e })
  }
  if (out.length > limit) throw new CompressError('E_LIMIT', `${name}: output exceeds maxOutputSize ${maxOutputSize}`)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}
