// From a parsed header and the caller's key to the authenticated file key: enforce the
// scrypt-stanza-alone rule, try every identity on every stanza it understands, then check the
// header MAC. Shared by the one-shot, streaming and random-access readers.
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { verifyHeaderMac, type AgeHeader } from './header.js'
import { parseIdentities } from './keys.js'
import { AGE_LIMITS } from './limits.js'
import { checkWorkFactor, unwrapScrypt } from './scrypt.js'
import { unwrapX25519, type X25519Identity } from './x25519.js'
import type { AgeDecryptKey, AgeDecryptOptions } from './types.js'

/** A decryption key checked and decoded up front, before any input is read. */
export type PreparedKey =
  | { readonly kind: 'identities'; readonly identities: readonly X25519Identity[] }
  | { readonly kind: 'passphrase'; readonly passphrase: string; readonly maxWorkFactor: number }

/**
 * Check and decode `{ identity }` / `{ passphrase }` and the work-factor cap: bad keys fail
 * with `E_ARGUMENT`/`E_KEY`/`E_UNSUPPORTED` before the file is touched.
 */
export async function prepareKey(p: Primitives, key: AgeDecryptKey, options: AgeDecryptOptions = {}): Promise<PreparedKey> {
  if (typeof key !== 'object' || key === null) throw new CryptoError('E_ARGUMENT', 'expected { identity } or { passphrase }')
  const identity = (key as { identity?: unknown }).identity
  const passphrase = (key as { passphrase?: unknown }).passphrase
  if ((identity === undefined) === (passphrase === undefined)) throw new CryptoError('E_ARGUMENT', 'give exactly one of identity or passphrase')
  const maxWorkFactor = checkWorkFactor(options.maxWorkFactor ?? AGE_LIMITS.maxWorkFactor, 'maxWorkFactor')
  if (passphrase !== undefined) {
    if (typeof passphrase !== 'string') throw new CryptoError('E_ARGUMENT', 'passphrase must be a string')
    return { kind: 'passphrase', passphrase, maxWorkFactor }
  }
  return { kind: 'identities', identities: await parseIdentities(p, identity as string | readonly string[]) }
}

/**
 * Wipe the identity secrets of a prepared key once its file is open (or failed to open): they
 * are our decoded copies, and only the payload key is needed from then on.
 */
export function forgetKey(key: PreparedKey | undefined): void {
  if (key?.kind === 'identities') for (const identity of key.identities) identity.secret.fill(0)
}

/**
 * The file key of `header` for `key`, with the header MAC verified. `E_FORMAT` for a scrypt
 * stanza next to others (the spec requires it alone: a passphrase file must not be openable by
 * someone who only added a recipient), `E_DECRYPT` when no stanza opens or the MAC fails.
 */
export async function unwrapFileKey(p: Primitives, header: AgeHeader, key: PreparedKey): Promise<Uint8Array> {
  const { stanzas } = header
  const scrypt = stanzas.findIndex((s) => s.type === 'scrypt')
  if (scrypt >= 0 && stanzas.length !== 1) {
    throw new CryptoError('E_FORMAT', 'age header: an scrypt (passphrase) stanza must be the only stanza', { details: { field: 'stanza', stanza: scrypt } })
  }
  let fileKey: Uint8Array | undefined
  if (key.kind === 'passphrase') {
    fileKey = await unwrapScrypt(p, stanzas, key.passphrase, key.maxWorkFactor)
    if (!fileKey) {
      throw new CryptoError('E_DECRYPT', scrypt < 0 ? 'age: the file is encrypted to public keys, not with a passphrase' : 'age: incorrect passphrase', {
        details: { field: 'passphrase' },
      })
    }
  } else {
    for (const identity of key.identities) {
      fileKey = await unwrapX25519(p, stanzas, identity)
      if (fileKey) break
    }
    if (!fileKey) {
      throw new CryptoError('E_DECRYPT', scrypt >= 0 ? 'age: the file is passphrase-encrypted; give { passphrase }' : "age: no identity matched any of the file's recipients", {
        details: { field: 'identity', stanzas: stanzas.length },
      })
    }
  }
  await verifyHeaderMac(p, header, fileKey)
  return fileKey
}
