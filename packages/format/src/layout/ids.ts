import type { CodecName } from '@torshpkg/compress'

/** What a resource is for. Stored as one byte; see docs/format.md. */
export type ResourceType = 'model' | 'weights' | 'code' | 'config' | 'data' | 'docs' | 'tokenizer' | 'other'

/** Resource type by id: the array index is the byte stored in the index. */
export const RESOURCE_TYPES: readonly ResourceType[] = ['other', 'model', 'weights', 'code', 'config', 'data', 'docs', 'tokenizer']

/** Hash algorithms by id (preamble byte 14). 0 is never valid. */
export const HASH_ALGORITHM_IDS: Readonly<Record<number, 'sha256' | 'blake3'>> = { 1: 'sha256', 2: 'blake3' }

/**
 * Chunk codecs by id (chunk record byte 16). Ids are fixed forever; a reader that lacks a
 * codec still opens the package and fails only on chunks that use it (`E_UNSUPPORTED`).
 */
export const CODEC_IDS: Readonly<Record<number, CodecName>> = {
  0: 'none',
  1: 'deflate',
  2: 'zlib',
  3: 'gzip',
  4: 'lz4',
  5: 'zstd',
  6: 'xz',
  7: 'lzma',
}

/**
 * Bit 7 of the chunk record's codec byte (format 1.1): the stored bytes are encrypted; bits
 * 0-6 are the codec of the content inside. 1.0 readers see an unknown codec id and refuse
 * the chunk, so they never return ciphertext as data.
 */
export const CODEC_ENCRYPTED = 0x80
/** The codec id inside the codec byte (bits 0-6). */
export const CODEC_MASK = 0x7f

export function codecId(name: CodecName): number {
  for (const [id, n] of Object.entries(CODEC_IDS)) if (n === name) return Number(id)
  throw new Error(`no id for codec ${name}`)
}

/** Chunk filters (chunk record byte 17). */
export const FILTER_NONE = 0
/**
 * Byte shuffle before the codec: byte k of every element grouped together; the parameter
 * (byte 18) is the element width, 2, 4 or 8. Readers decode, then unshuffle.
 */
export const FILTER_SHUFFLE = 1

/** Whether `(filter, parameter)` is a combination format 1.0 defines. */
export function isDefinedFilter(filter: number, parameter: number): boolean {
  if (filter === FILTER_NONE) return parameter === 0
  if (filter === FILTER_SHUFFLE) return parameter === 2 || parameter === 4 || parameter === 8
  return false
}
