import { PackageError } from '../errors.js'
import { isMediaType } from '../media-types.js'
import { normalizePath } from '../paths.js'
import { DTYPE_SIZES, isDType, isStoredDType } from '../tensor.js'
import {
  AEAD_TAG_SIZE,
  CHUNK_RECORD_SIZE,
  DIGEST_SIZE,
  ENCRYPTION_MINOR,
  FORMAT_MINOR,
  INDEX_HEADER_SIZE,
  MAX_TENSOR_RANK,
  PREAMBLE_SIZE,
} from './constants.js'
import { Builder, Cursor } from './cursor.js'
import { CODEC_ENCRYPTED, CODEC_IDS, CODEC_MASK, isDefinedFilter, RESOURCE_TYPES, type ResourceType } from './ids.js'
import { equalBytes } from '@torshpkg/crypto'

/** A resource as recorded in the index. Its chunks are `chunks[firstChunk .. firstChunk + chunkCount)`. */
export interface ResourceRecord {
  path: string
  type: ResourceType
  mediaType: string
  size: number
  chunkSize: number
  firstChunk: number
  chunkCount: number
  /** Present when the resource declares tensor info. `dtype` may be unknown to this build. */
  tensor?: { dtype: string; shape: number[] }
  /** True when every chunk of the resource is encrypted (format 1.1, resource flag bit 1). */
  encrypted?: boolean
}

/** Where one chunk's bytes live and how to check and decode them. */
export interface ChunkRecord {
  offset: number
  storedLength: number
  rawLength: number
  /** The codec byte as stored: the codec id, plus bit 7 (`0x80`) when the block is encrypted (1.1). */
  codec: number
  filter: number
  filterParam: number
  /** Hash of the stored bytes. */
  hash: Uint8Array
}

export interface IndexTable {
  resources: ResourceRecord[]
  chunks: ChunkRecord[]
}

