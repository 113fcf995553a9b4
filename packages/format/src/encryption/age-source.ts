import { AGE_CHUNK_SIZE, AGE_DETECT_BYTES, ageDecrypt, CryptoError, detectAgeFile, openAgeReader } from '@torshpkg/crypto'
import { PackageError } from '../errors.js'
import { DEFAULT_LIMITS, type PackageLimits } from '../limits.js'
import { bytesSource, checkedSource, type ByteSource } from '../reader/source.js'
import { fromCryptoError } from './crypto-errors.js'
import { decryptionKey, type DecryptionOptions } from './options.js'

/**
 * When `source` is a package encrypted whole with age, a source of the package inside;
 * undefined when it is not an age file. A binary age file is decrypted lazily: each read decrypts only the 64 KiB STREAM
 * chunks it covers (the final chunk is authenticated at open, so truncation fails here), so
 * opening reads the age header and the package's two ends, and a resource read fetches only
 * its chunks, over HTTP as from a file. An armored file has no random access: it is decrypted
 * whole, in memory, if it fits `limits.maxReadBytes`.
 */
export async function openAgeSource(source: ByteSource, options: DecryptionOptions & { limits?: Partial<PackageLimits> }): Promise<ByteSource | undefined> {
  if (source.size === 0) return undefined
  const kind = detectAgeFile(await source.read(0, Math.min(source.size, AGE_DETECT_BYTES)))
  if (!kind) return undefined
  const key = decryptionKey(options)
  if (!key) {
    throw new PackageError('E_KEY_REQUIRED', 'this package is age-encrypted: pass { identity } or { passphrase } to openPackage', { encryption: 'age', armored: kind === 'armored' })
  }
  const context = 'the package is age-encrypted and cannot be decrypted with the identity or passphrase given'
  if (kind === 'armored') {
    const limit = options.limits?.maxReadBytes ?? DEFAULT_LIMITS.maxReadBytes
    if (source.size > limit) {
      throw new PackageError(
        'E_LIMIT',
        `this package is ASCII-armored age (${source.size} bytes), which can only be decrypted whole, and that exceeds limits.maxReadBytes (${limit}); dearmor it (age -d | age -e) or raise the limit`,
        { size: source.size, limit, encryption: 'age', armored: true },
      )
    }
    let plain: Uint8Array
    try {
      plain = await ageDecrypt(await source.read(0, source.size), key)
    } catch (e) {
      throw fromCryptoError(e, context, { encryption: 'age' })
    }
    await source.close()
    return bytesSource(plain)
  }
  let reader: Awaited<ReturnType<typeof openAgeReader>>
  try {
    reader = await openAgeReader({ size: source.size, read: (offset, length) => source.read(offset, length) }, key)
  } catch (e) {
    throw fromCryptoError(e, context, { encryption: 'age' })
  }
  const read = async (offset: number, length: number) => {
    try {
      return await reader.read(offset, length)
    } catch (e) {
      // Name the 64 KiB of the package that failed, when age says which chunk it was.
      const chunk = e instanceof CryptoError && typeof e.details.chunk === 'number' ? e.details.chunk : undefined
      const at = chunk === undefined ? offset : chunk * AGE_CHUNK_SIZE
      const what = chunk === undefined ? `bytes ${offset}-${offset + length - 1}` : `bytes ${at}-${Math.min(at + AGE_CHUNK_SIZE, reader.size) - 1}`
      throw fromCryptoError(e, `decrypting ${what} of the age-encrypted package`, { encryption: 'age', offset: at })
    }
  }
  // Reads of the plaintext cost reads of the file: keep the source's hint for guessing the tail.
  return checkedSource('custom', reader.size, read, () => source.close(), source.tailHint)
}
