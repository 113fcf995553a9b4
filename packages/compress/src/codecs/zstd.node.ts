import { constants } from 'node:buffer'
import * as zlib from 'node:zlib'
import { Duplex } from 'node:stream'
import { CompressError } from '../errors.js'
import type { Codec } from '../types.js'
import { MAX_WINDOW, zstd as portable } from './zstd.js'

/** node:zlib's zstd functions (Node >= 22.15; absent from older Nodes and their types). */
interface NodeZstd {
  zstdCompressSync(data: Uint8Array, options: object): Buffer
  zstdDecompressSync(data: Uint8Array, options: object): Buffer
  createZstdCompress(options: object): import('node:stream').Transform
  constants: Record<string, number>
}
const native = typeof (zlib as unknown as Partial<NodeZstd>).zstdCompressSync === 'function' ? (zlib as unknown as NodeZstd) : undefined

/** Write-side parameters: the level and a content checksum (as the zstd CLI writes by default). */
function params(level: number): object {
  const c = native!.constants
  return { params: { [c.ZSTD_c_compressionLevel!]: level, [c.ZSTD_c_checksumFlag!]: 1 } }
}

/**
 * Zstandard in Node. Where node:zlib has zstd (Node >= 22.15) it compresses and decodes
 * natively; on older Nodes it decodes with the portable fzstd path and cannot compress
 * (`E_CODEC_UNAVAILABLE`). Native output differs from nothing else we produce: there is no
 * portable zstd encoder, so packages with zstd chunks can only be made where this runs.
 */
export const zstd: Codec = native
  ? {
      ...portable,
      canCompress: true,
      levels: { min: 1, max: 19, default: 3, presets: { fast: 1, balanced: 3, max: 19 } },
      compressSync(data, level) {
        const out = native.zstdCompressSync(data, params(level))
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
      },
      decompressSync(data, maxOutputSize, expectedSize) {
        const limit = expectedSize ?? maxOutputSize
        if (data.length === 0) throw new CompressError('E_CORRUPT', 'zstd: empty input is not a zstd stream')
        let result: { buffer: Buffer; engine: { bytesWritten: number } }
        try {
          result = native.zstdDecompressSync(data, {
            maxOutputLength: Math.max(1, Math.min(limit, constants.MAX_LENGTH)),
            params: { [native.constants.ZSTD_d_windowLogMax!]: Math.log2(MAX_WINDOW) },
            info: true,
          }) as unknown as typeof result
        } catch (e) {
          if (e instanceof RangeError) throw new CompressError(expectedSize === undefined ? 'E_LIMIT' : 'E_SIZE_MISMATCH', `zstd: output exceeds ${limit} bytes`)
          throw new CompressError('E_CORRUPT', `zstd: malformed stream (${(e as Error)?.message ?? e})`, { cause: e })
        }
        const out = result.buffer
        if (out.length > limit) throw new CompressError(expectedSize === undefined ? 'E_LIMIT' : 'E_SIZE_MISMATCH', `zstd: output exceeds ${limit} bytes`)
        // As the portable decoder does: nothing may follow the last frame.
        if (result.engine.bytesWritten < data.length) throw new CompressError('E_CORRUPT', 'zstd: garbage after the last frame')
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
      },
      createEncoderStream: (level) => Duplex.toWeb(native.createZstdCompress(params(level))) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
    }
  : portable
