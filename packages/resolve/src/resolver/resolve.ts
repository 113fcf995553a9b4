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
import { record, sortByKey, toResolution, type Roots } from './result.js'
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

const NOTHING_LOCKED: ReadonlyMap<string, string> = new Map()

function lockedMap(lock: ResolveOptions['lockfile']): ReadonlyMap<string, string> {
  if (lock === undefined) return NOTHING_LOCKED
  const out = new Map<string, string>()
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
 * Asks the index for each name once per resolution. One search asks for each name once by
 * itself (it fetches only packages not fetched yet); the root-minimizing re-runs after a
 * failure share the answers of the first run through `remember`. An index that answers
 * synchronously (a plain array) is never awaited, so a memoized in-memory index costs no
 * event-loop turns.
 */
class Fetcher {
  /** Answers by name, kept once re-runs begin (a successful resolution never needs them). */
  private answers: Map<string, unknown> | undefined
  constructor(private readonly index: PackageIndex) {
    if (typeof index !== 'object' || index === null || typeof index.versions !== 'function') {
      throw new ResolutionError('E_INVALID', 'resolve: index must be an object with a versions(name) method')
    }
  }

  /** The index's answer for `name`: a value, or a promise of one (its failure is mapped where it is awaited). */
  get(name: string): unknown {
    const answers = this.answers
    if (answers !== undefined && answers.has(name)) return answers.get(name)
    let answer: unknown
    try {
      answer = this.index.versions(name)
    } catch (e) {
      throw indexFailed(name, e)
    }
    answers?.set(name, answer)
    return answer
  }

  /** Keeps what `catalog`'s run fetched, for the runs that follow. */
  remember(catalog: PackageCatalog): void {
    this.answers ??= new Map()
    for (let id = 0; id < catalog.size; id++) {
      const pkg = catalog.packages[id]
      if (pkg !== undefined) this.answers.set(catalog.names[id]!, catalog.answers[id])
    }
  }
}

/** Why awaiting `answers` failed: `E_INDEX` naming the first package whose fetch failed. */
async function fetchFailure(names: readonly string[], answers: readonly unknown[], e: unknown): Promise<ResolutionError> {
  for (let i = 0; i < answers.length; i++) {
    try {
      await answers[i]
    } catch (err) {
      return indexFailed(names[i]!, err)
    }
  }
  // (Promise.all rejected though every answer settles alone: a misbehaving thenable.)
  return new ResolutionError('E_INDEX', `index: versions() failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
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

interface Outcome {
  readonly ok: boolean
  readonly search: PackageSearch
  readonly catalog: PackageCatalog
}

async function run(roots: Roots, fetcher: Fetcher, o: Prepared): Promise<Outcome> {
  const catalog = PackageCatalog.acquire(o.preference, o.platform, o.includePrerelease, o.locked)
  const search = PackageSearch.acquire(catalog, { maxConflicts: o.maxConflicts, deadline: o.deadline, signal: o.signal })
  const register = (list: readonly string[], answers: readonly unknown[]) => {
    for (let i = 0; i < list.length; i++) {
      const name = list[i]!
      const id = catalog.idOf(name)
      if (catalog.isFetched(id)) continue
      if (catalog.fetched >= o.maxPackages) throw new ResolutionError('E_LIMIT', `resolve: more than maxPackages (${o.maxPackages}) packages reached`)
      const pkg = compilePackage(name, answers[i], o.maxVersions)
      catalog.add(pkg, search.addVariables(id, pkg.versions.length), answers[i])
      search.loaded(id)
    }
  }
  /**
   * Fetches `names` in parallel: registers them at once when the index answered synchronously
   * (and returns undefined), else returns the answers to await.
   */
  const load = (names: readonly string[]): unknown[] | undefined => {
    const answers: unknown[] = new Array(names.length)
    let pending = false
    for (let i = 0; i < names.length; i++) if (isThenable((answers[i] = fetcher.get(names[i]!)))) pending = true
    if (pending) return answers
    register(names, answers)
    return undefined
  }
  // Rounds of fetching: the roots' packages, then what each search round asks for (one await
  // per round, none when the index answers synchronously). Names are unique within each root
  // map; only an optional one may repeat a required one.
  let names = roots.required.map((r) => r[0])
  if (roots.optional.length > 0) {
    const seen = new Set(names)
    for (const [name] of roots.optional) if (!seen.has(name)) names.push(name)
  }
  for (let round = 0; ; round++) {
    const answers = load(names)
    if (answers !== undefined) {
      let settled: unknown[]
      try {
        settled = answers.length === 1 ? [await answers[0]] : await Promise.all(answers)
      } catch (e) {
        throw await fetchFailure(names, answers, e)
      }
      aborted(o.signal)
      register(names, settled)
    }
    if (round === 0) {
      for (const [name, range] of roots.required) search.addRoot(name, range, false)
      for (const [name, range] of roots.optional) search.addRoot(name, range, true)
    } else search.resume()
    aborted(o.signal)
    const r = search.run()
    if (r === NEED) {
      names = new Array<string>(search.nWanted)
      for (let i = 0; i < search.nWanted; i++) names[i] = catalog.names[search.wanted[i]!]!
      continue
    }
    return { ok: r === SAT, search, catalog }
  }
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
  if (outcome.ok) {
    const resolution = toResolution(roots, chosenVersions(outcome))
    outcome.search.release()
    outcome.catalog.release()
    return resolution
  }

  // Unsatisfiable: a minimal set of root requirements that still fails, then the explanation.
  let failing = outcome
  let kept = coreRoots(roots, outcome)
  fetcher.remember(outcome.catalog)
  const done: Outcome[] = [] // searches to release once the explanation is written
  if (options.minimizeRoots !== false) {
    for (const candidate of [...kept]) {
      if (kept.length <= 1) break
      const without = kept.filter((r) => r !== candidate)
      const attempt = await run({ required: without, optional: [] }, fetcher, o)
      done.push(attempt)
      if (!attempt.ok) {
        kept = without
        failing = attempt
      }
    }
    if (failing === outcome && kept.length < roots.required.length) {
      // Explain from a run over exactly the minimal roots, so the text names only them.
      const attempt = await run({ required: kept, optional: [] }, fetcher, o)
      done.push(attempt)
      if (!attempt.ok) failing = attempt
    }
  }
  const { explanation, derivation } = explain(failing.search, failing.catalog)
  for (const d of [outcome, ...done]) {
    d.search.release()
    d.catalog.release()
  }
  throw new ResolutionError('E_UNSATISFIABLE', `resolve: no solution.\n${explanation}`, {
    explanation,
    derivation,
    conflictingRoots: record(kept),
  })
}

/** The chosen version of each package of a successful search, sorted by name. */
function chosenVersions({ search, catalog }: Outcome): [string, CompiledVersion][] {
  const chosen: [string, CompiledVersion][] = []
  for (let id = 0; id < catalog.size; id++) {
    const v = search.chosen(id)
    if (v >= 0) chosen.push([catalog.names[id]!, catalog.versionOf(v)])
  }
  return sortByKey(chosen)
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
