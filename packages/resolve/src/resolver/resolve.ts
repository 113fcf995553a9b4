import { ResolutionError } from '../errors.js'
import type { Lockfile } from '../lockfile/types.js'
import type {
  PackageIndex,
  ResolvedPackage,
  Resolution,
  RootRequirements,
  TargetPlatform,
  VersionPreference,
} from '../types.js'
import { PackageCatalog } from './catalog.js'
import { compilePackage, rootPairs, type CompiledVersion } from './compile.js'
import { explain } from './explain.js'
import { NEED, PackageSearch, SAT } from './search.js'

/** Options of {@link resolve}. */
export interface ResolveOptions {
  /** Which version to try first: `'newest'` (default) or `'lowest'`. */
  preference?: VersionPreference
  /**
   * Keep what this lockfile has where it still satisfies the requirements: its versions are
   * tried first (the `preference` orders the rest). A `torshpkg.lock` object or text, or a
   * plain `{ name: version }` map.
   */
  lockfile?: Lockfile | string | Readonly<Record<string, string>>
  /**
   * The platform to resolve for; versions whose `platform` markers exclude it are never
   * chosen. An axis left out is not checked. Default: no platform checks (`{}`); pass
   * `{ os: process.platform, arch: process.arch, runtime: 'node' }` for the current machine.
   */
  platform?: TargetPlatform
  /** Let ranges match prerelease versions they do not name (semver's `includePrerelease`). Default false. */
  includePrerelease?: boolean
  /** Stop after this many packages fetched (default 1,000,000): `E_LIMIT`. */
  maxPackages?: number
  /** Refuse a package listing more versions than this (default 100,000): `E_LIMIT`. */
  maxVersionsPerPackage?: number
  /** Stop after this many conflicts (default 1,000,000): `E_LIMIT`. */
  maxConflicts?: number
  /** Stop after about this many milliseconds of searching: `E_LIMIT`. */
  timeoutMs?: number
  /** Cancels the resolution (`E_ABORTED`); checked between index fetches and during the search. */
  signal?: AbortSignal
  /**
   * On failure, find a minimal set of conflicting root requirements (default true). Costs one
   * extra resolution per root requirement involved.
   */
  minimizeRoots?: boolean
}

interface Prepared {
  readonly preference: VersionPreference
  readonly platform: TargetPlatform
  readonly includePrerelease: boolean
  readonly locked: ReadonlyMap<string, string>
  readonly maxPackages: number
  readonly maxVersions: number
  readonly maxConflicts: number
  readonly deadline: number
  readonly signal: AbortSignal | undefined
}

function lockedMap(lock: ResolveOptions['lockfile']): Map<string, string> {
  const out = new Map<string, string>()
  if (lock === undefined) return out
  let obj: unknown = lock
  if (typeof lock === 'string') {
    try {
      obj = JSON.parse(lock)
    } catch (e) {
      throw new ResolutionError('E_INVALID', 'options.lockfile is not valid JSON', { cause: e })
    }
  }
  if (typeof obj !== 'object' || obj === null) throw new ResolutionError('E_INVALID', 'options.lockfile must be a lockfile or a { name: version } map')
  const packages = (obj as { packages?: unknown }).packages
  if (packages !== undefined && typeof packages === 'object' && packages !== null) {
    for (const [name, entry] of Object.entries(packages as Record<string, unknown>)) {
      const v = (entry as { version?: unknown } | null)?.version
      if (typeof v === 'string') out.set(name, v)
    }
  } else {
    for (const [name, v] of Object.entries(obj as Record<string, unknown>)) if (typeof v === 'string') out.set(name, v)
  }
  return out
}

function prepare(options: ResolveOptions): Prepared {
  const preference = options.preference ?? 'newest'
  if (preference !== 'newest' && preference !== 'lowest') {
    throw new ResolutionError('E_INVALID', `options.preference must be 'newest' or 'lowest', got ${JSON.stringify(preference)}`)
  }
  const positive = (name: string, v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt
    if (typeof v !== 'number' || !(v > 0)) throw new ResolutionError('E_INVALID', `options.${name} must be a positive number, got ${String(v)}`)
    return v
  }
  return {
    preference,
    platform: options.platform ?? {},
    includePrerelease: options.includePrerelease === true,
    locked: lockedMap(options.lockfile),
    maxPackages: positive('maxPackages', options.maxPackages, 1_000_000),
    maxVersions: positive('maxVersionsPerPackage', options.maxVersionsPerPackage, 100_000),
    maxConflicts: positive('maxConflicts', options.maxConflicts, 1_000_000),
    deadline: options.timeoutMs === undefined ? Infinity : Date.now() + positive('timeoutMs', options.timeoutMs, 0),
    signal: options.signal,
  }
}

