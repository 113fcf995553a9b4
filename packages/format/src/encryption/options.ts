import { PackageError } from '../errors.js'
import type { ResourceType } from '../layout/ids.js'
import { CHUNK_ENCRYPTION_ALGORITHMS, type ChunkEncryptionAlgorithm } from './chunk-cipher.js'

/**
 * `createPackage(sink, manifest, { encryption })`: encrypt chosen resources chunk by chunk,
 * leaving the manifest, the index and the other resources readable. Give `recipients` (age
 * public keys, `age1...`) or a `passphrase`, not both.
 *
 * @example
 * ```ts
 * const w = createPackage('model.torshpkg', manifest, { encryption: { recipients: ['age1...'] } })
 * await w.add('config.json', config, { type: 'config', encrypt: false }) // readable by anyone
 * await w.add('weights.bin', weights, { tensor })                         // encrypted (the default)
 * ```
 */
export interface PackageEncryptionOptions {
  /** age recipients (`age1...` X25519 public keys) who can open the package. */
  recipients?: readonly string[]
  /** Or a passphrase (wrapped with age's scrypt recipient). */
  passphrase?: string
  /** AEAD for the chunks. Default `'aes-256-gcm'` (hardware-accelerated almost everywhere). */
  algorithm?: ChunkEncryptionAlgorithm
  /**
   * Which resources are encrypted unless `add(..., { encrypt })` says otherwise: `'all'`
   * (the default, so a forgotten flag never leaves a resource in the clear), `'none'`, or a
   * function of the path and type.
   */
  resources?: 'all' | 'none' | ((path: string, type: ResourceType) => boolean)
}

/**
 * What opens an encrypted package (`openPackage(source, options)`): an age identity or the
 * passphrase it was written with, never both. The same key opens a package encrypted whole
 * with age and the encrypted resources of a package.
 *
 * @example
 * ```ts
 * const pkg = await openPackage('model.torshpkg', { identity: readFileSync('key.txt', 'utf8') })
 * const other = await openPackage(bytes, { passphrase: 'correct horse battery staple' })
 * ```
 */
export interface DecryptionOptions {
  /**
   * age X25519 identities: an `AGE-SECRET-KEY-1...` string, the text of an identity file as
   * age-keygen writes it, or an array of either.
   */
  identity?: string | readonly string[]
  /** The passphrase the package (or its key) was encrypted with. */
  passphrase?: string
}

/** The age key to wrap the content key for. */
export type WrapTarget = { recipients: string[] } | { passphrase: string }

/** A checked `encryption` option. */
export interface EncryptionPlan {
  target: WrapTarget
  algorithm: ChunkEncryptionAlgorithm
  select: (path: string, type: ResourceType) => boolean
}

/** Check `options.encryption` before anything is written; throws `E_ARGUMENT`. */
export function encryptionPlan(options: PackageEncryptionOptions): EncryptionPlan {
  const bad = (field: string, message: string) => new PackageError('E_ARGUMENT', `encryption.${field} ${message}`, { field: `encryption.${field}` })
  if (typeof options !== 'object' || options === null) {
    throw new PackageError('E_ARGUMENT', 'encryption must be { recipients } or { passphrase }', { field: 'encryption' })
  }
  const { recipients, passphrase, algorithm = 'aes-256-gcm', resources = 'all' } = options
  if ((recipients === undefined) === (passphrase === undefined)) {
    // age itself refuses a passphrase alongside other recipients: it would defeat the passphrase.
    throw new PackageError('E_ARGUMENT', 'encryption needs either recipients or a passphrase (not both)', { field: 'encryption' })
  }
  let target: WrapTarget
  if (recipients !== undefined) {
    if (!Array.isArray(recipients) || recipients.length === 0 || !recipients.every((r) => typeof r === 'string' && r.length > 0)) {
      throw bad('recipients', 'must be a non-empty array of age recipient strings')
    }
    target = { recipients: [...recipients] }
  } else {
    if (typeof passphrase !== 'string' || passphrase.length === 0) throw bad('passphrase', 'must be a non-empty string')
    target = { passphrase }
  }
  if (!CHUNK_ENCRYPTION_ALGORITHMS.includes(algorithm)) throw bad('algorithm', `must be one of ${CHUNK_ENCRYPTION_ALGORITHMS.join(', ')}, got ${JSON.stringify(algorithm)}`)
  let select: EncryptionPlan['select']
  if (resources === 'all') select = () => true
  else if (resources === 'none') select = () => false
  else if (typeof resources === 'function') select = resources
  else throw bad('resources', `must be 'all', 'none' or a function (path, type) => boolean`)
  return { target, algorithm, select }
}

/** The identity or passphrase in `options`, if any; throws `E_ARGUMENT` for malformed ones. */
export function decryptionKey(options: DecryptionOptions): { identity: string[] } | { passphrase: string } | undefined {
  const { identity, passphrase } = options
  if (identity !== undefined && passphrase !== undefined) {
    throw new PackageError('E_ARGUMENT', 'pass an identity or a passphrase, not both', { field: 'identity' })
  }
  if (identity !== undefined) {
    const list = typeof identity === 'string' ? [identity] : identity
    if (!Array.isArray(list) || list.length === 0 || !list.every((i) => typeof i === 'string' && i.length > 0)) {
      throw new PackageError('E_ARGUMENT', 'identity must be an age identity string (AGE-SECRET-KEY-1...) or a non-empty array of them', { field: 'identity' })
    }
    return { identity: [...list] }
  }
  if (passphrase !== undefined) {
    if (typeof passphrase !== 'string' || passphrase.length === 0) throw new PackageError('E_ARGUMENT', 'passphrase must be a non-empty string', { field: 'passphrase' })
    return { passphrase }
  }
  return undefined
}
