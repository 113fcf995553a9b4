// The scrypt recipient type: a passphrase-derived key wraps the file key in the only stanza of
// the file, "scrypt <salt> <log2 N>". The work factor comes from the file, so it is checked
// against the caller's cap before scrypt runs: a hostile file cannot make us spend gigabytes.
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { decodeBase64, encodeBase64 } from './base64.js'
import { AGE_LIMITS, FILE_KEY_SIZE, WRAPPED_KEY_SIZE } from './limits.js'
import type { Stanza } from './stanza.js'

const enc = new TextEncoder()
const LABEL = enc.encode('age-encryption.org/v1/scrypt')
const ZERO_NONCE = new Uint8Array(12)

/** Validate a work-factor cap or setting (an integer from 1 to AGE_LIMITS.maxSettableWorkFactor). */
export function checkWorkFactor(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > AGE_LIMITS.maxSettableWorkFactor) {
    throw new CryptoError('E_ARGUMENT', `${name} must be an integer from 1 to ${AGE_LIMITS.maxSettableWorkFactor}, got ${String(value)}`)
  }
  return value
}

async function wrapKey(p: Primitives, passphrase: string, salt: Uint8Array, logN: number): Promise<Uint8Array> {
  const fullSalt = new Uint8Array(LABEL.length + salt.length)
  fullSalt.set(LABEL)
  fullSalt.set(salt, LABEL.length)
  return p.scrypt(enc.encode(passphrase), fullSalt, { logN, r: 8, p: 1, dkLen: 32 })
}

/** Wrap `fileKey` under `passphrase` with a fresh salt. */
export async function wrapScrypt(p: Primitives, fileKey: Uint8Array, passphrase: string, workFactor: number): Promise<Stanza> {
  const salt = p.randomBytes(16)
  const key = await wrapKey(p, passphrase, salt, workFactor)
  const body = await p.aead.encrypt('chacha20-poly1305', key, ZERO_NONCE, fileKey)
  return { type: 'scrypt', args: [encodeBase64(salt), String(workFactor)], body }
}

/**
 * The file key from the scrypt stanza, or `undefined` when there is none or the passphrase does
 * not open it. The caller has already checked that a scrypt stanza is alone in the header.
 * Malformed stanzas are `E_FORMAT`; a work factor above `maxWorkFactor` is `E_LIMIT`, both
 * raised before scrypt runs.
 */
export async function unwrapScrypt(p: Primitives, stanzas: readonly Stanza[], passphrase: string, maxWorkFactor: number): Promise<Uint8Array | undefined> {
  for (const [index, s] of stanzas.entries()) {
    if (s.type !== 'scrypt') continue
    const bad = (message: string) => new CryptoError('E_FORMAT', `age header: scrypt stanza: ${message}`, { details: { field: 'stanza', stanza: index } })
    if (s.args.length !== 2) throw bad(`expected 2 arguments after the type, got ${s.args.length}`)
    const salt = decodeBase64(s.args[0]!)
    if (!salt || salt.length !== 16) throw bad('the salt is not canonical base64 of 16 bytes')
    const factor = s.args[1]!
    // Decimal without leading zeros or signs (^[1-9][0-9]*$); length first, so "overflowing"
    // numbers never reach Number().
    if (!/^[1-9][0-9]*$/.test(factor)) throw bad(`the work factor ${JSON.stringify(factor)} is not a decimal number without leading zeros`)
    const logN = factor.length > 2 ? Infinity : Number(factor)
    if (logN > maxWorkFactor) {
      throw new CryptoError('E_LIMIT', `age header: the scrypt work factor ${factor.length > 6 ? factor.slice(0, 6) + '...' : factor} exceeds the limit of ${maxWorkFactor} (raise maxWorkFactor to allow it)`, {
        details: { field: 'workFactor', stanza: index, limit: maxWorkFactor },
      })
    }
    if (s.body.length !== WRAPPED_KEY_SIZE) throw bad(`the body is ${s.body.length} bytes, not ${WRAPPED_KEY_SIZE}`)
    const key = await wrapKey(p, passphrase, salt, logN)
    try {
      const fileKey = await p.aead.decrypt('chacha20-poly1305', key, ZERO_NONCE, s.body)
      if (fileKey.length === FILE_KEY_SIZE) return fileKey
    } catch (e) {
      if (!(e instanceof CryptoError) || e.code !== 'E_DECRYPT') throw e
    }
  }
  return undefined
}
