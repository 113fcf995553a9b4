/**
 * Errors raised by `planInstall` and `installPackages`. Match on `code` (stable), not on
 * `message`.
 *
 * Planning:
 * - `E_MISSING_DEPENDENCY`: a required dependency (of a package or of the root) is not in the
 *   lockfile or resolution. `package` is the dependent (`name@version`; unset for the root).
 * - `E_CYCLE`: the input has a dependency cycle and the caller passed `allowCycles: false`.
 * - `E_INVALID_PLAN`: a plan given to `installPackages` breaks the plan rules (a name twice,
 *   a dependency that is not in the plan or not in an earlier level, outside a reported cycle).
 *
 * Installing:
 * - `E_INVALID_OPTIONS`: an option is out of range (`concurrency < 1`, negative `retries`...).
 * - `E_INTEGRITY_MISSING`: a package has no `integrity` and `allowMissingIntegrity` is not set.
 *   Checked for every package before anything is fetched.
 * - `E_INTEGRITY_UNSUPPORTED`: an `integrity` string has no well-formed `sha256`, `sha384` or
 *   `sha512` entry. Also checked before anything is fetched.
 * - `E_INTEGRITY`: the fetched bytes do not match `integrity` (after the one re-fetch allowed
 *   by `integrityRetries`).
 * - `E_TOO_LARGE`: a package is larger than `maxBytes` (not retried).
 * - `E_FETCH`: fetching failed and was not retried (the failure was not transient) or the
 *   retries ran out. `cause` is the last failure (the caller's error, or for a response with
 *   `ok: false` an `Error` whose `status` is the HTTP status); `attempts` says how many were made.
 * - `E_STORE`: the caller's `store` rejected (not retried); `cause` is its error.
 * - `E_ABORTED`: the caller's `signal` aborted; `cause` is the signal's reason.
 */
export type InstallErrorCode =
  | 'E_MISSING_DEPENDENCY'
  | 'E_CYCLE'
  | 'E_INVALID_PLAN'
  | 'E_INVALID_OPTIONS'
  | 'E_INTEGRITY_MISSING'
  | 'E_INTEGRITY_UNSUPPORTED'
  | 'E_INTEGRITY'
  | 'E_TOO_LARGE'
  | 'E_FETCH'
  | 'E_STORE'
  | 'E_ABORTED'

/** Extra fields an {@link InstallError} may carry. */
export interface InstallErrorOptions {
  /** `name@version` of the package concerned. */
  readonly package?: string
  /** The underlying failure (the caller's fetch or store error, the abort reason...). */
  readonly cause?: unknown
  /** Fetch attempts made for the package (set on `E_FETCH`, `E_INTEGRITY`, `E_TOO_LARGE`). */
  readonly attempts?: number
}

/**
 * A failure to plan or perform an install.
 *
 * @example
 * ```ts
 * try { await installPackages(plan, { fetch }) }
 * catch (e) {
 *   if (e instanceof InstallError && e.code === 'E_INTEGRITY') console.error(`corrupt: ${e.package}`)
 *   else throw e
 * }
 * ```
 */
export class InstallError extends Error {
  override readonly name = 'InstallError'
  /** Stable machine-readable code (see {@link InstallErrorCode}). */
  readonly code: InstallErrorCode
  /** `name@version` of the package concerned, when there is one. */
  readonly package: string | undefined
  /** Fetch attempts made for the package, when fetching was involved. */
  readonly attempts: number | undefined

  constructor(code: InstallErrorCode, message: string, options: InstallErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined)
    this.code = code
    this.package = options.package
    this.attempts = options.attempts
  }
}
