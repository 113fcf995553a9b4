import { describe, expect, it } from 'vitest'
import semver from 'semver'
import {
  backtrackingDisjointVersions,
  backtrackingRanges,
  backtrackingSingletons,
  backtrackingUniverses,
  indexOf,
  intervalsToRange,
  largeCase,
  pkg,
  registryGraph,
  U32_MAX,
  type IndexData,
  type Universe,
} from './universes'
import { eagerSat, satisfiableVersions } from './universes-sat'
import { checkResolution } from './check-resolution'
import type { IndexVersion } from '../src/types'

/**
 * Every resolution of `u` by exhaustive enumeration (each package: absent or one of its
 * versions), checked by checkResolution, which also rejects packages nothing needs: for tiny
 * universes only. Independent of any SAT solver.
 */
function bruteForce(u: Universe): Record<string, string>[] {
  const names = [...u.data.keys()]
  const found: Record<string, string>[] = []
  const pick: Record<string, string> = {}
  const go = (k: number) => {
    if (k === names.length) {
      if (checkResolution(u.root, u.data, pick).length === 0) found.push({ ...pick })
      return
    }
    const name = names[k]!
    go(k + 1)
    for (const iv of u.data.get(name)!) {
      pick[name] = iv.version
      go(k + 1)
      delete pick[name]
    }
  }
  go(0)
  return found
}

const allRanges = (data: IndexData) => [...data.values()].flatMap((list) => list.flatMap((iv) => Object.values({ ...iv.dependencies, ...iv.optionalDependencies })))

describe('largeCase (pubgrub-rs large_case_u16_NumberVersion)', () => {
  const lc = largeCase()

  it('has 83 packages, 641 versions, one problem per version, and 22 depended-on names without versions', () => {
    expect(lc.packages).toBe(83)
    expect(lc.versions).toBe(641)
    expect(lc.data.size).toBe(83)
    expect(lc.problems).toHaveLength(641)
    expect(new Set(lc.problems.map((p) => `${p.package}@${p.version}`)).size).toBe(641)
    for (const p of lc.problems) expect(p.root).toEqual({ dependencies: { [p.package]: `=${p.version}` } })
    const missing = new Set(allRangesNames(lc.data).filter((n) => !lc.data.has(n)))
    expect(missing.size).toBe(22)
  })

  it('maps integer versions to v.0.0 and [lo, hi) unions to semver ranges that match exactly those integers', async () => {
    expect(intervalsToRange([[10, 13]])).toBe('>=10.0.0 <13.0.0')
    expect(intervalsToRange([[0, null]])).toBe('>=0.0.0')
    expect(intervalsToRange([[1, 3], [5, null]])).toBe('>=1.0.0 <3.0.0 || >=5.0.0')
    expect(lc.data.get('0')).toEqual([
      {
        version: '0.0.0',
        dependencies: { '13': '>=10.0.0 <13.0.0', '96': '>=10.0.0 <15.0.0', '344': '>=0.0.0 <15.0.0', '475': '>=3.0.0 <4.0.0', '479': '>=0.0.0', '523': '>=0.0.0 <10.0.0', '600': '>=0.0.0' },
      },
    ])
    for (const list of lc.data.values()) for (const iv of list) expect(iv.version).toMatch(/^\d+\.0\.0$/)
    // Semantics against the JSON: for every dependency, v.0.0 in range <=> some lo <= v < hi.
    const { readFileSync } = await import('node:fs')
    const json = JSON.parse(readFileSync(new URL('./fixtures/resolve/large_case.json', import.meta.url), 'utf8')) as Record<string, Record<string, Record<string, [number, number | null][]>>>
    for (const [name, versions] of Object.entries(json)) {
      for (const [v, deps] of Object.entries(versions)) {
        const iv = lc.data.get(name)!.find((x) => x.version === `${v}.0.0`)!
        for (const [dep, intervals] of Object.entries(deps)) {
          for (let x = 0; x <= 25; x++) {
            const inside = intervals.some(([lo, hi]) => lo <= x && (hi === null || x < hi))
            expect(semver.satisfies(`${x}.0.0`, iv.dependencies![dep]!)).toBe(inside)
          }
        }
      }
    }
  })

  it('is 593 satisfiable and 48 unsatisfiable problems (logic-solver, one solve per problem)', () => {
    const sat = satisfiableVersions(lc.data, lc.problems)
    expect(sat.filter(Boolean)).toHaveLength(lc.expected.sat)
    expect(sat.filter((x) => !x)).toHaveLength(lc.expected.unsat)
    expect(lc.expected).toEqual({ sat: 593, unsat: 48 })
  })

  it('gives valid resolutions from the eager SAT peer on a sample of problems', async () => {
    const sat = satisfiableVersions(lc.data, lc.problems)
    for (let k = 0; k < lc.problems.length; k += 16) {
      const p = lc.problems[k]!
      const r = await eagerSat(p.root, lc.index)
      expect(r.sat).toBe(sat[k])
      if (r.sat) expect(checkResolution(p.root, lc.data, r.packages)).toEqual([])
    }
  })
})

