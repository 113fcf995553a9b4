// Node build: the same API as index.ts (whose types and docs it shares), with node:zlib
// decoding deflate (same bytes, faster).
import { createCompressApi } from './api.js'
import { deflate } from './codecs/deflate.node.js'
import { none } from './codecs/none.js'

export * from './public.js'
export const { codecs, compress, decompress, compressSync, decompressSync } = createCompressApi([none, deflate])
