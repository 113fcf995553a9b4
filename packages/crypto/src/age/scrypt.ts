// The scrypt recipient type: a passphrase-derived key wraps the file key in the only stanza of
// the file, "scrypt <salt> <log2 N>". The work factor comes from the file, so it is checked
// against the caller's cap before scrypt runs: a hostile file cannot make us spend gigabytes.
import { concatBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { base64Encode, tryBase64Decode } from '../encoding/base64.js'
import { openFileKey, sealFileKey } from './file-key.js'
import { AGE_LIMITS, WRAPPED_KEY_SIZE } from './limits.js'
import type { Stanza } from './stanza.js'

const enc = new TextEncoder()
const LABEL = enc.encode('age-encryption.org/v1/scrypt')

/** Validate a work-factor cap or setting (an integer from 1 to AGE_LIMITS.maxSettableWorkFactor). */
export function checkWorkFactor(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > AGE_LIMITS.maxSettableWorkFactor) {
    throw new CryptoError('E_ARGUMENT', `${name} must be an integer from 1 to ${AGE_LIMITS.maxSettableWorkFactor}, got ${String(value)}`)
  }
  return value
}

async function wrapKey(p: Primitives, passphrase: string, salt: Uint8Array, logN: number): Promise<Uint8Array> {
  const password = enc.encode(passphrase)
  try {
    return await p.scrypt(password, concatBytes([LABEL, salt]), { logN, r: 8, p: 1, dkLen: 32 })
  } finally {
    password.fill(0) // our UTF-8 copy of the passphrase (the string itself cannot be wiped)
  }
}

/** Wrap `fileKey` under `passphrase` with a fresh salt. */
export async function wrapScrypt(p: Primitives, fileKey: Uint8Array, passphrase: string, workFactor: number): Promise<Stanza> {
  const salt = p.randomBytes(16)
  const body = await sealFileKey(p, await wrapKey(p, passphrase, salt, workFactor), fileKey)
  return { type: 'scrypt', args: [base64Encode(salt, { padding: false }), String(workFactor)], body }
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
    const salt = tryBase64Decode(s.args[0]!, { padding: 'forbidden' })
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
    const fileKey = await openFileKey(p, await wrapKey(p, passphrase, salt, logN), s.body)
    if (fileKey) return fileKey
  }
  return undefined
}
