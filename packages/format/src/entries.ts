import type { CodecName } from '@torshpkg/compress'
import { CODEC_IDS, CODEC_MASK } from './layout/ids.js'
import type { ChunkRecord, ResourceRecord } from './layout/index-table.js'
import type { PackageEntry } from './types.js'

/** The public description of a resource record. */
export function toEntry(r: ResourceRecord, chunks: readonly ChunkRecord[]): PackageEntry {
  let storedSize = 0
  const used = new Set<CodecName>()
  for (let i = r.firstChunk; i < r.firstChunk + r.chunkCount; i++) {
    const c = chunks[i]!
    storedSize += c.storedLength
    // An encrypted resource lists the codecs inside the encryption.
    used.add(CODEC_IDS[r.encrypted ? c.codec & CODEC_MASK : c.codec] ?? ('unknown' as CodecName))
  }
  const entry: PackageEntry = {
    path: r.path,
    type: r.type,
    mediaType: r.mediaType,
    size: r.size,
    storedSize,
    chunkSize: r.chunkSize,
    chunks: r.chunkCount,
    codecs: [...used].sort(),
  }
  if (r.tensor) entry.tensor = { dtype: r.tensor.dtype, shape: [...r.tensor.shape] }
  if (r.encrypted) entry.encrypted = true
  return entry
}
