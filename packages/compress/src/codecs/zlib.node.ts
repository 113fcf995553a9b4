import type { Codec } from '../types.js'
import { nodeDecode } from './node-zlib.js'
import { zlib as portable } from './zlib.js'

/** Node's zlib: fflate's encoder (deterministic bytes), zlib's decoder (Adler-32 checked). */
export const zlib: Codec = { ...portable, decompressSync: (data, max, expected) => nodeDecode('zlib', data, max, expected) }
