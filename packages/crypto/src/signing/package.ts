import { toBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import { asKeyring, toDate, type Keyring, type TrustedKeys } from '../keyring.js'
import type { SecretKey } from '../keys/types.js'
import type { Primitives } from '../primitives/types.js'
import {
  checkEnvelope,
  decodeEnvelope,
  DEFAULT_MAX_ENVELOPE_BYTES,
  encodeEnvelope,
  overallReason,
  signEnvelope,
  type DecodedEnvelope,
  type SignatureFailure,
  type VerifyBudget,
} from './dsse.js'
import { asObject, canonicalJson, parseJsonStrict } from './json.js'
import {
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  RECORD_KIND_ATTESTATION,
  RECORD_KIND_SIGNATURE,
  SIGNATURE_PAYLOAD_TYPE,
  type SignatureRecordLike,
} from './records.js'
import { checkStatement, statementCovers, type InTotoStatement } from './statement.js'

/**
 * What signing and verification need from a package, structurally, so that this package does
 * not depend on `@torshpkg/format` (whose `Package` satisfies it). `digest` must be the digest
 * recomputed from the package's bytes by whoever opened it (format's `openPackage` refuses a
 * package whose footer digest does not match); verification trusts it.
 */
export interface SignablePackage {
  /** `sha256:<64 lowercase hex>` over preamble, manifest and index (hence every chunk hash). */
  readonly digest: string
  /** The signature block's records, in order. */
  readonly signatures: readonly SignatureRecordLike[]
  /** Used only to name the subject of attestations (`name@version`). */
  readonly manifest?: { readonly name?: unknown; readonly version?: unknown }
}

/** A package that can take new signature records (format's `Package`: bytes or a Node file). */
export interface AppendablePackage<R = unknown> extends SignablePackage {
  /** Append records to the signature block without touching data; resolves to the signed package. */
  addSignatures(records: readonly SignatureRecordLike[]): Promise<R>
}

/** Options for {@link PackageSigning.signPackage}. */
export interface SignPackageOptions {
  /** When the signature is made (default now). Stored as ISO-8601 UTC; checked against key expiry. */
  created?: Date | string
  /** A short note stored in the signed body (at most 1024 characters), e.g. `'release 1.2.0'`. */
  comment?: string
}

/** What to attest about a package (an in-toto Statement v1 is built around it). */
export interface AttestationInput {
  /** URI naming the predicate's schema, e.g. `'https://slsa.dev/provenance/v1'`. */
  predicateType: string
  /** The claim itself: any JSON object (serialized as canonical JSON). */
  predicate: Record<string, unknown>
  /** The subject's name; default `name@version` from the manifest, else `'package'`. */
  name?: string
}

/** Options for verification. */
export interface VerifyPackageOptions {
  /** The time at which keys must be unexpired (default now). */
  now?: Date | string
  /** Valid only if there is at least one package signature and every one of them verifies. */
  requireAll?: boolean
  /** Most records of the kind being verified that are checked (each costs a signature check). Default 256; the rest are reported with reason `'limit'`. */
  maxRecords?: number
  /**
   * Most Ed25519 verifications one call performs. Default 1024. A record naming its key costs
   * one; a DSSE signature without a keyid is tried against every trusted key. Records left
   * when it is spent are reported with reason `'limit'`.
   */
  maxSignatureChecks?: number
  /** Largest envelope accepted. Default 1 MiB. */
  maxEnvelopeBytes?: number
}

/** One package signature (kind-1 record), checked. */
export interface SignatureCheck {
  valid: boolean
  /** Position of the record in the signature block (all kinds counted). */
  index: number
  /** The signing key's id (unauthenticated hint when the key is unknown; '' if absent). */
  keyId: string
  /** The keyring name of the key, once its signature verified. */
  signer?: string
  /** When the signer says it signed (authentic once the signature verified). */
  created?: Date
  comment?: string
  reason?: SignatureFailure
  detail?: string
}

/** The result of {@link PackageSigning.verifyPackage}. */
export interface PackageVerification {
  /** At least one package signature by a trusted, unexpired key verifies over this digest (all of them, with `requireAll`). */
  valid: boolean
  /** The digest that was verified: `sha256:<hex>`. */
  digest: string
  /** Every kind-1 record, in block order. */
  signatures: SignatureCheck[]
  /** Why `valid` is false. */
  reason?: 'no-signatures' | 'no-valid-signature' | 'not-all-valid'
}

/** One attestation (kind-2 record), checked. */
export interface AttestationCheck {
  valid: boolean
  index: number
  keyId: string
  signer?: string
  /** The verified statement (present only when `valid`). */
  statement?: InTotoStatement
  predicateType?: string
  reason?: SignatureFailure
  detail?: string
}

/** The result of {@link PackageSigning.verifyAttestations}. */
export interface AttestationVerification {
  /** At least one attestation verified. */
  valid: boolean
  digest: string
  attestations: AttestationCheck[]
}

const DIGEST = /^sha256:[0-9a-f]{64}$/
const CREATED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/
const MAX_COMMENT_LENGTH = 1024
const DEFAULT_MAX_RECORDS = 256
const DEFAULT_MAX_SIGNATURE_CHECKS = 1024
const utf8 = new TextEncoder()

/** A secret key, or a promise of one (what parseMinisignSecretKey and secretKeyFromSeed return). */
export type SecretKeyInput = SecretKey | PromiseLike<SecretKey>

/** Package signatures and attestations over one set of primitives. */
export function createPackageSigning(p: Primitives) {
  /**
   * The kind-1 record signing `target` (a package or its `sha256:` digest), for callers that
   * append records themselves (format's `appendSignatures`).
   */
  async function createSignatureRecord(target: SignablePackage | string, key: SecretKeyInput, options: SignPackageOptions = {}): Promise<SignatureRecordLike> {
    const secretKey = await key
    const digest = digestOf(target)
    const created = toDate(options.created ?? new Date(), 'created').toISOString()
    if (options.comment !== undefined && (typeof options.comment !== 'string' || options.comment.length > MAX_COMMENT_LENGTH)) {
      throw new CryptoError('E_ARGUMENT', `comment must be a string of at most ${MAX_COMMENT_LENGTH} characters`, { details: { field: 'comment' } })
    }
    const body = utf8.encode(canonicalJson({ digest, created, keyId: secretKey?.keyId, comment: options.comment }, 'signature'))
    const envelope = await signEnvelope(p, SIGNATURE_PAYLOAD_TYPE, body, [secretKey])
    return { kind: RECORD_KIND_SIGNATURE, payload: encodeEnvelope(envelope) }
  }

  /**
   * Sign a package: a kind-1 record is appended to its signature block. No data is rewritten;
   * the signature covers the package digest, which commits to every chunk. The package is
   * updated and returned (format: a package opened from bytes then reads new signed bytes,
   * `bytes()` gives them; one opened from a file path is appended to in place; Blob, HTTP and
   * custom sources refuse with `E_READ_ONLY`). The key may be the promise
   * `parseMinisignSecretKey` returns.
   *
   * @example
   * ```ts
   * const pkg = await openPackage(bytes)
   * const signed = await signPackage(pkg, secretKey, { comment: 'release 1.2.0' })
   * await writeFile('model.torshpkg', await signed.bytes())
   * ```
   */
  async function signPackage<R>(pkg: AppendablePackage<R>, secretKey: SecretKeyInput, options: SignPackageOptions = {}): Promise<R> {
    const record = await createSignatureRecord(pkg, secretKey, options)
    return appendTo(pkg, record)
  }

  /** The kind-2 record attesting `input` about `target` (a package or its digest). */
  async function createAttestationRecord(target: SignablePackage | string, input: AttestationInput, key: SecretKeyInput): Promise<SignatureRecordLike> {
    const secretKey = await key
    const digest = digestOf(target)
    if (!input || typeof input.predicateType !== 'string' || input.predicateType.length === 0) {
      throw new CryptoError('E_ARGUMENT', 'an attestation needs a predicateType (a URI)', { details: { field: 'predicateType' } })
    }
    if (!input.predicate || typeof input.predicate !== 'object' || Array.isArray(input.predicate)) {
      throw new CryptoError('E_ARGUMENT', 'an attestation predicate must be a JSON object', { details: { field: 'predicate' } })
    }
    const manifest = typeof target === 'string' ? undefined : target.manifest
    const name =
      input.name ?? (typeof manifest?.name === 'string' && typeof manifest.version === 'string' ? `${manifest.name}@${manifest.version}` : 'package')
    const statement = {
      _type: IN_TOTO_STATEMENT_TYPE,
      subject: [{ name, digest: { sha256: digest.slice('sha256:'.length) } }],
      predicateType: input.predicateType,
      predicate: input.predicate,
    }
    const body = utf8.encode(canonicalJson(statement, 'statement'))
    checkStatement(parseJsonStrict(body, 'statement'))
    const envelope = await signEnvelope(p, IN_TOTO_PAYLOAD_TYPE, body, [secretKey])
    return { kind: RECORD_KIND_ATTESTATION, payload: encodeEnvelope(envelope) }
  }

  /**
   * Attach a signed provenance statement: a kind-2 record holding an in-toto Statement v1
   * whose subject is the package digest.
   *
   * @example
   * ```ts
   * const attested = await attestPackage(pkg, {
   *   predicateType: 'https://slsa.dev/provenance/v1',
   *   predicate: { buildDefinition: { buildType: 'https://example.com/train@v1' }, runDetails: {} },
   * }, ciKey)
   * ```
   */
  async function attestPackage<R>(pkg: AppendablePackage<R>, input: AttestationInput, secretKey: SecretKeyInput): Promise<R> {
    return appendTo(pkg, await createAttestationRecord(pkg, input, secretKey))
  }

  /**
   * Check a package's signatures against a keyring. Never throws for a bad, foreign or
   * malformed signature: each is listed with its reason. Costs one signature check per
   * record and reads nothing from the package (the digest was computed when it was opened),
   * so the time does not depend on the size of the data.
   *
   * @example
   * ```ts
   * const result = await verifyPackage(pkg, keyring)
   * if (!result.valid) throw new Error(`unsigned or untrusted: ${result.signatures.map((s) => s.reason).join(', ')}`)
   * for (const s of result.signatures.filter((s) => s.valid)) console.log(`signed by ${s.signer} on ${s.created?.toISOString()}`)
   * ```
   */
  async function verifyPackage(pkg: SignablePackage, keyring: TrustedKeys, options: VerifyPackageOptions = {}): Promise<PackageVerification> {
    const ctx = verifyContext(pkg, keyring, options)
    const { digest } = ctx
    const signatures = await checkRecords(pkg, RECORD_KIND_SIGNATURE, ctx, checkSignatureRecord)
    const valid = options.requireAll ? signatures.length > 0 && signatures.every((s) => s.valid) : signatures.some((s) => s.valid)
    const reason = valid ? undefined : signatures.length === 0 ? 'no-signatures' : options.requireAll && signatures.some((s) => s.valid) ? 'not-all-valid' : 'no-valid-signature'
    return { valid, digest, signatures, ...(reason && { reason }) }
  }

  /**
   * Check a package's attestations (kind-2 records): each must be signed by a trusted,
   * unexpired key and be an in-toto Statement v1 whose subject includes this package's digest.
   * Verified statements are returned with their signer.
   *
   * @example
   * ```ts
   * const { attestations } = await verifyAttestations(pkg, keyring)
   * const provenance = attestations.find((a) => a.valid && a.predicateType === 'https://slsa.dev/provenance/v1')
   * ```
   */
  async function verifyAttestations(pkg: SignablePackage, keyring: TrustedKeys, options: VerifyPackageOptions = {}): Promise<AttestationVerification> {
    const ctx = verifyContext(pkg, keyring, options)
    const attestations = await checkRecords(pkg, RECORD_KIND_ATTESTATION, ctx, checkAttestationRecord)
    return { valid: attestations.some((a) => a.valid), digest: ctx.digest, attestations }
  }

  async function checkSignatureRecord(record: SignatureRecordLike, index: number, ctx: VerifyContext): Promise<SignatureCheck> {
    const { digest, keyring } = ctx
    const decoded = decodeRecord(record, SIGNATURE_PAYLOAD_TYPE, ctx.options)
    if ('failure' in decoded) return { valid: false, index, keyId: '', ...decoded.failure }
    const env = decoded.envelope
    if (env.signatures.length !== 1) return { valid: false, index, keyId: '', reason: 'malformed', detail: `a package signature envelope holds exactly one signature, not ${env.signatures.length}` }
    const { checks } = await checkEnvelope(p, env, keyring, ctx.now, ctx.budget)
    const c = checks[0]!
    if (!c.valid && c.reason !== 'expired-key') return { valid: false, index, keyId: c.keyId, reason: c.reason, detail: describe(c.reason!) }
    // The signature verified under a key in the keyring: the body is the signer's.
    let body: SignatureBody
    try {
      body = parseSignatureBody(env.body)
    } catch (e) {
      return { valid: false, index, keyId: c.keyId, signer: c.signer, reason: 'malformed', detail: (e as Error).message }
    }
    if (body.keyId !== c.keyId) {
      return { valid: false, index, keyId: c.keyId, signer: c.signer, reason: 'malformed', detail: `signed by ${c.keyId} but the body names key ${body.keyId}` }
    }
    const base = { index, keyId: c.keyId, signer: c.signer, created: body.created, ...(body.comment !== undefined && { comment: body.comment }) }
    if (body.digest !== digest) return { ...base, valid: false, reason: 'digest-mismatch', detail: `the signature is for ${body.digest}, not this package (${digest})` }
    const expires = keyring.get(c.keyId)?.expires
    if (c.reason === 'expired-key') return { ...base, valid: false, reason: 'expired-key', detail: `the key expired at ${expires?.toISOString()}` }
    if (expires && body.created.getTime() >= expires.getTime()) {
      return { ...base, valid: false, reason: 'expired-key', detail: `signed at ${body.created.toISOString()}, after the key expired at ${expires.toISOString()}` }
    }
    return { ...base, valid: true }
  }

  async function checkAttestationRecord(record: SignatureRecordLike, index: number, ctx: VerifyContext): Promise<AttestationCheck> {
    const { digest } = ctx
    const decoded = decodeRecord(record, IN_TOTO_PAYLOAD_TYPE, ctx.options)
    if ('failure' in decoded) return { valid: false, index, keyId: '', ...decoded.failure }
    const env = decoded.envelope
    const { checks } = await checkEnvelope(p, env, ctx.keyring, ctx.now, ctx.budget)
    const ok = checks.find((c) => c.valid)
    if (!ok) {
      const reason = overallReason(checks)
      const c = checks.find((x) => x.reason === reason)!
      return { valid: false, index, keyId: c.keyId, ...(c.signer && { signer: c.signer }), reason, detail: describe(reason) }
    }
    let statement: InTotoStatement
    try {
      statement = checkStatement(parseJsonStrict(env.body, 'statement'))
    } catch (e) {
      return { valid: false, index, keyId: ok.keyId, signer: ok.signer, reason: 'malformed', detail: (e as Error).message }
    }
    if (!statementCovers(statement, digest.slice('sha256:'.length))) {
      return { valid: false, index, keyId: ok.keyId, signer: ok.signer, predicateType: statement.predicateType, reason: 'digest-mismatch', detail: `no subject has digest ${digest}` }
    }
    return { valid: true, index, keyId: ok.keyId, signer: ok.signer, statement, predicateType: statement.predicateType }
  }

  return { createSignatureRecord, signPackage, createAttestationRecord, attestPackage, verifyPackage, verifyAttestations }
}

export type PackageSigning = ReturnType<typeof createPackageSigning>

interface SignatureBody {
  digest: string
  created: Date
  keyId: string
  comment?: string
}

/** Parse and check a kind-1 body. Unknown fields are allowed (a later version may add some). */
function parseSignatureBody(bytes: Uint8Array): SignatureBody {
  const o = asObject(parseJsonStrict(bytes, 'signature body'))
  const bad = (field: string, why: string) => new CryptoError('E_FORMAT', `signature body ${field}: ${why}`, { details: { field } })
  if (!o) throw bad('', 'expected a JSON object')
  if (typeof o.digest !== 'string' || !DIGEST.test(o.digest)) throw bad('digest', 'expected sha256:<64 lowercase hex>')
  if (typeof o.keyId !== 'string' || o.keyId.length === 0) throw bad('keyId', 'expected a key id')
  if (typeof o.created !== 'string' || !CREATED.test(o.created)) throw bad('created', 'expected an ISO-8601 UTC time')
  const created = new Date(o.created)
  if (Number.isNaN(created.getTime())) throw bad('created', 'not a valid time')
  if (o.comment !== undefined && (typeof o.comment !== 'string' || o.comment.length > MAX_COMMENT_LENGTH)) throw bad('comment', 'expected a short string')
  return { digest: o.digest, created, keyId: o.keyId, ...(o.comment !== undefined && { comment: o.comment as string }) }
}

function decodeRecord(
  record: SignatureRecordLike,
  payloadType: string,
  options: VerifyPackageOptions,
): { envelope: DecodedEnvelope } | { failure: { reason: SignatureFailure; detail: string } } {
  let envelope: DecodedEnvelope
  try {
    envelope = decodeEnvelope(toBytes(record.payload), { maxEnvelopeBytes: options.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES })
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e
    return { failure: { reason: e.code === 'E_LIMIT' ? 'limit' : 'malformed', detail: e.message } }
  }
  if (envelope.payloadType !== payloadType) {
    return { failure: { reason: 'malformed', detail: `a kind-${record.kind} record must hold payloadType ${payloadType}, not ${JSON.stringify(envelope.payloadType)}` } }
  }
  return { envelope }
}

function describe(reason: SignatureFailure): string {
  switch (reason) {
    case 'untrusted-key':
      return 'signed by a key that is not in the keyring'
    case 'bad-signature':
      return 'the signature does not verify under the key it names'
    case 'expired-key':
      return 'signed by a key that has expired'
    case 'limit':
      return 'not checked: this call spent its maxSignatureChecks'
    default:
      return reason
  }
}

/** What every record check of one verification call shares, the work budget included. */
interface VerifyContext {
  digest: string
  keyring: Keyring
  now: Date
  options: VerifyPackageOptions
  budget: VerifyBudget
}

function verifyContext(pkg: SignablePackage, trusted: TrustedKeys, options: VerifyPackageOptions): VerifyContext {
  const digest = digestOf(pkg)
  const keyring = asKeyring(trusted)
  const now = toDate(options.now ?? new Date(), 'now')
  return { digest, keyring, now, options, budget: { left: options.maxSignatureChecks ?? DEFAULT_MAX_SIGNATURE_CHECKS } }
}

/** A record past `maxRecords`, listed but not checked. */
type NotChecked = { valid: false; index: number; keyId: ''; reason: 'limit'; detail: string }

/**
 * Check every record of `kind` in block order: the first `maxRecords` with `check`, the rest
 * listed with reason `'limit'` (so the result still accounts for every record).
 */
async function checkRecords<C extends { valid: boolean }>(
  pkg: SignablePackage,
  kind: number,
  ctx: VerifyContext,
  check: (record: SignatureRecordLike, index: number, ctx: VerifyContext) => Promise<C>,
): Promise<(C | NotChecked)[]> {
  const max = ctx.options.maxRecords ?? DEFAULT_MAX_RECORDS
  const out: (C | NotChecked)[] = []
  for (const [record, index] of recordsOf(pkg, kind)) {
    out.push(out.length >= max ? { valid: false, index, keyId: '', reason: 'limit', detail: 'over maxRecords; not checked' } : await check(record, index, ctx))
  }
  return out
}

/** Records of one kind with their positions in the block. */
function recordsOf(pkg: SignablePackage, kind: number): [SignatureRecordLike, number][] {
  const all = pkg.signatures
  if (!Array.isArray(all)) throw new CryptoError('E_ARGUMENT', 'the package has no signatures list')
  return all.map((r, i) => [r, i] as [SignatureRecordLike, number]).filter(([r]) => r && r.kind === kind && r.payload instanceof Uint8Array)
}

function digestOf(target: SignablePackage | string): string {
  const digest = typeof target === 'string' ? target : target?.digest
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw new CryptoError('E_ARGUMENT', 'expected a package (with a digest of the form sha256:<64 lowercase hex>) or such a digest', { details: { field: 'digest' } })
  }
  return digest
}

async function appendTo<R>(pkg: AppendablePackage<R>, record: SignatureRecordLike): Promise<R> {
  if (typeof pkg?.addSignatures !== 'function') {
    throw new CryptoError('E_ARGUMENT', 'this package cannot take new signature records (no addSignatures); use createSignatureRecord and append it yourself', { details: { field: 'pkg' } })
  }
  return pkg.addSignatures([record])
}
