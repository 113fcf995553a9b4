import { CryptoError } from '../errors.js'

const utf8 = new TextEncoder()

/**
 * The UTF-8 bytes of a comment we are about to write, or `E_ARGUMENT`: a comment is one line
 * (a line break would end it early and turn the rest into a line of its own), and it must fit
 * the buffer minisign reads it back with (`maxBytes`).
 *
 * @example
 * ```ts
 * checkComment('timestamp:1700000000', 'trustedComment', 4077) // Uint8Array of 20 bytes
 * ```
 */
export function checkComment(comment: unknown, field: string, maxBytes: number): Uint8Array {
  if (typeof comment !== 'string') throw new CryptoError('E_ARGUMENT', `${field}: expected a string`, { details: { field } })
  // Bound before encoding: UTF-8 needs at least one byte per UTF-16 code unit.
  if (comment.length > maxBytes) throw tooLong(field, comment.length, maxBytes)
  if (/[\r\n]/.test(comment)) throw new CryptoError('E_ARGUMENT', `${field}: a comment is one line; this one contains a line break`, { details: { field } })
  const bytes = utf8.encode(comment)
  if (bytes.length > maxBytes) throw tooLong(field, bytes.length, maxBytes)
  return bytes
}

function tooLong(field: string, length: number, maxBytes: number): CryptoError {
  return new CryptoError('E_ARGUMENT', `${field}: ${length} bytes is longer than the ${maxBytes} minisign can handle`, { details: { field, limit: maxBytes } })
}
