/**
 * The zod schema of a `torshpkg.lock` entry and of its root requirements, with the rules for
 * names, versions, ranges and integrity strings. `read.ts` applies it; issues raised by the
 * rules carry their {@link LockfileIssueCode} in `params.lockfileCode`.
 *
 * File layout (README, "Lockfile"):
 * `{ lockfileVersion: 1, packages: { [name]: LockedPackage }, root: { dependencies, optionalDependencies? } }`.
 */
import parseVersion from 'semver/functions/parse.js'
import validRange from 'semver/ranges/valid.js'
import { z } from 'zod'
import { isPackageName, NAME_RULE } from '../names.js'
import type { LockfileIssueCode } from './errors.js'

export { isPackageName, NAME_RULE }

// The official SemVer 2.0.0 regular expression (semver.org), anchored: no "v" prefix, no spaces.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/
// One SRI hash in canonical padded base64 of the digest's exact length (32, 48 or 64 bytes;
// the last character before padding carries no stray bits).
const SRI = /^(?:sha256-[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=|sha384-[A-Za-z0-9+/]{64}|sha512-[A-Za-z0-9+/]{85}[AQgw]==)$/
const CONTROL = /[\u0000-\u001f\u007f]/
const MAX_STRING = 256

/** Top-level fields of a lockfile. */
export const LOCKFILE_FIELDS = ['lockfileVersion', 'packages', 'root'] as const
/** Fields of a package entry. */
export const PACKAGE_FIELDS = ['dependencies', 'integrity', 'optional', 'optionalDependencies', 'platform', 'source', 'version'] as const
/** Fields of `root`. */
export const ROOT_FIELDS = ['dependencies', 'optionalDependencies'] as const
/** Fields of `platform`. */
export const PLATFORM_FIELDS = ['arch', 'os', 'runtime'] as const

/** A SemVer 2.0.0 version that node-semver also reads (`1.2.3`, `2.0.0-rc.1`). */
export const isVersion = (s: string): boolean => s.length <= MAX_STRING && SEMVER.test(s) && parseVersion(s) !== null
/** A non-empty node-semver range (`^1.2.0`, `>=1 <3 || 4.x`, `*`). */
export const isRange = (s: string): boolean => s.length <= MAX_STRING && s.trim() !== '' && validRange(s) !== null
/** One well-formed SRI hash: `sha256-`, `sha384-` or `sha512-` and the digest in base64. */
export const isIntegrity = (s: string): boolean => SRI.test(s)

/** `"x"`, `a number 3`, `an array`... for messages. */
export function describeValue(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'an array'
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? `${x.slice(0, 60)}…` : x)
  if (typeof x === 'object') return 'an object'
  return `${typeof x} ${String(x)}`
}


const required = (what: string) => (iss: { input: unknown }) =>
  iss.input === undefined ? 'is required' : `must be ${what}, got ${describeValue(iss.input)}`
const coded = (code: LockfileIssueCode, rule: string) => ({
  error: (iss: { input: unknown }) => `${rule}, got ${describeValue(iss.input)}`,
  params: { lockfileCode: code },
})

const text = z
  .string({ error: required('a string') })
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .refine((s) => !CONTROL.test(s), 'must not contain control characters')

const version = z
  .string({ error: required('a string') })
  .refine(isVersion, coded('E_LOCKFILE_BAD_VERSION', 'must be a semantic version such as "1.2.3" or "2.0.0-rc.1"'))

const range = z
  .string({ error: required('a string') })
  .refine(isRange, coded('E_LOCKFILE_BAD_RANGE', 'must be a semver range such as "^1.2.0", ">=1 <3" or "1.x || 2.x"'))

const integrity = z
  .string({ error: required('a string') })
  .refine(
    isIntegrity,
    coded('E_LOCKFILE_BAD_INTEGRITY', 'must be an SRI hash such as "sha256-<44 base64 characters>" (sha384, sha512 also accepted)'),
  )

const packageName = z.string().refine(isPackageName, NAME_RULE)

/** name -> range. */
const dependencyMap = z.record(packageName, range, { error: required('an object of { name: range }') })

const markers = z
  .array(
    z
      .string({ error: required('a string') })
      .min(1, 'must not be empty')
      .max(MAX_STRING, `must be at most ${MAX_STRING} characters`)
      .refine((s) => !/[\s\u0000-\u001f\u007f]/.test(s), 'must not contain spaces or control characters'),
    { error: required('an array of strings') },
  )
  .max(1000, 'must have at most 1000 entries')

const platform = z.strictObject(
  { os: markers.optional(), arch: markers.optional(), runtime: markers.optional() },
  { error: required('an object { os?, arch?, runtime? }') },
)

/** One entry of `packages`. */
export const lockedPackageSchema = z.strictObject(
  {
    version,
    source: text.optional(),
    integrity: integrity.optional(),
    dependencies: dependencyMap.optional(),
    optionalDependencies: dependencyMap.optional(),
    optional: z.boolean({ error: required('true or false') }).optional(),
    platform: platform.optional(),
  },
  { error: required('an object { version, integrity, ... }') },
)

/** `root`: what the user asked for. */
export const rootSchema = z.strictObject(
  { dependencies: dependencyMap, optionalDependencies: dependencyMap.optional() },
  { error: required('an object { dependencies, optionalDependencies? }') },
)
