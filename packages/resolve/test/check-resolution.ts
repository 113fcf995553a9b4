/**
 * An independent checker of resolutions (semver's own `satisfies`, no resolver code): shared by
 * tests and benches, no test framework here.
 */
import semver from 'semver'
import type { DependencyMap, IndexVersion, PlatformMarkers, RootRequirements, TargetPlatform } from '../src/types'
import type { IndexData } from './universes'

/** Does a version's marker list allow `value`? (types.ts: `!x` excludes, positives allow, empty allows all.) */
function axisFits(list: readonly string[] | undefined, value: string | undefined): boolean {
  if (value === undefined || !list || list.length === 0) return true
  if (list.includes(`!${value}`)) return false
  const positives = list.filter((x) => !x.startsWith('!'))
  return positives.length === 0 || positives.includes(value)
}

/** Can a version with these markers be installed on `platform`? (An axis the target omits is not checked.) */
export function fitsPlatform(markers: PlatformMarkers | undefined, platform: TargetPlatform | undefined): boolean {
  if (!markers || !platform) return true
  return axisFits(markers.os, platform.os) && axisFits(markers.arch, platform.arch) && axisFits(markers.runtime, platform.runtime)
}

/** `conflicts` as `[name, range]` pairs (`'name@range'` strings or a name -> range map). */
export function conflictEntries(conflicts: IndexVersion['conflicts']): [string, string][] {
  if (!conflicts) return []
  if (!Array.isArray(conflicts)) return Object.entries(conflicts as DependencyMap)
  return (conflicts as readonly string[]).map((c) => {
    const at = c.indexOf('@', 1) // '@scope/name@range': the '@' after the name
    return at < 0 ? [c, '*'] : [c.slice(0, at), c.slice(at + 1) || '*']
  })
}

const satisfies = (version: string, range: string) => semver.satisfies(version, range)

/**
 * Every way `packages` (name -> version, as `resolve` returns it) fails to be a resolution of
 * `root` in `data`; empty when it is one. Checked: each installed version exists and fits the
 * platform; each root dependency and each required dependency of an installed version is
 * installed within its range; each optional dependency that is installed is within its range;
 * no installed version's conflict matches an installed version; and nothing is installed that
 * the root does not reach through required or installed optional dependencies. At most one
 * version per package holds by the shape of `packages`; `graph`, when given, must have the
 * same keys and versions.
 */
export function checkResolution(
  root: RootRequirements,
  data: IndexData,
  packages: Readonly<Record<string, string>>,
  options: { platform?: TargetPlatform; graph?: Readonly<Record<string, { readonly version: string }>> } = {},
): string[] {
  const problems: string[] = []
  const installed = new Map<string, IndexVersion>()
  for (const [name, version] of Object.entries(packages)) {
    const iv = data.get(name)?.find((v) => v.version === version)
    if (!iv) {
      problems.push(`${name}@${version} is not in the index`)
      continue
    }
    if (!fitsPlatform(iv.platform, options.platform)) problems.push(`${name}@${version} does not fit the platform`)
    installed.set(name, iv)
  }
  if (options.graph) {
    const a = Object.keys(packages).sort().join()
    const b = Object.keys(options.graph).sort().join()
    if (a !== b) problems.push('graph and packages have different keys')
    for (const [name, node] of Object.entries(options.graph)) {
      if (packages[name] !== undefined && node.version !== packages[name]) problems.push(`graph says ${name}@${node.version}, packages ${packages[name]}`)
    }
  }
  const requireIn = (from: string, deps: DependencyMap | undefined, optional: boolean) => {
    for (const [dep, range] of Object.entries(deps ?? {})) {
      const v = packages[dep]
      if (v === undefined) {
        if (!optional) problems.push(`${from} needs ${dep}@${range}, not installed`)
      } else if (!satisfies(v, range)) problems.push(`${from} needs ${dep}@${range}, got ${v}`)
    }
  }
  requireIn('root', root.dependencies, false)
  requireIn('root', root.optionalDependencies, true)
  for (const [name, iv] of installed) {
    const from = `${name}@${iv.version}`
    requireIn(from, iv.dependencies, false)
    requireIn(from, iv.optionalDependencies, true)
    for (const [other, range] of conflictEntries(iv.conflicts)) {
      const v = packages[other]
      if (v !== undefined && satisfies(v, range)) problems.push(`${from} conflicts with ${other}@${range}, got ${v}`)
    }
  }
  // Nothing extraneous.
  const reached = new Set<string>()
  const stack = [...Object.keys(root.dependencies ?? {}), ...Object.keys(root.optionalDependencies ?? {})]
  while (stack.length) {
    const name = stack.pop()!
    if (reached.has(name) || packages[name] === undefined) continue
    reached.add(name)
    const iv = installed.get(name)
    if (iv) stack.push(...Object.keys(iv.dependencies ?? {}), ...Object.keys(iv.optionalDependencies ?? {}))
  }
  for (const name of Object.keys(packages)) if (!reached.has(name)) problems.push(`${name}@${packages[name]} is installed but nothing needs it`)
  return problems
}
