import { createHasher, toHex } from '@torshpkg/crypto'
import { StorageError } from './errors.js'

/** A SHA-256 in hex: 64 lowercase hex digits. */
const HEX64 = /^[0-9a-f]{64}$/

/** Checks a hex SHA-256 (as `PutOptions.sha256` takes it): `E_ARGUMENT` otherwise. */
export function checkSha256(hex: string, key?: string): string {
  if (typeof hex !== 'string' || !HEX64.test(hex)) {
    throw new StorageError('E_ARGUMENT', `sha256 must be 64 lowercase hex digits, got ${JSON.stringify(String(hex).slice(0, 80))}`, key === undefined ? {} : { key })
  }
  return hex
}

/** SHA-256 of `bytes`, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return toHex(createHasher('sha256').update(bytes).digest())
}

/** `E_INTEGRITY` unless `actual` is `expected`. */
export function checkDigest(expected: string, actual: string, key: string): void {
  if (expected !== actual) throw new StorageError('E_INTEGRITY', `sha256 mismatch: expected ${expected}, got ${actual}; nothing was written`, { key })
}
