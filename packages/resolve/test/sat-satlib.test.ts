import { describe, expect, it } from 'vitest'
import { parseDimacs, solveCnf } from '@torshpkg/resolve'
import { loadSatlib, type SatlibSet } from './satlib'
import { violated } from './helpers'

// SATLIB uniform random 3-SAT at the threshold: every uf* instance is satisfiable, every uuf* is not.
const cases: [SatlibSet, number][] = [
  ['uf20-91', 1000],
  ['uf50-218', 1000],
  ['uuf50-218', 1000],
  ['uf100-430', 100],
  ['uuf100-430', 100],
  ['uf150-645', 20],
  ['uuf150-645', 20],
]

describe('SATLIB uniform random 3-SAT', () => {
  for (const [set, count] of cases) {
    const sat = !set.startsWith('uuf')
    it(`${set}: the first ${count} are all ${sat ? 'SAT, with checked models' : 'UNSAT'}`, () => {
      const files = loadSatlib(set).slice(0, count)
      expect(files).toHaveLength(count)
      const wrong: string[] = []
      for (const { name, text } of files) {
        const cnf = parseDimacs(text)
        const r = solveCnf(cnf)
        if (r.sat !== sat) wrong.push(`${name}: sat=${r.sat}`)
        else if (r.sat) {
          if (r.model.length !== cnf.variables + 1) wrong.push(`${name}: model length ${r.model.length}`)
          const bad = violated(cnf, r.model)
          if (bad >= 0) wrong.push(`${name}: clause ${bad} falsified`)
        }
      }
      expect(wrong).toEqual([])
    })
  }

  it('parses the SATLIB layout (comments, padded header, "%" and "0" trailer)', () => {
    const [first] = loadSatlib('uf20-91')
    const cnf = parseDimacs(first!.text)
    expect(cnf.variables).toBe(20)
    expect(cnf.clauses).toHaveLength(91)
    expect(cnf.clauses.every((c) => c.length === 3)).toBe(true)
  })
})