/** Maxima checked while decoding, before anything is allocated from a count. */
export interface IndexLimits {
  maxResources: number
  maxChunks: number
  maxChunkSize: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const FLAG_TENSOR = 1
/** Format 1.1: the resource's chunks are encrypted (see docs/format.md, "Encryption"). */
const FLAG_ENCRYPTED = 2
// path length u16 + path >= 1 byte + type + flags + media length + media >= 3 + size u64 + chunk size + chunk count
const MIN_RESOURCE_RECORD = 2 + 1 + 1 + 1 + 1 + 3 + 8 + 4 + 4

export function encodeIndex(table: IndexTable): Uint8Array {
  const encoded = table.resources.map((r) => ({
    r,
    path: encoder.encode(r.path),
    media: encoder.encode(r.mediaType),
    dtype: r.tensor ? encoder.encode(r.tensor.dtype) : undefined,
  }))
  let size = INDEX_HEADER_SIZE + table.chunks.length * CHUNK_RECORD_SIZE
  for (const e of encoded) {
    size += 2 + e.path.length + 1 + 1 + 1 + e.media.length + 8 + 4 + 4
    if (e.r.tensor) size += 1 + e.dtype!.length + 1 + 8 * e.r.tensor.shape.length
  }
  const b = new Builder(size)
  b.u32(table.resources.length).u32(table.chunks.length)
  for (const { r, path, media, dtype } of encoded) {
    b.u16(path.length).put(path)
    b.u8(RESOURCE_TYPES.indexOf(r.type))
    b.u8((r.tensor ? FLAG_TENSOR : 0) | (r.encrypted ? FLAG_ENCRYPTED : 0))
    b.u8(media.length).put(media)
    b.u64(r.size).u32(r.chunkSize).u32(r.chunkCount)
    if (r.tensor) {
      b.u8(dtype!.length).put(dtype!).u8(r.tensor.shape.length)
      for (const d of r.tensor.shape) b.u64(d)
    }
  }
  for (const c of table.chunks) {
    b.u64(c.offset).u32(c.storedLength).u32(c.rawLength).u8(c.codec).u8(c.filter).u8(c.filterParam).u8(0).put(c.hash)
  }
  return b.bytes
}

/**
 * Decode the index at absolute offset `base` and check it against itself and the file:
 * counts against the index length, chunk counts against sizes, chunk extents inside the data
 * region `[64, dataEnd)`, raw chunks aligned, paths canonical and unique.
 */
export function decodeIndex(
  bytes: Uint8Array,
  base: number,
  opts: { dataEnd: number; alignment: number; minor: number; limits: IndexLimits },
): IndexTable {
  const c = new Cursor(bytes, 'index', base, 'E_CORRUPT_INDEX')
  const resourceCount = c.u32('resource count')
  const chunkCount = c.u32('chunk count')
  if (resourceCount > opts.limits.maxResources) {
    throw new PackageError('E_LIMIT', `index declares ${resourceCount} resources; the limit is ${opts.limits.maxResources}`, { region: 'index', offset: base })
  }
  if (chunkCount > opts.limits.maxChunks) {
    throw new PackageError('E_LIMIT', `index declares ${chunkCount} chunks; the limit is ${opts.limits.maxChunks}`, { region: 'index', offset: base + 4 })
  }
  // Both counts must fit the bytes actually present before any array is sized from them.
  const chunkTable = chunkCount * CHUNK_RECORD_SIZE
  if (INDEX_HEADER_SIZE + chunkTable + resourceCount * MIN_RESOURCE_RECORD > bytes.length) {
    c.pos = 0
    throw c.fail(`${resourceCount} resources and ${chunkCount} chunks cannot fit in ${bytes.length} index bytes`)
  }
  const resourcesEnd = bytes.length - chunkTable
  const strict = opts.minor <= FORMAT_MINOR
  // Encryption bits mean something from 1.1 on; in a 1.0 file they are undefined (and refused).
  const encryption = opts.minor >= ENCRYPTION_MINOR
  const knownFlags = encryption ? FLAG_TENSOR | FLAG_ENCRYPTED : FLAG_TENSOR
  const resources: ResourceRecord[] = []
  const seen = new Set<string>()
  let nextChunk = 0
  for (let i = 0; i < resourceCount; i++) {
    const at = c.pos
    const pathLength = c.u16('path length')
    if (pathLength === 0) throw c.fail(`resource ${i} has an empty path`)
    const path = utf8(c, c.take(pathLength, 'path'), 'path')
    let canonical: string
    try {
      canonical = normalizePath(path)
    } catch (e) {
      throw new PackageError('E_BAD_PATH', `index at byte ${base + at}: ${(e as Error).message}`, { ...(e as PackageError).details, offset: base + at })
    }
    if (canonical !== path) throw new PackageError('E_BAD_PATH', `index at byte ${base + at}: path ${JSON.stringify(path)} is not in canonical (NFC) form`, { path, reason: 'not-normalized', offset: base + at })
    if (seen.has(path)) throw new PackageError('E_BAD_PATH', `index at byte ${base + at}: duplicate path ${JSON.stringify(path)}`, { path, reason: 'duplicate', offset: base + at })
    seen.add(path)
    const typeId = c.u8('resource type')
    let type = RESOURCE_TYPES[typeId]
    if (type === undefined) {
      if (strict) throw fail(c, -1, `unknown resource type id ${typeId}`)
      type = 'other'
    }
    const flags = c.u8('flags')
    if (strict && (flags & ~knownFlags) !== 0) throw fail(c, -1, `unknown resource flags 0x${flags.toString(16)}`)
    const mediaLength = c.u8('media type length')
    const mediaType = utf8(c, c.take(mediaLength, 'media type'), 'media type')
    if (!isMediaType(mediaType)) throw fail(c, -mediaLength, `malformed media type ${JSON.stringify(mediaType)}`)
    const size = c.u64('resource size')
    const chunkSize = c.u32('chunk size')
    const count = c.u32('chunk count')
    if (chunkSize === 0 || chunkSize > opts.limits.maxChunkSize) {
      throw new PackageError('E_LIMIT', `index at byte ${base + c.pos - 8}: chunk size ${chunkSize} is outside 1..${opts.limits.maxChunkSize}`, { region: 'index' })
    }
    if (count !== Math.ceil(size / chunkSize)) throw fail(c, -4, `${count} chunks cannot hold ${size} bytes in ${chunkSize}-byte chunks`)
    if (count > chunkCount - nextChunk) throw fail(c, -4, `resource ${JSON.stringify(path)} claims more chunks than the index has`)
    const record: ResourceRecord = { path, type, mediaType, size, chunkSize, firstChunk: nextChunk, chunkCount: count }
    if (encryption && flags & FLAG_ENCRYPTED) record.encrypted = true
    nextChunk += count
    if (flags & FLAG_TENSOR) {
      const dtypeLength = c.u8('dtype length')
      const dtype = utf8(c, c.take(dtypeLength, 'dtype'), 'dtype')
      if (!isStoredDType(dtype)) throw fail(c, -dtypeLength, `malformed dtype ${JSON.stringify(dtype)}`)
      const rank = c.u8('tensor rank')
      if (rank > MAX_TENSOR_RANK) throw fail(c, -1, `tensor rank ${rank} exceeds ${MAX_TENSOR_RANK}`)
      const shape: number[] = []
      let elements = 1
      for (let d = 0; d < rank; d++) {
        const dim = c.u64('tensor dimension')
        shape.push(dim)
        elements *= dim
      }
      if (isDType(dtype) && elements * DTYPE_SIZES[dtype] !== size) {
        throw fail(c, 0, `tensor ${dtype}[${shape.join(', ')}] does not match the resource size ${size}`)
      }
      record.tensor = { dtype, shape }
    }
    if (c.pos > resourcesEnd) throw fail(c, 0, 'resource records run into the chunk table')
    resources.push(record)
  }
  if (c.pos !== resourcesEnd) throw c.fail(`${resourcesEnd - c.pos} unexplained bytes between the resource records and the chunk table`)
  if (nextChunk !== chunkCount) throw c.fail(`resources use ${nextChunk} chunks but the index declares ${chunkCount}`)

  const chunks: ChunkRecord[] = new Array(chunkCount)
  let r = 0
  for (let i = 0; i < chunkCount; i++) {
    while (resources[r]!.firstChunk + resources[r]!.chunkCount <= i) r++
    const owner = resources[r]!
    const k = i - owner.firstChunk
    const expectedRaw = k < owner.chunkCount - 1 ? owner.chunkSize : owner.size - k * owner.chunkSize
    const offset = c.u64('chunk offset')
    const storedLength = c.u32('stored length')
    const rawLength = c.u32('raw length')
    const codec = c.u8('codec')
    const filter = c.u8('filter')
    const filterParam = c.u8('filter parameter')
    const reserved = c.u8('reserved')
    const hash = c.take(DIGEST_SIZE, 'chunk hash')
    const where = `chunk ${k} of ${JSON.stringify(owner.path)}`
    // From 1.1, bit 7 of the codec byte marks an encrypted block; the codec inside is bits 0-6.
    const encrypted = encryption && (codec & CODEC_ENCRYPTED) !== 0
    const inner = encrypted ? codec & CODEC_MASK : codec
    if (rawLength !== expectedRaw) throw fail(c, -44, `${where} has raw length ${rawLength}, expected ${expectedRaw}`)
    if (encrypted !== (owner.encrypted === true)) {
      // A resource is encrypted as a whole: a plain chunk in it could be swapped in without the key.
      const detail = encrypted ? 'is encrypted but its resource is not marked encrypted' : 'is not encrypted but its resource is marked encrypted'
      throw fail(c, -36, `${where} ${detail}`)
    }
    if (encrypted) {
      // The AEAD tag follows the encrypted content, which is at least 1 byte and at most raw.
      if (storedLength <= AEAD_TAG_SIZE || storedLength > rawLength + AEAD_TAG_SIZE) {
        throw fail(c, -48, `${where} is encrypted with stored length ${storedLength}; it must be ${AEAD_TAG_SIZE + 1} to ${rawLength + AEAD_TAG_SIZE} (raw ${rawLength})`)
      }
      if (inner === 0 && storedLength !== rawLength + AEAD_TAG_SIZE) {
        throw fail(c, -48, `${where} is encrypted raw content but its stored length is not raw + ${AEAD_TAG_SIZE}`)
      }
    } else {
      if (storedLength === 0 || storedLength > rawLength) throw fail(c, -48, `${where} has stored length ${storedLength} (raw ${rawLength})`)
      if (codec === 0 && storedLength !== rawLength) throw fail(c, -48, `${where} is stored raw but its stored and raw lengths differ`)
    }
    if (offset < PREAMBLE_SIZE || offset + storedLength > opts.dataEnd) {
      throw fail(c, -52, `${where} at ${offset}+${storedLength} lies outside the data region [${PREAMBLE_SIZE}, ${opts.dataEnd})`)
    }
    if (codec === 0 && offset % opts.alignment !== 0) throw fail(c, -52, `${where} is stored raw at ${offset}, not on a ${opts.alignment}-byte boundary`)
    if (strict) {
      // Ids a 1.0 file may use; a newer minor version may add more (reads of those fail E_UNSUPPORTED).
      if (CODEC_IDS[inner] === undefined) throw fail(c, -36, `${where} uses codec id ${codec}, which format 1.${opts.minor} does not define`)
      if (!isDefinedFilter(filter, filterParam)) throw fail(c, -35, `${where} uses filter ${filter} with parameter ${filterParam}, which format 1.${opts.minor} does not define`)
      if (reserved !== 0) throw fail(c, -33, `${where} has a non-zero reserved byte`)
    }
    chunks[i] = { offset, storedLength, rawLength, codec, filter, filterParam, hash }
  }
  return { resources, chunks }
}

/** Two records describe the same stored block identically (as deduplicated chunks do). */
export function sameBlock(a: ChunkRecord, b: ChunkRecord): boolean {
  return (
    a.offset === b.offset &&
    a.storedLength === b.storedLength &&
    a.rawLength === b.rawLength &&
    a.codec === b.codec &&
    a.filter === b.filter &&
    a.filterParam === b.filterParam &&
    equalBytes(a.hash, b.hash)
  )
}

function utf8(c: Cursor, bytes: Uint8Array, what: string): string {
  try {
    return decoder.decode(bytes)
  } catch {
    throw fail(c, -bytes.length, `${what} is not valid UTF-8`)
  }
}

/** An index error `delta` bytes from the cursor. */
function fail(c: Cursor, delta: number, message: string): PackageError {
  c.pos += delta
  return c.fail(message)
}
