// Random access to an age file through positional reads. Opening reads a bounded prefix for the
// header, unwraps the file key and authenticates the final chunk (so truncation shows at open,
// as the spec requires before seeking from the end); each read then fetches and opens only the
// chunks covering its range, every one with the right final flag.
import { toBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { detectArmor } from './armor.js'
import { parseHeader, type AgeHeader } from './header.js'
import { AGE_LIMITS, CHUNK_SIZE, ENC_CHUNK_SIZE, PAYLOAD_NONCE_SIZE } from './limits.js'
import { openChunk, payloadKey, payloadLayout } from './stream.js'
import type { AgeDecryptKey, AgeReader, AgeReaderOptions, AgeReaderSource } from './types.js'
import { forgetKey, prepareKey, unwrapFileKey } from './unwrap.js'

/** First read at open: enough for any ordinary header (one X25519 stanza is ~100 bytes). */
const FIRST_READ = 4096
/** Chunks fetched per source read, bounding a read's buffering to 4 MiB of ciphertext. */
const CHUNKS_PER_READ = 64

function checkSource(source: AgeReaderSource): number {
  if (typeof source !== 'object' || source === null || typeof source.read !== 'function') {
    throw new CryptoError('E_ARGUMENT', 'source must be { size, read(offset, length) }')
  }
  const size = source.size
  if (!Number.isSafeInteger(size) || size < 0) throw new CryptoError('E_ARGUMENT', `source.size must be a non-negative integer, got ${String(size)}`)
  return size
}

async function readExact(source: AgeReaderSource, offset: number, length: number): Promise<Uint8Array> {
  const bytes = toBytes(await source.read(offset, length))
  if (bytes.length !== length) {
    throw new CryptoError('E_FORMAT', `age: the source returned ${bytes.length} bytes at offset ${offset}, ${length} were asked (it is shorter than its size)`, {
      details: { field: 'source', offset },
    })
  }
  return bytes
}

/**
 * The header of a binary age file and the prefix of the source it was parsed from: a 4 KiB
 * read, grown 4x until the header ends, bounded by maxHeaderBytes (parseHeader raises E_LIMIT
 * beyond it, so the loop cannot grow without bound).
 */
async function readHeader(source: AgeReaderSource, size: number): Promise<{ header: AgeHeader; prefix: Uint8Array }> {
  let prefix = await readExact(source, 0, Math.min(size, FIRST_READ))
  if (detectArmor(prefix) === true) {
    throw new CryptoError('E_UNSUPPORTED', 'age: openAgeReader reads binary age files only; decrypt ASCII-armored files with ageDecrypt or ageDecryptStream', {
      details: { field: 'armor' },
    })
  }
  let header: AgeHeader | undefined
  while (!(header = parseHeader(prefix, prefix.length === size))) {
    const want = Math.min(size, prefix.length * 4, AGE_LIMITS.maxHeaderBytes + AGE_LIMITS.maxArgumentLine + 2)
    if (want <= prefix.length) throw new CryptoError('E_LIMIT', `age header: longer than ${AGE_LIMITS.maxHeaderBytes} bytes`, { details: { field: 'header', limit: AGE_LIMITS.maxHeaderBytes } })
    const grown = new Uint8Array(want)
    grown.set(prefix)
    grown.set(await readExact(source, prefix.length, want - prefix.length), prefix.length)
    prefix = grown
  }
  return { header, prefix }
}

/**
 * Open an age file for random access. See {@link AgeReader}; `E_UNSUPPORTED` for armored
 * files (armor has no fixed chunk offsets: use the one-shot or streaming decryption).
 */
export async function openReader(p: Primitives, source: AgeReaderSource, key: AgeDecryptKey, options: AgeReaderOptions = {}): Promise<AgeReader> {
  const size = checkSource(source)
  const cacheLimit = options.cacheChunks ?? 2
  if (!Number.isInteger(cacheLimit) || cacheLimit < 0 || cacheLimit > 1024) throw new CryptoError('E_ARGUMENT', 'cacheChunks must be an integer from 0 to 1024')
  const prepared = await prepareKey(p, key, options)
  let header: AgeHeader, prefix: Uint8Array, fileKey: Uint8Array
  try {
    ;({ header, prefix } = await readHeader(source, size))
    fileKey = await unwrapFileKey(p, header, prepared)
  } finally {
    forgetKey(prepared)
  }

  // Serve ranges that the prefix already holds without reading them again.
  const fetch = (offset: number, length: number) => (offset + length <= prefix.length ? Promise.resolve(prefix.subarray(offset, offset + length)) : readExact(source, offset, length))
  const payloadStart = header.length + PAYLOAD_NONCE_SIZE
  let chunkKey: Uint8Array
  try {
    if (size < payloadStart) {
      throw new CryptoError('E_FORMAT', 'age: the payload nonce is missing (the file ends after the header)', { details: { field: 'nonce', offset: header.length } })
    }
    chunkKey = await payloadKey(p, fileKey, await fetch(header.length, PAYLOAD_NONCE_SIZE))
  } finally {
    fileKey.fill(0) // the payload key is all a reader needs from here on
  }
  const { chunks, plaintextSize } = payloadLayout(size - payloadStart)
  const lastIndex = chunks - 1
  const lastStart = payloadStart + lastIndex * ENC_CHUNK_SIZE
  // Authenticate the final chunk now: a truncated or extended file fails here, not mid-read.
  const lastPlain = await openChunk(p, chunkKey, lastIndex, true, await fetch(lastStart, size - lastStart))
  prefix = new Uint8Array(0)

  // Small LRU of decrypted chunks at range edges (sequential reads straddle them); the final
  // chunk is kept for good, it is verified already.
  const cache = new Map<number, Uint8Array>()
  const cached = (i: number) => (i === lastIndex ? lastPlain : cache.get(i))
  const remember = (i: number, plain: Uint8Array) => {
    if (i === lastIndex || cacheLimit === 0) return
    cache.delete(i)
    cache.set(i, plain)
    if (cache.size > cacheLimit) cache.delete(cache.keys().next().value!)
  }

  return {
    size: plaintextSize,
    async read(offset: number, length: number): Promise<Uint8Array> {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > plaintextSize) {
        throw new CryptoError('E_ARGUMENT', `offset must be an integer from 0 to ${plaintextSize}, got ${String(offset)}`)
      }
      if (!Number.isSafeInteger(length) || length < 0) throw new CryptoError('E_ARGUMENT', `length must be a non-negative integer, got ${String(length)}`)
      const end = Math.min(plaintextSize, offset + length)
      const out = new Uint8Array(end - offset)
      if (out.length === 0) return out
      const first = Math.floor(offset / CHUNK_SIZE)
      const last = Math.floor((end - 1) / CHUNK_SIZE)
      const place = (i: number, plain: Uint8Array) => {
        const from = Math.max(offset, i * CHUNK_SIZE)
        const to = Math.min(end, i * CHUNK_SIZE + plain.length)
        out.set(plain.subarray(from - i * CHUNK_SIZE, to - i * CHUNK_SIZE), from - offset)
      }
      for (let i = first; i <= last; ) {
        const hit = cached(i)
        if (hit) {
          place(i, hit)
          i++
          continue
        }
        // A run of uncached chunks, fetched with one source read.
        let j = i
        while (j < last && j + 1 - i < CHUNKS_PER_READ && !cached(j + 1)) j++
        const encStart = payloadStart + i * ENC_CHUNK_SIZE
        const encEnd = Math.min(size, payloadStart + (j + 1) * ENC_CHUNK_SIZE)
        const sealed = await readExact(source, encStart, encEnd - encStart)
        for (let k = i; k <= j; k++) {
          const at = (k - i) * ENC_CHUNK_SIZE
          const plain = await openChunk(p, chunkKey, k, k === lastIndex, sealed.subarray(at, at + ENC_CHUNK_SIZE))
          place(k, plain)
          if (k === first || k === last) remember(k, plain)
        }
        i = j + 1
      }
      return out
    },
  }
}
