/*
 * Turns an unsatisfiable search into words. The search's core (the original clauses its
 * final conflict was derived from) is lifted to package-level facts ("model-a 2.0.0 - 2.3.0
 * needs tokenizer ^3", "you require runtime 1.4.0"), and a small forward derivation over those
 * facts, in the manner of PubGrub's incompatibilities, finds which versions cannot be used and
 * why, until some requirement is left with nothing. Only the steps that lead to that end are
 * printed. When the facts need real search to refute (rare in package graphs), the facts
 * themselves are listed instead.
 */
import type { PackageCatalog } from './catalog.js'
import type { PackageSearch } from './search.js'

interface Step {
  readonly text: string
  readonly deps: readonly number[]
}

interface EdgeFact {
  readonly kind: 'dependency' | 'optional' | 'conflict'
  readonly pkg: number
  readonly versions: Set<number> // local indices of the parent's versions
  readonly dep: string
  readonly range: string
}

export function explain(search: PackageSearch, catalog: PackageCatalog): { explanation: string; derivation: string[] } {
  const { origins } = search.core()
  const roots: { name: string; range: string }[] = []
  const edges = new Map<string, EdgeFact>()
  for (const o of origins) {
    if (o.kind === 'root') roots.push({ name: o.name, range: o.range })
    else if (o.kind === 'dependency' || o.kind === 'optional' || o.kind === 'conflict') {
      const pkg = search.pkgOf[o.parent]!
      const local = o.parent - catalog.first(pkg)
      const key = `${o.kind}\0${pkg}\0${o.name}\0${o.range}`
      let f = edges.get(key)
      if (f === undefined) edges.set(key, (f = { kind: o.kind, pkg, versions: new Set(), dep: o.name, range: o.range }))
      f.versions.add(local)
    }
  }
  const lines = derive(roots, [...edges.values()], catalog)
  return { explanation: shorten(lines).join('\n'), derivation: lines }
}

/** Steps printed in an explanation, at most: the first and last half of them, then a count of the rest. */
const MAX_EXPLAINED_STEPS = 40

/**
 * A derivation as printed: whole when short, else its first and last steps around a count of
 * the ones left out (a universe with thousands of versions can need a step for each; the
 * error's `derivation` keeps them all).
 */
function shorten(lines: string[]): string[] {
  if (lines.length <= MAX_EXPLAINED_STEPS + 1) return lines
  const half = MAX_EXPLAINED_STEPS / 2
  const skipped = lines.length - MAX_EXPLAINED_STEPS
  return [...lines.slice(0, half), `... (${skipped} more steps of the same kind; the error's derivation lists them all) ...`, ...lines.slice(-half)]
}

/** "tokenizer 3.0.0 - 3.2.0", "tokenizer 1.0.0, 3.0.0 - 3.2.0", "any version of tokenizer". */
export function versionSet(catalog: PackageCatalog, pkg: number, set: ReadonlySet<number>): string {
  const name = catalog.names[pkg]!
  const vs = catalog.packages[pkg]!.versions
  if (set.size === vs.length && vs.length > 1) return `every version of ${name}`
  const idx = [...set].sort((a, b) => a - b)
  const runs: string[] = []
  for (let i = 0; i < idx.length; ) {
    let j = i
    while (j + 1 < idx.length && idx[j + 1] === idx[j]! + 1) j++
    runs.push(i === j ? vs[idx[i]!]!.version : `${vs[idx[i]!]!.version} - ${vs[idx[j]!]!.version}`)
    i = j + 1
  }
  const shown = runs.length > 4 ? [...runs.slice(0, 3), `and ${runs.length - 3} more ranges`] : runs
  return `${name} ${shown.join(', ')}`
}

/** What the derivation knows of one package: versions still usable, why others are not, what it must be. */
interface PackageFacts {
  /** Its versions the derivation considers (local indices, ascending): every candidate plus any the core names. */
  readonly domain: readonly number[]
  /** Per local index: 1 while that version is in `domain`, not ruled out and within every requirement. */
  readonly usable: Uint8Array
  usableCount: number
  /** Ruled-out versions and the step that did it. */
  readonly out: Map<number, number>
  readonly required: { readonly step: number; readonly label: string }[]
  /** Bumped on every change, so that a fact about this package is re-checked only when it may now hold. */
  changes: number
}

