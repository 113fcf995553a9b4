/** Checking a `torshpkg.lock`: schema, integrity, dependencies, conflicts, cycles, reachability. */
import Range from 'semver/classes/range.js'
import { findCycles } from './cycles.js'
import { issue, type LockfileIssue } from './errors.js'
import { parseJson } from './parse.js'
import { readLockfileValue, type LockfileRead } from './read.js'
import type { LockedPackage, Lockfile, LockfileValidation, ValidateLockfileOptions } from './types.js'

type Kind = 'dependencies' | 'optionalDependencies'
type DependencyMaps = { readonly [K in Kind]?: Readonly<Record<string, string>> }

/** One declared dependency: who (`null`: the root) wants `name` within `range`. */
interface Edge {
  readonly from: string | null
  readonly kind: Kind
  readonly name: string
  readonly range: string
}

/**
 * Check a lockfile (its text, or a {@link Lockfile} object). Never throws for bad input:
 * every problem is an issue `{ code, path, message }` in `errors` or `warnings`.
 *
 * Errors: not JSON (`E_LOCKFILE_PARSE`), schema (`E_LOCKFILE_SCHEMA`: which field and why),
 * unknown `lockfileVersion` (`E_LOCKFILE_UNSUPPORTED_VERSION`), a version or range that is not
 * semver (`E_LOCKFILE_BAD_VERSION`, `E_LOCKFILE_BAD_RANGE`), integrity missing or malformed
 * (`E_LOCKFILE_MISSING_INTEGRITY`, `E_LOCKFILE_BAD_INTEGRITY`), a required dependency of the
 * root or of a package not locked (`E_LOCKFILE_MISSING_DEPENDENCY`), a dependency whose range
 * the locked version does not satisfy (`E_LOCKFILE_CONFLICT`: who wants what; ranges match
 * prereleases they do not name unless `{ includePrerelease: false }`), dependency cycles
 * (`E_LOCKFILE_CYCLE`, one per group of mutually dependent packages, as `a -> b -> a`).
 * Optional dependencies may be absent; when present, their range must hold.
 * Warnings: packages that nothing from the root leads to (`E_LOCKFILE_UNREACHABLE`).
 *
 * @example
 * ```ts
 * const { valid, errors } = validateLockfile(await readFile('torshpkg.lock', 'utf8'))
 * for (const e of errors) console.error(`${e.code} ${e.path}: ${e.message}`)
 * // E_LOCKFILE_CONFLICT packages.model.dependencies.tokenizer:
 * //   model@2.1.0 wants tokenizer ^3.0.0, but tokenizer is locked at 2.4.0 (the root wants ^2.0.0)
 * validateLockfile(text, { allowCycles: true, missingIntegrity: 'warning' })
 * ```
 */
export function validateLockfile(lock: string | Lockfile, options: ValidateLockfileOptions = {}): LockfileValidation {
  const errors: LockfileIssue[] = []
  const warnings: LockfileIssue[] = []
  let lockfile: Lockfile | undefined
  try {
    const json = typeof lock === 'string' ? parseJson(lock) : { value: lock as unknown }
    if ('issue' in json) errors.push(json.issue)
    else {
      const read = readLockfileValue(json.value)
      errors.push(...read.issues)
      lockfile = read.lockfile
      if (!read.stopped) checkGraph(read, options, errors, warnings)
    }
  } catch (e) {
    // A hostile object (a throwing getter, a proxy) rather than data parsed from text.
    errors.push(issue('E_LOCKFILE_SCHEMA', [], `the lockfile could not be read: ${e instanceof Error ? e.message : String(e)}`))
  }
  return { valid: errors.length === 0, errors, warnings, ...(lockfile ? { lockfile } : {}) }
}

