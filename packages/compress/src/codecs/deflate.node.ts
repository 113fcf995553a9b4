import type { Codec } from '../types.js'
import { deflate as portable } from './deflate.js'
import { nodeDecode } from './node-zlib.js'

/** Node's deflate: fflate's encoder (byte-identical packages everywhere), zlib's decoder. */
export const deflate: Codec = { ...portable, decompressSync: (data, max, expected) => nodeDecode('deflate', data, max, expected) }
