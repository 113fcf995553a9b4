import {
  chooseAuto,
  codecs,
  CompressError,
  compressSync,
  decompress,
  isShuffleWidth,
  type CodecName,
  type CodecPool,
  type Preset,
  type ShuffleWidth,
} from '@torshpkg/compress'
import type { ChunkCipher } from './encryption/chunk-cipher.js'
import { PackageError } from './errors.js'
import { codecId, CODEC_ENCRYPTED, CODEC_IDS, CODEC_MASK, FILTER_NONE, FILTER_SHUFFLE } from './layout/ids.js'
import type { ChunkRecord } from './layout/index-table.js'

/** Codecs a package's chunks can be written with (where the runtime can write them). */
export type ChunkCodec = 'none' | 'deflate' | 'gzip' | 'zlib' | 'lz4' | 'zstd'
const CHUNK_CODECS: readonly string[] = ['none', 'deflate', 'gzip', 'zlib', 'lz4', 'zstd']

/**
 * How chunks are compressed, per package (createPackage) or per resource (add):
 * - `'auto'` (default): compress a chunk only when a 4 KiB sample promises a ~20% saving
 *   (deflate; float tensors are judged, and compressed, byte-shuffled), and keep the result
 *   only if it really saves 10%. Float32 weights stay raw; JSON, code and bfloat16 shrink.
 * - a codec name: compress every chunk with it, keeping whichever of stored and compressed is smaller.
 * - `{ codec, level, shuffle }`: a level or preset, and a byte shuffle of that element width.
 */
export type CompressionOption = 'auto' | ChunkCodec | { codec: ChunkCodec | 'auto'; level?: number | Preset; shuffle?: ShuffleWidth }

/** A validated {@link CompressionOption}. */
export interface CompressionPolicy {
  codec: ChunkCodec | 'auto'
  level: number | Preset | undefined
  shuffle: ShuffleWidth | undefined
}

// 'auto' keeps a compressed chunk only if it saves at least this fraction: below that the
// reader's decode time costs more than the bytes saved, and zero-copy views are lost.
const AUTO_MIN_SAVING = 0.1

export const DEFAULT_POLICY: CompressionPolicy = { codec: 'auto', level: undefined, shuffle: undefined }

export function compressionPolicy(option: CompressionOption | undefined, fallback: CompressionPolicy): CompressionPolicy {
  if (option === undefined) return fallback
  const o = typeof option === 'string' ? { codec: option } : option
  const codec = (o as { codec?: unknown } | null)?.codec
  if (typeof o !== 'object' || o === null || !(codec === 'auto' || CHUNK_CODECS.includes(codec as string))) {
    throw new PackageError('E_ARGUMENT', `compression must be 'auto', one of ${CHUNK_CODECS.join(', ')}, or { codec, level, shuffle }; got ${JSON.stringify(option)}`, {
      field: 'compression',
    })
  }
  if (codec !== 'auto' && codec !== 'none' && !codecs[codec as CodecName].canCompress) {
    throw new PackageError(
      'E_UNSUPPORTED',
      codec === 'zstd' ? 'zstd chunks can only be written where node:zlib has zstd (Node >= 22.15)' : `${codec} cannot compress in this runtime`,
      { field: 'compression' },
    )
  }
  const { level, shuffle } = o as { level?: number | Preset; shuffle?: unknown }
  if (shuffle !== undefined && !isShuffleWidth(shuffle)) {
    throw new PackageError('E_ARGUMENT', `compression.shuffle must be 2, 4 or 8 (the element width), got ${JSON.stringify(shuffle)}`, { field: 'compression.shuffle' })
  }
  if (level !== undefined && codec !== 'none') {
    // Let the codec judge the level now, so a bad one fails here, not at the first chunk.
    try {
      compressSync(new Uint8Array(0), { codec: codec === 'auto' ? 'deflate' : (codec as CodecName), level })
    } catch (e) {
      throw new PackageError('E_ARGUMENT', `compression.level: ${(e as Error).message}`, { field: 'compression.level' }, { cause: e })
    }
  }
  return { codec: codec as CompressionPolicy['codec'], level, shuffle }
}

