/**
 * `planInstall`: the order to install a lockfile's or a resolution's packages in.
 */
import type { Lockfile } from '../lockfile/types.js'
import type { Resolution } from '../types.js'
import { InstallError } from './errors.js'
import { stronglyConnectedComponents } from '../graph/scc.js'
import type { InstallPlan, PlanOptions, PlannedPackage } from './types.js'

interface PlanNode {
  readonly name: string
  readonly version: string
  readonly source: string | undefined
  readonly integrity: string | undefined
  readonly required: readonly string[]
  readonly optional: readonly string[]
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const keysOf = (map: Readonly<Record<string, string>> | undefined): string[] => (map ? Object.keys(map) : [])

function isResolution(input: Lockfile | Resolution): input is Resolution {
  return typeof (input as Resolution).graph === 'object' && (input as Resolution).graph !== null
}

function readNodes(input: Lockfile | Resolution): { nodes: PlanNode[]; rootRequired: string[] } {
  if (typeof input !== 'object' || input === null) {
    throw new InstallError('E_INVALID_PLAN', 'planInstall: the input is neither a lockfile nor a resolution')
  }
  const nodes: PlanNode[] = []
  if (isResolution(input)) {
    for (const name of Object.keys(input.graph).sort(byCodeUnit)) {
      const p = input.graph[name]!
      nodes.push({ name, version: p.version, source: p.source, integrity: p.integrity, required: keysOf(p.dependencies), optional: keysOf(p.optionalDependencies) })
    }
  } else {
    if (typeof input.packages !== 'object' || input.packages === null) {
      throw new InstallError('E_INVALID_PLAN', 'planInstall: the input is neither a lockfile nor a resolution')
    }
    for (const name of Object.keys(input.packages).sort(byCodeUnit)) {
      const p = input.packages[name]!
      nodes.push({ name, version: p.version, source: p.source, integrity: p.integrity, required: keysOf(p.dependencies), optional: keysOf(p.optionalDependencies) })
    }
  }
  return { nodes, rootRequired: keysOf(input.root?.dependencies) }
}

/**
 * Plans an install: every package of a lockfile or a resolution, in levels such that each
 * package's dependencies (required ones, and optional ones that are installed, i.e. present
 * in the input) are in earlier levels. Packages of a level do not depend on each other, so a
 * level can be installed in parallel; each level is sorted by name (UTF-16 code units).
 * A package is in the lowest level the rule allows (its level is the length of its longest
 * dependency chain).
 *
 * Dependency cycles do not fail the plan (unless `allowCycles: false`): the packages of a
 * cycle (a strongly connected component) share one level, above everything the cycle
 * depends on, and are listed in `cycles`. Whether a cycle is acceptable is the lockfile's
 * rule to enforce; the plan only reports it.
 *
 * Version ranges are not checked here (the lockfile and the resolver do that); only that
 * every required dependency, of each package and of the root, is present.
 *
 * Deterministic (same input, same plan, whatever the key order of the input) and linear in
 * packages plus dependencies; no recursion, so any depth works.
 *
 * @throws InstallError `E_MISSING_DEPENDENCY` when a required dependency is absent,
 *   `E_CYCLE` on a cycle with `allowCycles: false`, `E_INVALID_PLAN` when the input is
 *   neither a lockfile nor a resolution.
 *
 * @example
 * ```ts
 * import { planInstall } from '@torshpkg/resolve'
 * const plan = planInstall({
 *   lockfileVersion: 1,
 *   root: { dependencies: { app: '^1' } },
 *   packages: {
 *     app: { version: '1.0.0', dependencies: { tokenizer: '^2', weights: '^3' } },
 *     tokenizer: { version: '2.1.0' },
 *     weights: { version: '3.0.0', dependencies: { tokenizer: '^2' } },
 *   },
 * })
 * plan.levels.map((level) => level.map((p) => p.name)) // [['tokenizer'], ['weights'], ['app']]
 * plan.cycles // []
 * ```
 */
export function planInstall(input: Lockfile | Resolution, options: PlanOptions = {}): InstallPlan {
  const { nodes, rootRequired } = readNodes(input)
  const indexOf = new Map<string, number>()
  nodes.forEach((node, i) => indexOf.set(node.name, i))

  for (const dep of rootRequired) {
    if (!indexOf.has(dep)) throw new InstallError('E_MISSING_DEPENDENCY', `the root requires "${dep}", which is not in the input`)
  }

  // Edges point at dependencies; names are sorted, so sorting indices sorts names.
  const edges: number[][] = []
  const dependencyNames: string[][] = []
  let selfLoop: Uint8Array | undefined
  nodes.forEach((node, i) => {
    const targets = new Set<number>()
    for (const dep of node.required) {
      const j = indexOf.get(dep)
      if (j === undefined) {
        throw new InstallError('E_MISSING_DEPENDENCY', `${node.name}@${node.version} requires "${dep}", which is not in the input`, { package: `${node.name}@${node.version}` })
      }
      targets.add(j)
    }
    for (const dep of node.optional) {
      const j = indexOf.get(dep)
      if (j !== undefined) targets.add(j)
    }
    const list = [...targets].sort((a, b) => a - b)
    if (targets.has(i)) (selfLoop ??= new Uint8Array(nodes.length))[i] = 1
    edges.push(list)
    dependencyNames.push(list.map((j) => nodes[j]!.name))
  })

  const components = stronglyConnectedComponents(nodes.length, edges)
  const componentOf = new Int32Array(nodes.length)
  components.forEach((members, c) => {
    for (const v of members) componentOf[v] = c
  })
  // Components come dependencies first, so each dependency's level is known when needed.
  const componentLevel = new Int32Array(components.length)
  let levelCount = 0
  components.forEach((members, c) => {
    let level = 0
    for (const v of members) {
      for (const w of edges[v]!) {
        const d = componentOf[w]!
        if (d !== c && componentLevel[d]! + 1 > level) level = componentLevel[d]! + 1
      }
    }
    componentLevel[c] = level
    if (level + 1 > levelCount) levelCount = level + 1
  })

  const cycles: string[][] = []
  for (const members of components) {
    if (members.length > 1 || selfLoop?.[members[0]!] === 1) {
      cycles.push(members.map((v) => nodes[v]!.name).sort(byCodeUnit))
    }
  }
  cycles.sort((a, b) => byCodeUnit(a[0]!, b[0]!))
  if (options.allowCycles === false && cycles.length > 0) {
    const first = cycles[0]!
    const node = nodes[indexOf.get(first[0]!)!]!
    throw new InstallError('E_CYCLE', `dependency cycle: ${first.join(', ')}${cycles.length > 1 ? ` (and ${cycles.length - 1} more)` : ''}`, { package: `${node.name}@${node.version}` })
  }

  const levels: PlannedPackage[][] = Array.from({ length: levelCount }, () => [])
  nodes.forEach((node, i) => {
    const planned: { -readonly [K in keyof PlannedPackage]: PlannedPackage[K] } = { name: node.name, version: node.version, dependencies: dependencyNames[i]! }
    if (node.source !== undefined) planned.source = node.source
    if (node.integrity !== undefined) planned.integrity = node.integrity
    levels[componentLevel[componentOf[i]!]!]!.push(planned)
  })
  return { levels, order: levels.flat(), cycles }
}
