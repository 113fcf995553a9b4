import { describe, expect, it } from 'vitest'
import Logic from 'logic-solver'
import { solveCnf } from '@torshpkg/resolve'
import { rng, violated } from './helpers'

type Inst = { variables: number; clauses: number[][] }

/** logic-solver (MiniSat in JS) as an independent oracle. */
function oracle({ clauses }: Inst): boolean {
  const s = new Logic.Solver()
  for (const c of clauses) s.require(c.length === 0 ? Logic.FALSE : Logic.or(c.map((l) => (l > 0 ? `x${l}` : `-x${-l}`))))
  return s.solve() !== null
}

function random3Sat(next: () => number, n: number, ratio: number): Inst {
  const m = Math.round(n * ratio)
  const clauses: number[][] = []
  for (let i = 0; i < m; i++) {
    const c: number[] = []
    while (c.length < 3) {
      const v = 1 + Math.floor(next() * n)
      if (c.some((l) => Math.abs(l) === v)) continue
      c.push(next() < 0.5 ? -v : v)
    }
    clauses.push(c)
  }
  return { variables: n, clauses }
}

/** Mixed lengths, units, repeated literals, tautologies, unused variables, rare empty clauses. */
function messy(next: () => number, n: number, m: number): Inst {
  const clauses: number[][] = []
  const used = Math.max(1, Math.floor(n * (0.6 + 0.4 * next())))
  for (let i = 0; i < m; i++) {
    const r = next()
    if (r < 0.004) { clauses.push([]); continue }
    const len = r < 0.05 ? 1 : r < 0.25 ? 2 : 2 + Math.floor(next() * 5)
    const c: number[] = []
    for (let k = 0; k < len; k++) {
      const v = 1 + Math.floor(next() * used)
      c.push(next() < 0.5 ? -v : v)
    }
    if (next() < 0.05) c.push(c[0]!) // duplicate literal
    if (next() < 0.05) c.push(-c[0]!) // tautology
    clauses.push(c)
  }
  return { variables: n, clauses }
}

describe('agreement with logic-solver (MiniSat) on seeded random CNFs', () => {
  const check = (inst: Inst) => {
    const r = solveCnf(inst)
    const expected = oracle(inst)
    if (r.sat) expect(violated(inst, r.model)).toBe(-1)
    return r.sat === expected
  }

  it('random 3-SAT near the threshold (n = 10..80, ratio 3.8..4.8): 240 instances', () => {
    const next = rng(0xc0ffee)
    let sat = 0
    const disagree: number[] = []
    for (let i = 0; i < 240; i++) {
      const n = [10, 20, 35, 50, 80][i % 5]!
      const inst = random3Sat(next, n, 3.8 + next())
      if (!check(inst)) disagree.push(i)
      if (solveCnf(inst).sat) sat++
    }
    expect(disagree).toEqual([])
    expect(sat).toBeGreaterThan(40) // both outcomes are exercised
    expect(sat).toBeLessThan(200)
  })

  it('mixed k-SAT with units, duplicates, tautologies and empty clauses: 200 instances', () => {
    const next = rng(42)
    let sat = 0
    const disagree: number[] = []
    for (let i = 0; i < 200; i++) {
      const n = 3 + Math.floor(next() * 60)
      const inst = messy(next, n, Math.floor(n * (1 + next() * 3.5)))
      if (!check(inst)) disagree.push(i)
      if (solveCnf(inst).sat) sat++
    }
    expect(disagree).toEqual([])
    expect(sat).toBeGreaterThan(20)
    expect(sat).toBeLessThan(180)
  })
})
