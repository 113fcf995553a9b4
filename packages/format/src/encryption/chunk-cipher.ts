import { CryptoError, primitives } from '@torshpkg/crypto'
import { PackageError } from '../errors.js'
import { fromCryptoError } from './crypto-errors.js'
import { AEAD_TAG_SIZE } from '../layout/constants.js'
import { Builder } from '../layout/cursor.js'

/** AEAD ciphers for encrypted chunks. AES-256-GCM is the default: hardware-accelerated almost everywhere. */
export type ChunkEncryptionAlgorithm = 'aes-256-gcm' | 'chacha20-poly1305'
export const CHUNK_ENCRYPTION_ALGORITHMS: readonly ChunkEncryptionAlgorithm[] = ['aes-256-gcm', 'chacha20-poly1305']

/** Bytes of a package's content key. */
export const CONTENT_KEY_SIZE = 32

const encoder = new TextEncoder()
// The block key is derived, not the content key itself, so one content key can never be used
// with two ciphers (the info names the cipher) or for anything but chunks.
const KEY_INFO = 'torshpkg 1.1 chunk key '
// First bytes of every block's associated data: a block's tag covers what it is, not just where.
const AAD_LABEL = encoder.encode('TPKBLOCK')

/** The chunk-record fields a block's tag covers (docs/format.md, "Encryption"). */
export interface BlockPosition {
  offset: number
  rawLength: number
  /** The codec byte as stored, encryption bit included. */
  codec: number
  filter: number
  filterParam: number
}

/**
 * Seals and opens the encrypted blocks of one package. The nonce is the block's file offset:
 * blocks never overlap, so no two distinct blocks of a package share one, and the content key
 * is random per package, so nothing repeats across packages. The associated data repeats the
 * offset with the codec, filter and raw length, so a block cannot be moved, swapped with
 * another, or reinterpreted (say, its codec changed to `none`) without failing to open.
 */
export class ChunkCipher {
  private constructor(
    readonly algorithm: ChunkEncryptionAlgorithm,
    private readonly key: Uint8Array,
  ) {}

  /** The cipher for a package whose content key is `contentKey`. */
  static async create(contentKey: Uint8Array, algorithm: ChunkEncryptionAlgorithm): Promise<ChunkCipher> {
    if (contentKey.length !== CONTENT_KEY_SIZE) {
      throw new PackageError('E_CORRUPT', `the package's content key is ${contentKey.length} bytes, not ${CONTENT_KEY_SIZE}`, { region: 'manifest' })
    }
    const key = await primitives.hkdf(contentKey, new Uint8Array(0), encoder.encode(KEY_INFO + algorithm), 32)
    return new ChunkCipher(algorithm, key)
  }

  /** Encrypt a block's content (its compressed or raw bytes): content || 16-byte tag. */
  async seal(block: BlockPosition, content: Uint8Array): Promise<Uint8Array> {
    try {
      return await primitives.aead.encrypt(this.algorithm, this.key, blockNonce(block.offset), content, blockAad(block))
    } catch (e) {
      throw fromCryptoError(e, `encrypting the block at ${block.offset}`, { offset: block.offset })
    }
  }

  /** Decrypt a stored block, or throw `E_DECRYPT` (tampered, moved, or another package's block). */
  async open(block: BlockPosition, sealed: Uint8Array, where: string): Promise<Uint8Array> {
    if (sealed.length <= AEAD_TAG_SIZE) {
      throw new PackageError('E_DECRYPT', `${where} is too short to be an encrypted block`, { offset: block.offset })
    }
    try {
      return await primitives.aead.decrypt(this.algorithm, this.key, blockNonce(block.offset), sealed, blockAad(block))
    } catch (e) {
      if (e instanceof CryptoError && e.code === 'E_DECRYPT') {
        throw new PackageError('E_DECRYPT', `${where} (bytes ${block.offset}-${block.offset + sealed.length - 1}) does not decrypt: it was altered or moved`, { offset: block.offset, length: sealed.length }, { cause: e })
      }
      // Anything else (a runtime without this cipher, say) is still a PackageError, as the
      // reader promises, with the crypto code mapped (E_UNSUPPORTED_ALGORITHM -> E_UNSUPPORTED).
      throw fromCryptoError(e, `${where} cannot be decrypted`, { offset: block.offset })
    }
  }
}

/** 12-byte nonce: four zero bytes, then the block's offset as a u64. */
export function blockNonce(offset: number): Uint8Array {
  return new Builder(12).u32(0).u64(offset).bytes
}

/** 24 bytes: `TPKBLOCK` || offset u64 || raw length u32 || codec u8 || filter u8 || filter parameter u8 || 0 u8. */
export function blockAad(b: BlockPosition): Uint8Array {
  return new Builder(24).put(AAD_LABEL).u64(b.offset).u32(b.rawLength).u8(b.codec).u8(b.filter).u8(b.filterParam).u8(0).bytes
}
