import { concatBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { PublicKey } from '../keys/types.js'
import { assertPublicKey } from '../keys/validate.js'
import type { Primitives } from '../primitives/types.js'
import { classifyInput, collect, prehash, type SignInput } from './input.js'
import { describe, type TextInput } from './lines.js'
import { parseMinisignPublicKey } from './public-key.js'
import { parseMinisignSignature, type MinisignAlgorithm, type MinisignSignature } from './signature.js'

/** Why a signature did not verify. */
export type VerifyFailure =
  /** The .minisig is not four well-formed lines (too long, bad base64, missing prefix, ...). */
  | 'malformed'
  /** Line 2 names a signature algorithm other than 'ED' or 'Ed'. */
  | 'unsupported-algorithm'
  /** A legacy 'Ed' signature where `requirePrehash` asked for 'ED' (like `minisign -V -H`). */
  | 'prehash-required'
  /** The signature names another key than the one given. */
  | 'key-id-mismatch'
  /** A legacy signature over a stream longer than `maxLegacyBytes`. */
  | 'too-large'
  /** The signature does not cover this data with this key. */
  | 'bad-signature'
  /** The data signature is good but the trusted comment (or the global signature) was changed. */
  | 'bad-global-signature'

/** Outcome of `verifyFile`. `trustedComment` is only present when `valid` is true. */
export interface VerifyResult {
  readonly valid: boolean
  /** Key id the signature names (display form); the given key's id if the file is unreadable. */
  readonly keyId: string
  /** 'ED' (prehashed) or 'Ed' (legacy), once line 2 could be decoded. */
  readonly algorithm?: MinisignAlgorithm
  /** The signed comment: only set when everything verified. */
  readonly trustedComment?: string
  /** Line 1's comment, unsigned: anyone could have written it. */
  readonly untrustedComment?: string
  /** Set when `valid` is false. */
  readonly reason?: VerifyFailure
  /** Set when `valid` is false: what exactly, for logs and people. */
  readonly message?: string
}

/** Options of `verifyFile`. */
export interface VerifyOptions {
  /** Refuse legacy 'Ed' signatures (reason 'prehash-required'), like `minisign -V -H`. */
  requirePrehash?: boolean
  /**
   * Legacy 'Ed' signatures need the whole message in memory: a stream longer than this many
   * bytes gives reason 'too-large' (bytes given in memory are not limited). Default 1 GiB.
   */
  maxLegacyBytes?: number
}

const DEFAULT_MAX_LEGACY_BYTES = 2 ** 30

function publicKeyArgument(publicKey: unknown): PublicKey {
  if (typeof publicKey === 'string') return parseMinisignPublicKey(publicKey)
  return assertPublicKey(publicKey)
}

/**
 * Verify a minisign signature (`verifyFile` of the package API, bound to primitives), in
 * minisign's order: structure, algorithm, key id, the signature of the data, then the global
 * signature over the trusted comment. A bad or malformed signature gives `valid: false` and a
 * `reason`; only arguments of the wrong type throw (`E_ARGUMENT`), and a `publicKey` string
 * that is not a minisign public key (`E_FORMAT`). An error while reading a stream is the
 * stream's and propagates as it is.
 *
 * @example
 * ```ts
 * const r = await verifyWith(noblePrimitives, bytes, minisigText, publicKey)
 * if (!r.valid) throw new Error(`bad signature: ${r.reason}`)
 * ```
 */
export async function verifyWith(p: Primitives, data: SignInput, minisig: TextInput, publicKey: PublicKey | string, options: VerifyOptions = {}): Promise<VerifyResult> {
  if (typeof options !== 'object' || options === null) throw new CryptoError('E_ARGUMENT', 'options: expected an object')
  const maxLegacyBytes = options.maxLegacyBytes ?? DEFAULT_MAX_LEGACY_BYTES
  if (!Number.isSafeInteger(maxLegacyBytes) || maxLegacyBytes < 0) throw new CryptoError('E_ARGUMENT', 'maxLegacyBytes: expected a non-negative integer', { details: { field: 'maxLegacyBytes' } })
  const pk = publicKeyArgument(publicKey)
  const input = classifyInput(data)
  if (typeof minisig !== 'string' && !(minisig instanceof Uint8Array)) {
    throw new CryptoError('E_ARGUMENT', `minisig: expected the .minisig text (string or Uint8Array), got ${describe(minisig)}`, { details: { field: 'minisig' } })
  }

  let sig: MinisignSignature
  try {
    sig = parseMinisignSignature(minisig)
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e
    return { valid: false, keyId: pk.keyId, reason: e.code === 'E_UNSUPPORTED' ? 'unsupported-algorithm' : 'malformed', message: e.message }
  }
  const fail = (reason: VerifyFailure, message: string): VerifyResult => ({
    valid: false,
    keyId: sig.keyId,
    algorithm: sig.algorithm,
    untrustedComment: sig.untrustedComment,
    reason,
    message,
  })
  if (options.requirePrehash && sig.algorithm === 'Ed') return fail('prehash-required', 'legacy (non-prehashed) signature, and requirePrehash is set')
  if (sig.keyId !== pk.keyId) return fail('key-id-mismatch', `signed by key ${sig.keyId}, not by the given key ${pk.keyId}`)

  const message = sig.algorithm === 'ED' ? await prehash(p, input) : await collect(input, maxLegacyBytes)
  if (!message) return fail('too-large', `a legacy signature needs the whole stream in memory, and it is longer than maxLegacyBytes (${maxLegacyBytes})`)
  if (!(await p.ed25519.verify(sig.signature, message, pk.bytes))) return fail('bad-signature', 'the signature does not match this data and key')

  const signedComment = concatBytes([sig.signature, new TextEncoder().encode(sig.trustedComment)])
  if (!(await p.ed25519.verify(sig.globalSignature, signedComment, pk.bytes))) {
    return fail('bad-global-signature', 'the data signature is good, but the trusted comment or the global signature was changed')
  }
  return { valid: true, keyId: sig.keyId, algorithm: sig.algorithm, trustedComment: sig.trustedComment, untrustedComment: sig.untrustedComment }
}
