import { constants } from 'node:buffer'
import { gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib'
import { CompressError } from '../errors.js'

type Decode = (data: Uint8Array, options: ZlibOptions & { maxOutputLength?: number; info: true }) => { buffer: Buffer; engine: { bytesWritten: number } }

const DECODERS: Record<'deflate' | 'gzip' | 'zlib', Decode> = {
  deflate: inflateRawSync as unknown as Decode,
  gzip: gunzipSync as unknown as Decode, // every member of a multi-member stream, each CRC-checked
  zlib: inflateSync as unknown as Decode, // Adler-32 checked
}

/**
 * One-shot decoding with Node's zlib: native speed, the same output as fflate by definition
 * (tests compare both on every fixture), and `maxOutputLength` stops it at the limit.
 * Bytes after the stream are refused as the portable decoders refuse them, except trailing
 * zeros after gzip (padding `gzip -d` also ignores) and anything after raw deflate, which has
 * no framing to say where it ends (fflate ignores it too).
 */
export function nodeDecode(name: 'deflate' | 'gzip' | 'zlib', data: Uint8Array, maxOutputSize: number, expectedSize?: number): Uint8Array {
  if (data.length === 0) throw new CompressError('E_CORRUPT', `${name}: empty input is not a ${name} stream`)
  const limit = expectedSize === undefined ? maxOutputSize : expectedSize
  let result: ReturnType<Decode>
  try {
    // Node cannot allocate more than buffer.constants.MAX_LENGTH in one buffer anyway.
    result = DECODERS[name](data, { maxOutputLength: Math.max(1, Math.min(limit, constants.MAX_LENGTH)), info: true })
  } catch (e) {
    if (e instanceof RangeError) {
      throw expectedSize === undefined
        ? new CompressError('E_LIMIT', `${name}: output exceeds maxOutputSize ${maxOutputSize}`)
        : new CompressError('E_SIZE_MISMATCH', `${name}: output exceeds the expected ${expectedSize} bytes`)
    }
    throw new CompressError('E_CORRUPT', `${name}: malformed stream (${(e as Error)?.message ?? e})`, { cause: e })
  }
  const out = result.buffer
  if (out.length > limit) throw new CompressError('E_LIMIT', `${name}: output exceeds maxOutputSize ${maxOutputSize}`)
  const consumed = result.engine.bytesWritten
  if (name !== 'deflate' && consumed < data.length) {
    const rest = data.subarray(consumed)
    if (!(name === 'gzip' && rest.every((b) => b === 0))) {
      throw new CompressError('E_CORRUPT', `${name}: ${rest.length} bytes of garbage after the end of the stream`)
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}
