/**
 * Package universes for the resolver's tests and benches (benches/resolve/packages.ts). Each
 * function returns the universe's data (`name -> versions`), a {@link PackageIndex} over it and
 * the root problem(s) to resolve, with the answer that is expected where one is known.
 *
 * - {@link largeCase}: pubgrub-rs's `large_case` benchmark universe (a real-world-shaped
 *   83-package universe), with its 641 root problems (593 satisfiable, 48 not).
 * - {@link backtrackingSingletons}, {@link backtrackingDisjointVersions},
 *   {@link backtrackingRanges}: ports of pubgrub-rs's `benches/backtracking.rs` generators,
 *   built so that a newest-first search has to reject every version before the answer.
 * - {@link registryGraph}: seeded, npm-registry-shaped graphs of n packages (1k, 5k, 20k).
 *
 * No test framework here: this file is shared by tests and benches.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { DependencyMap, IndexVersion, PackageIndex, PlatformMarkers, RootRequirements, TargetPlatform } from '../src/types'
import { rng } from './helpers'

/** A universe's metadata: package name -> every published version. */
export type IndexData = ReadonlyMap<string, readonly IndexVersion[]>

/** What resolving a root in a universe should give. */
export type Expected =
  | { readonly sat: true; /** The exact answer, where it is unique. */ readonly packages?: Readonly<Record<string, string>> }
  | { readonly sat: false }

/** A universe with one root problem. */
export interface Universe {
  readonly name: string
  readonly data: IndexData
  /** Async, as a registry is: `versions(name)` resolves to `data.get(name)`. */
  readonly index: PackageIndex
  readonly root: RootRequirements
  /** The platform to resolve for (markers are checked against it); none: markers not checked. */
  readonly platform?: TargetPlatform
  readonly expected: Expected
  /** Packages with at least one version / versions in all. */
  readonly packages: number
  readonly versions: number
}

/** A {@link PackageIndex} over `data`, answering asynchronously like a registry client. */
export function indexOf(data: IndexData): PackageIndex {
  return { versions: (name: string) => Promise.resolve(data.get(name)) }
}

function counts(data: IndexData): { packages: number; versions: number } {
  let versions = 0
  for (const list of data.values()) versions += list.length
  return { packages: data.size, versions }
}

// ---------------------------------------------------------------------------------------------
// large_case
// ---------------------------------------------------------------------------------------------

/** `{ package: { version: { dependency: [[lo, hi_or_null], ...] } } }` (see fixtures/resolve/README.md). */
type LargeCaseJson = Record<string, Record<string, Record<string, [number, number | null][]>>>

/** One problem of large_case: install exactly `package@version`. */
export interface LargeCaseProblem {
  readonly package: string
  readonly version: string
  /** `{ dependencies: { [package]: '=v.0.0' } }`. */
  readonly root: RootRequirements
}

export interface LargeCase {
  readonly data: IndexData
  readonly index: PackageIndex
  /** One problem per published version (641), in the fixture's order. */
  readonly problems: readonly LargeCaseProblem[]
  /** 83 / 641. */
  readonly packages: number
  readonly versions: number
  /** How many of `problems` are satisfiable (593) and unsatisfiable (48). */
  readonly expected: { readonly sat: number; readonly unsat: number }
}

/** Integer version `v` as semver. */
const sv = (v: number) => `${v}.0.0`

/** The union of half-open intervals `[lo, hi)` (`hi` null: unbounded) as an npm range. */
export function intervalsToRange(intervals: readonly (readonly [number, number | null])[]): string {
  if (intervals.length === 0) return '<0.0.0-0' // matches nothing (not present in large_case)
  return intervals.map(([lo, hi]) => (hi === null ? `>=${sv(lo)}` : `>=${sv(lo)} <${sv(hi)}`)).join(' || ')
}

let largeCaseJson: LargeCaseJson | undefined

/**
 * pubgrub-rs's `large_case` universe (test-examples/large_case_u16_NumberVersion.ron) and its
 * benchmark's problems: every `package@version` resolved as the root. Versions map to `v.0.0`,
 * ranges to `>=lo.0.0 <hi.0.0` unions. Expected: 593 satisfiable, 48 unsatisfiable.
 */
