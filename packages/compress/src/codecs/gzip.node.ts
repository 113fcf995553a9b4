import type { Codec } from '../types.js'
import { gzip as portable } from './gzip.js'
import { nodeDecode } from './node-zlib.js'

/** Node's gzip: fflate's encoder (deterministic bytes), zlib's decoder (multi-member, CRC-checked). */
export const gzip: Codec = { ...portable, decompressSync: (data, max, expected) => nodeDecode('gzip', data, max, expected) }
