/**
 * `@torshpkg/compress`: the codecs model files come in, with one API in every runtime.
 * This is the browser-safe build; Node resolves `index.node.ts` through the `node` condition.
 *
 * @example
 * ```ts
 * import { compress, decompress, detectCodec } from '@torshpkg/compress'
 * const packed = await compress(bytes, { codec: 'gzip', level: 'max' })
 * detectCodec(packed) // 'gzip'
 * const back = await decompress(packed, { maxOutputSize: 64 << 20 })
 * ```
 * @packageDocumentation
 */
import { createCompressApi } from './api.js'
import { createBrowserPool } from './pool/pool.browser.js'
import type { CodecPool, PoolOptions } from './pool/pool.js'
import { deflate } from './codecs/deflate.js'
import { gzip } from './codecs/gzip.js'
import { lz4 } from './codecs/lz4.js'
import { lzma } from './codecs/lzma.js'
import { none } from './codecs/none.js'
import { xz } from './codecs/xz.js'
import { zlib } from './codecs/zlib.js'
import { zstd } from './codecs/zstd.js'

export * from './public.js'

const api = createCompressApi([none, deflate, gzip, zlib, lz4, zstd, xz, lzma])

/** What each codec can do in this runtime: `codecs.zstd.canCompress`, and so on. */
export const codecs = api.codecs
/** Compress `data` with the named codec, level or preset, and optional byte shuffle. */
export const compress = api.compress
/** Decompress `data` (codec detected from its magic bytes when not named), never past `maxOutputSize`. */
export const decompress = api.decompress
/** Synchronous {@link compress}. */
export const compressSync = api.compressSync
/** Synchronous {@link decompress} (every codec but xz). */
export const decompressSync = api.decompressSync
/** A compressing transform: `readable.pipeThrough(compressStream({ codec: 'lz4' }))`. */
export const compressStream = api.compressStream
/** A decompressing transform, bounded by `maxOutputSize`. */
export const decompressStream = api.decompressStream
/** Compress an (async) iterable of byte pieces. */
export const compressIterable = api.compressIterable
/** Decompress an (async) iterable of byte pieces. */
export const decompressIterable = api.decompressIterable

/**
 * A pool of workers (Web Workers here, worker threads in Node) for compressing and
 * decompressing many independent pieces in parallel; runs inline where workers are unavailable.
 *
 * @example
 * ```ts
 * const pool = createPool()
 * const packed = await Promise.all(chunks.map((c) => pool.compress(c, { codec: 'deflate' })))
 * await pool.close()
 * ```
 */
export function createPool(options: PoolOptions = {}): CodecPool {
  return createBrowserPool(options, api)
}