/** A chunk as it will be stored. */
export interface EncodedChunk {
  codec: number
  filter: number
  filterParam: number
  stored: Uint8Array
}

/**
 * Encode one chunk under `policy` (on `pool` if given). `floatWidth` is the element width of a
 * float tensor, which 'auto' may shuffle by.
 */
export async function encodeChunk(raw: Uint8Array, policy: CompressionPolicy, floatWidth?: ShuffleWidth, pool?: CodecPool): Promise<EncodedChunk> {
  const plain: EncodedChunk = { codec: 0, filter: FILTER_NONE, filterParam: 0, stored: raw }
  if (policy.codec === 'none' || raw.length === 0) return plain
  let codec: CodecName
  let shuffle = policy.shuffle
  let minSaving = 0
  if (policy.codec === 'auto') {
    const choice = chooseAuto(raw, floatWidth)
    if (!choice.compress) return plain
    codec = 'deflate'
    shuffle ??= choice.shuffle
    minSaving = AUTO_MIN_SAVING
  } else codec = policy.codec
  const options = { codec, level: policy.level, shuffle }
  const stored = pool ? await pool.compress(raw, options) : compressSync(raw, options)
  if (stored.length >= raw.length * (1 - minSaving)) return plain
  return { codec: codecId(codec), filter: shuffle ? FILTER_SHUFFLE : FILTER_NONE, filterParam: shuffle ?? 0, stored }
}

/** Decode a chunk's stored bytes (already hash-checked) to exactly its raw length. */
export async function decodeChunk(record: ChunkRecord, stored: Uint8Array, where: string, pool?: CodecPool): Promise<Uint8Array> {
  const name = CODEC_IDS[record.codec]
  let shuffle: ShuffleWidth | undefined
  if (record.filter === FILTER_SHUFFLE && isShuffleWidth(record.filterParam)) shuffle = record.filterParam
  else if (record.filter !== FILTER_NONE) {
    throw new PackageError('E_UNSUPPORTED', `${where} uses filter ${record.filter}/${record.filterParam}, which this build cannot undo`, { filter: record.filter })
  }
  if (name === 'none' && !shuffle) return stored
  if (name === undefined || !codecs[name].canDecompress) {
    throw new PackageError('E_UNSUPPORTED', `${where} uses codec ${name ?? `#${record.codec}`}, which this build cannot decode`, { codec: name ?? record.codec })
  }
  const options = { codec: name, expectedSize: record.rawLength, maxOutputSize: record.rawLength, shuffle }
  try {
    return pool && name !== 'none' ? await pool.decompress(stored, options) : await decompress(stored, options)
  } catch (e) {
    if (e instanceof CompressError && e.code === 'E_CODEC_UNAVAILABLE') {
      throw new PackageError('E_UNSUPPORTED', `${where}: ${e.message}`, {}, { cause: e })
    }
    throw new PackageError('E_CORRUPT_CHUNK', `${where} does not decode to its ${record.rawLength} bytes: ${(e as Error).message}`, {}, { cause: e })
  }
}

/**
 * A chunk's content from its stored bytes (already hash-checked): decrypted first if the block
 * is encrypted (which needs `cipher`), then decoded to exactly its raw length.
 */
export async function decodeStoredChunk(record: ChunkRecord, stored: Uint8Array, where: string, cipher: ChunkCipher | undefined, pool?: CodecPool): Promise<Uint8Array> {
  if ((record.codec & CODEC_ENCRYPTED) === 0) return decodeChunk(record, stored, where, pool)
  if (!cipher) throw new PackageError('E_KEY_REQUIRED', `${where} is encrypted: open the package with { identity } or { passphrase }`, { offset: record.offset })
  const content = await cipher.open(record, stored, where)
  return decodeChunk({ ...record, codec: record.codec & CODEC_MASK }, content, where, pool)
}
