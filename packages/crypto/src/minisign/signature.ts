import { equalBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import { keyIdFromBytes, keyIdToBytes } from '../keys/keyid.js'
import { base64Encode, tryBase64Decode } from '../encoding/base64.js'
import { checkComment } from './comment.js'
import { ALG_ED, ALG_PREHASHED, ED25519_SIGNATURE_BYTES, SIGNATURE_BYTES, TRUSTED_PREFIX, UNTRUSTED_PREFIX, algName } from './layout.js'
import { readLines, type TextInput } from './lines.js'

/** 'ED': Ed25519 over BLAKE2b-512 of the file (minisign's default); 'Ed': legacy, Ed25519 over the file itself. */
export type MinisignAlgorithm = 'ED' | 'Ed'

/** The four lines of a `.minisig` file, decoded. Nothing in it has been verified. */
export interface MinisignSignature {
  readonly algorithm: MinisignAlgorithm
  /** Key id of the signing key, display form (as minisign prints it). */
  readonly keyId: string
  /** Ed25519 signature of the file (or of its BLAKE2b-512 for 'ED'): 64 bytes. */
  readonly signature: Uint8Array
  /** Line 1 after 'untrusted comment: '. Not signed: anyone can change it. */
  readonly untrustedComment: string
  /** Line 3 after 'trusted comment: '. Signed by the global signature, which only verification checks. */
  readonly trustedComment: string
  /** Ed25519 signature of (signature || trusted comment as UTF-8): 64 bytes. */
  readonly globalSignature: Uint8Array
}

/**
 * Bounds for a .minisig. Real ones are ~300 bytes. minisign 0.11 reads lines into an 8192-byte
 * buffer, so the longest trusted comment line it verifies is 8190 characters (prefix
 * included; measured: a 8173-byte comment verifies, 8174 does not): the same line bound here,
 * and 16 KiB in all, bound what a hostile file can make us split and decode.
 */
export const SIGNATURE_LIMITS = { what: 'minisign signature', maxLength: 16384, maxLineLength: 8190 } as const

const SIG_BASE64_LENGTH = 100
const GLOBAL_BASE64_LENGTH = 88

function formatError(message: string, field: string, line: number): CryptoError {
  return new CryptoError('E_FORMAT', `minisign signature: ${message}`, { details: { field, line } })
}

/**
 * Decode a `.minisig` file (text or bytes; LF or CRLF) without verifying anything: for
 * inspecting which key signed, or the algorithm. Use `verifyFile` to trust any of it.
 *
 * Throws `E_FORMAT` with `details.field` and `details.line` (1-based), or `E_UNSUPPORTED` for a
 * signature algorithm other than 'ED'/'Ed'. Lines after the fourth are refused rather than
 * ignored (minisign ignores them): unsigned text after a signature invites misreading.
 *
 * @example
 * ```ts
 * const sig = parseMinisignSignature(readFileSync('file.minisig'))
 * sig.keyId      // 'C58F983C0AD8C39B'
 * sig.algorithm  // 'ED'
 * ```
 */
export function parseMinisignSignature(text: TextInput): MinisignSignature {
  const lines = readLines(text, SIGNATURE_LIMITS)
  if (lines.length < 4) {
    const missing = ['the untrusted comment', 'the signature', 'the trusted comment', 'the global signature'][lines.length]!
    throw formatError(`${lines.length} lines; ${missing} (line ${lines.length + 1}) is missing`, ['untrustedComment', 'signature', 'trustedComment', 'globalSignature'][lines.length]!, lines.length + 1)
  }
  if (lines.length > 4) throw formatError(`${lines.length} lines; a signature has 4 and nothing may follow it`, 'text', 5)
  const [l1, l2, l3, l4] = lines as [string, string, string, string]
  if (!l1.startsWith(UNTRUSTED_PREFIX)) throw formatError(`line 1 must start with "${UNTRUSTED_PREFIX}"`, 'untrustedComment', 1)
  if (!l3.startsWith(TRUSTED_PREFIX)) throw formatError(`line 3 must start with "${TRUSTED_PREFIX}"`, 'trustedComment', 3)
  // Bound before decoding: each base64 line has exactly one valid length.
  const sig = l2.length === SIG_BASE64_LENGTH ? tryBase64Decode(l2) : undefined
  if (!sig || sig.length !== SIGNATURE_BYTES) {
    throw formatError(`line 2 is not the base64 of a ${SIGNATURE_BYTES}-byte signature (${SIG_BASE64_LENGTH} characters, got ${l2.length})`, 'signature', 2)
  }
  const global = l4.length === GLOBAL_BASE64_LENGTH ? tryBase64Decode(l4) : undefined
  if (!global || global.length !== ED25519_SIGNATURE_BYTES) {
    throw formatError(`line 4 is not the base64 of a ${ED25519_SIGNATURE_BYTES}-byte global signature (${GLOBAL_BASE64_LENGTH} characters, got ${l4.length})`, 'globalSignature', 4)
  }
  const alg = sig.subarray(0, 2)
  const algorithm: MinisignAlgorithm | undefined = equalBytes(alg, ALG_PREHASHED) ? 'ED' : equalBytes(alg, ALG_ED) ? 'Ed' : undefined
  if (!algorithm) {
    throw new CryptoError('E_UNSUPPORTED', `minisign signature: algorithm ${algName(alg)} on line 2; minisign defines "ED" (prehashed) and "Ed" (legacy)`, {
      details: { field: 'signatureAlgorithm', line: 2 },
    })
  }
  return Object.freeze({
    algorithm,
    keyId: keyIdFromBytes(sig.subarray(2, 10)),
    signature: sig.slice(10),
    untrustedComment: l1.slice(UNTRUSTED_PREFIX.length),
    trustedComment: l3.slice(TRUSTED_PREFIX.length),
    globalSignature: global,
  })
}

/**
 * The text of a `.minisig` file (LF line endings, final newline), as minisign writes it.
 * `E_ARGUMENT` for wrong lengths, or comments that would not parse back (line breaks, too long).
 *
 * @example
 * ```ts
 * formatMinisignSignature(parseMinisignSignature(text)) === text.replace(/\r\n/g, '\n') // for minisign's files
 * ```
 */
export function formatMinisignSignature(sig: MinisignSignature): string {
  if (typeof sig !== 'object' || sig === null) throw new CryptoError('E_ARGUMENT', 'expected a MinisignSignature object')
  if (sig.algorithm !== 'ED' && sig.algorithm !== 'Ed') throw new CryptoError('E_ARGUMENT', "algorithm: expected 'ED' or 'Ed'", { details: { field: 'algorithm' } })
  for (const field of ['signature', 'globalSignature'] as const) {
    if (!(sig[field] instanceof Uint8Array) || sig[field].length !== ED25519_SIGNATURE_BYTES) {
      throw new CryptoError('E_ARGUMENT', `${field}: expected ${ED25519_SIGNATURE_BYTES} bytes`, { details: { field } })
    }
  }
  // Written comments must parse back: one line each, within the parser's line bound.
  checkComment(sig.untrustedComment, 'untrustedComment', SIGNATURE_LIMITS.maxLineLength - UNTRUSTED_PREFIX.length)
  checkComment(sig.trustedComment, 'trustedComment', SIGNATURE_LIMITS.maxLineLength - TRUSTED_PREFIX.length)
  const bytes = new Uint8Array(SIGNATURE_BYTES)
  bytes.set(sig.algorithm === 'ED' ? ALG_PREHASHED : ALG_ED, 0)
  bytes.set(keyIdToBytes(sig.keyId), 2)
  bytes.set(sig.signature, 10)
  return `${UNTRUSTED_PREFIX}${sig.untrustedComment}\n${base64Encode(bytes)}\n${TRUSTED_PREFIX}${sig.trustedComment}\n${base64Encode(sig.globalSignature)}\n`
}
