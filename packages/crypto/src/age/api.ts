// The age API over one set of primitives; spread into createCryptoApi (src/api.ts), bound to a
// backend by index.ts / index.node.ts, which carry the user-facing docs.
import { toBytes, type BytesLike } from '../bytes.js'
import type { Primitives } from '../primitives/types.js'
import { decrypt } from './decrypt.js'
import { encrypt } from './encrypt.js'
import { generateIdentity, recipientOf } from './keys.js'
import { openReader } from './reader.js'
import { decryptStream, encryptStream } from './transform.js'
import type { AgeDecryptKey, AgeDecryptOptions, AgeEncryptOptions, AgeEncryptTo, AgeIdentity, AgeReader, AgeReaderOptions, AgeReaderSource } from './types.js'

const input = (data: BytesLike | string): Uint8Array => (typeof data === 'string' ? new TextEncoder().encode(data) : toBytes(data))

/** age encryption (age-encryption.org/v1) bound to `p`. */
export function createAgeApi(p: Primitives) {
  return {
    ageEncrypt: (data: BytesLike | string, to: AgeEncryptTo, options?: AgeEncryptOptions): Promise<Uint8Array> => encrypt(p, input(data), to, options),
    ageDecrypt: (data: BytesLike | string, key: AgeDecryptKey, options?: AgeDecryptOptions): Promise<Uint8Array> => decrypt(p, input(data), key, options),
    ageEncryptStream: (to: AgeEncryptTo, options?: AgeEncryptOptions): TransformStream<Uint8Array, Uint8Array> => encryptStream(p, to, options),
    ageDecryptStream: (key: AgeDecryptKey, options?: AgeDecryptOptions): TransformStream<Uint8Array, Uint8Array> => decryptStream(p, key, options),
    openAgeReader: (source: AgeReaderSource, key: AgeDecryptKey, options?: AgeReaderOptions): Promise<AgeReader> => openReader(p, source, key, options),
    generateAgeIdentity: (): Promise<AgeIdentity> => generateIdentity(p),
    ageRecipientOf: (identity: string): Promise<string> => recipientOf(p, identity),
  }
}
