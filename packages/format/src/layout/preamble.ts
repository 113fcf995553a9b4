import { copyBytes } from '@torshpkg/crypto'
import { PackageError } from '../errors.js'
import {
  BASE_MINOR,
  BYTE_ORDER_MARK,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  LOCATOR_OFFSET,
  MAGIC,
  MAX_ALIGNMENT,
  MAX_CHUNK_SIZE,
  MIN_ALIGNMENT,
  MIN_CHUNK_SIZE,
  PREAMBLE_SIZE,
} from './constants.js'
import { Builder, Cursor, isZero } from './cursor.js'
import { HASH_ALGORITHM_IDS } from './ids.js'

/** The fixed 64 bytes at offset 0. */
export interface Preamble {
  major: number
  minor: number
  hashAlgorithm: 'sha256'
  /** Boundary (bytes) on which every chunk stored uncompressed starts. */
  alignment: number
  /** The package's default chunk size (each resource records its own). */
  chunkSize: number
  /**
   * Offset of the manifest (the tail), or 0 when the writer could not seek back to fill it in.
   * Outside the digest; the footer's flag bit 0 says which of the two it must be.
   */
  locator: number
}

/** `minor` defaults to 0: a package says 1.1 only when it uses a 1.1 feature. */
export function encodePreamble(p: Omit<Preamble, 'major' | 'minor'> & { minor?: number }): Uint8Array {
  const b = new Builder(PREAMBLE_SIZE)
  b.put(MAGIC).u16(FORMAT_MAJOR).u16(p.minor ?? BASE_MINOR).u16(BYTE_ORDER_MARK)
  b.u8(1) // hash algorithm id: sha256
  b.u8(0) // flags: none defined in 1.0
  b.u32(p.alignment).u32(p.chunkSize).u64(p.locator)
  return b.bytes // bytes 32..63 stay zero (reserved)
}

/** Decode and check the preamble; `bytes` must hold at least 64 bytes. */
export function decodePreamble(bytes: Uint8Array): Preamble {
  if (bytes.length < PREAMBLE_SIZE) {
    throw new PackageError('E_TRUNCATED', `file is ${bytes.length} bytes; a package has at least a ${PREAMBLE_SIZE}-byte preamble`, { region: 'preamble' })
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new PackageError('E_BAD_MAGIC', 'not a torshpkg package (bad magic bytes)', { region: 'preamble', offset: i })
  }
  const c = new Cursor(bytes.subarray(0, PREAMBLE_SIZE), 'preamble', 0)
  c.pos = MAGIC.length
  const major = c.u16('major version')
  const minor = c.u16('minor version')
  const bom = c.u16('byte-order mark')
  if (bom === 0xfffe) throw new PackageError('E_UNSUPPORTED_VERSION', 'package was written big-endian; only little-endian is defined', { region: 'preamble', offset: 12 })
  if (bom !== BYTE_ORDER_MARK) throw c.fail(`byte-order mark is 0x${bom.toString(16)}, expected 0xfeff`)
  if (major !== FORMAT_MAJOR) {
    throw new PackageError('E_UNSUPPORTED_VERSION', `format version ${major}.${minor} is not supported (this reader speaks ${FORMAT_MAJOR}.x)`, { region: 'preamble', offset: 8, major, minor })
  }
  // A newer minor version may use flags and reserved bytes compatibly; 1.0 and 1.1 require zeros.
  const strict = minor <= FORMAT_MINOR
  const hashId = c.u8('hash algorithm')
  const algorithm = HASH_ALGORITHM_IDS[hashId]
  if (algorithm !== 'sha256') {
    throw new PackageError('E_UNSUPPORTED', algorithm ? `hash algorithm ${algorithm} is not supported by this build` : `unknown hash algorithm id ${hashId}`, { region: 'preamble', offset: 14 })
  }
  const flags = c.u8('flags')
  if (strict && flags !== 0) throw c.fail(`flags are 0x${flags.toString(16)} but format 1.${minor} defines none`)
  const alignment = c.u32('alignment')
  if (!isPowerOfTwo(alignment) || alignment < MIN_ALIGNMENT || alignment > MAX_ALIGNMENT) {
    throw c.fail(`alignment ${alignment} is not a power of two from ${MIN_ALIGNMENT} to ${MAX_ALIGNMENT}`)
  }
  const chunkSize = c.u32('chunk size')
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) throw c.fail(`default chunk size ${chunkSize} is out of range`)
  const locator = c.u64('tail locator')
  if (strict && !isZero(bytes.subarray(32, PREAMBLE_SIZE))) {
    c.pos = 32
    throw c.fail('reserved bytes 32-63 must be zero')
  }
  return { major, minor, hashAlgorithm: algorithm, alignment, chunkSize, locator }
}

/** The preamble as the digest sees it: the tail locator (filled in after the fact) zeroed. */
export function preambleForDigest(bytes: Uint8Array): Uint8Array {
  // A copy, not bytes.slice(): on a caller's Node Buffer slice is a view, and zeroing it
  // would erase the locator in the caller's own package bytes.
  const copy = copyBytes(bytes.subarray(0, PREAMBLE_SIZE))
  copy.fill(0, LOCATOR_OFFSET, LOCATOR_OFFSET + 8)
  return copy
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0
}
