/**
 * Problems found in a `torshpkg.lock`, and the error thrown when one cannot be read.
 * Codes are stable (part of the public API): match on them, never on messages.
 */

/**
 * What is wrong with a lockfile. {@link validateLockfile} reports each as a
 * {@link LockfileIssue}; whether it is an error or a warning depends on the list it is in.
 *
 * - `E_LOCKFILE_PARSE`: the text is not JSON.
 * - `E_LOCKFILE_SCHEMA`: a field is missing, unknown, of the wrong type, or a package name is
 *   not one (also: the document is not an object, or has a `__proto__` key).
 * - `E_LOCKFILE_UNSUPPORTED_VERSION`: `lockfileVersion` is not a version this library reads.
 * - `E_LOCKFILE_BAD_VERSION`: a package's `version` is not a semantic version.
 * - `E_LOCKFILE_BAD_RANGE`: a dependency's range is not a semver range.
 * - `E_LOCKFILE_BAD_INTEGRITY`: `integrity` is not a well-formed SRI hash (`sha256-<base64>`,
 *   sha384, sha512).
 * - `E_LOCKFILE_MISSING_INTEGRITY`: a package has no `integrity` (an error unless
 *   `{ missingIntegrity: 'warning' }`).
 * - `E_LOCKFILE_MISSING_DEPENDENCY`: a required dependency (of the root or of a package) is not
 *   in `packages`.
 * - `E_LOCKFILE_CONFLICT`: a dependency's range is not satisfied by the version locked for it.
 * - `E_LOCKFILE_CYCLE`: packages depend on each other in a cycle (unless `{ allowCycles: true }`).
 * - `E_LOCKFILE_UNREACHABLE` (warning): nothing from the root leads to this package.
 */
export type LockfileIssueCode =
  | 'E_LOCKFILE_PARSE'
  | 'E_LOCKFILE_SCHEMA'
  | 'E_LOCKFILE_UNSUPPORTED_VERSION'
  | 'E_LOCKFILE_BAD_VERSION'
  | 'E_LOCKFILE_BAD_RANGE'
  | 'E_LOCKFILE_BAD_INTEGRITY'
  | 'E_LOCKFILE_MISSING_INTEGRITY'
  | 'E_LOCKFILE_MISSING_DEPENDENCY'
  | 'E_LOCKFILE_CONFLICT'
  | 'E_LOCKFILE_CYCLE'
  | 'E_LOCKFILE_UNREACHABLE'

/**
 * One problem in a lockfile.
 *
 * @example
 * ```ts
 * const issue: LockfileIssue = {
 *   code: 'E_LOCKFILE_BAD_INTEGRITY',
 *   path: 'packages.tokenizer.integrity',
 *   message: 'must be an SRI hash such as "sha256-<44 base64 characters>", got "md5-x"',
 * }
 * ```
 */
export interface LockfileIssue {
  readonly code: LockfileIssueCode
  /**
   * Where, as a dotted path into the lockfile (`packages.tokenizer.integrity`,
   * `root.dependencies.model`, `packages.model.platform.os[0]`); `''` for the whole document.
   */
  readonly path: string
  /** What is wrong, for humans (the path is not repeated). */
  readonly message: string
}

/**
 * Codes of {@link LockfileError}:
 * - `E_LOCKFILE_PARSE`: the text is not JSON.
 * - `E_LOCKFILE_SCHEMA`: the document does not match the lockfile schema (any structural
 *   issue, including bad versions, ranges and integrity strings; `issues` has the precise codes).
 * - `E_LOCKFILE_UNSUPPORTED_VERSION`: `lockfileVersion` is one this library does not read.
 * - `E_LOCKFILE_INVALID`: `generateLockfile(..., { validate })` found errors in the lockfile it built.
 */
export type LockfileErrorCode = 'E_LOCKFILE_PARSE' | 'E_LOCKFILE_SCHEMA' | 'E_LOCKFILE_UNSUPPORTED_VERSION' | 'E_LOCKFILE_INVALID'

/** How many issues the message of a {@link LockfileError} lists (all are in `issues`). */
const LISTED = 5

/**
 * A lockfile could not be read (or, from `generateLockfile` with `validate`, is invalid).
 * `path` is where the first problem is; `issues` lists every one.
 *
 * @example
 * ```ts
 * try { parseLockfile(text) }
 * catch (e) {
 *   if (e instanceof LockfileError) console.error(e.code, e.path) // 'E_LOCKFILE_SCHEMA' 'packages.tokenizer.integrity'
 *   else throw e
 * }
 * ```
 */
export class LockfileError extends Error {
  override readonly name = 'LockfileError'
  /** Stable code; see {@link LockfileErrorCode}. */
  readonly code: LockfileErrorCode
  /** Dotted path of the first problem (`''`: the whole document). */
  readonly path: string
  /** Every problem found, each with its precise {@link LockfileIssueCode}. */
  readonly issues: readonly LockfileIssue[]

  constructor(code: LockfileErrorCode, issues: readonly LockfileIssue[], what = 'invalid torshpkg.lock') {
    const listed = issues.slice(0, LISTED).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    const more = issues.length > LISTED ? ` (and ${issues.length - LISTED} more)` : ''
    super(`${what}: ${listed.join('; ')}${more}`)
    this.code = code
    this.path = issues[0]?.path ?? ''
    this.issues = issues
  }
}

/** The issue list for one problem. */
export function issue(code: LockfileIssueCode, path: readonly (string | number)[], message: string): LockfileIssue {
  return { code, path: formatPath(path), message }
}

/** `['packages', 'tok', 'platform', 'os', 0]` -> `packages.tok.platform.os[0]`. */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else out += out === '' ? String(p) : `.${String(p)}`
  }
  return out
}