function checkGraph(read: LockfileRead, options: ValidateLockfileOptions, errors: LockfileIssue[], warnings: LockfileIssue[]): void {
  const { packages, root } = read
  const edgesOf = (from: string | null, deps: DependencyMaps) => {
    const edges: Edge[] = []
    for (const kind of ['dependencies', 'optionalDependencies'] as const) {
      const map = deps[kind]
      if (map) for (const name of Object.keys(map)) edges.push({ from, kind, name, range: map[name]! })
    }
    return edges
  }
  // Every declared dependency, grouped by who declares it (root first, then packages by name).
  const groups: { from: string | null; entry?: LockedPackage; edges: Edge[] }[] = []
  if (root) groups.push({ from: null, edges: edgesOf(null, root) })
  for (const [name, entry] of packages) if (entry) groups.push({ from: name, entry, edges: edgesOf(name, entry) })
  const wanted = new Map<string, Edge[]>()
  for (const g of groups) {
    for (const e of g.edges) {
      const list = wanted.get(e.name)
      if (list) list.push(e)
      else wanted.set(e.name, [e])
    }
  }

  // Each distinct range parsed once.
  const includePrerelease = options.includePrerelease !== false
  const ranges = new Map<string, Range>()
  const satisfies = (version: string, range: string) => {
    let parsed = ranges.get(range)
    if (!parsed) ranges.set(range, (parsed = new Range(range, { includePrerelease })))
    return parsed.test(version)
  }
  const who = (from: string | null) => (from === null ? 'the root' : `${from}@${packages.get(from)!.version}`)
  const at = (e: Edge) => (e.from === null ? ['root', e.kind, e.name] : ['packages', e.from, e.kind, e.name])

  for (const g of groups) {
    if (g.entry && g.entry.integrity === undefined) {
      const message = `${who(g.from)} has no integrity hash, so its download cannot be verified`
      const found = issue('E_LOCKFILE_MISSING_INTEGRITY', ['packages', g.from!, 'integrity'], message)
      ;(options.missingIntegrity === 'warning' ? warnings : errors).push(found)
    }
    for (const e of g.edges) {
      const optional = e.kind === 'optionalDependencies' ? ' (optional)' : ''
      if (!packages.has(e.name)) {
        const message = `${who(e.from)} requires ${e.name} ${e.range}, but ${e.name} is not in packages`
        if (!optional) errors.push(issue('E_LOCKFILE_MISSING_DEPENDENCY', at(e), message))
        continue
      }
      const target = packages.get(e.name)
      if (!target || satisfies(target.version, e.range)) continue
      // Who else wants it, and what (the first five: a popular package may have thousands).
      const all = wanted.get(e.name)!
      const listed: string[] = []
      for (let i = 0; i < all.length && listed.length < 5; i++) {
        const o = all[i]!
        if (o !== e) listed.push(`${who(o.from)} wants ${o.range}${o.kind === 'optionalDependencies' ? ' (optional)' : ''}`)
      }
      const more = all.length - 1 > 5 ? `, and ${all.length - 6} more` : ''
      const context = listed.length > 0 ? ` (${listed.join(', ')}${more})` : ''
      const message = `${who(e.from)} wants ${e.name} ${e.range}${optional}, but ${e.name} is locked at ${target.version}${context}`
      errors.push(issue('E_LOCKFILE_CONFLICT', at(e), message))
    }
  }

  if (!options.allowCycles) {
    const valid = [...packages].filter(([, entry]) => entry !== null).map(([name]) => name)
    const next = (name: string) => edgesOf(name, packages.get(name)!).map((e) => e.name).filter((n) => packages.get(n))
    for (const cycle of findCycles(valid, next)) {
      const last = cycle[cycle.length - 2]!
      const first = cycle[0]!
      const kind: Kind = packages.get(last)!.dependencies?.[first] !== undefined ? 'dependencies' : 'optionalDependencies'
      errors.push(issue('E_LOCKFILE_CYCLE', ['packages', last, kind, first], `dependency cycle: ${cycleText(cycle)}`))
    }
  }

  // Reachability needs the whole graph: skipped when the root or an entry did not parse.
  if (!root || [...packages.values()].some((entry) => entry === null)) return
  const reached = new Set<string>()
  const queue = edgesOf(null, root).map((e) => e.name)
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head]!
    const entry = packages.get(name)
    if (!entry || reached.has(name)) continue
    reached.add(name)
    for (const e of edgesOf(name, entry)) queue.push(e.name)
  }
  for (const [name, entry] of packages) {
    if (!reached.has(name)) {
      const message = `${name}@${entry!.version} is locked but nothing from the root depends on it, directly or indirectly`
      warnings.push(issue('E_LOCKFILE_UNREACHABLE', ['packages', name], message))
    }
  }
}

/** `a -> b -> a`; a cycle of more than 50 packages is shortened in the middle. */
function cycleText(cycle: readonly string[]): string {
  if (cycle.length <= 50) return cycle.join(' -> ')
  return [...cycle.slice(0, 25), `… ${cycle.length - 50} more …`, ...cycle.slice(-25)].join(' -> ')
}
