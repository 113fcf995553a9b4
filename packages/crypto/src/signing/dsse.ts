import { equalBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { Keyring, KeyringEntry } from '../keyring.js'
import type { SecretKey } from '../keys/types.js'
import { assertSecretKey } from '../keys/validate.js'
import type { Primitives } from '../primitives/types.js'
import { base64Decode, base64Encode, type Base64DecodeOptions } from '../encoding/base64.js'
import { parseJsonStrict } from './json.js'

/** DSSE's base64 rule (envelope.md): verifiers accept the standard or URL-safe alphabet, padded or not. */
export const DSSE_BASE64 = { alphabet: 'either', padding: 'optional', canonical: false } as const satisfies Base64DecodeOptions

/**
 * A DSSE JSON envelope (https://github.com/secure-systems-lab/dsse, envelope.md). `payload`
 * and `sig` are base64; `keyid` is this library's key id (16 uppercase hex digits).
 */
export interface DsseEnvelope {
  payloadType: string
  payload: string
  signatures: { keyid?: string; sig: string }[]
}

/** An envelope after decoding: the body bytes and raw signatures. */
export interface DecodedEnvelope {
  payloadType: string
  body: Uint8Array
  signatures: { keyid: string; sig: Uint8Array }[]
}

/** Why a signature was not accepted. */
export type SignatureFailure = 'untrusted-key' | 'expired-key' | 'bad-signature' | 'digest-mismatch' | 'malformed' | 'limit'

/** One signature of an envelope, checked. */
export interface DsseSignatureCheck {
  valid: boolean
  /** The key that signed (when valid), else the envelope's unauthenticated keyid hint ('' if none). */
  keyId: string
  /** The keyring entry's name, once the signature verified under it. */
  signer?: string
  reason?: SignatureFailure
}

/** Result of {@link verifyDsse}. */
export interface DsseVerification {
  /** At least one signature verifies under a trusted key that has not expired at `now`. */
  valid: boolean
  /** Undefined when the envelope itself could not be decoded (`reason: 'malformed'`). */
  payloadType?: string
  /**
   * The signed body. Only trust it when `valid` is true; it is returned either way so that
   * diagnostics can show what was claimed.
   */
  body?: Uint8Array
  signatures: DsseSignatureCheck[]
  reason?: SignatureFailure
  /** Human-readable explanation of a failure. */
  detail?: string
}

/** Bounds on untrusted envelopes. */
export interface DsseLimits {
  /** Largest envelope accepted, in bytes of JSON. Default 1 MiB. */
  maxEnvelopeBytes?: number
  /** Most signatures in one envelope. Default 16. */
  maxSignatures?: number
}

export const DEFAULT_MAX_ENVELOPE_BYTES = 1024 * 1024
const DEFAULT_MAX_ENVELOPE_SIGNATURES = 16
const MAX_PAYLOAD_TYPE_LENGTH = 256
const MAX_KEYID_LENGTH = 256
const ED25519_SIGNATURE_SIZE = 64
const utf8 = new TextEncoder()

/**
 * DSSE's Pre-Authentication Encoding, what is actually signed:
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal bytes.
 * Binding the payloadType into the signed bytes is what keeps a signature made for one kind
 * of document from being accepted as another.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(pae('http://example.com/HelloWorld', new TextEncoder().encode('hello world')))
 * // 'DSSEv1 29 http://example.com/HelloWorld 11 hello world'
 * ```
 */
export function pae(payloadType: string, body: Uint8Array): Uint8Array {
  const type = utf8.encode(payloadType)
  const head = utf8.encode(`DSSEv1 ${type.length} `)
  const mid = utf8.encode(` ${body.length} `)
  const out = new Uint8Array(head.length + type.length + mid.length + body.length)
  out.set(head)
  out.set(type, head.length)
  out.set(mid, head.length + type.length)
  out.set(body, head.length + type.length + mid.length)
  return out
}

/** Serialize an envelope as compact JSON bytes (the form stored in signature records). */
export function encodeEnvelope(envelope: DsseEnvelope): Uint8Array {
  const signatures = envelope.signatures.map((s) => (s.keyid === undefined ? { sig: s.sig } : { keyid: s.keyid, sig: s.sig }))
  return utf8.encode(JSON.stringify({ payloadType: envelope.payloadType, payload: envelope.payload, signatures }))
}

/**
 * Decode an envelope (bytes, JSON text, or an object) strictly and within limits. Unknown
 * fields are ignored, as DSSE requires; duplicate keys, wrong types, bad base64 and
 * oversized input are refused with `E_FORMAT` (`E_LIMIT` for size).
 */
export function decodeEnvelope(input: DsseEnvelope | Uint8Array | string, limits: DsseLimits = {}): DecodedEnvelope {
  const maxBytes = limits.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES
  const maxSignatures = limits.maxSignatures ?? DEFAULT_MAX_ENVELOPE_SIGNATURES
  let raw: unknown = input
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? input.length : input.length
    if (size > maxBytes) throw new CryptoError('E_LIMIT', `the envelope is ${size} bytes; the limit is ${maxBytes}`, { details: { size, limit: maxBytes } })
    raw = parseJsonStrict(input, 'envelope')
  }
  const bad = (field: string, why: string) => new CryptoError('E_FORMAT', `envelope ${field}: ${why}`, { details: { field } })
  const env = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined
  if (!env) throw bad('', 'expected a JSON object')
  const { payloadType, payload, signatures } = env
  if (typeof payloadType !== 'string') throw bad('payloadType', 'expected a string')
  if (payloadType.length > MAX_PAYLOAD_TYPE_LENGTH) throw bad('payloadType', `longer than ${MAX_PAYLOAD_TYPE_LENGTH} characters`)
  if (typeof payload !== 'string') throw bad('payload', 'expected a base64 string')
  if (payload.length > Math.ceil((maxBytes * 4) / 3) + 4) {
    throw new CryptoError('E_LIMIT', `the envelope payload is over the ${maxBytes}-byte limit`, { details: { limit: maxBytes } })
  }
  if (!Array.isArray(signatures)) throw bad('signatures', 'expected an array')
  if (signatures.length === 0) throw bad('signatures', 'no signatures')
  if (signatures.length > maxSignatures) throw bad('signatures', `more than ${maxSignatures}`)
  const body = base64Decode(payload, { ...DSSE_BASE64, field: 'envelope payload' })
  const sigs = signatures.map((s: unknown, i) => {
    const o = s && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : undefined
    if (!o) throw bad(`signatures[${i}]`, 'expected an object')
    if (typeof o.sig !== 'string') throw bad(`signatures[${i}].sig`, 'expected a base64 string')
    // DSSE: an unset keyid is the same as an empty one.
    if (o.keyid !== undefined && typeof o.keyid !== 'string') throw bad(`signatures[${i}].keyid`, 'expected a string')
    if (typeof o.keyid === 'string' && o.keyid.length > MAX_KEYID_LENGTH) throw bad(`signatures[${i}].keyid`, `longer than ${MAX_KEYID_LENGTH} characters`)
    if (o.sig.length > 4 * ED25519_SIGNATURE_SIZE) throw bad(`signatures[${i}].sig`, 'far longer than any signature')
    return { keyid: (o.keyid as string | undefined) ?? '', sig: base64Decode(o.sig, { ...DSSE_BASE64, field: `envelope signatures[${i}].sig` }) }
  })
  return { payloadType, body, signatures: sigs }
}

