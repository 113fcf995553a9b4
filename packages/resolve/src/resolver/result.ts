/*
 * The value `resolve` returns. `packages` is made at once; `graph` and `root` are made the
 * first time they are read, since most callers read `packages` only and, with integer-like
 * package names (see `recordOf`), building the other two costs as much as a small search.
 * They are ordinary enumerable own properties to every reader (spread, JSON, structuredClone,
 * deep equality all see them); Node's console prints them as values, not as getters.
 */
import type { CompiledVersion } from './compile.js'
import type { ResolvedPackage, Resolution } from '../types.js'

/** Root requirements as [name, range] pairs, in the root's order. */
export type Roots = { required: [string, string][]; optional: [string, string][] }

/** What a resolution's `graph` and `root` are made from, and (once read) what they are. */
interface Pending {
  readonly roots: Roots
  readonly chosen: ReadonlyArray<readonly [string, CompiledVersion]>
  graph: Record<string, ResolvedPackage> | undefined
  root: Resolution['root'] | undefined
}

/** Where a resolution keeps its `Pending`: a non-enumerable own property (cheaper to set than a WeakMap entry). */
const PENDING = Symbol('pending')
type Lazy = { [PENDING]?: Pending }

/** Shared by every resolution: a getter per lazy property, and how Node's console shows one. */
const RESOLUTION: object = Object.create(Object.prototype, {
  [Symbol.for('nodejs.util.inspect.custom')]: {
    value(this: Resolution, depth: number, options: object, inspect: (x: unknown, o: object) => string) {
      // As the plain object it stands for, at the same depth.
      return inspect({ packages: this.packages, graph: this.graph, root: this.root }, { ...options, depth })
    },
  },
})
const GRAPH: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: Lazy) {
    const p = this[PENDING]
    return p === undefined ? undefined : (p.graph ??= graphOf(p.roots, p.chosen))
  },
}
const ROOT: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: Lazy) {
    const p = this[PENDING]
    return p === undefined ? undefined : (p.root ??= { dependencies: record(p.roots.required), optionalDependencies: record(p.roots.optional) })
  },
}

/** The resolution of `roots` choosing `chosen` (sorted by name). */
export function toResolution(roots: Roots, chosen: ReadonlyArray<readonly [string, CompiledVersion]>): Resolution {
  const r = Object.create(RESOLUTION) as { packages: Record<string, string> }
  r.packages = versionsRecord(chosen)
  Object.defineProperty(r, 'graph', GRAPH)
  Object.defineProperty(r, 'root', ROOT)
  Object.defineProperty(r, PENDING, { value: { roots, chosen, graph: undefined, root: undefined } satisfies Pending })
  return r as Resolution
}

function byKey(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
}

/** A plain object from pairs, keys sorted; a `__proto__` key stays an own property. */
export function record<T>(pairs: ReadonlyArray<readonly [string, T]>, sorted = false): Record<string, T> {
  return recordOf(sorted || pairs.length < 2 ? pairs : sortByKey([...pairs]), (v) => v)
}

/** Sorts pairs by key in place: insertion sort for the usual handful (no allocation), else `sort`. */
export function sortByKey<T extends readonly [string, unknown]>(list: T[]): T[] {
  if (list.length > 16) return list.sort(byKey)
  for (let i = 1; i < list.length; i++) {
    const x = list[i]!
    let j = i - 1
    while (j >= 0 && list[j]![0] > x[0]) {
      list[j + 1] = list[j]!
      j--
    }
    list[j + 1] = x
  }
  return list
}

/**
 * A plain object with `value(x)` for each `[key, x]` of `list` (sorted by key), keys in that order.
 *
 * Integer-like keys ("334", as some registries' package names are) are array elements to a JS
 * engine, listed in numeric order whatever the insertion order. Assigned one by one, V8 gives
 * them a dense backing store about 1.5 times as long as the largest index (8 KB for 9 names up
 * to 662), kept as long as the result is, and copied by every scavenge while it lives: on
 * large_case, with the results kept, that was a quarter of the time. Where that store would
 * be mostly holes, the keys are made by `JSON.parse` of `{"334":0,...}` (digits only: nothing
 * to escape), which builds a sparse one (0.5 KB), and then assigned. Other keys keep their
 * sorted insertion order after them, as they would anyway.
 */
