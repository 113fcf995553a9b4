import { describe, expect, it } from 'vitest'
import { resolve, ResolutionError, type Resolution } from '@torshpkg/resolve'
import type { PackageIndex, RootRequirements, TargetPlatform } from '../src/types'
import {
  backtrackingDisjointVersions,
  backtrackingRanges,
  backtrackingSingletons,
  backtrackingUniverses,
  largeCase,
  registryGraph,
} from './universes'
import { satisfiableVersions } from './universes-sat'
import { checkResolution } from './check-resolution'
import { setNameIdBound } from '../src/resolver/name-ids'
import type { IndexVersion } from '../src/types'

type Outcome = { ok: true; resolution: Resolution } | { ok: false; error: unknown }

async function attempt(root: RootRequirements, index: PackageIndex, platform?: TargetPlatform): Promise<Outcome> {
  try {
    return { ok: true, resolution: await resolve(root, index, platform ? { platform } : {}) }
  } catch (error) {
    return { ok: false, error }
  }
}

describe('resolve on large_case (pubgrub-rs)', () => {
  it('solves exactly the 593 satisfiable problems, each validly, and fails the 48 others with E_UNSATISFIABLE', async () => {
    const lc = largeCase()
    const oracle = satisfiableVersions(lc.data, lc.problems)
    let solved = 0
    let failed = 0
    for (const [k, p] of lc.problems.entries()) {
      const out = await attempt(p.root, lc.index)
      const what = `${p.package}@${p.version}`
      if (out.ok) {
        solved++
        expect(oracle[k], what).toBe(true)
        expect(out.resolution.packages[p.package], what).toBe(p.version)
        expect(checkResolution(p.root, lc.data, out.resolution.packages, { graph: out.resolution.graph }), what).toEqual([])
      } else {
        failed++
        expect(oracle[k], what).toBe(false)
        expect(out.error, what).toBeInstanceOf(ResolutionError)
        const e = out.error as ResolutionError
        expect(e.code, what).toBe('E_UNSATISFIABLE')
        expect(e.explanation.length, what).toBeGreaterThan(0)
      }
    }
    expect([solved, failed]).toEqual([593, 48])
  })
})

describe('resolve on the backtracking universes (pubgrub-rs benches/backtracking.rs)', () => {
  it.each(backtrackingUniverses().map((u) => [u.name, u] as const))('%s: the expected answer', async (_, u) => {
    const r = await resolve(u.root, u.index)
    expect(u.expected.sat && u.expected.packages).toBeTruthy()
    expect(r.packages).toEqual(u.expected.sat ? u.expected.packages : undefined)
    expect(checkResolution(u.root, u.data, r.packages, { graph: r.graph })).toEqual([])
  })

  it.each([
    ['singletons', backtrackingSingletons],
    ['disjoint versions', backtrackingDisjointVersions],
    ['ranges', backtrackingRanges],
  ])('%s at other sizes: the expected answer, and E_UNSATISFIABLE when p1 >= 1.0.0 is required', async (_, make) => {
    for (const [p, v] of [[2, 2], [3, 3], [5, 4], [10, 30], [40, 10]] as const) {
      const u = make(p, v)
      const r = await resolve(u.root, u.index)
      expect(r.packages, u.name).toEqual(u.expected.sat ? u.expected.packages : undefined)
      const out = await attempt({ dependencies: { ...u.root.dependencies, p1: '>=1.0.0' } }, u.index)
      expect(out.ok, u.name).toBe(false)
      expect((out as { error: ResolutionError }).error.code, u.name).toBe('E_UNSATISFIABLE')
    }
  })
})

describe('explanations of very large failures', () => {
  // singletons(100, 500) rooted at p1 >= 1.0.0: every one of the 49,900 versions is refuted by
  // a chain of 100 packages. The derivation walks them all (it used to take minutes: each step
  // re-collected every version ruled out so far); the printed explanation stays short.
  it('singletons(100, 500) with p1 >= 1.0.0: E_UNSATISFIABLE, the whole derivation, an explanation of 41 lines', async () => {
    const u = backtrackingSingletons(100, 500)
    const out = await attempt({ dependencies: { p1: '>=1.0.0' } }, u.index)
    expect(out.ok).toBe(false)
    const e = (out as { error: ResolutionError }).error
    expect(e.code).toBe('E_UNSATISFIABLE')
    expect(e.derivation.length).toBeGreaterThan(49_000)
    expect(e.derivation[0]).toBe('You require p1 >=1.0.0.')
    expect(e.derivation).toContain('p99 1.0.0 needs p100 =1.0.0, but no package p100 exists, so p99 1.0.0 cannot be used.')
    expect(e.derivation).toContain('p1 499.0.0 needs p2 =499.0.0, but p2 499.0.0 cannot be used, so p1 499.0.0 cannot be used.')
    const lines = e.explanation.split('\n')
    expect(lines).toHaveLength(41)
    expect(lines.slice(0, 20)).toEqual(e.derivation.slice(0, 20))
    expect(lines[20]).toBe(`... (${e.derivation.length - 40} more steps of the same kind; the error's derivation lists them all) ...`)
    expect(lines.slice(21)).toEqual(e.derivation.slice(-20))
    expect(e.message).toBe(`resolve: no solution.\n${e.explanation}`)
  }, 120_000)
})