/** Check a secret key's shape and that its public half really belongs to its seed. */
export async function checkSecretKey(p: Primitives, key: SecretKey): Promise<void> {
  assertSecretKey(key)
  // A mismatched pair would sign under one key while naming another: refuse it here, where
  // the mistake is made, rather than at every verifier.
  if (!equalBytes(await p.ed25519.publicKey(key.seed), key.publicKey.bytes)) {
    throw new CryptoError('E_KEY', `the public key does not belong to this secret key (${key.keyId})`, { details: { keyId: key.keyId } })
  }
}

/**
 * Sign `body` under `payloadType` with each key: an envelope with one signature per key.
 */
export async function signEnvelope(p: Primitives, payloadType: string, body: Uint8Array, keys: readonly SecretKey[]): Promise<DsseEnvelope> {
  if (typeof payloadType !== 'string' || payloadType.length === 0 || payloadType.length > MAX_PAYLOAD_TYPE_LENGTH) {
    throw new CryptoError('E_ARGUMENT', `payloadType must be a non-empty string of at most ${MAX_PAYLOAD_TYPE_LENGTH} characters`, { details: { field: 'payloadType' } })
  }
  if (keys.length === 0) throw new CryptoError('E_ARGUMENT', 'at least one secret key is needed')
  const message = pae(payloadType, body)
  const signatures = []
  for (const key of keys) {
    await checkSecretKey(p, key)
    signatures.push({ keyid: key.keyId, sig: base64Encode(await p.ed25519.sign(message, key.seed)) })
  }
  return { payloadType, payload: base64Encode(body), signatures }
}

