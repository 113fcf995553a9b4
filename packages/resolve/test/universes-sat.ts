/**
 * Package resolution as one eager SAT problem, solved by logic-solver (MiniSat compiled to JS,
 * the solver behind Meteor's package version solver): the tests' independent oracle for the
 * universes, and the benches' peer (benches/resolve/peers.ts). No resolver code is used.
 *
 * Encoding: read the index from the root through every version's dependencies (required and
 * optional), then one variable per version that fits the platform, and clauses
 *   - root dependency `q@r`:            OR of q's versions in r
 *   - `p@v` depends on `q@r`:           -p@v OR (q's versions in r)
 *   - `p@v` optionally on `q@r`:        -p@v OR -q@w, for each w of q not in r
 *   - `p@v` conflicts with `q@r`:       -p@v OR -q@w, for each w of q in r
 *   - root optional `q@r`:              -q@w, for each w not in r
 *   - at most one version per package   (logic-solver's commander encoding)
 * It is satisfiable exactly when a resolution exists (optional dependencies being a preference,
 * not a constraint). No minimisation: the first model found, pruned to what the root reaches.
 */
import Logic from 'logic-solver'
import semver from 'semver'
import type { IndexVersion, PackageIndex, RootRequirements, TargetPlatform } from '../src/types'
import { conflictEntries, fitsPlatform } from './check-resolution'

export type EagerSatResult = { sat: true; packages: Record<string, string> } | { sat: false }

// logic-solver's numeric-term API (test/logic-solver.d.ts types only the string form).
interface NumSolver {
  getVarNum(name: string): number
  require(formulas: unknown): void
  solve(): { getTrueVars(): string[] } | null
  solveAssuming(term: number): unknown
}
const L = Logic as unknown as {
  Solver: new () => NumSolver
  or(terms: number[]): unknown
  atMostOne(terms: number[]): unknown
  disablingAssertions<T>(f: () => T): T
}

/** Every package the root can reach through any version's dependencies, read from `index`. */
export async function readReachable(root: RootRequirements, index: PackageIndex): Promise<Map<string, readonly IndexVersion[]>> {
  const data = new Map<string, readonly IndexVersion[]>()
  const seen = new Set<string>()
  let frontier = [...new Set([...Object.keys(root.dependencies ?? {}), ...Object.keys(root.optionalDependencies ?? {})])]
  for (const name of frontier) seen.add(name)
  while (frontier.length) {
    const lists = await Promise.all(frontier.map((name) => index.versions(name)))
    const next: string[] = []
    frontier.forEach((name, k) => {
      const list = lists[k] ?? []
      data.set(name, list)
      for (const iv of list) {
        for (const dep in iv.dependencies) if (!seen.has(dep)) (seen.add(dep), next.push(dep))
        for (const dep in iv.optionalDependencies) if (!seen.has(dep)) (seen.add(dep), next.push(dep))
      }
    })
    frontier = next
  }
  return data
}

/**
 * Resolve `root` against `index` by the eager encoding above. `sat: false` exactly when no
 * resolution exists; otherwise `packages` is a valid resolution (not necessarily newest).
 */
export async function eagerSat(root: RootRequirements, index: PackageIndex, options: { platform?: TargetPlatform } = {}): Promise<EagerSatResult> {
  const data = await readReachable(root, index)
  return L.disablingAssertions(() => solveEager(root, data, options.platform))
}

type Var = { sv: semver.SemVer; num: number; iv: IndexVersion; name: string }

/** The encoding of a universe without its root: variables and the clauses of every version. */
interface Encoding {
  readonly solver: NumSolver
  readonly vars: ReadonlyMap<string, readonly Var[]>
  readonly byNum: readonly Var[]
  /** Variables of `name`'s versions that are (`want`) or are not in range `r`. */
  inRange(name: string, r: string, want: boolean): number[]
}

