import { equalBytes, hash } from '@torshpkg/crypto'
import { decodeStoredChunk } from '../chunk-codec.js'
import type { ChunkCipher } from '../encryption/chunk-cipher.js'
import { PackageError, type PackageErrorCode } from '../errors.js'
import { PREAMBLE_SIZE } from '../layout/constants.js'
import { CODEC_ENCRYPTED } from '../layout/ids.js'
import { digestString } from '../layout/digest.js'
import { sameBlock, type ChunkRecord } from '../layout/index-table.js'
import { firstNonZero } from '../layout/cursor.js'
import { readMetadata, type OpenPackageOptions, type PackageMetadata } from './open.js'
import type { ByteSource } from './source.js'

/** Options for `pkg.verify()`. */
export interface VerifyOptions {
  signal?: AbortSignal
  /** Called after each block with the bytes accounted for so far. */
  onProgress?: (progress: { checkedBytes: number; totalBytes: number }) => void
  /** Stop recording issues after this many (default 1000); `issuesTruncated` says so. */
  maxIssues?: number
}

/** Regions of a package file, as named in docs/format.md. */
export type Region = 'preamble' | 'data' | 'padding' | 'manifest' | 'index' | 'signatures' | 'footer' | 'metadata'

/** One problem found by `verify()`. */
export interface VerifyIssue {
  code: PackageErrorCode
  region: Region
  /** Absolute file offset where the problem starts. */
  offset: number
  length?: number
  /** Resources that use the affected bytes. */
  paths?: string[]
  message: string
}

/** The outcome of `verify()`: `ok` only if every byte of the file was accounted for and checked. */
export interface VerifyReport {
  ok: boolean
  digest: string
  size: number
  /**
   * Bytes actually checked: preamble and tail, each block hashed, each padding gap read. Equal
   * to `size` for a sound file; less when bytes belong to no region or blocks overlap.
   */
  checkedBytes: number
  chunks: { total: number; unique: number; corrupt: number }
  issues: VerifyIssue[]
  issuesTruncated: boolean
}

// Bytes fetched per read while walking the data region.
const WINDOW = 8 * 1024 * 1024

interface Block {
  chunk: ChunkRecord
  paths: Set<string>
}

