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
      const pkg = catalog.packageOf(o.parent)
      const local = o.parent - catalog.first(pkg)
      const key = `${o.kind}\0${pkg}\0${o.name}\0${o.range}`
      let f = edges.get(key)
      if (f === undefined) edges.set(key, (f = { kind: o.kind, pkg, versions: new Set(), dep: o.name, range: o.range }))
      f.versions.add(local)
    }
  }
  const lines = derive(roots, [...edges.values()], catalog)
  return { explanation: lines.join('\n'), derivation: lines }
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

function derive(roots: { name: string; range: string }[], facts: EdgeFact[], catalog: PackageCatalog): string[] {
  const steps: Step[] = []
  const step = (text: string, deps: number[] = []) => steps.push({ text, deps }) - 1
  const pkgId = (name: string) => catalog.packageId(name)
  const all = (pkg: number) => new Set(Array.from(catalog.candidates(pkg, '*')).concat(...allPre(pkg)))
  // '*' leaves out prereleases; a required range may name them, so add any the core mentions.
  const allPre = (pkg: number) => facts.filter((f) => f.pkg === pkg).map((f) => [...f.versions])
  const inRange = (pkg: number, range: string) => new Set(catalog.candidates(pkg, range))

  // Per package: versions ruled out (with the step that did it) and what it is required to be.
  const out = new Map<number, Map<number, number>>()
  const required = new Map<number, { set: Set<number>; step: number; label: string }[]>()
  const outOf = (pkg: number) => out.get(pkg) ?? out.set(pkg, new Map()).get(pkg)!
  const usable = (pkg: number) => {
    const o = out.get(pkg)
    let s = all(pkg)
    if (o !== undefined) s = new Set([...s].filter((i) => !o.has(i)))
    for (const r of required.get(pkg) ?? []) s = new Set([...s].filter((i) => r.set.has(i)))
    return s
  }
  const whyUsable = (pkg: number): number[] => [
    ...new Set([...(out.get(pkg)?.values() ?? []), ...(required.get(pkg) ?? []).map((r) => r.step)]),
  ]
  const require = (pkg: number, set: Set<number>, s: number, label: string) => {
    const list = required.get(pkg) ?? required.set(pkg, []).get(pkg)!
    list.push({ set, step: s, label })
  }

  /** Why no version of `pkg` within `within` is usable: what it must be, and what was ruled out. */
  const blocked = (pkg: number, within: Set<number>): string => {
    const parts: string[] = []
    const reqs = required.get(pkg)
    if (reqs !== undefined && reqs.length > 0) parts.push(`${catalog.names[pkg]} must be ${reqs.map((r) => r.label).join(' and ')}`)
    const o = out.get(pkg)
    const ruled = new Set([...within].filter((i) => o?.has(i) === true))
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
    if (id < 0 || inRange(id, r.range).size === 0) {
      end = step(`You require ${r.name} ${r.range}, but ${missing(r.name, r.range)}.`)
      break
    }
    const prior = required.get(id)
    const s = step(`You require ${r.name} ${r.range}.`)
    require(id, inRange(id, r.range), s, r.range)
    if (prior !== undefined && usable(id).size === 0) {
      end = step(`Only one version of ${r.name} can be installed, and none is both ${prior.map((p) => p.label).join(' and ')} and ${r.range}.`, [...prior.map((p) => p.step), s])
      break
    }
  }

  const done = new Set<EdgeFact>()
  const derivedReq = new Set<string>()
  while (end < 0) {
    // Facts first, to a fixpoint: what cannot be used follows directly from what is known.
    let changed = true
    while (changed && end < 0) {
      changed = false
      for (const f of facts) {
        if (done.has(f) || end >= 0) continue
        const parent = versionSet(catalog, f.pkg, f.versions)
        const dep = pkgId(f.dep)
        let why: string | undefined
        let deps: number[] = []
        if (f.kind === 'dependency') {
          const cand = dep < 0 ? new Set<number>() : inRange(dep, f.range)
          if (cand.size === 0) why = `${parent} needs ${f.dep} ${f.range}, but ${missing(f.dep, f.range)}`
          else {
            const left = [...usable(dep)].filter((i) => cand.has(i))
            if (left.length === 0) {
              deps = whyUsable(dep)
              why = `${parent} needs ${f.dep} ${f.range}, but ${blocked(dep, cand)}`
            }
          }
        } else if (dep >= 0 && required.has(dep)) {
          const u = usable(dep)
          const bad = f.kind === 'conflict' ? inRange(dep, f.range) : complement(all(dep), inRange(dep, f.range))
          if (u.size > 0 && [...u].every((i) => bad.has(i))) {
            deps = whyUsable(dep)
            why = f.kind === 'conflict'
              ? `${parent} conflicts with ${f.dep} ${f.range}, but ${blocked(dep, all(dep))}`
              : `${parent} accepts ${f.dep} only within ${f.range}, but ${blocked(dep, all(dep))}`
          }
        }
        if (why === undefined) continue
        done.add(f)
        changed = true
        const s = step(`${why}, so ${parent} cannot be used.`, deps)
        const o = outOf(f.pkg)
        for (const i of f.versions) if (!o.has(i)) o.set(i, s)
        if (required.has(f.pkg) && usable(f.pkg).size === 0) {
          const rs = required.get(f.pkg)!
          end = step(`So no version of ${catalog.names[f.pkg]} matching ${rs.map((r) => r.label).join(' and ')} can be used: the requirements cannot all be met.`, whyUsable(f.pkg))
        }
      }
    }
    if (end >= 0) break
    // Then requirements implied by required packages: all their usable versions need the same dependency.
    let derived = false
    for (const [pkg] of required) {
      const u = usable(pkg)
      if (u.size === 0) continue
      const byDep = new Map<string, EdgeFact[]>()
      for (const f of facts) if (f.kind === 'dependency' && f.pkg === pkg && !done.has(f)) (byDep.get(f.dep) ?? byDep.set(f.dep, []).get(f.dep)!).push(f)
      for (const [depName, fs] of byDep) {
        const covered = new Set(fs.flatMap((f) => [...f.versions]))
        if (![...u].every((i) => covered.has(i))) continue
        const dep = pkgId(depName)
        if (dep < 0) continue
        const union = new Set(fs.flatMap((f) => [...inRange(dep, f.range)]))
        const key = `${pkg}\0${depName}\0${[...u].sort().join(',')}`
        if (derivedReq.has(key)) continue
        derivedReq.add(key)
        const label = [...new Set(fs.map((f) => f.range))].join(' or ')
        const who = u.size === 1 ? versionSet(catalog, pkg, u) : `Every usable version of ${catalog.names[pkg]} (${versionSet(catalog, pkg, u).slice(catalog.names[pkg]!.length + 1)})`
        const s = step(`${who} needs ${depName} ${label}.`, whyUsable(pkg))
        require(dep, union, s, label)
        derived = true
        if (usable(dep).size === 0) {
          end = step(`Only one version of ${depName} can be installed, and none satisfies ${required.get(dep)!.map((r) => r.label).join(' and ')}.`, whyUsable(dep))
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
      const parent = versionSet(catalog, f.pkg, f.versions)
      const verb = f.kind === 'dependency' ? 'needs' : f.kind === 'conflict' ? 'conflicts with' : 'accepts only'
      lines.push(`  - ${parent} ${verb} ${f.dep} ${f.range}`)
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
}

function complement(all: Set<number>, set: Set<number>): Set<number> {
  return new Set([...all].filter((i) => !set.has(i)))
}
