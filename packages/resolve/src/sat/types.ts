/**
 * A CNF formula in DIMACS numbering: variables are `1..variables`; a literal is `v` (true) or
 * `-v` (negated); each clause is a disjunction of literals, the formula their conjunction.
 * Clauses carry no `0` terminator. Any array-like of integers works (`parseDimacs` gives
 * `Int32Array`s; plain `number[]`s are fine). An empty clause makes the formula unsatisfiable.
 */
export interface Cnf {
  /** Number of variables; literals must lie in `[-variables, -1] ∪ [1, variables]`. */
  readonly variables: number
  /** The clauses; duplicate literals and tautologies are allowed. */
  readonly clauses: ReadonlyArray<ArrayLike<number>>
}

/** What {@link parseDimacs} returns: a {@link Cnf} whose clauses are `Int32Array`s. */
export interface DimacsCnf extends Cnf {
  readonly variables: number
  readonly clauses: Int32Array[]
}

/**
 * The answer of `solveCnf`. `model[v]` is the value of variable `v` (index 0 is unused and
 * `false`); variables the search never needed to assign are `false`.
 */
export type SatResult = { sat: true; model: boolean[] } | { sat: false }

/** Options of `solveCnf`. */
export interface SolveOptions {
  /** Give up (throwing `SolverLimitError`, limit `'conflicts'`) after this many conflicts. */
  maxConflicts?: number
  /**
   * Give up (limit `'time'`) after about this many milliseconds. The solver is synchronous, so
   * this, not a timer-driven `AbortSignal.timeout()`, is how to bound its wall time.
   */
  timeoutMs?: number
  /**
   * Checked before the search and every few hundred conflicts (limit `'aborted'`, with the
   * signal's reason as `cause`). The search is synchronous: only an abort triggered from
   * the same call stack (or another thread) can be seen.
   */
  signal?: AbortSignal
}

/** Options of `parseDimacs`. */
export interface DimacsOptions {
  /**
   * `true` (default): the clause count must match the header and the last clause must end
   * with `0`. `false`: accept any number of clauses and an unterminated last clause (MiniSat-like).
   */
  strict?: boolean
  /** Largest variable count accepted in the header (default 2^24); bounds the solver's memory. */
  maxVariables?: number
}
