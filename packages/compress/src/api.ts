import { toBytes } from './bytes.js'
import { detectCodec } from './detect.js'
import { CompressError } from './errors.js'
import {
  DEFAULT_MAX_OUTPUT_SIZE,
  type BytesLike,
  type Codec,
  type CodecInfo,
  type CodecName,
  type CompressOptions,
  type DecompressOptions,
} from './types.js'

/** Every name in {@link CodecName}, so lookups can tell "unknown" from "not in this build". */
export const CODEC_NAMES: readonly CodecName[] = ['none', 'deflate', 'gzip', 'zlib', 'lz4', 'zstd', 'xz', 'lzma']

const UNAVAILABLE: CodecInfo = Object.freeze({ canCompress: false, canDecompress: false, streaming: false })

/** The public functions, bound to one build's set of codec implementations. */
export interface CompressApi {
  codecs: Readonly<Record<CodecName, CodecInfo>>
  compressSync(data: BytesLike, options: CompressOptions): Uint8Array
  decompressSync(data: BytesLike, options?: DecompressOptions): Uint8Array
  compress(data: BytesLike, options: CompressOptions): Promise<Uint8Array>
  decompress(data: BytesLike, options?: DecompressOptions): Promise<Uint8Array>
}

/** Build the API over `implementations` (the browser build and the Node build differ only here). */
export function createCompressApi(implementations: readonly Codec[]): CompressApi {
  const byName = new Map<CodecName, Codec>(implementations.map((c) => [c.name, c]))
  const codecs = Object.freeze(
    Object.fromEntries(
      CODEC_NAMES.map((name) => {
        const c = byName.get(name)
        const info: CodecInfo = c
          ? Object.freeze({ canCompress: c.canCompress, canDecompress: c.canDecompress, streaming: c.streaming })
          : UNAVAILABLE
        return [name, info]
      }),
    ) as Record<CodecName, CodecInfo>,
  )

  function lookup(name: unknown, direction: 'compress' | 'decompress'): Codec {
    if (typeof name !== 'string' || !(CODEC_NAMES as readonly string[]).includes(name)) {
      throw new CompressError('E_UNKNOWN_CODEC', `unknown codec ${JSON.stringify(name)}; known: ${CODEC_NAMES.join(', ')}`)
    }
    const codec = byName.get(name as CodecName)
    const able = direction === 'compress' ? codec?.compressSync : codec?.decompressSync
    if (!codec || !able) {
      throw new CompressError('E_CODEC_UNAVAILABLE', `codec '${name}' cannot ${direction} in this build`)
    }
    return codec
  }

  function compressSync(data: BytesLike, options: CompressOptions): Uint8Array {
    const codec = lookup(options?.codec, 'compress')
    const levels = codec.levels
    const level = options.level ?? levels?.default ?? 0
    if (levels && (!Number.isInteger(level) || level < levels.min || level > levels.max)) {
      throw new CompressError('E_ARGUMENT', `${codec.name}: level must be an integer from ${levels.min} to ${levels.max}, got ${level}`)
    }
    return codec.compressSync!(toBytes(data), level)
  }

  function decompressSync(data: BytesLike, options: DecompressOptions = {}): Uint8Array {
    const bytes = toBytes(data)
    const max = options.maxOutputSize ?? DEFAULT_MAX_OUTPUT_SIZE
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new CompressError('E_ARGUMENT', `maxOutputSize must be a non-negative integer, got ${max}`)
    }
    const expected = options.expectedSize
    if (expected !== undefined) {
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new CompressError('E_ARGUMENT', `expectedSize must be a non-negative integer, got ${expected}`)
      }
      if (expected > max) throw new CompressError('E_LIMIT', `expectedSize ${expected} exceeds maxOutputSize ${max}`)
    }
    const name = options.codec ?? detectCodec(bytes)
    if (name === undefined) {
      throw new CompressError('E_UNKNOWN_CODEC', 'no codec given and none recognised from the magic bytes (raw deflate must be named)')
    }
    const out = lookup(name, 'decompress').decompressSync!(bytes, max, expected)
    if (expected !== undefined && out.length !== expected) {
      throw new CompressError('E_SIZE_MISMATCH', `${name}: decoded ${out.length} bytes, expected ${expected}`)
    }
    return out
  }

  return {
    codecs,
    compressSync,
    decompressSync,
    compress: async (data, options) => compressSync(data, options),
    decompress: async (data, options) => decompressSync(data, options),
  }
}
