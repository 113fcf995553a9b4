import { ageDecrypt, ageEncrypt, base64Decode, base64Encode, primitives } from '@torshpkg/crypto'
import { PackageError } from '../errors.js'
import type { Manifest, ManifestEncryption } from '../manifest.js'
import { ChunkCipher, CONTENT_KEY_SIZE } from './chunk-cipher.js'
import { fromCryptoError } from './crypto-errors.js'
import { decryptionKey, type DecryptionOptions, type EncryptionPlan } from './options.js'

/**
 * A new package's keys: a fresh random content key, its block cipher, and the key wrapped
 * with age for the plan's recipients or passphrase (what goes in the manifest).
 */
export async function newPackageKey(plan: EncryptionPlan): Promise<{ cipher: ChunkCipher; envelope: ManifestEncryption }> {
  const contentKey = primitives.randomBytes(CONTENT_KEY_SIZE)
  let wrapped: Uint8Array
  try {
    wrapped = await ageEncrypt(contentKey, plan.target)
  } catch (e) {
    throw fromCryptoError(e, 'wrapping the package key for encryption.recipients', { field: 'encryption' })
  }
  const cipher = await ChunkCipher.create(contentKey, plan.algorithm)
  contentKey.fill(0)
  return { cipher, envelope: { algorithm: plan.algorithm, wrappedKey: base64Encode(wrapped) } }
}

/**
 * The block cipher of an opened package: undefined when it has no encrypted resources or no
 * key was given (reads of encrypted resources then fail `E_KEY_REQUIRED`). A key that does
 * not open the wrapped content key fails here, at open, with `E_DECRYPT`.
 */
export async function unlockPackage(manifest: Manifest, options: DecryptionOptions): Promise<ChunkCipher | undefined> {
  const envelope = manifest.encryption
  const key = decryptionKey(options)
  if (!envelope || !key) return undefined
  // The manifest schema already checked the encoding; this cannot fail for a validated manifest.
  const wrapped = base64Decode(envelope.wrappedKey)
  let contentKey: Uint8Array
  try {
    contentKey = await ageDecrypt(wrapped, key)
  } catch (e) {
    throw fromCryptoError(e, "the package's content key (manifest.encryption) cannot be unwrapped with the identity or passphrase given", { region: 'manifest' })
  }
  if (contentKey.length !== CONTENT_KEY_SIZE) {
    throw new PackageError('E_CORRUPT', `manifest.encryption holds a ${contentKey.length}-byte key, not ${CONTENT_KEY_SIZE} bytes`, { region: 'manifest' })
  }
  try {
    return await ChunkCipher.create(contentKey, envelope.algorithm)
  } finally {
    contentKey.fill(0)
  }
}
