// Node build: the same API as index.ts, with node:zlib decoding deflate (same bytes, faster).
import { createCompressApi } from './api.js'
import { deflate } from './codecs/deflate.node.js'
import { none } from './codecs/none.js'

export * from './public.js'

const api = createCompressApi([none, deflate])

export const codecs = api.codecs
export const compress = api.compress
export const decompress = api.decompress
export const compressSync = api.compressSync
export const decompressSync = api.decompressSync