function allRangesNames(data: IndexData): string[] {
  return [...data.values()].flatMap((list) => list.flatMap((iv) => Object.keys(iv.dependencies ?? {})))
}

describe('backtracking universes (pubgrub-rs benches/backtracking.rs)', () => {
  it('have the sizes of pubgrub-rs bench_group', () => {
    const [s, d, r] = backtrackingUniverses()
    expect([s!.packages, s!.versions]).toEqual([99, 500 + 98 * 499])
    expect([d!.packages, d!.versions]).toEqual([301, 200 + 299 * 199 + 200])
    expect([r!.packages, r!.versions]).toEqual([4, 200 + 3 * 199])
    expect(s!.data.get(pkg(1))).toHaveLength(500)
    expect(s!.data.has(pkg(100))).toBe(false)
    expect(s!.data.get(pkg(42))!.find((v) => v.version === '7.0.0')).toEqual({ version: '7.0.0', dependencies: { p43: '=7.0.0' } })
    expect(d!.data.get(pkg(300))!.find((v) => v.version === '3.0.0')).toEqual({ version: '3.0.0', dependencies: { [pkg(U32_MAX)]: '=3.0.0' } })
    expect(d!.data.get(pkg(U32_MAX))).toHaveLength(200)
    expect(d!.root).toEqual({ dependencies: { p1: '*', p4294967295: '=0.0.0' } })
    expect(r!.data.get(pkg(2))!.find((v) => v.version === '150.0.0')).toEqual({ version: '150.0.0', dependencies: { p3: '>=50.0.0' } })
    expect(r!.data.has(pkg(5))).toBe(false)
  })

  it.each([
    ['singletons', backtrackingSingletons],
    ['disjoint versions', backtrackingDisjointVersions],
    ['ranges', backtrackingRanges],
  ])('%s: the expected answer is the only resolution (brute force on small sizes)', (_, make) => {
    for (const [p, v] of [[2, 2], [3, 3], [4, 3], [3, 5], [5, 4]] as const) {
      const u = make(p, v)
      const all = bruteForce(u)
      expect(all, u.name).toEqual([u.expected.sat && u.expected.packages])
    }
  })

  it.each(backtrackingUniverses().map((u) => [u.name, u] as const))('%s: logic-solver finds the expected answer, and none with p1 >= 1.0.0', async (_, u) => {
    expect(u.expected.sat).toBe(true)
    const r = await eagerSat(u.root, u.index)
    expect(r).toEqual({ sat: true, packages: u.expected.sat ? u.expected.packages : undefined })
    expect(checkResolution(u.root, u.data, (r as { packages: Record<string, string> }).packages)).toEqual([])
    const other = await eagerSat({ dependencies: { ...u.root.dependencies, [pkg(1)]: '>=1.0.0' } }, u.index)
    expect(other.sat).toBe(false)
  })
})