function derive(roots: { name: string; range: string }[], facts: EdgeFact[], catalog: PackageCatalog): string[] {
  const steps: Step[] = []
  const step = (text: string, deps: number[] = []) => steps.push({ text, deps }) - 1
  const pkgId = (name: string) => catalog.packageId(name)
  // Facts by parent package, in order (prerelease versions they name join the package's domain,
  // and the derived requirements below look at one package's facts at a time).
  const factsOf = new Map<number, EdgeFact[]>()
  for (const f of facts) (factsOf.get(f.pkg) ?? factsOf.set(f.pkg, []).get(f.pkg)!).push(f)

  // Sets of candidates, asked for again and again: made once per (package, range).
  const ranges = new Map<string, { list: readonly number[]; has: Uint8Array }>()
  const inRange = (pkg: number, range: string) => {
    const key = `${pkg}\0${range}`
    let r = ranges.get(key)
    if (r === undefined) {
      const list = catalog.candidates(pkg, range)
      const has = new Uint8Array(catalog.count(pkg))
      for (const i of list) has[i] = 1
      ranges.set(key, (r = { list, has }))
    }
    return r
  }

  // Per package: the state above, made on first use. Insertion order of `required` (a package
  // gets its first requirement) is the order the derived requirements below walk them in.
  const state = new Map<number, PackageFacts>()
  const required = new Map<number, PackageFacts>()
  const stateOf = (pkg: number): PackageFacts => {
    let st = state.get(pkg)
    if (st !== undefined) return st
    // '*' leaves out prereleases; a required range may name them, so add any the core mentions.
    const usable = new Uint8Array(catalog.count(pkg))
    for (const i of catalog.candidates(pkg, '*')) usable[i] = 1
    for (const f of factsOf.get(pkg) ?? []) for (const i of f.versions) usable[i] = 1
    const domain: number[] = []
    for (let i = 0; i < usable.length; i++) if (usable[i] === 1) domain.push(i)
    state.set(pkg, (st = { domain, usable, usableCount: domain.length, out: new Map(), required: [], changes: 0 }))
    return st
  }
  const usableSet = (st: PackageFacts) => new Set(st.domain.filter((i) => st.usable[i] === 1))
  const ruleOut = (pkg: number, versions: Iterable<number>, s: number) => {
    const st = stateOf(pkg)
    for (const i of versions) {
      if (!st.out.has(i)) st.out.set(i, s)
      if (st.usable[i] === 1) {
        st.usable[i] = 0
        st.usableCount--
      }
    }
    st.changes++
  }
  const require = (pkg: number, within: Uint8Array, s: number, label: string) => {
    const st = stateOf(pkg)
    st.required.push({ step: s, label })
    required.set(pkg, st)
    for (const i of st.domain) {
      if (st.usable[i] === 1 && within[i] !== 1) {
        st.usable[i] = 0
        st.usableCount--
      }
    }
    st.changes++
  }
  /** The steps that left no usable version of `pkg` within `within` (all when undefined): its requirements, and what ruled out those versions. */
  const whyUsable = (pkg: number, within?: readonly number[]): number[] => {
    const st = stateOf(pkg)
    const why = new Set<number>()
    if (within === undefined) for (const s of st.out.values()) why.add(s)
    else for (const i of within) if (st.out.has(i)) why.add(st.out.get(i)!)
    for (const r of st.required) why.add(r.step)
    return [...why]
  }

  /** Why no version of `pkg` within `within` (all when undefined) is usable: what it must be, and what was ruled out. */
  const blocked = (pkg: number, within: readonly number[] | undefined): string => {
    const parts: string[] = []
    const st = stateOf(pkg)
    if (st.required.length > 0) parts.push(`${catalog.names[pkg]} must be ${st.required.map((r) => r.label).join(' and ')}`)
    const ruled = new Set((within ?? st.domain).filter((i) => st.out.has(i)))
    if (ruled.size > 0) parts.push(`${versionSet(catalog, pkg, ruled)} cannot be used`)
    return parts.length > 0 ? parts.join(', and ') : `no usable version of ${catalog.names[pkg]} is left`
  }

  let end = -1
  const missing = (name: string, range: string): string => {
    const id = pkgId(name)
    if (id < 0 || catalog.count(id) === 0) return `no package ${name} exists`
    const unfit = catalog.unfit(id, range)
    if (unfit.length > 0) return `the versions of ${name} matching ${range} (${unfit.map((v) => v.version).slice(0, 4).join(', ')}) do not support this platform`
    return `no version of ${name} matches ${range}`
  }

  for (const r of roots) {
    const id = pkgId(r.name)
    if (id < 0 || inRange(id, r.range).list.length === 0) {
      end = step(`You require ${r.name} ${r.range}, but ${missing(r.name, r.range)}.`)
      break
    }
    const prior = required.get(id)?.required.slice()
    const s = step(`You require ${r.name} ${r.range}.`)
    require(id, inRange(id, r.range).has, s, r.range)
    if (prior !== undefined && stateOf(id).usableCount === 0) {
      end = step(`Only one version of ${r.name} can be installed, and none is both ${prior.map((p) => p.label).join(' and ')} and ${r.range}.`, [...prior.map((p) => p.step), s])
      break
    }
  }

  const done = new Set<EdgeFact>()
  const derivedReq = new Set<string>()
  const depOf = facts.map((f) => pkgId(f.dep))
  // Per fact: the dependency's `changes` when the fact was last found not to hold (it cannot
  // hold before that package changes again), or -1.
  const checkedAt = new Int32Array(facts.length).fill(-1)
  while (end < 0) {
    // Facts first, to a fixpoint: what cannot be used follows directly from what is known.
    let changed = true
    while (changed && end < 0) {
      changed = false
      for (let k = 0; k < facts.length && end < 0; k++) {
        const f = facts[k]!
        const dep = depOf[k]!
        const depState = dep < 0 ? undefined : stateOf(dep)
        if ((depState !== undefined && checkedAt[k] === depState.changes) || done.has(f)) continue
        let why: string | undefined
        let deps: number[] = []
        if (f.kind === 'dependency') {
          const cand = dep < 0 ? undefined : inRange(dep, f.range)
          if (cand === undefined || cand.list.length === 0) why = `${parentOf(f)} needs ${f.dep} ${f.range}, but ${missing(f.dep, f.range)}`
          else if (!cand.list.some((i) => depState!.usable[i] === 1)) {
            deps = whyUsable(dep, cand.list)
            why = `${parentOf(f)} needs ${f.dep} ${f.range}, but ${blocked(dep, cand.list)}`
          }
        } else if (depState !== undefined && depState.required.length > 0) {
          const within = inRange(dep, f.range).has
          // A conflict rules out the range; an optional dependency everything outside it.
          const bad = (i: number) => (f.kind === 'conflict' ? within[i] === 1 : within[i] !== 1)
          if (depState.usableCount > 0 && depState.domain.every((i) => depState.usable[i] !== 1 || bad(i))) {
            deps = whyUsable(dep)
            why = f.kind === 'conflict'
              ? `${parentOf(f)} conflicts with ${f.dep} ${f.range}, but ${blocked(dep, undefined)}`
              : `${parentOf(f)} accepts ${f.dep} only within ${f.range}, but ${blocked(dep, undefined)}`
          }
        }
        if (why === undefined) {
          if (depState !== undefined) checkedAt[k] = depState.changes
          continue
        }
        done.add(f)
        changed = true
        const s = step(`${why}, so ${parentOf(f)} cannot be used.`, deps)
        ruleOut(f.pkg, f.versions, s)
        const st = required.get(f.pkg)
        if (st !== undefined && st.usableCount === 0) {
          end = step(`So no version of ${catalog.names[f.pkg]} matching ${st.required.map((r) => r.label).join(' and ')} can be used: the requirements cannot all be met.`, whyUsable(f.pkg))
        }
      }
    }
    if (end >= 0) break
    // Then requirements implied by required packages: all their usable versions need the same dependency.
    let derived = false
    for (const [pkg, st] of required) {
      if (st.usableCount === 0) continue
      const u = usableSet(st)
      const byDep = new Map<string, EdgeFact[]>()
      for (const f of factsOf.get(pkg) ?? []) if (f.kind === 'dependency' && !done.has(f)) (byDep.get(f.dep) ?? byDep.set(f.dep, []).get(f.dep)!).push(f)
      for (const [depName, fs] of byDep) {
        const covered = new Set(fs.flatMap((f) => [...f.versions]))
        if (![...u].every((i) => covered.has(i))) continue
        const dep = pkgId(depName)
        if (dep < 0) continue
        const union = new Uint8Array(catalog.count(dep))
        for (const f of fs) for (const i of inRange(dep, f.range).list) union[i] = 1
        const key = `${pkg}\0${depName}\0${[...u].sort().join(',')}`
        if (derivedReq.has(key)) continue
        derivedReq.add(key)
        const label = [...new Set(fs.map((f) => f.range))].join(' or ')
        const who = u.size === 1 ? versionSet(catalog, pkg, u) : `Every usable version of ${catalog.names[pkg]} (${versionSet(catalog, pkg, u).slice(catalog.names[pkg]!.length + 1)})`
        const s = step(`${who} needs ${depName} ${label}.`, whyUsable(pkg))
        require(dep, union, s, label)
        derived = true
        if (stateOf(dep).usableCount === 0) {
          end = step(`Only one version of ${depName} can be installed, and none satisfies ${stateOf(dep).required.map((r) => r.label).join(' and ')}.`, whyUsable(dep))
          break
        }
      }
      if (end >= 0) break
    }
    if (!derived) break
  }

  if (end < 0) {
    // Not refutable by this simple derivation: list the facts the solver used.
    const lines = ['These requirements cannot all be met together:']
    for (const r of roots) lines.push(`  - you require ${r.name} ${r.range}`)
    for (const f of facts) {
      const verb = f.kind === 'dependency' ? 'needs' : f.kind === 'conflict' ? 'conflicts with' : 'accepts only'
      lines.push(`  - ${parentOf(f)} ${verb} ${f.dep} ${f.range}`)
    }
    lines.push('  - and only one version of each package can be installed.')
    return lines
  }
  // Print only the steps the end depends on, in the order they were found.
  const keep = new Set<number>()
  const stack = [end]
  while (stack.length > 0) {
    const s = stack.pop()!
    if (keep.has(s)) continue
    keep.add(s)
    stack.push(...steps[s]!.deps)
  }
  return [...keep].sort((a, b) => a - b).map((s) => steps[s]!.text)

  /** "model-a 2.0.0 - 2.3.0": the parent versions of a fact, in words. */
  function parentOf(f: EdgeFact): string {
    return versionSet(catalog, f.pkg, f.versions)
  }
}

