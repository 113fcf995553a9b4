import { copyBytes, equalBytes } from './bytes.js'
import { CryptoError } from './errors.js'
import { isKeyId } from './keys/keyid.js'
import type { PublicKey } from './keys/types.js'
import { assertPublicKey } from './keys/validate.js'
import { parseMinisignPublicKey } from './minisign/public-key.js'
import { parseJsonStrict } from './signing/json.js'
import { base64Decode, base64Encode } from './encoding/base64.js'
import { DSSE_BASE64 } from './signing/dsse.js'

/** One trusted key: who it belongs to and until when it is trusted. */
export interface KeyringEntry {
  readonly keyId: string
  /** Who holds the key, as verification results report it (`signer`). */
  readonly name: string
  readonly publicKey: PublicKey
  /** The first instant the key is no longer trusted; absent = no expiry. */
  readonly expires?: Date
}

/** Options for {@link Keyring.add}. */
export interface KeyringAddOptions {
  /** Who holds the key (a person, a CI system); reported as `signer`. Default: the key id. */
  name?: string
  /**
   * When trust in the key ends: a `Date`, an ISO-8601 string with a time zone (or a bare
   * `YYYY-MM-DD`, UTC midnight) or milliseconds since the epoch. From this instant on,
   * signatures by the key are rejected (`'expired-key'`), and so is any signature that
   * claims to have been made at or after it.
   */
  expires?: Date | string | number
}

/** Why {@link Keyring.check} refused a key. */
export type KeyringRefusal = 'untrusted-key' | 'expired-key'

/** The result of {@link Keyring.check}. */
export type KeyringCheck = { ok: true; entry: KeyringEntry } | { ok: false; reason: KeyringRefusal; entry?: KeyringEntry }

/** The JSON form of a keyring (`Keyring#toJSON`, `Keyring.fromJSON`). */
export interface KeyringJson {
  version: 1
  keys: { keyId: string; algorithm: 'ed25519'; publicKey: string; name: string; expires?: string }[]
}

const MAX_NAME_LENGTH = 1024
const MAX_JSON_KEYS = 100_000

/**
 * The public keys a verifier trusts, by key id, each with a name and an optional expiry.
 * Package signatures are checked against a keyring: a signature by a key not in it is
 * `'untrusted-key'`, however valid the mathematics.
 *
 * @example
 * ```ts
 * const keyring = new Keyring()
 *   .add(alice.publicKey, { name: 'alice@example.com' })
 *   .add(ci.publicKey, { name: 'release CI', expires: '2027-01-01T00:00:00Z' })
 * const result = await verifyPackage(pkg, keyring)
 * localStorage.keyring = JSON.stringify(keyring)          // and back:
 * const again = Keyring.fromJSON(localStorage.keyring)
 * ```
 */
export class Keyring {
  private readonly entries = new Map<string, KeyringEntry>()

  /**
   * An empty keyring, or one trusting `keys` (PublicKey objects or minisign public key
   * files), each named by its key id.
   *
   * @example
   * ```ts
   * const keyring = new Keyring([releaseKey, await readFile('ci.pub', 'utf8')])
   * ```
   */
  constructor(keys: Iterable<PublicKey | string> = []) {
    for (const key of keys) this.add(key)
  }