function recordOf<S, T>(list: ReadonlyArray<readonly [string, S]>, value: (x: S, key: string) => T): Record<string, T> {
  let out: Record<string, T> = {}
  if (sparseIndexKeys(list)) {
    let skeleton = ''
    for (let i = 0; i < list.length; i++) {
      const k = list[i]![0]
      if (indexKey(k) >= 0) skeleton += skeleton === '' ? `{"${k}":0` : `,"${k}":0`
    }
    out = JSON.parse(`${skeleton}}`) as Record<string, T>
  }
  for (let i = 0; i < list.length; i++) setOwn(out, list[i]![0], value(list[i]![1], list[i]![0]))
  return out
}

/** Would a dense store for the integer-like keys of `list` be mostly holes? */
function sparseIndexKeys(list: ReadonlyArray<readonly [string, unknown]>): boolean {
  let largest = -1
  for (let i = 0; i < list.length; i++) largest = Math.max(largest, indexKey(list[i]![0]))
  return largest >= 4 * list.length + 16
}

/** `k` as an array index ("0", "334"; not "007" or "4294967295"), or -1. */
function indexKey(k: string): number {
  const c = k.charCodeAt(0)
  if (c < 48 || c > 57) return -1 // the common case: not a digit
  if (k.length > 10 || (c === 48 && k.length > 1)) return -1
  for (let i = 1; i < k.length; i++) {
    const d = k.charCodeAt(i)
    if (d < 48 || d > 57) return -1
  }
  const n = Number(k)
  return n < 4294967295 ? n : -1
}

const versionOf = (cv: CompiledVersion) => cv.version

/**
 * `{ name: version }` of sorted `chosen`, as `recordOf` makes it; with sparse integer-like
 * names, by one `JSON.parse` with the versions in it (package names and normalized semver
 * versions contain nothing JSON escapes), which saves assigning into the sparse store.
 */
function versionsRecord(chosen: ReadonlyArray<readonly [string, CompiledVersion]>): Record<string, string> {
  if (!sparseIndexKeys(chosen)) return recordOf(chosen, versionOf)
  let json = '{'
  for (let i = 0; i < chosen.length; i++) json += `${i === 0 ? '' : ','}"${chosen[i]![0]}":"${chosen[i]![1].version}"`
  return JSON.parse(`${json}}`) as Record<string, string>
}

/** The `graph` of a resolution: each chosen version's details, optional when only optional edges reach it. */
function graphOf(roots: Roots, chosen: ReadonlyArray<readonly [string, CompiledVersion]>): Record<string, ResolvedPackage> {
  // Reached through required edges from the root -> not optional. Without optional edges
  // among the chosen versions, everything chosen is (the search installs nothing unneeded).
  let anyOptional = roots.optional.length > 0
  for (let i = 0; i < chosen.length && !anyOptional; i++) anyOptional = chosen[i]![1].optionalDependencies.length > 0
  let required: Set<string> | undefined
  if (anyOptional) {
    required = new Set<string>()
    const byName = new Map(chosen)
    const queue = roots.required.map((r) => r[0])
    while (queue.length > 0) {
      const n = queue.pop()!
      const cv = byName.get(n)
      if (cv === undefined || required.has(n)) continue
      required.add(n)
      const deps = cv.dependencies
      for (let i = 0; i < deps.length; i++) queue.push(deps[i]![0])
    }
  }
  return recordOf(chosen, (cv, name) => resolvedPackage(name, cv, required !== undefined && !required.has(name)))
}

/** `out[k] = v`, keeping a `__proto__` key an own property. */
function setOwn<T>(out: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  else out[k] = v
}

/**
 * The {@link ResolvedPackage} of a version, made once per version and optional flag and
 * shared (frozen) across resolutions: building it is most of the cost of returning a result.
 */
function resolvedPackage(name: string, cv: CompiledVersion, optional: boolean): ResolvedPackage {
  const cache = (cv.resolved ??= [undefined, undefined])
  const slot = optional ? 1 : 0
  const hit = cache[slot]
  if (hit !== undefined) return hit
  const e = cv.entry
  const rp: { -readonly [K in keyof ResolvedPackage]: ResolvedPackage[K] } = {
    name,
    version: cv.version,
    dependencies: Object.freeze(record(cv.dependencies)),
    optionalDependencies: Object.freeze(record(cv.optionalDependencies)),
    optional,
  }
  if (cv.platform !== undefined) rp.platform = cv.platform
  if (typeof e.source === 'string') rp.source = e.source
  if (typeof e.integrity === 'string') rp.integrity = e.integrity
  return (cache[slot] = Object.freeze(rp))
}

