/**
 * Errors raised by `@torshpkg/resolve`. Match on `code` (stable), not on `message`.
 *
 * - `E_DIMACS` ({@link DimacsError}): the DIMACS text is malformed; `line` says where.
 * - `E_LIMIT` ({@link SolverLimitError}): the solver stopped on a caller's limit
 *   (`maxConflicts`, `timeoutMs`, or an aborted `signal`) before deciding the formula.
 */
export type SatErrorCode = 'E_DIMACS' | 'E_LIMIT'

/**
 * Malformed DIMACS CNF text. `line` is 1-based; the message says exactly what is wrong.
 *
 * @example
 * ```ts
 * try { parseDimacs('p cnf 2 1\n1 3 0\n') }
 * catch (e) { if (e instanceof DimacsError) console.log(e.line, e.message) } // 2 'line 2: literal 3 ...'
 * ```
 */
export class DimacsError extends Error {
  override readonly name = 'DimacsError'
  readonly code = 'E_DIMACS' as const
  /** 1-based line of the offending token (for a count mismatch: where it was detected). */
  readonly line: number

  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`)
    this.line = line
  }
}

/** Which limit stopped the solver. */
export type SolverLimit = 'conflicts' | 'time' | 'aborted'

/**
 * The solver gave up before deciding the formula because a caller's limit was reached.
 * Nothing is known about satisfiability then; `conflicts` is the work done so far.
 *
 * @example
 * ```ts
 * try { solveCnf(cnf, { maxConflicts: 10_000 }) }
 * catch (e) { if (e instanceof SolverLimitError) console.log(e.limit, e.conflicts) } // 'conflicts' 10000
 * ```
 */
export class SolverLimitError extends Error {
  override readonly name = 'SolverLimitError'
  readonly code = 'E_LIMIT' as const
  /** The limit that was hit. */
  readonly limit: SolverLimit
  /** Conflicts analysed before stopping. */
  readonly conflicts: number

  constructor(limit: SolverLimit, conflicts: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.limit = limit
    this.conflicts = conflicts
  }
}

/**
 * Stable codes of {@link ResolutionError}:
 * - `E_UNSATISFIABLE`: no set of versions meets the requirements; `explanation` says why.
 * - `E_INDEX`: the index failed (its error is the `cause`) or returned malformed data.
 * - `E_INVALID`: the caller's root requirements or options are malformed.
 * - `E_LIMIT`: a limit was reached (`maxPackages`, `maxConflicts`, `timeoutMs`, versions per package).
 * - `E_ABORTED`: the caller's `signal` was aborted.
 */
export type ResolutionErrorCode = 'E_UNSATISFIABLE' | 'E_INDEX' | 'E_INVALID' | 'E_LIMIT' | 'E_ABORTED'

/**
 * `resolve` could not produce a resolution. For `E_UNSATISFIABLE`, `explanation` is a short
 * derivation in words (which requirement needs what, and why they cannot all hold) and
 * `conflictingRoots` is a minimal set of the root requirements that cannot be met together
 * (dropping any one of them makes the rest resolvable).
 *
 * @example
 * ```ts
 * try { await resolve({ dependencies: { 'model-a': '^2' } }, index) }
 * catch (e) {
 *   if (e instanceof ResolutionError && e.code === 'E_UNSATISFIABLE') {
 *     console.log(e.explanation)      // "model-a 2.0.0 - 2.3.0 needs tokenizer ^3 ..."
 *     console.log(e.conflictingRoots) // { 'model-a': '^2', runtime: '1.4.0' }
 *   }
 * }
 * ```
 */
export class ResolutionError extends Error {
  override readonly name = 'ResolutionError'
  readonly code: ResolutionErrorCode
  /** Why, in words; for codes other than `E_UNSATISFIABLE` the same as `message`. */
  readonly explanation: string
  /** The derivation, one statement per line (empty unless `E_UNSATISFIABLE`). */
  readonly derivation: readonly string[]
  /** A minimal set of root requirements in conflict (empty unless `E_UNSATISFIABLE`). */
  readonly conflictingRoots: Readonly<Record<string, string>>

  constructor(
    code: ResolutionErrorCode,
    message: string,
    options?: { cause?: unknown; explanation?: string; derivation?: readonly string[]; conflictingRoots?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.explanation = options?.explanation ?? message
    this.derivation = options?.derivation ?? []
    this.conflictingRoots = options?.conflictingRoots ?? {}
  }
}