export function largeCase(): LargeCase {
  largeCaseJson ??= JSON.parse(
    readFileSync(fileURLToPath(new URL('./fixtures/resolve/large_case.json', import.meta.url)), 'utf8'),
  ) as LargeCaseJson
  const data = new Map<string, IndexVersion[]>()
  const problems: LargeCaseProblem[] = []
  for (const [name, versions] of Object.entries(largeCaseJson)) {
    const list: IndexVersion[] = []
    const nums = Object.keys(versions).map(Number).sort((a, b) => a - b)
    for (const v of nums) {
      const deps = versions[String(v)]!
      const dependencies: Record<string, string> = {}
      for (const [dep, intervals] of Object.entries(deps)) dependencies[dep] = intervalsToRange(intervals)
      list.push({ version: sv(v), dependencies })
      problems.push({ package: name, version: sv(v), root: { dependencies: { [name]: `=${sv(v)}` } } })
    }
    data.set(name, list)
  }
  return { data, index: indexOf(data), problems, ...counts(data), expected: { sat: 593, unsat: 48 } }
}

// ---------------------------------------------------------------------------------------------
// pubgrub-rs benches/backtracking.rs
// ---------------------------------------------------------------------------------------------
//
// Ported from https://github.com/pubgrub-rs/pubgrub/blob/dev/benches/backtracking.rs (read at
// commits e8161fae664af3e5079639f526b394cac15655a9 and 84ecfb781b244162de6dafa0a03620fb36d5fe4b,
// whose generators are identical). There, packages and versions are u32s, package 0 version 0
// is the root, and `OfflineDependencyProvider::add_dependencies(p, v, deps)` is what makes
// `p@v` exist: a package never passed to it has no versions at all. Here package `n` is named
// `p<n>`, version `v` is `v.0.0`, `Ranges::full()` is `*`, `Ranges::singleton(v)` is `=v.0.0`,
// `Ranges::higher_than(v)` (v included) is `>=v.0.0`, and the root package's dependencies are
// the `RootRequirements`. The sizes are the ones of its `bench_group`.
//
// Expected answers (derived in each function's comment; checked in universes.test.ts by
// logic-solver at these sizes, and by exhaustive enumeration of every assignment at small sizes
// of the same generators):
//   singletons(100, 500)         sat: { p1: 0.0.0 }
//   disjointVersions(300, 200)   sat: { p1: 0.0.0, p4294967295: 0.0.0 }
//   ranges(5, 200)               sat: { p1: 0.0.0 }
// and each answer is the only one: rooting the same universe at `p1 >=1.0.0` (with the same
// other root requirements) is unsatisfiable.

/** Package `n` of a ported pubgrub universe. */
export const pkg = (n: number) => `p${n}`

/** u32::MAX, the extra package of `backtracking_disjoint_versions`. */
export const U32_MAX = 4294967295

function universe(name: string, data: Map<string, IndexVersion[]>, root: RootRequirements, expected: Expected): Universe {
  return { name, data, index: indexOf(data), root, expected, ...counts(data) }
}

function addVersion(data: Map<string, IndexVersion[]>, p: number, v: number, dependencies: DependencyMap): void {
  const name = pkg(p)
  let list = data.get(name)
  if (!list) data.set(name, (list = []))
  list.push({ version: sv(v), dependencies })
}

/**
 * `backtracking_singletons(package_count, version_count)` (bench: 100, 500). Pattern of the
 * solana-* crates: each version `v >= 1` of package `n` (1 <= n < package_count) depends on
 * exactly version `v` of package `n + 1`; `p1` also has `0.0.0`, with no dependencies; the root
 * wants any `p1`. `p<package_count>` has no versions, so `p<package_count - 1>@v` is
 * impossible for every v, hence (by induction down the chain) so is every `p<n>@v`, v >= 1:
 * the only answer is `{ p1: 0.0.0 }`, reached by a newest-first search only after it has
 * refuted all 499 chains (each 98 packages long).
 *
 * Universe: p1 has 500 versions, p2..p99 have 499 each (99 packages, 49,402 versions).
 */
export function backtrackingSingletons(packageCount = 100, versionCount = 500): Universe {
  const data = new Map<string, IndexVersion[]>()
  addVersion(data, 1, 0, {})
  for (let n = 1; n < packageCount; n++) for (let v = 1; v < versionCount; v++) addVersion(data, n, v, { [pkg(n + 1)]: `=${sv(v)}` })
  return universe(`backtracking_singletons(${packageCount}, ${versionCount})`, data, { dependencies: { [pkg(1)]: '*' } }, {
    sat: true,
    packages: { [pkg(1)]: sv(0) },
  })
}

