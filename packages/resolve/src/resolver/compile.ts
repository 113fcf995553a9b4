import { Range, SemVer } from 'semver'
import { ResolutionError } from '../errors.js'
import { isPackageName, NAME_RULE } from '../names.js'
import { nameIds } from './name-ids.js'
import type { DependencyMap, IndexVersion, PlatformMarkers, ResolvedPackage } from '../types.js'

/**
 * The index's answer for one package, checked once and kept in a form the search can use
 * quickly: versions parsed and sorted, dependency maps as arrays, and range matches memoized.
 *
 * Compiled packages are cached by the identity of the array the index returned, so an index
 * that memoizes its answers (as a registry client does) pays for parsing once across many
 * `resolve` calls, while an index returning fresh data is always re-read.
 */
export interface CompiledVersion {
  readonly version: string
  readonly semver: SemVer
  readonly entry: IndexVersion
  /** [name, range] pairs, in the index's key order. */
  readonly dependencies: ReadonlyArray<readonly [string, string]>
  readonly optionalDependencies: ReadonlyArray<readonly [string, string]>
  readonly conflicts: ReadonlyArray<readonly [string, string]>
  readonly platform: PlatformMarkers | undefined
  /** Process-wide numbers of the names of `dependencies` / `optionalDependencies` (name-ids.ts). */
  readonly dependencyIds: Int32Array
  readonly optionalIds: Int32Array
  /**
   * Candidate lists of its edges (dependencies, then optional ones), each with the candidate
   * memo it was taken from: valid while the catalog hands out that memo for the edge's package
   * (same compiled package, same settings). See `PackageCatalog.edgeCandidates`.
   */
  edgeMemos: (object | undefined)[] | undefined
  edgeLists: (readonly number[])[] | undefined
  /** Its `ResolvedPackage` (required, optional), made once when first returned (see resolve.ts). */
  resolved: [ResolvedPackage | undefined, ResolvedPackage | undefined] | undefined
}

export interface CompiledPackage {
  readonly name: string
  /** Ascending semver order. */
  readonly versions: readonly CompiledVersion[]
  /** Whether some version has platform markers (else every version fits every platform). */
  readonly hasPlatform: boolean
  /** range (+ prerelease flag) -> ascending indices into `versions` that satisfy it. */
  readonly matches: Map<string, readonly number[]>
  /** Candidate lists in preference order: settings -> range -> indices (see `PackageCatalog`). */
  readonly preferred: Map<string, Map<string, readonly number[]>>
}

const cache = new WeakMap<object, CompiledPackage>()
/** Parsed ranges; bounded so a long-lived process fed endless distinct ranges stays small. */
const ranges = new Map<string, Range>()
const MAX_CACHED_RANGES = 50_000

/** A semver Range for `text`, or a thrown TypeError naming the problem. */
export function parseRange(text: string, includePrerelease: boolean): Range {
  const key = includePrerelease ? `p\0${text}` : text
  let r = ranges.get(key)
  if (r === undefined) {
    r = new Range(text, { includePrerelease })
    if (ranges.size >= MAX_CACHED_RANGES) ranges.clear()
    ranges.set(key, r)
  }
  return r
}

/**
 * Ascending indices of `pkg`'s versions that satisfy `range`.
 *
 * A range is a union of comparator sets, and each comparator (`>=`, `<`, `=`...) holds on a
 * contiguous run of the sorted versions, so each set is two binary searches. Release versions
 * inside the run match exactly; a prerelease inside it is tested with semver itself, because
 * whether it matches also depends on the comparators naming a prerelease of the same version.
 * (Testing every version against every range instead is quadratic: 50,000 ranges over 500
 * versions is seconds.)
 */
