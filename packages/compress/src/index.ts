/**
 * `@torshpkg/compress`: the codecs torshpkg packages use, with one API in every runtime.
 * This is the browser-safe build; Node resolves `index.node.ts` through the `node` condition.
 *
 * @example
 * ```ts
 * import { compress, decompress } from '@torshpkg/compress'
 * const packed = await compress(bytes, { codec: 'deflate', level: 6 })
 * const back = await decompress(packed, { codec: 'deflate', maxOutputSize: bytes.length })
 * ```
 * @packageDocumentation
 */
import { createCompressApi } from './api.js'
import { deflate } from './codecs/deflate.js'
import { none } from './codecs/none.js'

export * from './public.js'

const api = createCompressApi([none, deflate])

/** What each codec can do in this runtime: `codecs.deflate.canCompress`, and so on. */
export const codecs = api.codecs
/** Compress `data` with the named codec (async; the same bytes as {@link compressSync}). */
export const compress = api.compress
/** Decompress `data`, never producing more than `maxOutputSize` bytes. */
export const decompress = api.decompress
/** Synchronous {@link compress}. */
export const compressSync = api.compressSync
/** Synchronous {@link decompress}. */
export const decompressSync = api.decompressSync
