import { CryptoError } from '../errors.js'

// minisign stores a key id as 8 bytes but prints them as a little-endian u64 in uppercase hex
// (`%016llX`): the display form is the byte string reversed. Keeping the display form in
// `PublicKey.keyId` lets users compare it with what `minisign` prints; these two functions are
// the only place that knows about the reversal.

/** Number of bytes in a minisign key id. */
export const KEY_ID_BYTES = 8

const KEY_ID = /^[0-9A-F]{16}$/

/**
 * The display form (16 uppercase hex digits) of 8 key-id bytes as stored in minisign files.
 *
 * @example
 * ```ts
 * keyIdFromBytes(new Uint8Array([0x9b, 0xc3, 0xd8, 0x0a, 0x3c, 0x98, 0x8f, 0xc5])) // 'C58F983C0AD8C39B'
 * ```
 */
export function keyIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== KEY_ID_BYTES) throw new CryptoError('E_ARGUMENT', `a key id is ${KEY_ID_BYTES} bytes, got ${bytes.length}`)
  let s = ''
  for (let i = KEY_ID_BYTES - 1; i >= 0; i--) s += bytes[i]!.toString(16).padStart(2, '0')
  return s.toUpperCase()
}

/**
 * The 8 bytes minisign stores for a display-form key id (the inverse of {@link keyIdFromBytes}).
 *
 * @example
 * ```ts
 * keyIdToBytes('C58F983C0AD8C39B') // Uint8Array [0x9b, 0xc3, 0xd8, 0x0a, 0x3c, 0x98, 0x8f, 0xc5]
 * ```
 */
export function keyIdToBytes(keyId: string): Uint8Array {
  if (!isKeyId(keyId)) throw new CryptoError('E_ARGUMENT', `a key id is 16 uppercase hex digits, got ${JSON.stringify(String(keyId).slice(0, 40))}`, { details: { field: 'keyId' } })
  const out = new Uint8Array(KEY_ID_BYTES)
  for (let i = 0; i < KEY_ID_BYTES; i++) out[KEY_ID_BYTES - 1 - i] = parseInt(keyId.slice(2 * i, 2 * i + 2), 16)
  return out
}

/**
 * Whether `value` is a key id in display form: exactly 16 uppercase hex digits.
 *
 * @example
 * ```ts
 * isKeyId('C58F983C0AD8C39B') // true
 * isKeyId('c58f983c0ad8c39b') // false: minisign prints uppercase, and ids are compared as strings
 * ```
 */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID.test(value)
}
