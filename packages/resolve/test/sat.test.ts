import { describe, expect, it } from 'vitest'
import { parseDimacs, solveCnf, SolverLimitError, type Cnf } from '@torshpkg/resolve'
import { pigeonhole, violated } from './helpers'

const solve = (variables: number, clauses: number[][]) => solveCnf({ variables, clauses })

function limitError(cnf: Cnf, options: Parameters<typeof solveCnf>[1]): SolverLimitError {
  try { solveCnf(cnf, options) } catch (e) { if (e instanceof SolverLimitError) return e; throw e }
  throw new Error('no limit error')
}

describe('solveCnf', () => {
  it('solves the empty formula with an all-false model covering every variable', () => {
    expect(solve(0, [])).toEqual({ sat: true, model: [false] })
    expect(solve(3, [])).toEqual({ sat: true, model: [false, false, false, false] })
  })

  it('an empty clause makes the formula UNSAT', () => {
    expect(solve(2, [[]])).toEqual({ sat: false })
    expect(solve(2, [[1, 2], [], [-1]])).toEqual({ sat: false })
    expect(solveCnf(parseDimacs('p cnf 1 1\n0\n'))).toEqual({ sat: false })
  })

  it('handles units, unit conflicts and unit chains', () => {
    expect(solve(1, [[1], [-1]])).toEqual({ sat: false })
    expect(solve(3, [[1], [-1, 2], [-2, 3], [-3]])).toEqual({ sat: false })
    expect(solve(3, [[1], [-1, 2], [-2, -3]])).toEqual({ sat: true, model: [false, true, true, false] })
    expect(solve(2, [[2], [2], [2, -2]])).toEqual({ sat: true, model: [false, false, true] })
  })

  it('returns the documented example model', () => {
    expect(solveCnf(parseDimacs('p cnf 3 3\n1 2 0\n-1 0\n-2 3 0\n'))).toEqual({ sat: true, model: [false, false, true, true] })
  })

  it('tautologies and repeated literals do not change the answer', () => {
    expect(solve(2, [[1, -1], [2, 2, 2], [-2, 1, -2]])).toEqual({ sat: true, model: [false, true, true] })
    expect(solve(1, [[1, 1], [-1, -1], [1, -1]])).toEqual({ sat: false })
  })

  it('pigeonhole: PHP(5,4) and PHP(7,6) are UNSAT, PHP(5,5) is SAT', () => {
    expect(solveCnf(pigeonhole(5, 4))).toEqual({ sat: false })
    expect(solveCnf(pigeonhole(7, 6))).toEqual({ sat: false })
    const php = pigeonhole(5, 5)
    const r = solveCnf(php)
    expect(r.sat).toBe(true)
    if (r.sat) expect(violated(php, r.model)).toBe(-1)
  })

  it('learns and backjumps over irrelevant decisions', () => {
    // g (variable 1) guards an unsatisfiable PHP(4,3) core: every core clause is (g or C), so g must
    // be true; 30 free variables (in satisfiable binary clauses) sit between the decisions.
    const core = pigeonhole(4, 3)
    const shift = (l: number) => (l > 0 ? l + 31 : l - 31)
    const clauses = core.clauses.map((c) => [1, ...c.map(shift)])
    for (let v = 2; v <= 30; v++) clauses.push([-v, v + 1])
    const cnf = { variables: 31 + core.variables, clauses }
    const r = solveCnf(cnf)
    expect(r.sat).toBe(true)
    if (r.sat) {
      expect(r.model[1]).toBe(true)
      expect(violated(cnf, r.model)).toBe(-1)
    }
    // Without the escape hatch it is UNSAT.
    expect(solveCnf({ variables: cnf.variables, clauses: [...clauses, [-1]] })).toEqual({ sat: false })
  })

  it('accepts number[][] and Int32Array[] alike, and is deterministic', () => {
    const php = pigeonhole(6, 6)
    const typed = { variables: php.variables, clauses: php.clauses.map((c) => Int32Array.from(c)) }
    const a = solveCnf(php)
    expect(solveCnf(typed)).toEqual(a)
    expect(solveCnf(php)).toEqual(a)
  })

  it('rejects malformed formulas', () => {
    expect(() => solve(2, [[1, 0]])).toThrow(/clause 0 has literal 0 at position 1/)
    expect(() => solve(2, [[1], [3]])).toThrow(RangeError)
    expect(() => solve(2, [[-3]])).toThrow(/literals are non-zero integers in ±1..2/)
    expect(() => solve(2, [[1.5]])).toThrow(RangeError)
    expect(() => solve(-1, [])).toThrow(/variables must be an integer/)
    expect(() => solve(1.5, [])).toThrow(RangeError)
  })

  it('throws SolverLimitError (E_LIMIT) on maxConflicts, timeoutMs and an aborted signal', () => {
    const hard = pigeonhole(9, 8)
    const c = limitError(hard, { maxConflicts: 50 })
    expect(c).toMatchObject({ code: 'E_LIMIT', limit: 'conflicts', conflicts: 50, name: 'SolverLimitError' })
    const t = limitError(hard, { timeoutMs: 0 })
    expect(t).toMatchObject({ code: 'E_LIMIT', limit: 'time' })
    const ac = new AbortController()
    ac.abort(new Error('stop'))
    const a = limitError(hard, { signal: ac.signal })
    expect(a).toMatchObject({ code: 'E_LIMIT', limit: 'aborted', conflicts: 0 })
    expect((a.cause as Error).message).toBe('stop')
    // Limits that are not reached change nothing.
    expect(solveCnf(pigeonhole(5, 4), { maxConflicts: 1e6, timeoutMs: 60_000, signal: new AbortController().signal })).toEqual({ sat: false })
  })
})