describe('resolve on registry graphs', () => {
  it.each([
    [1000, 1],
    [1000, 2],
    [5000, 1],
    [20000, 1],
  ])('n = %i, seed %i: a valid resolution for linux/x64/node', async (n, seed) => {
    const u = registryGraph(n, seed)
    const r = await resolve(u.root, u.index, { platform: u.platform })
    expect(checkResolution(u.root, u.data, r.packages, { platform: u.platform, graph: r.graph })).toEqual([])
    // It installs about as much as the witness does (both are closures of the same root).
    expect(Object.keys(r.packages).length).toBeGreaterThan(0.8 * Object.keys(u.witness).length)
  })

  it('n = 1000: a valid resolution preferring lowest versions too', async () => {
    const u = registryGraph(1000, 1)
    const r = await resolve(u.root, u.index, { platform: u.platform, preference: 'lowest' })
    expect(checkResolution(u.root, u.data, r.packages, { platform: u.platform, graph: r.graph })).toEqual([])
  })
})

describe('resolve reuses search state safely', () => {
  // Finished searches go back to a pool and the next resolution takes one (see search.ts):
  // whatever ran before, in whatever order, answers and explanations must not change.
  const summary = (o: Outcome) =>
    o.ok ? JSON.stringify(o.resolution) : `${(o.error as ResolutionError).code}: ${(o.error as ResolutionError).explanation}`

  it('interleaved concurrent resolutions, a big one among them, give what one-at-a-time ones give', async () => {
    const lc = largeCase()
    const problems = lc.problems.filter((_, k) => k % 5 === 0) // 129, unsatisfiable ones among them
    const alone: string[] = []
    for (const p of problems) alone.push(summary(await attempt(p.root, lc.index)))
    expect(alone.filter((s) => s.startsWith('E_UNSATISFIABLE')).length).toBeGreaterThan(0)

    // An index whose answers arrive after random delays, so that the searches interleave.
    let seed = 7
    const jitter = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 4
    const slow: PackageIndex = {
      versions: (name) => new Promise((done) => setTimeout(() => done(lc.data.get(name)), jitter())),
    }
    const big = backtrackingSingletons()
    const [bigOut, ...together] = await Promise.all([attempt(big.root, big.index), ...problems.map((p) => attempt(p.root, slow))])
    expect(together.map(summary)).toEqual(alone)
    expect(bigOut.ok && bigOut.resolution.packages).toEqual(big.expected.sat && big.expected.packages)

    // And after the big search went back to the pool: the same again, one at a time.
    const after: string[] = []
    for (const p of problems) after.push(summary(await attempt(p.root, lc.index)))
    expect(after).toEqual(alone)
  })
})

describe('package names past the process-wide name table', () => {
  // Compiled versions name their edges' packages by process-wide numbers (name-ids.ts), which
  // stop at a bound; names past it take another path (looked up by name). Both paths, and a
  // mix of them in one resolution, must give the same answers.
  const summary = (o: Outcome) =>
    o.ok ? JSON.stringify(o.resolution) : `${(o.error as ResolutionError).code}: ${(o.error as ResolutionError).explanation}`

  /** large_case with every name prefixed (names never seen before), and fresh answer arrays. */
  function renamed(prefix: string) {
    const lc = largeCase()
    const data = new Map<string, IndexVersion[]>()
    const rename = (deps: Readonly<Record<string, string>> | undefined) =>
      Object.fromEntries(Object.entries(deps ?? {}).map(([n, r]) => [`${prefix}${n}`, r]))
    for (const [name, list] of lc.data) data.set(`${prefix}${name}`, list.map((v) => ({ ...v, dependencies: rename(v.dependencies) })))
    const index: PackageIndex = { versions: async (name) => data.get(name) }
    const problems = lc.problems.filter((_, k) => k % 4 === 0).map((p) => ({ root: { dependencies: rename(p.root.dependencies) } }))
    return { data, index, problems }
  }

  it('resolves the same with the table full, filling up mid-way, and with room', async () => {
    const first = renamed('full-')
    let unnumbered: string[] = []
    setNameIdBound(0) // nothing new gets a number: every name of `first` is looked up by name
    try {
      for (const p of first.problems) unnumbered.push(summary(await attempt(p.root, first.index)))
    } finally {
      setNameIdBound()
    }
    unnumbered = unnumbered.map((s) => s.replaceAll('full-', ''))
    expect(unnumbered.filter((s) => s.startsWith('E_UNSATISFIABLE')).length).toBeGreaterThan(0)

    // The same compiled versions (edges without numbers) while names now get numbers on sight.
    const again: string[] = []
    for (const p of first.problems) again.push(summary(await attempt(p.root, first.index)).replaceAll('full-', ''))
    expect(again).toEqual(unnumbered)

    // Fresh names and data with room in the table: the ordinary path.
    const second = renamed('room-')
    const numbered: string[] = []
    for (const p of second.problems) {
      const out = await attempt(p.root, second.index)
      if (out.ok) expect(checkResolution(p.root, second.data, out.resolution.packages, { graph: out.resolution.graph })).toEqual([])
      numbered.push(summary(out).replaceAll('room-', ''))
    }
    expect(numbered).toEqual(unnumbered)
  })
})