describe('registryGraph', () => {
  const npmName = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/
  const idOf = (name: string) => parseInt(name.slice(name.lastIndexOf('-') + 1), 36)
  const digest = (data: IndexData) => JSON.stringify([...data])

  it('is deterministic for a seed and differs between seeds', () => {
    const a = registryGraph(1000, 7)
    const b = registryGraph(1000, 7)
    expect(digest(a.data)).toBe(digest(b.data))
    expect(a.root).toEqual(b.root)
    expect(a.witness).toEqual(b.witness)
    expect(digest(registryGraph(1000, 8).data)).not.toBe(digest(a.data))
  })

  it.each([1000, 5000, 20000])('n = %i: n packages, several versions each, valid names, versions and ranges', (n) => {
    const u = registryGraph(n, 1)
    expect(u.packages).toBe(n)
    expect(u.data.size).toBe(n)
    expect(u.versions).toBeGreaterThan(3 * n)
    expect(u.versions).toBeLessThan(6 * n)
    expect(u.stats.versions).toBe(u.versions)
    const bad: string[] = []
    for (const [name, list] of u.data) {
      if (!npmName.test(name) || list.length === 0) bad.push(name)
      for (const iv of list) if (semver.valid(iv.version) !== iv.version) bad.push(`${name}@${iv.version}`)
    }
    for (const r of new Set(allRanges(u.data))) if (semver.validRange(r) === null) bad.push(r)
    expect(bad).toEqual([])
    // Root: ~n/20 dependencies; what it can reach is most of the registry.
    expect(Object.keys(u.root.dependencies!).length).toBe(u.stats.rootDependencies)
    expect(u.stats.rootDependencies).toBeGreaterThanOrEqual(Math.round(n / 20) - 5)
    expect(u.stats.reachable).toBeGreaterThan(0.55 * n)
    expect(Object.keys(u.witness).length).toBeGreaterThan(0.55 * n)
  })

  it('has the shape of a registry: power-law popularity, mostly caret ranges, older targets, cycles, optional and platform-specific packages, conflicts', () => {
    const u = registryGraph(5000, 1)
    const indeg = new Map<string, number>()
    const kinds = { caret: 0, tilde: 0, exact: 0, gte: 0, x: 0, star: 0, union: 0 }
    let up = 0
    let edges = 0
    const newestDeps = new Map<string, Set<string>>()
    for (const [name, list] of u.data) {
      for (const iv of list) {
        for (const [dep, r] of Object.entries(iv.dependencies ?? {})) {
          edges++
          if (idOf(dep) > idOf(name)) up++
          if (r.includes('||')) kinds.union++
          else if (r.startsWith('^')) kinds.caret++
          else if (r.startsWith('~')) kinds.tilde++
          else if (r.startsWith('>=')) kinds.gte++
          else if (r === '*') kinds.star++
          else if (r.endsWith('.x')) kinds.x++
          else kinds.exact++
        }
      }
      const newest = list.filter((iv) => !semver.prerelease(iv.version)).at(-1)!
      newestDeps.set(name, new Set(Object.keys(newest.dependencies ?? {})))
      for (const dep of newestDeps.get(name)!) indeg.set(dep, (indeg.get(dep) ?? 0) + 1)
    }
    expect(edges).toBe(u.stats.dependencies)
    expect(kinds.caret / edges).toBeGreaterThan(0.75)
    for (const k of ['tilde', 'exact', 'gte', 'x', 'star', 'union'] as const) expect(kinds[k], k).toBeGreaterThan(0)
    // Dependencies point to older packages, a few upward (cycles), among them mutual pairs.
    expect(up).toBeGreaterThan(0)
    expect(up / edges).toBeLessThan(0.01)
    let mutual = 0
    for (const [a, deps] of newestDeps) for (const b of deps) if (newestDeps.get(b)?.has(a)) mutual++
    expect(mutual).toBeGreaterThan(0)
    // Heavy-tailed popularity (newest versions' edges): the 1% most depended-on packages take
    // over 10x their share of the edges, the most popular one over 50x the mean in-degree,
    // while the median package has fewer dependents than the mean.
    const degrees = [...u.data.keys()].map((name) => indeg.get(name) ?? 0).sort((a, b) => b - a)
    const total = degrees.reduce((a, b) => a + b, 0)
    const top = degrees.slice(0, u.packages / 100).reduce((a, b) => a + b, 0)
    expect(top / total).toBeGreaterThan(0.1)
    expect(degrees[0]!).toBeGreaterThan(50 * (total / u.packages))
    expect(degrees[Math.floor(u.packages / 2)]!).toBeLessThan(total / u.packages)
    // Semver shape: several majors in some packages, 0.x packages, prereleases.
    const versions = [...u.data.values()].flat().map((iv) => iv.version)
    expect(versions.some((v) => v.startsWith('0.'))).toBe(true)
    expect(versions.some((v) => semver.major(v) >= 3)).toBe(true)
    expect(u.stats.prereleases).toBeGreaterThan(0)
    // Optional dependencies, platform markers (some not fitting linux), conflicts.
    const all: IndexVersion[] = [...u.data.values()].flat()
    expect(all.filter((iv) => iv.optionalDependencies).length).toBeGreaterThan(0)
    expect(all.filter((iv) => iv.platform?.os?.includes('darwin') && iv.platform.os.length === 1).length).toBeGreaterThan(0)
    expect(all.filter((iv) => iv.conflicts).length).toBe(u.stats.withConflicts)
    expect(u.stats.withConflicts).toBeGreaterThan(0)
    expect(u.stats.notNewest).toBeGreaterThan(0.05 * u.packages)
    expect(u.stats.notNewest).toBeLessThan(0.1 * u.packages)
  })

  it.each([1000, 5000, 20000])('n = %i: the witness is a valid resolution (satisfiable by construction)', (n) => {
    const u = registryGraph(n, 1)
    expect(checkResolution(u.root, u.data, u.witness, { platform: u.platform })).toEqual([])
  })

  it('n = 1000: logic-solver agrees it is satisfiable, and its model is a valid resolution', async () => {
    const u = registryGraph(1000, 3)
    const r = await eagerSat(u.root, u.index, { platform: u.platform })
    expect(r.sat).toBe(true)
    if (r.sat) expect(checkResolution(u.root, u.data, r.packages, { platform: u.platform })).toEqual([])
  })
})

