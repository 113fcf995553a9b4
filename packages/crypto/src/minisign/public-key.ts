import { equalBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import { newPublicKey } from '../keys/construct.js'
import { keyIdFromBytes, keyIdToBytes } from '../keys/keyid.js'
import type { PublicKey } from '../keys/types.js'
import { assertPublicKey } from '../keys/validate.js'
import { base64Encode, tryBase64Decode } from '../encoding/base64.js'
import { ALG_ED, MAX_UNTRUSTED_COMMENT_BYTES, PUBLIC_KEY_BYTES, UNTRUSTED_PREFIX, algName } from './layout.js'
import { checkComment } from './comment.js'
import { readLines, type TextInput } from './lines.js'

// A .pub file is two lines: an untrusted comment and base64(42 bytes). Generous bounds: the
// base64 line is 56 characters; the comment is free text that minisign itself reads with a
// 1024-byte buffer.
const LIMITS = { what: 'minisign public key', maxLength: 4096, maxLineLength: 2048 } as const

/**
 * The public key in a minisign `.pub` file: the whole file (comment line + base64 line), or
 * just the base64 line as `minisign -P` takes it. The key keeps the file's key id. LF or CRLF.
 * Like minisign, the first line of a two-line file is not checked (it is an untrusted
 * comment); anything after the key line is refused.
 *
 * Throws `E_FORMAT` (with `details.field` and `details.line`) for a malformed file and
 * `E_UNSUPPORTED` for a key algorithm other than Ed25519.
 *
 * @example
 * ```ts
 * const pk = parseMinisignPublicKey(readFileSync('minisign.pub', 'utf8'))
 * const same = parseMinisignPublicKey('RWSbw9gKPJiPxbNS8raEPsM0JCsXTJ/yn0mvPERuzTuc83nN0niNbWee')
 * pk.keyId // 'C58F983C0AD8C39B', as `minisign` prints it
 * ```
 */
export function parseMinisignPublicKey(text: TextInput): PublicKey {
  const lines = readLines(text, LIMITS)
  if (lines.length === 0) throw new CryptoError('E_FORMAT', 'minisign public key: empty input', { details: { field: 'publicKey', line: 1 } })
  if (lines.length > 2) {
    throw new CryptoError('E_FORMAT', `minisign public key: expected a comment line and a key line, found ${lines.length} lines`, {
      details: { field: 'text', line: 3 },
    })
  }
  const lineNo = lines.length
  return decodePublicKeyLine(lines[lineNo - 1]!.trim(), lineNo)
}

/**
 * The key on one base64 line of a .pub file (line `lineNo`, for errors).
 *
 * @example
 * ```ts
 * decodePublicKeyLine('RWSbw9gKPJiPxbNS8raEPsM0JCsXTJ/yn0mvPERuzTuc83nN0niNbWee', 2).keyId // 'C58F983C0AD8C39B'
 * ```
 */
export function decodePublicKeyLine(line: string, lineNo: number): PublicKey {
  const where = { field: 'publicKey', line: lineNo }
  if (line.startsWith(UNTRUSTED_PREFIX)) {
    throw new CryptoError('E_FORMAT', `minisign public key: line ${lineNo} is a comment; the key line is missing`, { details: where })
  }
  // Bound before decoding: the only valid length is 56 characters.
  const bytes = line.length === 56 ? tryBase64Decode(line) : undefined
  if (!bytes || bytes.length !== PUBLIC_KEY_BYTES) {
    throw new CryptoError('E_FORMAT', `minisign public key: line ${lineNo} is not the base64 of a ${PUBLIC_KEY_BYTES}-byte key (56 characters, got ${line.length})`, {
      details: where,
    })
  }
  const alg = bytes.subarray(0, 2)
  if (!equalBytes(alg, ALG_ED)) {
    throw new CryptoError('E_UNSUPPORTED', `minisign public key: signature algorithm ${algName(alg)} on line ${lineNo}; only "Ed" (Ed25519) exists`, {
      details: { field: 'signatureAlgorithm', line: lineNo },
    })
  }
  return newPublicKey(bytes.subarray(10, 42), keyIdFromBytes(bytes.subarray(2, 10)))
}

/**
 * The base64 key line of a .pub file (what `minisign -P` takes).
 *
 * @example
 * ```ts
 * const args = ['-V', '-P', encodePublicKeyLine(publicKey), '-m', file]
 * ```
 */
export function encodePublicKeyLine(publicKey: PublicKey): string {
  const pk = assertPublicKey(publicKey)
  const bytes = new Uint8Array(PUBLIC_KEY_BYTES)
  bytes.set(ALG_ED, 0)
  bytes.set(keyIdToBytes(pk.keyId), 2)
  bytes.set(pk.bytes, 10)
  return base64Encode(bytes)
}

/**
 * The text of a minisign `.pub` file for `publicKey` (untrusted comment line + key line).
 * Generated keys carry the SHA-256-derived key id into the file, so minisign prints the same id.
 *
 * @example
 * ```ts
 * writeFileSync('key.pub', formatMinisignPublicKey(publicKey))
 * // untrusted comment: minisign public key C58F983C0AD8C39B
 * // RWSbw9gKPJiPxbNS8raEPsM0JCsXTJ/yn0mvPERuzTuc83nN0niNbWee
 * ```
 */
export function formatMinisignPublicKey(publicKey: PublicKey, options: { comment?: string } = {}): string {
  const line = encodePublicKeyLine(publicKey)
  // minisign prints the id with %llX, without leading zeros: match it byte for byte.
  const comment = options.comment ?? `minisign public key ${publicKey.keyId.replace(/^0+(?=.)/, '')}`
  checkComment(comment, 'comment', MAX_UNTRUSTED_COMMENT_BYTES)
  return `${UNTRUSTED_PREFIX}${comment}\n${line}\n`
}
