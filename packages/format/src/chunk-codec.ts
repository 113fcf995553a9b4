import { codecs, CompressError, compressSync, decompressSync, worthCompressing } from '@torshpkg/compress'
import { PackageError } from './errors.js'
import { CODEC_IDS, FILTER_NONE, type ChunkCodec } from './layout/ids.js'
import type { ChunkRecord } from './layout/index-table.js'

/** How chunks are compressed: per package (createPackage) or per resource (add). */
export type CompressionOption = 'none' | 'deflate' | 'auto' | { codec: ChunkCodec | 'auto'; level?: number }

/** A validated {@link CompressionOption}. */
export interface CompressionPolicy {
  codec: ChunkCodec | 'auto'
  level: number
}

const DEFAULT_LEVEL = 6
// 'auto' keeps a compressed chunk only if it saves at least this fraction: below that the
// reader's decode time costs more than the bytes saved, and zero-copy views are lost.
const AUTO_MIN_SAVING = 0.1

export function compressionPolicy(option: CompressionOption | undefined, fallback: CompressionPolicy): CompressionPolicy {
  if (option === undefined) return fallback
  const o = typeof option === 'string' ? { codec: option } : option
  if (typeof o !== 'object' || o === null || !['none', 'deflate', 'auto'].includes(o.codec as string)) {
    throw new PackageError('E_ARGUMENT', `compression must be 'none', 'deflate', 'auto' or { codec, level }, got ${JSON.stringify(option)}`, { field: 'compression' })
  }
  const level = (o as { level?: number }).level ?? DEFAULT_LEVEL
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new PackageError('E_ARGUMENT', `compression level must be an integer from 0 to 9, got ${JSON.stringify(level)}`, { field: 'compression.level' })
  }
  return { codec: o.codec as CompressionPolicy['codec'], level }
}

export const DEFAULT_POLICY: CompressionPolicy = { codec: 'auto', level: DEFAULT_LEVEL }

/** Encode one chunk; a compressed form is kept only when it is smaller (by 10% for 'auto'). */
export function encodeChunk(raw: Uint8Array, policy: CompressionPolicy): { codec: number; stored: Uint8Array } {
  if (policy.codec === 'none' || raw.length === 0) return { codec: 0, stored: raw }
  if (policy.codec === 'auto' && !worthCompressing(raw)) return { codec: 0, stored: raw }
  const packed = compressSync(raw, { codec: 'deflate', level: policy.level })
  const limit = policy.codec === 'auto' ? raw.length * (1 - AUTO_MIN_SAVING) : raw.length
  return packed.length < limit ? { codec: 1, stored: packed } : { codec: 0, stored: raw }
}

/** Decode a chunk's stored bytes (already hash-checked) to exactly its raw length. */
export function decodeChunk(record: ChunkRecord, stored: Uint8Array, where: string): Uint8Array {
  if (record.filter !== FILTER_NONE) {
    throw new PackageError('E_UNSUPPORTED', `${where} uses filter ${record.filter}, which this build cannot undo`, { filter: record.filter })
  }
  const name = CODEC_IDS[record.codec]
  if (name === 'none') return stored
  if (name === undefined || !codecs[name].canDecompress) {
    throw new PackageError('E_UNSUPPORTED', `${where} uses codec ${name ?? `#${record.codec}`}, which this build cannot decode`, { codec: name ?? record.codec })
  }
  try {
    return decompressSync(stored, { codec: name, expectedSize: record.rawLength, maxOutputSize: record.rawLength })
  } catch (e) {
    if (e instanceof CompressError && e.code === 'E_CODEC_UNAVAILABLE') {
      throw new PackageError('E_UNSUPPORTED', `${where}: ${e.message}`, {}, { cause: e })
    }
    throw new PackageError('E_CORRUPT_CHUNK', `${where} does not decode to its ${record.rawLength} bytes: ${(e as Error).message}`, {}, { cause: e })
  }
}