  /**
   * Trust `publicKey` under `name`. Adding a key already present updates its name and expiry;
   * a different key with the same key id is refused (`E_KEY`): ids select keys, so two keys
   * must never share one. Returns the keyring, for chaining.
   */
  add(publicKey: PublicKey | string, options: KeyringAddOptions | string = {}): this {
    // A minisign public key file (or its key line) is a key too; a string option is the name.
    if (typeof publicKey === 'string') publicKey = parseMinisignPublicKey(publicKey)
    if (typeof options === 'string') options = { name: options }
    assertPublicKey(publicKey)
    if (options === null || typeof options !== 'object') throw new CryptoError('E_ARGUMENT', 'keyring options must be an object or a name', { details: { field: 'options' } })
    const name = options.name ?? publicKey.keyId
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
      throw new CryptoError('E_ARGUMENT', `a keyring entry's name must be 1 to ${MAX_NAME_LENGTH} characters`, { details: { field: 'name' } })
    }
    const expires = options.expires === undefined ? undefined : toDate(options.expires, 'expires')
    const existing = this.entries.get(publicKey.keyId)
    if (existing && !equalBytes(existing.publicKey.bytes, publicKey.bytes)) {
      throw new CryptoError('E_KEY', `another key with id ${publicKey.keyId} is already in the keyring (${existing.name})`, { details: { keyId: publicKey.keyId } })
    }
    // Copies, so that a caller mutating its key bytes or Date cannot change what is trusted.
    const key: PublicKey = Object.freeze({ algorithm: 'ed25519', keyId: publicKey.keyId, bytes: copyBytes(publicKey.bytes) })
    this.entries.set(publicKey.keyId, Object.freeze({ keyId: publicKey.keyId, name, publicKey: key, ...(expires && { expires }) }))
    return this
  }

  /**
   * Trust the key in a minisign public key file (`minisign.pub`: the comment line and the key
   * line, or just the key line). The key keeps the id minisign gave it, as `minisign` prints it.
   *
   * @example
   * ```ts
   * keyring.addMinisignKey(await readFile('alice.pub', 'utf8'), { name: 'alice' })
   * ```
   */
  addMinisignKey(publicKeyFile: string, options: KeyringAddOptions | string = {}): this {
    return this.add(parseMinisignPublicKey(publicKeyFile), options)
  }

  /** Stop trusting a key. True if it was there. */
  remove(keyId: string): boolean {
    return this.entries.delete(normalizeId(keyId))
  }

  /** The entry for `keyId` (either case), or undefined. */
  get(keyId: string): KeyringEntry | undefined {
    const e = this.entries.get(normalizeId(keyId))
    return e && { ...e, ...(e.expires && { expires: new Date(e.expires) }) }
  }

  has(keyId: string): boolean {
    return this.entries.has(normalizeId(keyId))
  }

  /** Every entry, in the order they were added. */
  list(): KeyringEntry[] {
    return [...this.entries.keys()].map((id) => this.get(id)!)
  }

  get size(): number {
    return this.entries.size
  }

  /**
   * Whether `keyId` is trusted at `at` (default now): the entry, or the reason it is not.
   *
   * @example
   * ```ts
   * const c = keyring.check(keyId, new Date('2030-01-01'))
   * if (!c.ok) console.log(c.reason) // 'untrusted-key' or 'expired-key'
   * ```
   */
  check(keyId: string, at: Date | string = new Date()): KeyringCheck {
    const entry = this.get(keyId)
    if (!entry) return { ok: false, reason: 'untrusted-key' }
    if (entry.expires && toDate(at, 'at').getTime() >= entry.expires.getTime()) return { ok: false, reason: 'expired-key', entry }
    return { ok: true, entry }
  }

  /** A JSON-ready copy: `JSON.stringify(keyring)` works. Public keys are base64. */
  toJSON(): KeyringJson {
    return {
      version: 1,
      keys: [...this.entries.values()].map((e) => ({
        keyId: e.keyId,
        algorithm: 'ed25519' as const,
        publicKey: base64Encode(e.publicKey.bytes),
        name: e.name,
        ...(e.expires && { expires: e.expires.toISOString() }),
      })),
    }
  }

  /**
   * A keyring from its JSON form (object or string). Every field is checked; anything
   * unexpected is refused with `E_FORMAT` rather than half-loaded.
   *
   * @example
   * ```ts
   * const keyring = Keyring.fromJSON(await readFile('trusted-keys.json', 'utf8'))
   * ```
   */
  static fromJSON(json: KeyringJson | string): Keyring {
    // Strict, as for signed documents: a trust list with two "keys" members must not mean one
    // set of keys to this library and another to a tool that keeps the other member.
    const data: unknown = typeof json === 'string' ? parseJsonStrict(json, 'the keyring') : json
    const bad = (field: string, why: string) => new CryptoError('E_FORMAT', `keyring ${field}: ${why}`, { details: { field } })
    const d = data as KeyringJson
    if (!d || typeof d !== 'object' || d.version !== 1) throw bad('version', 'expected an object with version 1')
    if (!Array.isArray(d.keys)) throw bad('keys', 'expected an array')
    if (d.keys.length > MAX_JSON_KEYS) throw bad('keys', `more than ${MAX_JSON_KEYS} keys`)
    const ring = new Keyring()
    d.keys.forEach((k, i) => {
      const at = `keys[${i}]`
      if (!k || typeof k !== 'object') throw bad(at, 'expected an object')
      if (k.algorithm !== 'ed25519') throw bad(`${at}.algorithm`, `unsupported ${JSON.stringify(k.algorithm)}`)
      if (typeof k.keyId !== 'string' || !isKeyId(k.keyId)) throw bad(`${at}.keyId`, 'expected 16 uppercase hex digits')
      if (ring.has(k.keyId)) throw bad(`${at}.keyId`, `${k.keyId} appears twice`)
      const bytes = base64Decode(k.publicKey, { ...DSSE_BASE64, field: `${at}.publicKey` })
      try {
        ring.add({ algorithm: 'ed25519', keyId: k.keyId, bytes }, { name: k.name, ...(k.expires !== undefined && { expires: k.expires }) })
      } catch (e) {
        if (e instanceof CryptoError) throw new CryptoError('E_FORMAT', `keyring ${at}: ${e.message}`, { cause: e, details: { field: at } })
        throw e
      }
    })
    return ring
  }
}

/**
 * Refuse (`E_ARGUMENT`) anything that is not a keyring. Structural, so that a Keyring from
 * another copy of this library (two bundles in one app) is accepted.
 */
/** What verification takes as the trusted keys: a Keyring, or keys to trust (named by id). */
export type TrustedKeys = Keyring | PublicKey | string | readonly (PublicKey | string)[]

/** `trusted` as a Keyring: itself, or a new one over the keys given. */
export function asKeyring(trusted: TrustedKeys): Keyring {
  const k = trusted as Partial<Keyring> | null | undefined
  if (k && typeof k.get === 'function' && typeof k.check === 'function' && typeof k.list === 'function') return trusted as Keyring
  if (typeof trusted === 'string' || Array.isArray(trusted) || (trusted && typeof trusted === 'object' && 'bytes' in trusted)) {
    return new Keyring(Array.isArray(trusted) ? trusted : [trusted as PublicKey | string])
  }
  throw new CryptoError('E_ARGUMENT', 'expected a Keyring, a public key, or an array of public keys', { details: { field: 'keyring' } })
}

function normalizeId(keyId: string): string {
  return typeof keyId === 'string' ? keyId.toUpperCase() : ''
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/

/** A valid Date from a Date or an ISO-8601 string (date only, or date-time with a zone). */
export function toDate(value: Date | string | number, field: string): Date {
  const d =
    typeof value === 'string' && ISO_DATE.test(value)
      ? new Date(value)
      : value instanceof Date
        ? new Date(value.getTime())
        : typeof value === 'number' && Number.isFinite(value)
          ? new Date(value)
          : undefined
  if (!d || Number.isNaN(d.getTime())) {
    throw new CryptoError('E_ARGUMENT', `${field} must be a Date, an ISO-8601 date (with a time zone) or milliseconds since 1970, got ${JSON.stringify(String(value))}`, { details: { field } })
  }
  return d
}