/**
 * How many Ed25519 verifications a caller is still willing to pay for. Shared by every
 * envelope of one verification call: a signature without a keyid is tried against every
 * trusted key, so an untrusted package could otherwise buy records x signatures x keys of them.
 */
export interface VerifyBudget {
  left: number
}

/**
 * Check each signature of a decoded envelope against the keyring at `now`. The keyid hint
 * only selects which key to try (DSSE: it is unauthenticated); a signature is reported as
 * made by a key only once it verifies under that key. With no hint, every key is tried.
 * Each verification spends one from `budget`; a signature that would overspend it is not
 * checked and fails with `'limit'`.
 */
export async function checkEnvelope(
  p: Primitives,
  env: DecodedEnvelope,
  keyring: Keyring,
  now: Date,
  budget: VerifyBudget = { left: Infinity },
): Promise<{ checks: DsseSignatureCheck[]; entries: (KeyringEntry | undefined)[] }> {
  const message = pae(env.payloadType, env.body)
  const checks: DsseSignatureCheck[] = []
  const entries: (KeyringEntry | undefined)[] = []
  for (const s of env.signatures) {
    const candidates = s.keyid ? [keyring.get(s.keyid)].filter((e) => e !== undefined) : keyring.list()
    let verified: KeyringEntry | undefined
    let unchecked = false
    for (const entry of candidates) {
      if (budget.left <= 0) {
        unchecked = true
        break
      }
      budget.left--
      if (await p.ed25519.verify(s.sig, message, entry.publicKey.bytes)) {
        verified = entry
        break
      }
    }
    entries.push(verified)
    if (unchecked) {
      checks.push({ valid: false, keyId: s.keyid.toUpperCase(), reason: 'limit' })
      continue
    }
    if (!verified) {
      checks.push({ valid: false, keyId: s.keyid.toUpperCase(), reason: candidates.length === 0 || !s.keyid ? 'untrusted-key' : 'bad-signature' })
      continue
    }
    const trust = keyring.check(verified.keyId, now)
    checks.push(trust.ok ? { valid: true, keyId: verified.keyId, signer: verified.name } : { valid: false, keyId: verified.keyId, signer: verified.name, reason: trust.reason })
  }
  return { checks, entries }
}

/**
 * Summarize per-signature checks into one reason: the most specific failure wins, since a
 * signature by a trusted key that failed says more than one by a stranger.
 */
export function overallReason(checks: readonly DsseSignatureCheck[]): SignatureFailure {
  for (const r of ['digest-mismatch', 'expired-key', 'bad-signature', 'malformed', 'limit'] as const) if (checks.some((c) => c.reason === r)) return r
  return 'untrusted-key'
}