export function matching(pkg: CompiledPackage, range: string, includePrerelease: boolean): readonly number[] {
  const key = includePrerelease ? `p\0${range}` : range
  let m = pkg.matches.get(key)
  if (m !== undefined) return m
  const r = parseRange(range, includePrerelease)
  const vs = pkg.versions
  const n = vs.length
  let hit: Uint8Array | undefined
  let single = -1 // the common case of one comparator set: no marks needed
  let singleLo = 0
  let singleHi = 0
  for (const set of r.set) {
    let lo = 0
    let hi = n
    for (const c of set) {
      if (c.value === '') continue // semver's ANY comparator (`*`)
      const sv = c.semver
      switch (c.operator) {
        case '>=': lo = Math.max(lo, lowerBound(vs, sv)); break
        case '>': lo = Math.max(lo, upperBound(vs, sv)); break
        case '<': hi = Math.min(hi, lowerBound(vs, sv)); break
        case '<=': hi = Math.min(hi, upperBound(vs, sv)); break
        default: // '' or '=': exactly this version
          lo = Math.max(lo, lowerBound(vs, sv))
          hi = Math.min(hi, upperBound(vs, sv))
      }
    }
    if (lo >= hi) continue
    if (single === -1 && hit === undefined) {
      single = 1
      singleLo = lo
      singleHi = hi
      continue
    }
    hit ??= new Uint8Array(n)
    if (single === 1) {
      hit.fill(1, singleLo, singleHi)
      single = 0
    }
    hit.fill(1, lo, hi)
  }
  const out: number[] = []
  const keep = (i: number) => vs[i]!.semver.prerelease.length === 0 || r.test(vs[i]!.semver)
  if (hit !== undefined) {
    for (let i = 0; i < n; i++) if (hit[i] === 1 && keep(i)) out.push(i)
  } else if (single === 1) {
    for (let i = singleLo; i < singleHi; i++) if (keep(i)) out.push(i)
  }
  m = out
  pkg.matches.set(key, m)
  return m
}