/**
 * `backtracking_disjoint_versions(package_count, version_count)` (bench: 300, 200). As
 * singletons, but the chain ends: `p<package_count>@v` (v >= 1) depends on `p4294967295 =v`,
 * which has versions 0..version_count-1 and no dependencies; and the root wants any `p1` and
 * `p4294967295 =0.0.0`. Choosing `p1@v` (v >= 1) forces `p2@v`, ..., `p<package_count>@v`,
 * then `p4294967295@v`, v != 0, against the root: the only answer is
 * `{ p1: 0.0.0, p4294967295: 0.0.0 }`, after refuting 199 chains of 300 packages.
 *
 * Universe: p1 has 200 versions, p2..p300 199 each, p4294967295 200 (301 packages, 59,901 versions).
 */
export function backtrackingDisjointVersions(packageCount = 300, versionCount = 200): Universe {
  const data = new Map<string, IndexVersion[]>()
  addVersion(data, 1, 0, {})
  for (let n = 1; n < packageCount; n++) for (let v = 1; v < versionCount; v++) addVersion(data, n, v, { [pkg(n + 1)]: `=${sv(v)}` })
  for (let v = 1; v < versionCount; v++) addVersion(data, packageCount, v, { [pkg(U32_MAX)]: `=${sv(v)}` })
  for (let v = 0; v < versionCount; v++) addVersion(data, U32_MAX, v, {})
  const root = { dependencies: { [pkg(1)]: '*', [pkg(U32_MAX)]: `=${sv(0)}` } }
  return universe(`backtracking_disjoint_versions(${packageCount}, ${versionCount})`, data, root, {
    sat: true,
    packages: { [pkg(1)]: sv(0), [pkg(U32_MAX)]: sv(0) },
  })
}

/**
 * `backtracking_ranges(package_count, version_count)` (bench: 5, 200). Each version `v >= 1`
 * of package `n` (1 <= n < package_count) depends on `p<n+1> >=(version_count - v).0.0` (the
 * newest versions accept the most); `p1` also has `0.0.0` with no dependencies; the root wants
 * any `p1`. `p<package_count>` has no versions, so no `p<package_count - 1>` version is
 * possible, and by induction no `p<n>@v`, v >= 1: the only answer is `{ p1: 0.0.0 }`. The
 * ranges overlap, so a search must refute ranges of versions, not single versions.
 *
 * Universe: p1 has 200 versions, p2..p4 199 each (4 packages, 797 versions).
 */
export function backtrackingRanges(packageCount = 5, versionCount = 200): Universe {
  const data = new Map<string, IndexVersion[]>()
  addVersion(data, 1, 0, {})
  for (let n = 1; n < packageCount; n++) for (let v = 1; v < versionCount; v++) addVersion(data, n, v, { [pkg(n + 1)]: `>=${sv(versionCount - v)}` })
  return universe(`backtracking_ranges(${packageCount}, ${versionCount})`, data, { dependencies: { [pkg(1)]: '*' } }, {
    sat: true,
    packages: { [pkg(1)]: sv(0) },
  })
}

/** The three backtracking universes at pubgrub-rs's benchmark sizes. */
export function backtrackingUniverses(): Universe[] {
  return [backtrackingSingletons(), backtrackingDisjointVersions(), backtrackingRanges()]
}

// ---------------------------------------------------------------------------------------------
// Registry-shaped graphs
// ---------------------------------------------------------------------------------------------

/** The platform registry graphs are resolved for. */
export const REGISTRY_PLATFORM: TargetPlatform = { os: 'linux', arch: 'x64', runtime: 'node' }

/** What a generated registry is made of (all deterministic for `(n, seed)`). */
export interface RegistryStats {
  /** Packages with at least one version (= n). */
  readonly packages: number
  readonly versions: number
  /** Required dependency edges, over all versions. */
  readonly dependencies: number
  readonly optionalDependencies: number
  readonly withConflicts: number
  readonly withPlatform: number
  readonly prereleases: number
  /** Required edges from a package to a higher-id one (the source of the cycles). */
  readonly upwardEdges: number
  /** Root dependencies. */
  readonly rootDependencies: number
  /** Packages whose newest version is not in the witness (new major nobody's newest accepts, or broken). */
  readonly notNewest: number
  /** Packages reachable from the root through any version's required or optional dependencies. */
  readonly reachable: number
}

