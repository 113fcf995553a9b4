// Encryption: a fresh file key wrapped for each recipient (or the passphrase), the MAC'd header,
// a fresh payload nonce, then STREAM chunks. One-shot output is allocated once at its final size.
import { concatBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { armor } from './armor.js'
import { encodeHeader } from './header.js'
import { parseRecipients } from './keys.js'
import { AGE_LIMITS, FILE_KEY_SIZE, PAYLOAD_NONCE_SIZE } from './limits.js'
import { checkWorkFactor, wrapScrypt } from './scrypt.js'
import type { Stanza } from './stanza.js'
import { encryptPayloadInto, encryptedPayloadSize, payloadKey } from './stream.js'
import type { AgeEncryptOptions, AgeEncryptTo } from './types.js'
import { wrapX25519 } from './x25519.js'

/** Validated encryption target: decoded recipients, or a passphrase with its work factor. */
export type PreparedTo = { readonly kind: 'recipients'; readonly recipients: readonly Uint8Array[] } | { readonly kind: 'passphrase'; readonly passphrase: string; readonly workFactor: number }

/**
 * Check `to` and the options synchronously (so streams fail at creation): recipients or a
 * passphrase, not both (a passphrase file must have a single stanza), valid work factor.
 */
export function prepareTo(to: AgeEncryptTo, options: AgeEncryptOptions = {}): PreparedTo {
  if (typeof to !== 'object' || to === null) throw new CryptoError('E_ARGUMENT', 'expected { recipients } or { passphrase }')
  const { recipients, passphrase } = to as { recipients?: unknown; passphrase?: unknown }
  if (recipients !== undefined && passphrase !== undefined) {
    throw new CryptoError('E_ARGUMENT', 'a passphrase cannot be combined with recipients (age requires a passphrase stanza to be alone)')
  }
  const max = checkWorkFactor(options.maxWorkFactor ?? AGE_LIMITS.maxWorkFactor, 'maxWorkFactor')
  if (passphrase !== undefined) {
    if (typeof passphrase !== 'string' || passphrase.length === 0) throw new CryptoError('E_ARGUMENT', 'passphrase must be a non-empty string')
    const workFactor = checkWorkFactor(options.workFactor ?? AGE_LIMITS.defaultWorkFactor, 'workFactor')
    if (workFactor > max) throw new CryptoError('E_ARGUMENT', `workFactor ${workFactor} is above maxWorkFactor ${max}: the file could not be decrypted with the same limit`)
    return { kind: 'passphrase', passphrase, workFactor }
  }
  if (recipients === undefined) throw new CryptoError('E_ARGUMENT', 'expected { recipients } or { passphrase }')
  return { kind: 'recipients', recipients: parseRecipients(recipients as readonly string[]) }
}

/**
 * Header and payload nonce (the bytes before the first chunk) and the payload key. The file key
 * is wiped once wrapped, MAC'd and turned into the payload key: nothing else needs it.
 */
export async function beginFile(p: Primitives, to: PreparedTo): Promise<{ prefix: Uint8Array; payloadKey: Uint8Array }> {
  const fileKey = p.randomBytes(FILE_KEY_SIZE)
  try {
    const stanzas: Stanza[] =
      to.kind === 'passphrase'
        ? [await wrapScrypt(p, fileKey, to.passphrase, to.workFactor)]
        : await Promise.all(to.recipients.map((r) => wrapX25519(p, fileKey, r)))
    const header = await encodeHeader(p, stanzas, fileKey)
    const nonce = p.randomBytes(PAYLOAD_NONCE_SIZE)
    return { prefix: concatBytes([header, nonce]), payloadKey: await payloadKey(p, fileKey, nonce) }
  } finally {
    fileKey.fill(0)
  }
}

/** One-shot encryption of `plaintext`. */
export async function encrypt(p: Primitives, plaintext: Uint8Array, to: AgeEncryptTo, options: AgeEncryptOptions = {}): Promise<Uint8Array> {
  const { prefix, payloadKey: key } = await beginFile(p, prepareTo(to, options))
  const out = new Uint8Array(prefix.length + encryptedPayloadSize(plaintext.length))
  out.set(prefix)
  try {
    await encryptPayloadInto(p, key, plaintext, out, prefix.length)
  } finally {
    key.fill(0)
  }
  return options.armor ? armor(out) : out
}