describe('checkResolution', () => {
  const data: IndexData = new Map<string, IndexVersion[]>([
    ['a', [{ version: '1.0.0', dependencies: { b: '^1.0.0' }, optionalDependencies: { c: '^2.0.0' } }, { version: '2.0.0', conflicts: ['@s/d@<2'] }]],
    ['b', [{ version: '1.2.0' }, { version: '2.0.0' }]],
    ['c', [{ version: '1.0.0' }, { version: '2.0.0', platform: { os: ['!linux'] } }]],
    ['@s/d', [{ version: '1.0.0' }, { version: '2.0.0', platform: { os: ['darwin'], arch: ['arm64'] } }]],
  ])
  const root = { dependencies: { a: '*' } }

  it('accepts resolutions and names every violation', () => {
    expect(checkResolution(root, data, { a: '1.0.0', b: '1.2.0' })).toEqual([])
    expect(checkResolution(root, data, { a: '1.0.0', b: '2.0.0' })).toEqual(['a@1.0.0 needs b@^1.0.0, got 2.0.0'])
    expect(checkResolution(root, data, { a: '1.0.0' })).toEqual(['a@1.0.0 needs b@^1.0.0, not installed'])
    expect(checkResolution(root, data, { a: '1.0.0', b: '1.2.0', c: '1.0.0' })).toEqual(['a@1.0.0 needs c@^2.0.0, got 1.0.0'])
    expect(checkResolution(root, data, { a: '1.0.0', b: '1.2.0', c: '2.0.0' })).toEqual([])
    expect(checkResolution(root, data, { a: '1.0.0', b: '1.2.0', c: '2.0.0' }, { platform: { os: 'linux' } })).toEqual(['c@2.0.0 does not fit the platform'])
    expect(checkResolution(root, data, { a: '3.0.0' })).toEqual(['a@3.0.0 is not in the index'])
    expect(checkResolution(root, data, { a: '2.0.0', b: '1.2.0' })).toEqual(['b@1.2.0 is installed but nothing needs it'])
    expect(checkResolution({ dependencies: { a: '2', '@s/d': '*' } }, data, { a: '2.0.0', '@s/d': '1.0.0' })).toEqual(['a@2.0.0 conflicts with @s/d@<2, got 1.0.0'])
    expect(checkResolution({ dependencies: { '@s/d': '*' } }, data, { '@s/d': '2.0.0' }, { platform: { os: 'darwin', arch: 'x64' } })).toEqual(['@s/d@2.0.0 does not fit the platform'])
    expect(checkResolution(root, data, { a: '2.0.0' }, { graph: { a: { version: '1.0.0' } } })).toEqual(['graph says a@1.0.0, packages 2.0.0'])
  })

  it('reads an index through indexOf asynchronously', async () => {
    const index = indexOf(data)
    await expect(index.versions('b')).resolves.toHaveLength(2)
    await expect(index.versions('nope')).resolves.toBeUndefined()
  })
})