export interface RegistryUniverse extends Universe {
  readonly n: number
  readonly seed: number
  /**
   * A known solution (package -> version), closed under required dependencies from the root,
   * satisfying every range, conflict and platform marker: the universe is satisfiable by
   * construction. The resolver may return another one (it prefers newest versions).
   */
  readonly witness: Readonly<Record<string, string>>
  readonly stats: RegistryStats
}

type Triple = readonly [number, number, number]

interface GenVersion {
  readonly v: Triple
  readonly pre?: string
  /** Publish time in [0, 1]. */
  readonly time: number
  readonly str: string
}

interface GenPackage {
  readonly id: number
  readonly name: string
  readonly native: boolean
  readonly versions: GenVersion[]
  /** Index in `versions` of the witness version. */
  witness: number
  /** Newest non-prerelease version. */
  newest: number
  /** Required dependency targets (package ids), in the order later versions keep adding them. */
  readonly deps: number[]
  /** Optional dependency targets. */
  readonly optional: number[]
  readonly platform?: PlatformMarkers
}

const SYLLABLES = ['ba', 'ko', 'ri', 'zu', 'mel', 'tar', 'vin', 'sol', 'dex', 'pra', 'lum', 'nor', 'qui', 'fen', 'gal', 'hyp', 'jet', 'kra', 'mox', 'pix', 'ros', 'tek', 'vox', 'wen', 'yar', 'zel', 'an', 'es', 'io', 'ul']
const SUFFIXES = ['', '', '', '', '-js', '-core', '-utils', '-cli', '-parser', '-plugin', '-loader', '-types', '-kit']
/** Markers that fit {@link REGISTRY_PLATFORM}, as ordinary packages declare them. */
const FITTING_MARKERS: PlatformMarkers[] = [
  { os: ['!win32'] },
  { runtime: ['node'] },
  { os: ['linux', 'darwin'] },
  { os: ['!win32'], arch: ['x64', 'arm64'] },
  { runtime: ['node', 'bun', 'deno'] },
]
const NATIVE_TARGETS: [string, string][] = [
  ['darwin', 'arm64'],
  ['darwin', 'x64'],
  ['win32', 'x64'],
  ['linux', 'x64'],
  ['linux', 'arm64'],
  ['freebsd', 'x64'],
]

const vstr = (v: Triple, pre?: string) => `${v[0]}.${v[1]}.${v[2]}${pre ? `-${pre}` : ''}`

/**
 * A seeded registry of `n` packages shaped like npm's (sizes used: 1k, 5k, 20k), with a root.
 *
 * - Package ids are publication order: lower ids are older and more depended upon. Each
 *   package's required dependencies point to lower ids (u uniform in [0, 1)): half as
 *   `floor(id * u^2.5)`, which gives a power law of popularity (the oldest few packages are in
 *   almost every tree), a quarter uniformly below `id`, a quarter to recent packages
 *   (`id - 1 - Exp(id / 50)`, ecosystems of related packages). ~0.3% of edges point upward,
 *   and ~n/500 pairs depend on each other, so there are a few cycles.
 * - Dependency counts are heavy-tailed (12% none, mean ~3.5, max 30); later versions of a
 *   package keep the dependencies of earlier ones and add some.
 * - Versions: 1 to ~60 per package (older packages have more), starting at 0.1.0 or 1.0.0,
 *   each release a patch (55%), minor (35%) or major (10%) bump, published at increasing times;
 *   3% of packages end with a prerelease of their next major.
 * - Ranges are built from a target version of the dependency: caret (82%), tilde, exact, `>=`,
 *   `M.x`, `*` or a `^old || ^new` union. An older version targets the dependency's newest
 *   version at its own publish time, so old versions want old majors.
 * - About 7% of packages' newest versions are not in the witness: a fifth of the packages
 *   that have a previous major published a new one that the witness versions of their
 *   dependents do not accept yet (their ranges target the previous major; a newest-first
 *   search must find out, and go back when it took the new major first), and 4% of the others
 *   have a broken newest version (it wants a major of a dependency that does not exist, or it
 *   is for win32 only).
 * - 2% of packages are native binaries (`os`/`arch` markers, several platforms), reached only
 *   through optional dependencies of host packages; 4% of ordinary packages carry markers that
 *   fit {@link REGISTRY_PLATFORM}; 1% of versions declare conflicts (with older majors).
 * - The root depends (ranges drawn like the others) on n/20 packages, mostly recent ones
 *   (`n - 1 - floor(n * u^1.5)`, the "applications"), plus a few popular ones, so that
 *   resolving it reaches most of the registry: for n = 5000 (seed 1), 3,288 packages are
 *   reachable through some version and the witness installs 3,202.
 *
 * Satisfiable by construction: a witness version per package (the newest usable one) whose
 * dependency ranges all contain their targets' witness versions, whose conflicts exclude them
 * and whose markers fit the platform. Resolve it with `platform` ({@link REGISTRY_PLATFORM}).
 */
