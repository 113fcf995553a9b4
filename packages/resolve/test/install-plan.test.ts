import { describe, expect, it } from 'vitest'
import { InstallError, planInstall, type Lockfile, type Resolution, type ResolvedPackage } from '@torshpkg/resolve'
import { rng } from './helpers'
import { lockfileOf, nodeName, planViolation, randomGraph } from './install-helpers'

const names = (levels: { name: string }[][]) => levels.map((l) => l.map((p) => p.name))

/** Strongly connected components by brute force (reachability from every node). */
function bruteCycles(deps: Record<string, string[]>): string[][] {
  const reach = new Map<string, Set<string>>()
  for (const start of Object.keys(deps)) {
    const seen = new Set<string>()
    const stack = [...deps[start]!]
    while (stack.length) {
      const n = stack.pop()!
      if (seen.has(n)) continue
      seen.add(n)
      stack.push(...deps[n]!)
    }
    reach.set(start, seen)
  }
  const done = new Set<string>()
  const out: string[][] = []
  for (const n of Object.keys(deps).sort()) {
    if (done.has(n) || !reach.get(n)!.has(n)) continue
    const comp = Object.keys(deps).filter((m) => m === n || (reach.get(n)!.has(m) && reach.get(m)!.has(n)))
    comp.forEach((m) => done.add(m))
    out.push(comp.sort())
  }
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1))
}

