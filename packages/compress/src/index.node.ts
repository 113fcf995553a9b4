// Node build: the same API as index.ts (whose types and docs it shares), with node:zlib
// decoding deflate/gzip/zlib (same bytes, faster) and zstd natively where Node has it.
import { createCompressApi } from './api.js'
import { createNodePool } from './pool/pool.node.js'
import type { CodecPool, PoolOptions } from './pool/pool.js'
import { deflate } from './codecs/deflate.node.js'
import { gzip } from './codecs/gzip.node.js'
import { lz4 } from './codecs/lz4.js'
import { lzma } from './codecs/lzma.js'
import { none } from './codecs/none.js'
import { xz } from './codecs/xz.js'
import { zlib } from './codecs/zlib.node.js'
import { zstd } from './codecs/zstd.node.js'

export * from './public.js'

const api = createCompressApi([none, deflate, gzip, zlib, lz4, zstd, xz, lzma])
export const {
  codecs,
  compress,
  decompress,
  compressSync,
  decompressSync,
  compressStream,
  decompressStream,
  compressIterable,
  decompressIterable,
} = api

export function createPool(options: PoolOptions = {}): CodecPool {
  return createNodePool(options, api)
}
