import type { SecretKeyInput } from './package.js'
import { toBytes, type BytesLike } from '../bytes.js'
import { CryptoError } from '../errors.js'
import { asKeyring, toDate, type TrustedKeys } from '../keyring.js'
import type { SecretKey } from '../keys/types.js'
import type { Primitives } from '../primitives/types.js'
import { checkEnvelope, decodeEnvelope, overallReason, signEnvelope, type DecodedEnvelope, type DsseEnvelope, type DsseLimits, type DsseVerification } from './dsse.js'
import { createPackageSigning } from './package.js'

/** Options for {@link SigningApi.verifyDsse}. */
export interface VerifyDsseOptions extends DsseLimits {
  /** The time at which keys must be unexpired (default now). */
  now?: Date | string
  /** Accept only this payloadType (DSSE: reject types you do not expect). */
  payloadType?: string
}

/** Package signatures, attestations and generic DSSE over one set of primitives. */
export function createSigningApi(p: Primitives) {
  /**
   * Sign any document as a DSSE envelope (one signature per key). The signature covers the
   * payloadType as well as the body, so choose a type specific to the document's meaning.
   *
   * @example
   * ```ts
   * const envelope = await signDsse('application/vnd.example.eval+json', JSON.stringify(results), secretKey)
   * await writeFile('eval.dsse.json', JSON.stringify(envelope))
   * ```
   */
  async function signDsse(payloadType: string, body: BytesLike | string, secretKey: SecretKeyInput | readonly SecretKeyInput[]): Promise<DsseEnvelope> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : toBytes(body)
    const keys = await Promise.all(Array.isArray(secretKey) ? secretKey : [secretKey as SecretKeyInput])
    return signEnvelope(p, payloadType, bytes, keys)
  }

  /**
   * Verify a DSSE envelope (object, JSON text or bytes) against a keyring. Never throws for a
   * bad or malformed envelope: `valid` is false and `reason` says why. `valid` means at least
   * one signature verifies under a trusted key that has not expired at `now`.
   *
   * @example
   * ```ts
   * const r = await verifyDsse(await readFile('eval.dsse.json'), keyring, { payloadType: 'application/vnd.example.eval+json' })
   * if (r.valid) console.log(JSON.parse(new TextDecoder().decode(r.body)))
   * ```
   */
  async function verifyDsse(envelope: DsseEnvelope | Uint8Array | string, trusted: TrustedKeys, options: VerifyDsseOptions = {}): Promise<DsseVerification> {
    const keyring = asKeyring(trusted)
    const now = toDate(options.now ?? new Date(), 'now')
    let env: DecodedEnvelope
    try {
      env = decodeEnvelope(envelope, options)
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e
      return { valid: false, signatures: [], reason: e.code === 'E_LIMIT' ? 'limit' : 'malformed', detail: e.message }
    }
    const { checks } = await checkEnvelope(p, env, keyring, now)
    const base = { payloadType: env.payloadType, body: env.body, signatures: checks }
    if (options.payloadType !== undefined && env.payloadType !== options.payloadType) {
      return { ...base, valid: false, reason: 'malformed', detail: `payloadType is ${JSON.stringify(env.payloadType)}, expected ${JSON.stringify(options.payloadType)}` }
    }
    if (checks.some((c) => c.valid)) return { ...base, valid: true }
    return { ...base, valid: false, reason: overallReason(checks) }
  }

  return { signDsse, verifyDsse, ...createPackageSigning(p) }
}

export type SigningApi = ReturnType<typeof createSigningApi>