describe('planInstall: shapes', () => {
  it('orders a diamond in three levels', () => {
    const plan = planInstall(lockfileOf({ app: ['left', 'right'], left: ['base'], right: ['base'], base: [] }))
    expect(names(plan.levels)).toEqual([['base'], ['left', 'right'], ['app']])
    expect(plan.order.map((p) => p.name)).toEqual(['base', 'left', 'right', 'app'])
    expect(plan.cycles).toEqual([])
    expect(plan.order[3]).toEqual({ name: 'app', version: '1.0.0', dependencies: ['left', 'right'] })
  })

  it('puts each link of a chain in its own level, by longest path', () => {
    // d depends on a directly and through b, c: its level is set by the longest chain.
    const plan = planInstall(lockfileOf({ a: [], b: ['a'], c: ['b'], d: ['c', 'a'], e: [] }))
    expect(names(plan.levels)).toEqual([['a', 'e'], ['b'], ['c'], ['d']])
  })

  it('handles a 100 000-package chain without recursion', () => {
    const deps: Record<string, string[]> = {}
    for (let i = 0; i < 100_000; i++) deps[nodeName(i)] = i === 0 ? [] : [nodeName(i - 1)]
    const plan = planInstall(lockfileOf(deps))
    expect(plan.levels.length).toBe(100_000)
    expect(plan.levels[99_999]![0]!.name).toBe(nodeName(99_999))
    // ...and one cycle through all of them.
    deps[nodeName(0)] = [nodeName(99_999)]
    const cyclic = planInstall(lockfileOf(deps))
    expect(cyclic.levels.length).toBe(1)
    expect(cyclic.cycles.length).toBe(1)
    expect(cyclic.cycles[0]!.length).toBe(100_000)
  })

  it('puts a cycle in one level above what it depends on and reports it', () => {
    const plan = planInstall(lockfileOf({ app: ['x'], x: ['y'], y: ['z', 'base'], z: ['x'], base: [], self: ['self', 'base'] }))
    expect(names(plan.levels)).toEqual([['base'], ['self', 'x', 'y', 'z'], ['app']])
    expect(plan.cycles).toEqual([['self'], ['x', 'y', 'z']])
  })

  it('rejects cycles when allowCycles is false', () => {
    const input = lockfileOf({ a: ['b'], b: ['a'], c: [] })
    expect(() => planInstall(input, { allowCycles: false })).toThrow(expect.objectContaining({ code: 'E_CYCLE', package: 'a@1.0.0' }))
    expect(planInstall(lockfileOf({ a: ['c'], c: [] }), { allowCycles: false }).levels.length).toBe(2)
  })

  it('orders by installed optional dependencies and skips absent ones', () => {
    const input: Lockfile = {
      lockfileVersion: 1,
      root: { dependencies: { app: '^1' } },
      packages: {
        app: { version: '1.0.0', optionalDependencies: { cuda: '^1', metal: '^1' } },
        cuda: { version: '1.2.0', optional: true, source: 'https://r/cuda-1.2.0.tpk', integrity: 'sha256-x' },
      },
    }
    const plan = planInstall(input)
    expect(names(plan.levels)).toEqual([['cuda'], ['app']])
    expect(plan.order[0]).toEqual({ name: 'cuda', version: '1.2.0', source: 'https://r/cuda-1.2.0.tpk', integrity: 'sha256-x', dependencies: [] })
    expect(plan.order[1]!.dependencies).toEqual(['cuda'])
  })

  it('fails on a missing required dependency, of a package or of the root', () => {
    const missing = lockfileOf({ a: ['gone'] })
    expect(() => planInstall(missing)).toThrow(InstallError)
    expect(() => planInstall(missing)).toThrow(expect.objectContaining({ code: 'E_MISSING_DEPENDENCY', package: 'a@1.0.0' }))
    const root: Lockfile = { lockfileVersion: 1, root: { dependencies: { nope: '^1' } }, packages: {} }
    expect(() => planInstall(root)).toThrow(expect.objectContaining({ code: 'E_MISSING_DEPENDENCY', package: undefined }))
    expect(() => planInstall(null as unknown as Lockfile)).toThrow(expect.objectContaining({ code: 'E_INVALID_PLAN' }))
  })

  it('plans a resolution like the equivalent lockfile', () => {
    const pkg = (name: string, version: string, dependencies: Record<string, string>, optionalDependencies: Record<string, string> = {}): ResolvedPackage => ({
      name,
      version,
      dependencies,
      optionalDependencies,
      optional: false,
      integrity: `sha256-${name}`,
    })
    const resolution: Resolution = {
      packages: { app: '2.0.0', tok: '1.1.0', weights: '3.0.0' },
      graph: {
        weights: pkg('weights', '3.0.0', { tok: '^1' }),
        app: pkg('app', '2.0.0', { weights: '^3' }, { tok: '^1', gpu: '^1' }),
        tok: pkg('tok', '1.1.0', {}),
      },
      root: { dependencies: { app: '^2' }, optionalDependencies: {} },
    }
    const plan = planInstall(resolution)
    expect(plan.levels).toEqual([
      [{ name: 'tok', version: '1.1.0', integrity: 'sha256-tok', dependencies: [] }],
      [{ name: 'weights', version: '3.0.0', integrity: 'sha256-weights', dependencies: ['tok'] }],
      [{ name: 'app', version: '2.0.0', integrity: 'sha256-app', dependencies: ['tok', 'weights'] }],
    ])
  })

  it('is deterministic whatever the key order of the input', () => {
    const deps = randomGraph(500, 7, 4, 30)
    const shuffled: Record<string, string[]> = {}
    const keys = Object.keys(deps)
    const r = rng(99)
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1))
      ;[keys[i], keys[j]] = [keys[j]!, keys[i]!]
    }
    for (const k of keys) shuffled[k] = [...deps[k]!].reverse()
    expect(planInstall(lockfileOf(shuffled))).toEqual(planInstall(lockfileOf(deps)))
  })
})

describe('planInstall: random graphs', () => {
  it('keeps the level invariant on 20 000-package random DAGs', () => {
    for (const seed of [1, 2, 3]) {
      const deps = randomGraph(20_000, seed, 6)
      const plan = planInstall(lockfileOf(deps))
      expect(planViolation(plan, deps)).toBeUndefined()
      expect(plan.cycles).toEqual([])
      expect(plan.levels.length).toBeGreaterThan(50) // deep, not one flat level
    }
  })

  it('keeps the invariant and finds the cycles on 20 000-package graphs with cycles', () => {
    const deps = randomGraph(20_000, 11, 5, 400)
    const plan = planInstall(lockfileOf(deps))
    expect(plan.cycles.length).toBeGreaterThan(0)
    expect(planViolation(plan, deps)).toBeUndefined()
  })

  it('reports exactly the strongly connected components (checked by brute force)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const deps = randomGraph(120, seed, 3, 15)
      const plan = planInstall(lockfileOf(deps))
      expect(plan.cycles).toEqual(bruteCycles(deps))
      expect(planViolation(plan, deps)).toBeUndefined()
    }
  })
})