export function registryGraph(n: number, seed = 1): RegistryUniverse {
  if (!Number.isInteger(n) || n < 2) throw new RangeError('registryGraph: n must be an integer >= 2')
  const rand = rng(Math.imul(seed, 0x9e3779b1) ^ n)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const expo = (mean: number) => -Math.log(1 - rand()) * mean

  // Names: a few dozen scopes, pronounceable bases, unique by an id suffix.
  const scopes = Array.from({ length: 30 }, () => `@${pick(SYLLABLES)}${pick(SYLLABLES)}${pick(SYLLABLES)}`)
  const names: string[] = []
  for (let i = 0; i < n; i++) {
    let base = ''
    for (let s = 1 + Math.floor(rand() * 3); s > 0; s--) base += pick(SYLLABLES)
    base += `${pick(SUFFIXES)}-${i.toString(36)}`
    names.push(rand() < 0.08 ? `${pick(scopes)}/${base}` : base)
  }

  // Packages, versions and their publish times.
  const packages: GenPackage[] = []
  for (let i = 0; i < n; i++) {
    const native = i >= 20 && rand() < 0.02
    const popularity = (1 - i / n) ** 3
    const k = Math.min(60, 1 + Math.floor(expo(1.5 + 8 * popularity)))
    const created = Math.min(0.95, (0.9 * i) / n + 0.05 * rand())
    const times = Array.from({ length: k }, (_, x) => (x === 0 ? created : created + (1 - created) * rand())).sort((a, b) => a - b)
    const versions: GenVersion[] = []
    let v: Triple = rand() < 0.25 ? [0, 1, 0] : [1, 0, 0]
    for (let x = 0; x < k; x++) {
      if (x > 0) {
        const r = rand()
        v = r < 0.55 ? [v[0], v[1], v[2] + 1] : r < 0.9 ? [v[0], v[1] + 1, 0] : [v[0] + 1, 0, 0]
      }
      versions.push({ v, time: times[x]!, str: vstr(v) })
    }
    const newest = versions.length - 1
    if (!native && rand() < 0.03) {
      const pre = `rc.${1 + Math.floor(rand() * 3)}`
      const next: Triple = [v[0] + 1, 0, 0]
      versions.push({ v: next, pre, time: 1, str: vstr(next, pre) })
    }
    const platform = native ? undefined : rand() < 0.04 ? pick(FITTING_MARKERS) : undefined
    packages.push({ id: i, name: names[i]!, native, versions, witness: newest, newest, deps: [], optional: [], ...(platform ? { platform } : {}) })
  }

  // Required dependencies: lower ids by a power law, a few upward edges; never a native.
  let upwardEdges = 0
  for (const p of packages) {
    if (p.native || p.id === 0) continue
    const want = rand() < 0.12 ? 0 : Math.min(30, p.id, 1 + Math.floor(expo(3.2)))
    for (let tries = 0; p.deps.length < want && tries < want * 4; tries++) {
      let j: number
      if (rand() < 0.003 && p.id < n - 1) j = p.id + 1 + Math.floor(rand() * (n - p.id - 1))
      else {
        const r = rand()
        j = r < 0.5 ? Math.floor(p.id * rand() ** 2.5) : r < 0.75 ? Math.floor(p.id * rand()) : Math.max(0, p.id - 1 - Math.floor(expo(1 + p.id / 50)))
      }
      if (j === p.id || packages[j]!.native || p.deps.includes(j)) continue
      if (j > p.id) upwardEdges++
      p.deps.push(j)
    }
  }
  // A few mutual dependencies (2-cycles).
  for (let c = Math.max(2, Math.floor(n / 500)); c > 0; c--) {
    const a = packages[Math.floor(rand() * n)]!
    const b = a.deps.length ? packages[pick(a.deps)]! : undefined
    if (!b || b.native || b.deps.includes(a.id) || b.deps.length >= 30) continue
    b.deps.push(a.id)
    upwardEdges++
  }
  // Native binaries: grouped in families, each the optional dependencies of one host package.
  const natives = packages.filter((p) => p.native)
  const ordinary = packages.filter((p) => !p.native)
  for (let f = 0; f < natives.length; ) {
    const size = Math.min(natives.length - f, 2 + Math.floor(rand() * 4))
    const host = pick(ordinary)
    for (let m = 0; m < size; m++, f++) host.optional.push(natives[f]!.id)
  }
  // Some optional dependencies on ordinary (lower-id) packages too.
  for (const p of ordinary) if (p.id > 0 && rand() < 0.02) {
    const j = Math.floor(p.id * rand() ** 2)
    if (j !== p.id && !packages[j]!.native && !p.deps.includes(j) && !p.optional.includes(j)) p.optional.push(j)
  }

  // Witness versions: the newest, except for lagging majors and broken newest versions.
  type Breakage = { kind: 'lag' } | { kind: 'win32' } | { kind: 'missing-major'; dep: number }
  const breakage = new Map<number, Breakage>()
  for (const p of ordinary) {
    const last = p.versions[p.newest]!
    let previousMajor = p.newest
    while (previousMajor >= 0 && p.versions[previousMajor]!.v[0] === last.v[0]) previousMajor--
    if (previousMajor >= 0 && rand() < 0.2) {
      p.witness = previousMajor
      breakage.set(p.id, { kind: 'lag' })
    } else if (p.newest > 0 && rand() < 0.04) {
      p.witness = p.newest - 1
      breakage.set(p.id, p.deps.length && rand() < 0.5 ? { kind: 'missing-major', dep: pick(p.deps) } : { kind: 'win32' })
    }
  }
  const W = (j: number) => packages[j]!.versions[packages[j]!.witness]!

  /** Latest non-prerelease version of package j published by `time` (or its first). */
  const atTime = (j: number, time: number): GenVersion => {
    const vs = packages[j]!.versions
    let best = vs[0]!
    for (const v of vs) if (!v.pre && v.time <= time) best = v
    return best
  }
  /** A range containing `t`, in one of the forms packages use. */
  const rangeFor = (j: number, t: GenVersion): string => {
    const r = rand()
    const [M, m, p] = t.v
    if (r < 0.82) return `^${t.str}`
    if (r < 0.89) return `~${t.str}`
    if (r < 0.92) return rand() < 0.5 ? t.str : `=${t.str}`
    if (r < 0.96) return rand() < 0.5 ? `>=${t.str}` : `>=${M}.${m}.${p} <${M + 1}.0.0`
    if (r < 0.98) return `${M}.x`
    if (r < 0.99) return '*'
    const first = packages[j]!.versions[0]!
    return first.v[0] < M ? `^${first.str} || ^${t.str}` : `^${t.str}`
  }

  // Versions with their dependency ranges.
  const data = new Map<string, IndexVersion[]>()
  let dependencies = 0
  let optionalDependencies = 0
  let withConflicts = 0
  let withPlatform = 0
  let prereleases = 0
  for (const p of packages) {
    const list: IndexVersion[] = []
    const k = p.versions.length
    for (let x = 0; x < k; x++) {
      const ver = p.versions[x]!
      const isWitness = x === p.witness
      const ahead = x > p.witness // newer than the witness: wants the newest of everything
      const target = (j: number): GenVersion => (isWitness ? W(j) : ahead ? packages[j]!.versions[packages[j]!.newest]! : atTime(j, ver.time))
      const keep = Math.ceil(p.deps.length * (0.4 + (0.6 * (x + 1)) / k))
      const deps: Record<string, string> = {}
      for (const j of p.deps.slice(0, keep)) deps[names[j]!] = rangeFor(j, target(j))
      const optional: Record<string, string> = {}
      for (const j of p.optional) optional[names[j]!] = rangeFor(j, target(j))
      let platform = p.platform
      let conflicts: IndexVersion['conflicts']
      const broken = x === p.newest ? breakage.get(p.id) : undefined
      if (broken?.kind === 'win32') platform = { os: ['win32'] }
      if (broken?.kind === 'missing-major') {
        const dep = packages[broken.dep]!
        deps[dep.name] = `^${Math.max(...dep.versions.map((v) => v.v[0])) + 1}.0.0`
      }
      if (p.native) {
        const [os, arch] = NATIVE_TARGETS[p.id % NATIVE_TARGETS.length]!
        platform = { os: [os], arch: [arch] }
      }
      if (!p.native && p.id > 0 && rand() < 0.01) {
        // Conflicts with majors older than the witness of a lower package (never its witness).
        const j = Math.floor(rand() * p.id)
        const M = W(j).v[0]
        if (j !== p.id && !packages[j]!.native && M >= 1) {
          conflicts = rand() < 0.5 ? [`${names[j]}@<${M}.0.0`] : { [names[j]!]: `<${M}.0.0` }
          withConflicts++
        }
      }
      dependencies += Object.keys(deps).length
      optionalDependencies += Object.keys(optional).length
      if (platform) withPlatform++
      if (ver.pre) prereleases++
      list.push({
        version: ver.str,
        ...(Object.keys(deps).length ? { dependencies: deps } : {}),
        ...(Object.keys(optional).length ? { optionalDependencies: optional } : {}),
        ...(platform ? { platform } : {}),
        ...(conflicts ? { conflicts } : {}),
      })
    }
    data.set(p.name, list)
  }

  // Root: n/20 packages, mostly recent ones (the "applications"), plus a few popular ones.
  const rootDeps: Record<string, string> = {}
  const wanted = Math.max(5, Math.round(n / 20))
  for (let tries = 0; Object.keys(rootDeps).length < wanted && tries < wanted * 4; tries++) {
    const i = n - 1 - Math.floor(n * rand() ** 1.5)
    const p = packages[i]!
    if (!p.native && !(p.name in rootDeps)) rootDeps[p.name] = rangeFor(i, W(i))
  }
  for (let c = 0; c < 5; c++) {
    const j = Math.floor(n * rand() ** 4)
    if (!packages[j]!.native) rootDeps[names[j]!] = rangeFor(j, W(j))
  }
  const root: RootRequirements = { dependencies: rootDeps }

  // The witness solution: the closure of the root over witness versions' required dependencies.
  const witness: Record<string, string> = {}
  const byName = new Map(packages.map((p) => [p.name, p]))
  const stack = Object.keys(rootDeps)
  while (stack.length) {
    const name = stack.pop()!
    if (name in witness) continue
    const p = byName.get(name)!
    witness[name] = W(p.id).str
    const iv = data.get(name)![p.witness]!
    for (const dep of Object.keys(iv.dependencies ?? {})) stack.push(dep)
  }

  // Everything a resolver may have to read: all versions' dependencies, from the root.
  const seen = new Set<string>()
  const todo = Object.keys(rootDeps)
  while (todo.length) {
    const name = todo.pop()!
    if (seen.has(name)) continue
    seen.add(name)
    for (const iv of data.get(name) ?? []) {
      for (const dep of Object.keys(iv.dependencies ?? {})) todo.push(dep)
      for (const dep of Object.keys(iv.optionalDependencies ?? {})) todo.push(dep)
    }
  }

  const sorted = Object.fromEntries(Object.entries(witness).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  const c = counts(data)
  return {
    name: `registry(${n}, seed ${seed})`,
    n,
    seed,
    data,
    index: indexOf(data),
    root,
    platform: REGISTRY_PLATFORM,
    expected: { sat: true },
    ...c,
    witness: sorted,
    stats: {
      ...c,
      dependencies,
      optionalDependencies,
      withConflicts,
      withPlatform,
      prereleases,
      upwardEdges,
      rootDependencies: Object.keys(rootDeps).length,
      notNewest: breakage.size,
      reachable: seen.size,
    },
  }
}
