// The file key inside a recipient stanza body, shared by every recipient type: ChaCha20-Poly1305
// under the stanza's wrap key with an all-zero nonce. The fixed nonce is safe because a wrap key
// seals exactly one message (it is derived from a fresh ephemeral share or salt per stanza).
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { FILE_KEY_SIZE } from './limits.js'

const ZERO_NONCE = new Uint8Array(12)

/** The stanza body for `fileKey` under `wrapKey` (wiped afterwards: it is used once). */
export async function sealFileKey(p: Primitives, wrapKey: Uint8Array, fileKey: Uint8Array): Promise<Uint8Array> {
  try {
    return await p.aead.encrypt('chacha20-poly1305', wrapKey, ZERO_NONCE, fileKey)
  } finally {
    wrapKey.fill(0)
  }
}

/**
 * The file key in `body`, or `undefined` when `wrapKey` does not open it (a stanza addressed to
 * another identity, or a wrong passphrase). `wrapKey` is wiped afterwards. Callers check the
 * body length first (32 bytes), as the spec requires against partitioning oracles.
 */
export async function openFileKey(p: Primitives, wrapKey: Uint8Array, body: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    const fileKey = await p.aead.decrypt('chacha20-poly1305', wrapKey, ZERO_NONCE, body)
    return fileKey.length === FILE_KEY_SIZE ? fileKey : undefined
  } catch (e) {
    if (e instanceof CryptoError && e.code === 'E_DECRYPT') return undefined
    throw e
  } finally {
    wrapKey.fill(0)
  }
}
