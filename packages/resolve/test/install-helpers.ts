import { createHash } from 'node:crypto'
import type { InstallPlan, Lockfile, LockedPackage } from '@torshpkg/resolve'
import { rng } from './helpers'

/** SRI string of `bytes`, computed with node:crypto (independently of the code under test). */
export function sri(bytes: Uint8Array, algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha512'): string {
  return `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`
}

/** Seeded random bytes. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const r = rng(seed)
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = Math.floor(r() * 256)
  return out
}

/** A lockfile from `name -> dependency names` (required), versions 1.0.0. */
export function lockfileOf(deps: Record<string, string[]>, extra: Record<string, Partial<LockedPackage>> = {}): Lockfile {
  const packages: Record<string, LockedPackage> = {}
  for (const [name, list] of Object.entries(deps)) {
    packages[name] = { version: '1.0.0', dependencies: Object.fromEntries(list.map((d) => [d, '^1.0.0'])), ...extra[name] }
  }
  return { lockfileVersion: 1, root: { dependencies: {} }, packages }
}

/** Name of node `i` in generated graphs: not in index order when sorted. */
export const nodeName = (i: number): string => `p-${((i * 2654435761) >>> 0).toString(36)}-${i}`

/**
 * A random graph on `n` packages: each depends on up to `maxDeps` lower-numbered packages
 * (a DAG), plus `backEdges` edges to higher-numbered ones (which make cycles).
 */
export function randomGraph(n: number, seed: number, maxDeps: number, backEdges = 0): Record<string, string[]> {
  const r = rng(seed)
  const deps: Record<string, string[]> = {}
  const lists: Set<number>[] = Array.from({ length: n }, () => new Set())
  for (let i = 1; i < n; i++) {
    const k = Math.floor(r() * (maxDeps + 1))
    for (let e = 0; e < k; e++) {
      // Mostly near neighbours, sometimes far: long chains and wide fan-in both occur.
      const j = r() < 0.7 ? Math.max(0, i - 1 - Math.floor(r() * 20)) : Math.floor(r() * i)
      lists[i]!.add(j)
    }
  }
  for (let e = 0; e < backEdges; e++) {
    const i = Math.floor(r() * n)
    const j = Math.min(n - 1, i + 1 + Math.floor(r() * 10))
    if (j !== i) lists[i]!.add(j)
  }
  lists.forEach((set, i) => {
    deps[nodeName(i)] = [...set].map(nodeName)
  })
  return deps
}

/**
 * Checks the plan invariants against the dependency map it was planned from; returns the
 * first violation, or undefined.
 */
export function planViolation(plan: InstallPlan, deps: Record<string, string[]>): string | undefined {
  const levelOf = new Map<string, number>()
  plan.levels.forEach((level, l) => {
    for (const p of level) levelOf.set(p.name, l)
  })
  const names = Object.keys(deps)
  if (levelOf.size !== names.length) return `plan has ${levelOf.size} packages, input ${names.length}`
  if (plan.order.length !== names.length) return 'order length'
  const flat = plan.levels.flat()
  for (let i = 0; i < flat.length; i++) if (plan.order[i] !== flat[i]) return `order[${i}] is not levels flattened`
  for (const [l, level] of plan.levels.entries()) {
    if (level.length === 0) return `level ${l} is empty`
    for (let i = 1; i < level.length; i++) if (!(level[i - 1]!.name < level[i]!.name)) return `level ${l} not sorted`
  }
  const byName = new Map(plan.order.map((p) => [p.name, p]))
  const cycleOf = new Map<string, number>()
  plan.cycles.forEach((c, i) => c.forEach((n) => cycleOf.set(n, i)))
  for (const name of names) {
    const l = levelOf.get(name)
    if (l === undefined) return `${name} missing`
    const planned = byName.get(name)
    for (const d of deps[name]!) {
      const ld = levelOf.get(d)!
      if (ld < l) continue
      if (ld === l && cycleOf.has(name) && cycleOf.get(name) === cycleOf.get(d)) continue
      return `${name} (level ${l}) depends on ${d} (level ${ld})`
    }
    if (planned && [...new Set(deps[name])].sort().join() !== [...planned.dependencies].join()) return `${name}: dependencies ${planned.dependencies.join()}`
  }
  // Minimal levels: a package (or its cycle) above level 0 needs something just below.
  for (const [l, level] of plan.levels.entries()) {
    if (l === 0) continue
    for (const p of level) {
      const group = cycleOf.has(p.name) ? plan.cycles[cycleOf.get(p.name)!]! : [p.name]
      if (!group.some((m) => deps[m]!.some((d) => levelOf.get(d) === l - 1))) return `${p.name} could be in a lower level than ${l}`
    }
  }
  return undefined
}