export async function verifyPackage(
  source: ByteSource,
  opened: PackageMetadata,
  options: OpenPackageOptions & VerifyOptions & { cipher?: ChunkCipher },
): Promise<VerifyReport> {
  const maxIssues = options.maxIssues ?? 1000
  const report: VerifyReport = {
    ok: false,
    digest: digestString(opened.digest),
    size: source.size,
    checkedBytes: 0,
    chunks: { total: opened.index.chunks.length, unique: 0, corrupt: 0 },
    issues: [],
    issuesTruncated: false,
  }
  const issue = (i: VerifyIssue) => {
    if (report.issues.length < maxIssues) report.issues.push(i)
    else report.issuesTruncated = true
  }

  // 1. Metadata, re-read from the source: preamble, footer, tail lengths, digest, index.
  let meta: PackageMetadata
  try {
    meta = await readMetadata(source, options)
  } catch (e) {
    if (!(e instanceof PackageError)) throw e
    if (e.code === 'E_CLOSED' || e.code === 'E_ABORTED' || e.code === 'E_SOURCE') throw e
    issue({ code: e.code, region: (e.details.region as Region) ?? 'metadata', offset: (e.details.offset as number) ?? 0, message: e.message })
    return report
  }
  if (!equalBytes(meta.digest, opened.digest)) {
    issue({ code: 'E_SOURCE_CHANGED', region: 'metadata', offset: 0, message: `the file now has digest ${digestString(meta.digest)}, not the one it was opened with` })
  }
  const { alignment } = meta.preamble
  const dataEnd = meta.footer.tailOffset
  let checked = PREAMBLE_SIZE + (source.size - dataEnd) // preamble and tail, checked by readMetadata

  // 2. Unique blocks (deduplicated chunks share one), in file order.
  const blocks = new Map<number, Block>()
  meta.index.resources.forEach((r) => {
    for (let i = r.firstChunk; i < r.firstChunk + r.chunkCount; i++) {
      const c = meta.index.chunks[i]!
      const b = blocks.get(c.offset)
      if (!b) blocks.set(c.offset, { chunk: c, paths: new Set([r.path]) })
      else {
        b.paths.add(r.path)
        if (!sameBlock(b.chunk, c)) {
          issue({ code: 'E_CORRUPT_INDEX', region: 'index', offset: c.offset, paths: [...b.paths], message: `two chunk records describe the block at ${c.offset} differently` })
        }
      }
    }
  })
  const sorted = [...blocks.values()].sort((a, b) => a.chunk.offset - b.chunk.offset)
  report.chunks.unique = sorted.length

  // 3. Walk the data region: every byte is a block or zero padding before an aligned block.
  let windowStart = 0
  let window: Uint8Array = new Uint8Array(0)
  // A source that decrypts (a package encrypted whole with age) fails reads of altered bytes
  // with E_DECRYPT: a finding about the file, reported like the others; the walk stops there.
  let undecryptable: PackageError | undefined
  const bytesAt = async (start: number, end: number): Promise<Uint8Array | undefined> => {
    if (start < windowStart || end > windowStart + window.length) {
      windowStart = start
      try {
        window = await source.read(start, Math.max(end, Math.min(start + WINDOW, dataEnd)) - start)
      } catch (e) {
        if (!(e instanceof PackageError) || e.code !== 'E_DECRYPT') throw e
        undecryptable = e
        return undefined
      }
    }
    return window.subarray(start - windowStart, end - windowStart)
  }
  let cursor = PREAMBLE_SIZE
  for (const { chunk: c, paths } of sorted) {
    if (options.signal?.aborted) throw new PackageError('E_ABORTED', 'verification aborted', {}, { cause: options.signal.reason })
    const end = c.offset + c.storedLength
    const where = { offset: c.offset, length: c.storedLength, paths: [...paths] }
    if (c.offset < cursor) {
      // Reported and not hashed: every byte of the file is hashed at most once, so a file of
      // thousands of overlapping blocks cannot make verification cost more than its size.
      issue({ code: 'E_CORRUPT_INDEX', region: 'index', ...where, message: `the block at ${c.offset} overlaps the previous one (which ends at ${cursor})` })
      continue
    } else {
      const expected = c.codec === 0 ? Math.ceil(cursor / alignment) * alignment : cursor
      // Only the legitimate padding is read; anything beyond it is reported, not loaded.
      const padding = await bytesAt(cursor, Math.min(c.offset, expected))
      if (!padding) break
      checked += padding.length
      const nonZero = firstNonZero(padding)
      if (nonZero >= 0) {
        issue({ code: 'E_CORRUPT', region: 'padding', offset: cursor + nonZero, length: 1, message: `padding byte at ${cursor + nonZero} is not zero` })
      }
      if (c.offset > expected) {
        issue({ code: 'E_CORRUPT', region: 'data', offset: expected, length: c.offset - expected, message: `${c.offset - expected} bytes at ${expected} belong to no chunk` })
      }
    }
    const stored = await bytesAt(c.offset, end)
    if (!stored) break
    checked += stored.length
    const where2 = `block at ${c.offset} (${[...paths].map((p) => JSON.stringify(p)).join(', ')})`
    if (!equalBytes(await hash('sha256', stored), c.hash)) {
      report.chunks.corrupt++
      issue({ code: 'E_CORRUPT_CHUNK', region: 'data', ...where, message: `${where2} does not match its hash` })
    } else if ((c.codec & CODEC_ENCRYPTED) !== 0 ? options.cipher : c.codec !== 0 || c.filter !== 0) {
      // Encrypted blocks are decrypted and decoded when the package was opened with its key;
      // without it, their hashes (checked above) are all that can be checked.
      try {
        await decodeStoredChunk(c, stored, where2, options.cipher, options.pool)
      } catch (e) {
        if (!(e instanceof PackageError)) throw e
        if (e.code === 'E_CORRUPT_CHUNK' || e.code === 'E_DECRYPT') report.chunks.corrupt++
        issue({ code: e.code, region: 'data', ...where, message: e.message })
      }
    }
    cursor = Math.max(cursor, end)
    options.onProgress?.({ checkedBytes: checked, totalBytes: source.size })
  }
  if (undecryptable) {
    issue({ code: 'E_DECRYPT', region: 'data', offset: (undecryptable.details.offset as number | undefined) ?? cursor, message: undecryptable.message })
  } else if (cursor < dataEnd) {
    issue({ code: 'E_CORRUPT', region: 'data', offset: cursor, length: dataEnd - cursor, message: `${dataEnd - cursor} bytes before the manifest belong to no chunk` })
  }
  report.checkedBytes = checked
  options.onProgress?.({ checkedBytes: checked, totalBytes: source.size })
  report.ok = report.issues.length === 0 && !report.issuesTruncated
  return report
}