function encode(data: ReadonlyMap<string, readonly IndexVersion[]>, platform: TargetPlatform | undefined): Encoding {
  const solver = new L.Solver()
  const vars = new Map<string, Var[]>()
  const byNum: Var[] = []
  const exact = new Map<string, Map<string, Var>>()
  for (const [name, list] of data) {
    const vs: Var[] = []
    for (const iv of list) {
      if (!fitsPlatform(iv.platform, platform)) continue
      const v: Var = { sv: new semver.SemVer(iv.version), num: solver.getVarNum(`x${byNum.length}`), iv, name }
      byNum.push(v)
      vs.push(v)
    }
    vars.set(name, vs)
    exact.set(name, new Map(vs.map((v) => [v.iv.version, v])))
  }
  // Ranges parsed once per call; an exact version (`1.2.3`, `=1.2.3`) is looked up, not scanned.
  const ranges = new Map<string, { range: semver.Range; exact: string | undefined }>()
  const exactOf = (range: semver.Range) => {
    const only = range.set.length === 1 && range.set[0]!.length === 1 ? range.set[0]![0]! : undefined
    return only && (only.operator === '' || only.operator === '=') && only.semver instanceof semver.SemVer ? only.semver.version : undefined
  }
  const inRange = (name: string, r: string, want: boolean) => {
    let rr = ranges.get(r)
    if (!rr) {
      const range = new semver.Range(r)
      ranges.set(r, (rr = { range, exact: exactOf(range) }))
    }
    const out: number[] = []
    const vs = vars.get(name) ?? []
    if (rr.exact !== undefined && want) {
      const v = exact.get(name)?.get(rr.exact)
      if (v) out.push(v.num)
    } else if (rr.exact !== undefined) {
      for (const v of vs) if (v.iv.version !== rr.exact) out.push(v.num)
    } else {
      for (const v of vs) if (rr.range.test(v.sv) === want) out.push(v.num)
    }
    return out
  }
  const formulas: unknown[] = []
  for (const vs of vars.values()) {
    if (vs.length > 1) formulas.push(L.atMostOne(vs.map((v) => v.num)))
    for (const { num, iv } of vs) {
      for (const q in iv.dependencies) formulas.push(L.or([-num, ...inRange(q, iv.dependencies[q]!, true)]))
      for (const q in iv.optionalDependencies) for (const w of inRange(q, iv.optionalDependencies[q]!, false)) formulas.push(L.or([-num, -w]))
      for (const [q, r] of conflictEntries(iv.conflicts)) for (const w of inRange(q, r, true)) formulas.push(L.or([-num, -w]))
    }
  }
  solver.require(formulas)
  return { solver, vars, byNum, inRange }
}

function solveEager(root: RootRequirements, data: ReadonlyMap<string, readonly IndexVersion[]>, platform: TargetPlatform | undefined): EagerSatResult {
  const { solver, byNum, inRange } = encode(data, platform)
  const formulas: unknown[] = []
  for (const [q, r] of Object.entries(root.dependencies ?? {})) formulas.push(L.or(inRange(q, r, true)))
  for (const [q, r] of Object.entries(root.optionalDependencies ?? {})) for (const w of inRange(q, r, false)) formulas.push(L.or([-w]))
  solver.require(formulas)
  const solution = solver.solve()
  if (!solution) return { sat: false }

  // The model, pruned to what the root reaches (a valid resolution stays valid).
  const chosen = new Map<string, Var>()
  for (const t of solution.getTrueVars()) {
    const v = byNum[Number(t.slice(1))]!
    chosen.set(v.name, v)
  }
  const packages: Record<string, string> = {}
  const stack = [...Object.keys(root.dependencies ?? {}), ...Object.keys(root.optionalDependencies ?? {})]
  while (stack.length) {
    const name = stack.pop()!
    const v = chosen.get(name)
    if (!v || name in packages) continue
    packages[name] = v.iv.version
    for (const q in v.iv.dependencies) stack.push(q)
    for (const q in v.iv.optionalDependencies) stack.push(q)
  }
  return { sat: true, packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) }
}

/**
 * For each `name@version` of `problems`, whether installing exactly it (as the root's only
 * requirement) is satisfiable: the whole universe encoded once, each problem solved under the
 * assumption of its version (MiniSat keeps what it learned between problems).
 */
export function satisfiableVersions(data: ReadonlyMap<string, readonly IndexVersion[]>, problems: readonly { package: string; version: string }[]): boolean[] {
  return L.disablingAssertions(() => {
    const { solver, vars } = encode(data, undefined)
    return problems.map((p) => {
      const v = vars.get(p.package)?.find((x) => x.iv.version === p.version)
      return v !== undefined && solver.solveAssuming(v.num) !== null
    })
  })
}
