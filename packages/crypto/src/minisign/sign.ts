import { concatBytes, equalBytes, startsWithBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { SecretKey } from '../keys/types.js'
import { assertSecretKey } from '../keys/validate.js'
import type { Primitives } from '../primitives/types.js'
import { checkComment } from './comment.js'
import { classifyInput, prehash, type SignInput } from './input.js'
import { MAX_TRUSTED_COMMENT_BYTES, MAX_UNTRUSTED_COMMENT_BYTES } from './layout.js'
import { formatMinisignSignature } from './signature.js'

/** Options of `signFile`. */
export interface SignOptions {
  /**
   * The signed comment (line 3), one line of at most 4077 UTF-8 bytes. Default, like
   * minisign's: `timestamp:<unix seconds>`, plus `\tfile:<fileName>` and, when prehashed,
   * `\thashed` if `fileName` is given.
   */
  trustedComment?: string
  /** The unsigned comment (line 1), at most 1003 bytes. Default 'signature from minisign secret key'. */
  untrustedComment?: string
  /**
   * `true` (default): a prehashed 'ED' signature, Ed25519 over BLAKE2b-512 of the data, which
   * is what minisign >= 0.8 writes and works on streams. `false`: a legacy 'Ed' signature over
   * the data itself (`minisign -l`), for verifiers older than 0.8; bytes only, not streams,
   * and `minisign -V -H` refuses it.
   */
  prehash?: boolean
  /** File name for the default trusted comment (minisign writes the base name). */
  fileName?: string
  /** Unix time in seconds for the default trusted comment; default now. */
  timestamp?: number
}

const DEFAULT_UNTRUSTED = 'signature from minisign secret key'

function defaultTrustedComment(options: SignOptions, prehashed: boolean): string {
  const ts = options.timestamp ?? Math.floor(Date.now() / 1000)
  if (!Number.isSafeInteger(ts) || ts < 0) throw new CryptoError('E_ARGUMENT', 'timestamp: expected whole non-negative Unix seconds', { details: { field: 'timestamp' } })
  if (options.fileName === undefined) return `timestamp:${ts}`
  if (typeof options.fileName !== 'string') throw new CryptoError('E_ARGUMENT', 'fileName: expected a string', { details: { field: 'fileName' } })
  return `timestamp:${ts}\tfile:${options.fileName}${prehashed ? '\thashed' : ''}`
}

const DSSE_PAE_PREFIX = new TextEncoder().encode('DSSEv1 ')

/**
 * Sign `data` with `secretKey` in minisign's format (`signFile` of the package API, bound to
 * primitives). Everything is checked before the data is read: the options, the comments, and
 * that the seed gives the key's public half (else the signature would verify with no key).
 *
 * @example
 * ```ts
 * const minisig = await signWith(noblePrimitives, bytes, secretKey, { trustedComment: 'release 1.2' })
 * ```
 */
export async function signWith(p: Primitives, data: SignInput, secretKey: SecretKey | PromiseLike<SecretKey>, options: SignOptions = {}): Promise<string> {
  // parseMinisignSecretKey is async (it checks the seed against the public key): accept its
  // promise too, so `signFile(data, parseMinisignSecretKey(text))` works.
  const sk = assertSecretKey(await secretKey)
  if (typeof options !== 'object' || options === null) throw new CryptoError('E_ARGUMENT', 'options: expected an object')
  const input = classifyInput(data)
  const prehashed = options.prehash ?? true
  if (typeof prehashed !== 'boolean') throw new CryptoError('E_ARGUMENT', 'prehash: expected a boolean', { details: { field: 'prehash' } })
  if (!prehashed && input.kind !== 'bytes') {
    throw new CryptoError('E_UNSUPPORTED', 'legacy (prehash: false) signatures cover the whole message at once; pass bytes, or sign the stream prehashed', {
      details: { field: 'prehash' },
    })
  }
  const trusted = checkComment(options.trustedComment ?? defaultTrustedComment(options, prehashed), 'trustedComment', MAX_TRUSTED_COMMENT_BYTES)
  const untrustedComment = options.untrustedComment ?? DEFAULT_UNTRUSTED
  checkComment(untrustedComment, 'untrustedComment', MAX_UNTRUSTED_COMMENT_BYTES)
  if (!equalBytes(await p.ed25519.publicKey(sk.seed), sk.publicKey.bytes)) {
    throw new CryptoError('E_KEY', 'secretKey: publicKey is not the public key of seed', { details: { field: 'secretKey.publicKey' } })
  }

  const message = prehashed ? await prehash(p, input) : (input as { bytes: Uint8Array }).bytes
  // Legacy signatures are raw Ed25519 over the caller's bytes; the same keys sign DSSE
  // envelopes, whose signed message is a PAE starting "DSSEv1 ". Refuse to sign such bytes,
  // so a legacy file signature can never double as a package signature or attestation.
  if (!prehashed && startsWithBytes(message, DSSE_PAE_PREFIX)) {
    throw new CryptoError('E_ARGUMENT', 'legacy (prehash: false) signing refuses data that starts with "DSSEv1 " (it would be a valid DSSE signature); sign it prehashed', {
      details: { field: 'data' },
    })
  }
  const signature = await p.ed25519.sign(message, sk.seed)
  // The global signature binds the trusted comment to this signature (minisign: sig || comment).
  const globalSignature = await p.ed25519.sign(concatBytes([signature, trusted]), sk.seed)
  return formatMinisignSignature({
    algorithm: prehashed ? 'ED' : 'Ed',
    keyId: sk.keyId,
    signature,
    untrustedComment,
    trustedComment: new TextDecoder().decode(trusted),
    globalSignature,
  })
}
