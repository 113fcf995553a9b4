// The X25519 recipient type: `age1...` recipients, `AGE-SECRET-KEY-1...` identities and the
// "X25519 <ephemeral share>" stanza that wraps the file key for one of them.
import { concatBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { base64Encode, tryBase64Decode } from '../encoding/base64.js'
import { bech32Decode, bech32Encode } from './bech32.js'
import { openFileKey, sealFileKey } from './file-key.js'
import { WRAPPED_KEY_SIZE } from './limits.js'
import type { Stanza } from './stanza.js'

const enc = new TextEncoder()
const LABEL = enc.encode('age-encryption.org/v1/X25519')
export const RECIPIENT_HRP = 'age'
export const IDENTITY_HRP = 'age-secret-key-'

/** A decoded X25519 identity with its public half (the HKDF salt needs it). */
export interface X25519Identity {
  readonly secret: Uint8Array
  readonly publicKey: Uint8Array
}

/** `age1...` for a 32-byte X25519 public key. */
export function encodeRecipient(publicKey: Uint8Array): string {
  return bech32Encode(RECIPIENT_HRP, publicKey)
}

/** `AGE-SECRET-KEY-1...` (uppercase, as age-keygen writes it) for a 32-byte secret. */
export function encodeIdentity(secret: Uint8Array): string {
  return bech32Encode(IDENTITY_HRP, secret, true)
}

/** Decode `AGE-SECRET-KEY-1...` to its 32-byte secret; `E_KEY` when malformed. */
export function decodeIdentity(text: string): Uint8Array {
  const { hrp, bytes } = bech32Decode(text)
  if (hrp !== IDENTITY_HRP) throw new CryptoError('E_KEY', `not an age X25519 identity (prefix ${JSON.stringify(hrp.toUpperCase())})`, { details: { field: 'identity' } })
  if (bytes.length !== 32) throw new CryptoError('E_KEY', `an age identity holds 32 bytes, this one ${bytes.length}`, { details: { field: 'identity' } })
  return bytes
}

/** Decode `age1...` to its 32-byte public key; `E_KEY` when malformed. */
export function decodeRecipient(text: string): Uint8Array {
  const { hrp, bytes } = bech32Decode(text)
  if (hrp !== RECIPIENT_HRP) throw new CryptoError('E_KEY', `not an age X25519 recipient (prefix ${JSON.stringify(hrp)})`, { details: { field: 'recipient' } })
  if (bytes.length !== 32) throw new CryptoError('E_KEY', `an age recipient holds 32 bytes, this one ${bytes.length}`, { details: { field: 'recipient' } })
  return bytes
}

/** wrap key = HKDF(shared secret, salt = share || recipient, info = label); `shared` is wiped. */
async function wrapKey(p: Primitives, shared: Uint8Array, share: Uint8Array, recipient: Uint8Array): Promise<Uint8Array> {
  try {
    return await p.hkdf(shared, concatBytes([share, recipient]), LABEL, 32)
  } finally {
    shared.fill(0)
  }
}

/** Wrap `fileKey` for `recipient` under a fresh ephemeral key. */
export async function wrapX25519(p: Primitives, fileKey: Uint8Array, recipient: Uint8Array): Promise<Stanza> {
  const ephemeral = p.randomBytes(32)
  let share: Uint8Array, shared: Uint8Array
  try {
    share = await p.x25519.publicKey(ephemeral)
    // sharedSecret refuses an all-zero result: our own recipient strings are checked on input,
    // so this can only be a low-order key someone crafted, which no identity can open.
    shared = await p.x25519.sharedSecret(ephemeral, recipient)
  } finally {
    ephemeral.fill(0) // used for this stanza only; nothing needs it again
  }
  const body = await sealFileKey(p, await wrapKey(p, shared, share, recipient), fileKey)
  return { type: 'X25519', args: [base64Encode(share, { padding: false })], body }
}

/**
 * The file key from the first "X25519" stanza that `identity` opens, or `undefined`. A
 * malformed X25519 stanza (argument count, share encoding and length, body length, low-order
 * share) aborts with `E_FORMAT` rather than being skipped: the spec says reject, and the testkit
 * classes these as header failures. Other stanza types are ignored.
 */
export async function unwrapX25519(p: Primitives, stanzas: readonly Stanza[], identity: X25519Identity): Promise<Uint8Array | undefined> {
  for (const [index, s] of stanzas.entries()) {
    if (s.type !== 'X25519') continue
    const bad = (message: string) => new CryptoError('E_FORMAT', `age header: X25519 stanza ${index + 1}: ${message}`, { details: { field: 'stanza', stanza: index } })
    if (s.args.length !== 1) throw bad(`expected 1 argument after the type, got ${s.args.length}`)
    const share = tryBase64Decode(s.args[0]!, { padding: 'forbidden' })
    if (!share || share.length !== 32) throw bad('the ephemeral share is not canonical base64 of 32 bytes')
    if (s.body.length !== WRAPPED_KEY_SIZE) throw bad(`the body is ${s.body.length} bytes, not ${WRAPPED_KEY_SIZE}`)
    let shared: Uint8Array
    try {
      shared = await p.x25519.sharedSecret(identity.secret, share)
    } catch (e) {
      if (!(e instanceof CryptoError) || e.code !== 'E_DECRYPT') throw e
      // All-zero shared secret: a low-order share. The spec says abort, not skip.
      throw new CryptoError('E_FORMAT', `age header: X25519 stanza ${index + 1}: the ephemeral share is a low-order point`, {
        cause: e,
        details: { field: 'stanza', stanza: index },
      })
    }
    // undefined: addressed to someone else; try the next stanza.
    const fileKey = await openFileKey(p, await wrapKey(p, shared, share, identity.publicKey), s.body)
    if (fileKey) return fileKey
  }
  return undefined
}