/**
 * Asks the index for each name once per resolution (and once across the root-minimizing
 * re-runs). An index that answers synchronously (a plain array) is never awaited, so a
 * memoized in-memory index costs no event-loop turns.
 */
class Fetcher {
  private readonly answers = new Map<string, unknown>()
  constructor(private readonly index: PackageIndex) {
    if (typeof index !== 'object' || index === null || typeof index.versions !== 'function') {
      throw new ResolutionError('E_INVALID', 'resolve: index must be an object with a versions(name) method')
    }
  }

  /** The index's answer for `name`: a value, or a promise of one (settled ones are replaced by their value). */
  get(name: string): unknown {
    if (this.answers.has(name)) return this.answers.get(name)
    let answer: unknown
    try {
      answer = this.index.versions(name)
    } catch (e) {
      throw indexFailed(name, e)
    }
    if (isThenable(answer)) {
      answer = Promise.resolve(answer).then(
        (value) => {
          this.answers.set(name, value)
          return value
        },
        (e: unknown) => {
          throw indexFailed(name, e)
        },
      )
    }
    this.answers.set(name, answer)
    return answer
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function'
}

function indexFailed(name: string, e: unknown): ResolutionError {
  if (e instanceof ResolutionError) return e
  return new ResolutionError('E_INDEX', `index: versions(${JSON.stringify(name)}) failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ResolutionError('E_ABORTED', 'resolve: aborted', { cause: signal.reason })
}

type Roots = { required: [string, string][]; optional: [string, string][] }

interface Outcome {
  readonly ok: boolean
  readonly search: PackageSearch
  readonly catalog: PackageCatalog
}

async function run(roots: Roots, fetcher: Fetcher, o: Prepared): Promise<Outcome> {
  const catalog = new PackageCatalog(o.preference, o.platform, o.includePrerelease, o.locked)
  const search = new PackageSearch(catalog, { maxConflicts: o.maxConflicts, deadline: o.deadline, signal: o.signal })
  const register = (list: readonly string[], answers: readonly unknown[]) => {
    for (let i = 0; i < list.length; i++) {
      const name = list[i]!
      if (catalog.packageId(name) >= 0) continue
      if (catalog.size >= o.maxPackages) throw new ResolutionError('E_LIMIT', `resolve: more than maxPackages (${o.maxPackages}) packages reached`)
      const pkg = compilePackage(name, answers[i], o.maxVersions)
      catalog.add(pkg, search.addVariables(catalog.size, pkg.versions.length))
      search.loaded(name)
    }
  }
  /** Fetches `names` (in parallel); returns a promise only when some answer is one. */
  const load = (names: Iterable<string>): Promise<void> | undefined => {
    const list = [...names]
    const answers = list.map((n) => fetcher.get(n))
    if (!answers.some(isThenable)) {
      register(list, answers)
      return undefined
    }
    return Promise.all(answers).then((settled) => {
      aborted(o.signal)
      register(list, settled)
    })
  }
  await load(new Set([...roots.required, ...roots.optional].map(([n]) => n)))
  for (const [name, range] of roots.required) search.addRoot(name, range, false)
  for (const [name, range] of roots.optional) search.addRoot(name, range, true)
  for (;;) {
    aborted(o.signal)
    const r = search.run()
    if (r === NEED) {
      const pending = load(search.wanted)
      if (pending !== undefined) await pending
      search.resume()
      continue
    }
    return { ok: r === SAT, search, catalog }
  }
}

function byKey(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
}

/** A plain object from pairs, keys sorted; a `__proto__` key stays an own property. */
function record<T>(pairs: ReadonlyArray<readonly [string, T]>, sorted = false): Record<string, T> {
  const list = sorted ? pairs : [...pairs].sort(byKey)
  const out: Record<string, T> = {}
  for (let i = 0; i < list.length; i++) setOwn(out, list[i]![0], list[i]![1])
  return out
}


function toResolution(roots: Roots, { search, catalog }: Outcome): Resolution {
  const chosen: [string, CompiledVersion][] = []
  for (let id = 0; id < catalog.size; id++) {
    const v = search.chosen(id)
    if (v >= 0) chosen.push([catalog.names[id]!, catalog.versionOf(v)])
  }
  chosen.sort(byKey)
  const byName = new Map(chosen)
  // Reached through required edges from the root -> not optional.
  const required = new Set<string>()
  const queue = roots.required.map((r) => r[0])
  while (queue.length > 0) {
    const n = queue.pop()!
    const cv = byName.get(n)
    if (cv === undefined || required.has(n)) continue
    required.add(n)
    const deps = cv.dependencies
    for (let i = 0; i < deps.length; i++) queue.push(deps[i]![0])
  }
  const packages = record<string>([])
  const graph = record<ResolvedPackage>([])
  for (let i = 0; i < chosen.length; i++) {
    const name = chosen[i]![0]
    const cv = chosen[i]![1]
    setOwn(packages, name, cv.version)
    setOwn(graph, name, resolvedPackage(name, cv, !required.has(name)))
  }
  return {
    packages,
    graph,
    root: { dependencies: record(roots.required), optionalDependencies: record(roots.optional) },
  }
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

/**
 * Chooses one version of every package the root needs, so that every dependency range,
 * conflict and platform marker holds; the newest versions are preferred (or the lowest, or
 * a lockfile's). Packages are fetched from `index` only as the search reaches them. The
 * answer is deterministic for the same input.
 *
 * @throws {ResolutionError} `E_UNSATISFIABLE` with an `explanation` (a short derivation) and
 * the minimal `conflictingRoots`; `E_INDEX`, `E_INVALID`, `E_LIMIT`, `E_ABORTED` otherwise.
 *
 * @example
 * ```ts
 * import { resolve } from '@torshpkg/resolve'
 * const registry = {
 *   'model-a': [{ version: '2.1.0', dependencies: { tokenizer: '^3.0.0' } }],
 *   tokenizer: [{ version: '3.2.0' }, { version: '3.1.0' }],
 * }
 * const index = { versions: async (name) => registry[name] }
 * const { packages } = await resolve({ dependencies: { 'model-a': '^2' } }, index)
 * // { 'model-a': '2.1.0', tokenizer: '3.2.0' }
 * ```
 */
export async function resolve(root: RootRequirements, index: PackageIndex, options: ResolveOptions = {}): Promise<Resolution> {
  if (typeof root !== 'object' || root === null) throw new ResolutionError('E_INVALID', 'resolve: root must be { dependencies?, optionalDependencies? }')
  const roots: Roots = { required: rootPairs('dependencies', root.dependencies), optional: rootPairs('optionalDependencies', root.optionalDependencies) }
  const o = prepare(options)
  aborted(o.signal)
  const fetcher = new Fetcher(index)
  const outcome = await run(roots, fetcher, o)
  if (outcome.ok) return toResolution(roots, outcome)

  // Unsatisfiable: a minimal set of root requirements that still fails, then the explanation.
  let failing = outcome
  let kept = coreRoots(roots, outcome)
  if (options.minimizeRoots !== false) {
    for (const candidate of [...kept]) {
      if (kept.length <= 1) break
      const without = kept.filter((r) => r !== candidate)
      const attempt = await run({ required: without, optional: [] }, fetcher, o)
      if (!attempt.ok) {
        kept = without
        failing = attempt
      }
    }
    if (failing === outcome && kept.length < roots.required.length) {
      // Explain from a run over exactly the minimal roots, so the text names only them.
      const attempt = await run({ required: kept, optional: [] }, fetcher, o)
      if (!attempt.ok) failing = attempt
    }
  }
  const { explanation, derivation } = explain(failing.search, failing.catalog)
  throw new ResolutionError('E_UNSATISFIABLE', `resolve: no solution.\n${explanation}`, {
    explanation,
    derivation,
    conflictingRoots: record(kept),
  })
}

/** Root requirements that appear in the search's unsatisfiable core (in the root's order). */
function coreRoots(roots: Roots, { search }: Outcome): [string, string][] {
  const used = new Set<string>()
  for (const o of search.core().origins) {
    if (o.kind === 'root') used.add(`${o.name}\0${o.range}`)
  }
  const out = roots.required.filter(([n, r]) => used.has(`${n}\0${r}`))
  return out.length > 0 ? out : roots.required
}