/** First index whose version is >= `sv` (versions ascending). */
function lowerBound(vs: readonly CompiledVersion[], sv: SemVer): number {
  let lo = 0
  let hi = vs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (vs[mid]!.semver.compare(sv) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose version is > `sv`. */
function upperBound(vs: readonly CompiledVersion[], sv: SemVer): number {
  let lo = 0
  let hi = vs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (vs[mid]!.semver.compare(sv) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

function bad(name: string, where: string, why: string): ResolutionError {
  return new ResolutionError('E_INDEX', `index: package "${name}"${where}: ${why}`)
}

function depMap(name: string, where: string, field: string, value: unknown): [string, string][] {
  if (value === undefined || value === null) return []
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(name, where, `${field} must be an object of name -> range, got ${describe(value)}`)
  const out: [string, string][] = []
  for (const [dep, range] of Object.entries(value as Record<string, unknown>)) {
    if (typeof range !== 'string') throw bad(name, where, `${field}.${dep} must be a semver range string, got ${describe(range)}`)
    checkName(dep, () => bad(name, where, `${field} has an invalid package name ${JSON.stringify(dep)}: it ${NAME_RULE}`))
    checkRange(range, () => bad(name, where, `${field}.${dep} is not a valid semver range: ${JSON.stringify(range)}`))
    out.push([dep, range])
  }
  return out
}

function conflictList(name: string, where: string, value: unknown): [string, string][] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) return depMap(name, where, 'conflicts', value)
  return value.map((spec, i) => {
    if (typeof spec !== 'string') throw bad(name, where, `conflicts[${i}] must be a "name@range" string, got ${describe(spec)}`)
    const at = spec.indexOf('@', 1) // a scoped name starts with '@'
    const dep = at < 0 ? spec : spec.slice(0, at)
    const range = at < 0 ? '*' : spec.slice(at + 1) || '*'
    checkName(dep, () => bad(name, where, `conflicts[${i}] has an invalid package name: ${JSON.stringify(spec)}`))
    checkRange(range, () => bad(name, where, `conflicts[${i}] has an invalid range: ${JSON.stringify(spec)}`))
    return [dep, range] as [string, string]
  })
}

function platformOf(name: string, where: string, value: unknown): PlatformMarkers | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(name, where, `platform must be an object { os?, arch?, runtime? }, got ${describe(value)}`)
  const p = value as Record<string, unknown>
  for (const axis of ['os', 'arch', 'runtime'] as const) {
    const list = p[axis]
    if (list === undefined) continue
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw bad(name, where, `platform.${axis} must be an array of strings, got ${describe(list)}`)
  }
  return value as PlatformMarkers
}

/** Package names follow one rule everywhere (see names.ts), so every resolution can be locked. */
export function checkName(name: string, fail: () => Error): void {
  if (!isPackageName(name)) throw fail()
}

export function checkRange(range: string, fail: () => Error): void {
  if (!isRange(range)) throw fail()
}

/** Does semver accept `range`? */
function isRange(range: string): boolean {
  try {
    parseRange(range, false)
    return true
  } catch {
    return false
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)
  return typeof v
}

/**
 * Checks and compiles what `index.versions(name)` returned (an array of {@link IndexVersion}).
 * Throws `ResolutionError` `E_INDEX` naming the package, version and field on malformed data.
 */
export function compilePackage(name: string, list: unknown, maxVersions: number): CompiledPackage {
  if (list === undefined || list === null) list = []
  if (!Array.isArray(list)) throw bad(name, '', `versions() must return an array, got ${describe(list)}`)
  const hit = cache.get(list)
  if (hit !== undefined && hit.name === name) return hit
  if (list.length > maxVersions) {
    throw new ResolutionError('E_LIMIT', `index: package "${name}" has ${list.length} versions, more than maxVersionsPerPackage (${maxVersions})`)
  }
  const versions: CompiledVersion[] = []
  const seen = new Set<string>()
  for (let i = 0; i < list.length; i++) {
    const e: unknown = list[i]
    if (typeof e !== 'object' || e === null) throw bad(name, ` entry ${i}`, `expected { version, dependencies? }, got ${describe(e)}`)
    const entry = e as IndexVersion
    if (typeof entry.version !== 'string') throw bad(name, ` entry ${i}`, `version must be a string, got ${describe(entry.version)}`)
    let semver: SemVer
    try {
      semver = new SemVer(entry.version)
    } catch {
      throw bad(name, ` entry ${i}`, `version ${JSON.stringify(entry.version)} is not valid semver`)
    }
    const version = semver.version
    if (seen.has(version)) throw bad(name, `@${version}`, 'is listed twice')
    seen.add(version)
    const where = `@${version}`
    const dependencies = depMap(name, where, 'dependencies', entry.dependencies)
    const optionalDependencies = depMap(name, where, 'optionalDependencies', entry.optionalDependencies)
    versions.push({
      version,
      semver,
      entry,
      dependencies,
      optionalDependencies,
      conflicts: conflictList(name, where, entry.conflicts),
      platform: platformOf(name, where, entry.platform),
      dependencyIds: nameIds(dependencies),
      optionalIds: nameIds(optionalDependencies),
      // Filled later; present from the start so that every version has the same shape to V8.
      edgeMemos: undefined,
      edgeLists: undefined,
      resolved: undefined,
    })
  }
  versions.sort((a, b) => a.semver.compare(b.semver))
  const hasPlatform = versions.some((v) => v.platform !== undefined)
  const pkg: CompiledPackage = { name, versions, hasPlatform, matches: new Map(), preferred: new Map() }
  cache.set(list, pkg)
  return pkg
}

/** Does a version with these markers fit the target? (See {@link PlatformMarkers}.) */
export function fitsPlatform(markers: PlatformMarkers | undefined, target: { os?: string; arch?: string; runtime?: string }): boolean {
  if (markers === undefined) return true
  return axisFits(markers.os, target.os) && axisFits(markers.arch, target.arch) && axisFits(markers.runtime, target.runtime)
}

function axisFits(list: readonly string[] | undefined, value: string | undefined): boolean {
  if (list === undefined || list.length === 0 || value === undefined) return true
  let allowed = false
  let anyPositive = false
  for (const item of list) {
    if (item.startsWith('!')) {
      if (item.slice(1) === value) return false
    } else {
      anyPositive = true
      if (item === value) allowed = true
    }
  }
  return allowed || !anyPositive // only exclusions listed: everything else is allowed
}

const propertyIsEnumerable = Object.prototype.propertyIsEnumerable

/** `{ a: '^1' }` -> `[['a', '^1']]`, checking names and ranges of the caller's root. */
export function rootPairs(field: string, map: DependencyMap | undefined): [string, string][] {
  if (map === undefined || map === null) return []
  if (typeof map !== 'object' || Array.isArray(map)) throw new ResolutionError('E_INVALID', `root.${field} must be an object of name -> range`)
  const out: [string, string][] = []
  // Not Object.entries: on a map whose names are integer-like ("334": array elements to V8) it
  // allocates in proportion to the largest one (4.4 KB for one name), this 0.6 KB.
  const names = Object.getOwnPropertyNames(map)
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (!propertyIsEnumerable.call(map, name)) continue
    const range: unknown = (map as Record<string, unknown>)[name]
    if (typeof range !== 'string') throw new ResolutionError('E_INVALID', `root.${field}.${name} must be a semver range string, got ${describe(range)}`)
    if (!isPackageName(name)) throw new ResolutionError('E_INVALID', `root.${field} has an invalid package name ${JSON.stringify(name)}: it ${NAME_RULE}`)
    if (!isRange(range)) throw new ResolutionError('E_INVALID', `root.${field}.${name} is not a valid semver range: ${JSON.stringify(range)}`)
    out.push([name, range])
  }
  return out
}
