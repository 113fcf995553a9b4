import { CryptoError } from '@torshpkg/crypto'
import { PackageError, type PackageErrorCode } from '../errors.js'

// How a CryptoError from age reads as a package problem: a wrong key stays E_DECRYPT; a
// malformed age file or envelope is a corrupt package; limits and missing features keep
// their meaning; a malformed identity or recipient is the caller's argument.
const CODES: Record<string, PackageErrorCode> = {
  E_DECRYPT: 'E_DECRYPT',
  E_FORMAT: 'E_CORRUPT',
  E_LIMIT: 'E_LIMIT',
  E_UNSUPPORTED: 'E_UNSUPPORTED',
  E_UNSUPPORTED_ALGORITHM: 'E_UNSUPPORTED',
  E_KEY: 'E_ARGUMENT',
  E_ARGUMENT: 'E_ARGUMENT',
}

/** `e` as a PackageError whose message starts with `context`; other errors pass through unchanged. */
export function fromCryptoError(e: unknown, context: string, details: Record<string, unknown> = {}): unknown {
  if (e instanceof PackageError || !(e instanceof CryptoError)) return e
  return new PackageError(CODES[e.code] ?? 'E_CORRUPT', `${context}: ${e.message}`, { ...e.details, ...details, cryptoCode: e.code }, { cause: e })
}
