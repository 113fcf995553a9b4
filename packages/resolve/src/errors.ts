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
