/**
 * `installPackages`: fetches, verifies and stores the packages of an install plan.
 */
import { call, raceAbort } from './abort.js'
import { backoffDelay, resolveBackoff, sleep, type ResolvedBackoff } from './backoff.js'
import { readBody } from './body.js'
import { InstallError } from './errors.js'
import { matchIntegrity, parseIntegrity, type IntegrityEntry } from './integrity.js'
import type { InstalledPackage, InstallOptions, InstallPlan, InstallProgressEvent, InstallSummary, PlannedPackage } from './types.js'

interface Resolved {
  readonly fetch: InstallOptions['fetch']
  readonly store: InstallOptions['store']
  readonly concurrency: number
  readonly retries: number
  readonly integrityRetries: number
  readonly maxBytes: number
  readonly backoff: ResolvedBackoff
  readonly random: () => number
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly onProgress: InstallOptions['onProgress']
  readonly signal: AbortSignal | undefined
}

function count(value: number | undefined, fallback: number, name: string, min: number, allowInfinity: boolean): number {
  if (value === undefined) return fallback
  const ok = (Number.isInteger(value) && value >= min) || (allowInfinity && value === Infinity)
  if (!ok) throw new InstallError('E_INVALID_OPTIONS', `${name} must be an integer >= ${min}${allowInfinity ? ' (or Infinity)' : ''}, got ${value}`)
  return value
}

function resolveOptions(options: InstallOptions): Resolved {
  if (typeof options?.fetch !== 'function') throw new InstallError('E_INVALID_OPTIONS', 'options.fetch must be a function')
  if (options.store !== undefined && typeof options.store !== 'function') throw new InstallError('E_INVALID_OPTIONS', 'options.store must be a function')
  return {
    fetch: options.fetch,
    store: options.store,
    concurrency: count(options.concurrency, 8, 'concurrency', 1, true),
    retries: count(options.retries, 3, 'retries', 0, false),
    integrityRetries: count(options.integrityRetries, 1, 'integrityRetries', 0, false),
    maxBytes: count(options.maxBytes, 2 ** 30, 'maxBytes', 0, true),
    backoff: resolveBackoff(options.backoff),
    random: options.random ?? Math.random,
    sleep: options.sleep ?? sleep,
    onProgress: options.onProgress,
    signal: options.signal,
  }
}

/** The plan as a dependency graph over its packages (level by level, as listed). */
interface Schedule {
  readonly packages: PlannedPackage[]
  /** Per package: dependencies in earlier levels not yet installed. */
  readonly waiting: Int32Array
  /** Per package: packages of later levels that depend on it. */
  readonly dependents: number[][]
}

function invalid(message: string, pkg?: PlannedPackage): InstallError {
  return new InstallError('E_INVALID_PLAN', `invalid install plan: ${message}`, pkg ? { package: `${pkg.name}@${pkg.version}` } : {})
}

/**
 * Checks the plan rules and builds the graph the installer walks. A dependency in the same
 * level is allowed only inside a reported cycle; its order is then not enforced.
 */
function schedule(plan: InstallPlan): Schedule {
  if (!Array.isArray(plan?.levels)) throw invalid('levels is not an array')
  const packages: PlannedPackage[] = []
  const levelOf: number[] = []
  const indexOf = new Map<string, number>()
  plan.levels.forEach((level, l) => {
    if (!Array.isArray(level)) throw invalid(`level ${l} is not an array`)
    for (const pkg of level) {
      if (typeof pkg?.name !== 'string' || typeof pkg.version !== 'string' || !Array.isArray(pkg.dependencies)) throw invalid(`a package of level ${l} lacks a name, a version or dependencies`)
      if (indexOf.has(pkg.name)) throw invalid(`"${pkg.name}" is in the plan twice`, pkg)
      indexOf.set(pkg.name, packages.length)
      packages.push(pkg)
      levelOf.push(l)
    }
  })
  const cycleOf = new Map<string, number>()
  ;(plan.cycles ?? []).forEach((members, c) => {
    for (const name of members) cycleOf.set(name, c)
  })
  const waiting = new Int32Array(packages.length)
  const dependents: number[][] = packages.map(() => [])
  packages.forEach((pkg, i) => {
    for (const dep of new Set(pkg.dependencies)) {
      const j = indexOf.get(dep)
      if (j === undefined) throw invalid(`${pkg.name} depends on "${dep}", which is not in the plan`, pkg)
      if (levelOf[j]! < levelOf[i]!) {
        waiting[i]!++
        dependents[j]!.push(i)
      } else if (levelOf[j]! > levelOf[i]! || cycleOf.get(dep) === undefined || cycleOf.get(dep) !== cycleOf.get(pkg.name)) {
        throw invalid(`${pkg.name} (level ${levelOf[i]}) depends on ${dep} (level ${levelOf[j]}), which is not in an earlier level`, pkg)
      }
    }
  })
  return { packages, waiting, dependents }
}

/** Parsed integrity per package (`undefined`: not checked), or the first problem. */
function integrityChecks(packages: readonly PlannedPackage[], allowMissing: boolean): (IntegrityEntry[] | undefined)[] {
  return packages.map((pkg) => {
    const id = `${pkg.name}@${pkg.version}`
    if (pkg.integrity === undefined || pkg.integrity.trim() === '') {
      if (allowMissing) return undefined
      throw new InstallError('E_INTEGRITY_MISSING', `${id} has no integrity (pass allowMissingIntegrity: true to install it unchecked)`, { package: id })
    }
    const entries = parseIntegrity(pkg.integrity)
    if (entries.length === 0) throw new InstallError('E_INTEGRITY_UNSUPPORTED', `${id}: integrity "${pkg.integrity}" has no well-formed sha256, sha384 or sha512 entry`, { package: id })
    return entries
  })
}

/** The bytes failed the integrity check (internal: becomes a retry or `E_INTEGRITY`). */
class IntegrityMismatch extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`integrity mismatch: expected ${expected}, got ${actual}`)
  }
}

function isRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable !== false
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Installs the packages of a plan: fetches each through `options.fetch`, checks it against
 * its `integrity`, and hands it to `options.store`, with at most `concurrency` packages in
 * progress at once.
 *
 * **Order.** A package starts as soon as every dependency in an earlier level is installed
 * (stored), not when its whole level is done. Ready packages start in the order they became
 * ready (at first: level 0, by name). Packages of one cycle start independently of each
 * other. `store` receives the bytes as read (the fetch's own array when it returned one).
 *
 * **Integrity.** Every package must have an `integrity` (SRI: `sha256-`, `sha384-`,
 * `sha512-`, several entries allowed, strongest algorithm checked, any of its digests
 * passes) unless `allowMissingIntegrity` is set; this is checked for the whole plan before
 * anything is fetched. Bytes that fail the check are fetched again `integrityRetries` times
 * (default 1: a download corrupted on the way or by a cache is fixed by fetching again; a
 * second mismatch means the source itself differs) and then fail with `E_INTEGRITY`.
 *
 * **Retries.** A fetch that rejects is retried unless the error has `retryable: false`; a
 * response with `ok: false` is retried for status 408, 425, 429 and 5xx only. Each package
 * gets `retries` retries (default 3), the n-th after {@link backoffDelay}`(n)` (exponential,
 * full jitter by default); a package waiting to retry keeps its concurrency slot. When they
 * run out: `E_FETCH`, with the last failure as `cause`.
 *
 * **Failure and cancellation.** The first failure that is not retried stops the install:
 * the signal given to in-flight `fetch` and `store` calls aborts, nothing else starts, waits
 * between retries end, and the promise rejects with that error at once (without waiting for
 * calls that ignore the signal; their results are discarded). Aborting `options.signal`
 * does the same with `E_ABORTED`. No event is emitted and no `store` call made after the
 * promise settles. Packages stored before the failure stay stored (the `done` events say
 * which).
 *
 * **Memory.** A package file is held in memory whole (to hash it, then store it), so at most
 * `concurrency` files of at most `maxBytes` each (default 1 GiB).
 *
 * @throws InstallError `E_INVALID_OPTIONS`, `E_INVALID_PLAN`, `E_INTEGRITY_MISSING`,
 *   `E_INTEGRITY_UNSUPPORTED` (before any fetch); `E_FETCH`, `E_INTEGRITY`, `E_TOO_LARGE`,
 *   `E_STORE`, `E_ABORTED`. An error thrown by `onProgress` rejects the promise as is.
 *
 * @example
 * ```ts
 * import { installPackages, planInstall } from '@torshpkg/resolve'
 * const summary = await installPackages(planInstall(lockfile), {
 *   fetch: (pkg, { signal }) => fetch(pkg.source!, { signal }),
 *   store: (pkg, bytes) => cache.put(`${pkg.name}@${pkg.version}`, bytes),
 *   concurrency: 4,
 *   onProgress: (e) => { if (e.type === 'done') console.log(`${e.packagesDone}/${e.packagesTotal} ${e.name}`) },
 * })
 * console.log(summary.installed.length, summary.bytes, summary.retries)
 * ```
 */
export async function installPackages(plan: InstallPlan, options: InstallOptions): Promise<InstallSummary> {
  const opts = resolveOptions(options)
  const { packages, waiting, dependents } = schedule(plan)
  const checks = integrityChecks(packages, options.allowMissingIntegrity === true)
  if (opts.signal?.aborted) throw new InstallError('E_ABORTED', 'install aborted before it started', { cause: opts.signal.reason })
  return run(packages, waiting, dependents, checks, opts)
}

function run(packages: PlannedPackage[], waiting: Int32Array, dependents: number[][], checks: (IntegrityEntry[] | undefined)[], opts: Resolved): Promise<InstallSummary> {
  const startedAt = performance.now()
  // One controller per package in progress (few listeners per signal), all aborted on stop.
  const active = new Set<AbortController>()
  const packagesTotal = packages.length
  const installed: InstalledPackage[] = []
  const ready: number[] = []
  let readyHead = 0
  let running = 0
  let packagesDone = 0
  let bytesDone = 0
  let bytes = 0
  let retries = 0
  let stopped = false

  waiting.forEach((n, i) => {
    if (n === 0) ready.push(i)
  })

  return new Promise<InstallSummary>((resolve, reject) => {
    const external = opts.signal
    const onExternalAbort = (): void => stop(new InstallError('E_ABORTED', 'install aborted', { cause: external?.reason }))

    function settle(): void {
      stopped = true
      external?.removeEventListener('abort', onExternalAbort)
    }

    function stop(error: unknown): void {
      if (stopped) return
      settle()
      for (const controller of active) controller.abort(error)
      reject(error)
    }

    function emit(event: InstallProgressEvent): void {
      if (stopped || !opts.onProgress) return
      try {
        opts.onProgress(event)
      } catch (error) {
        stop(error)
      }
    }

    const totals = () => ({ packagesDone, packagesTotal, bytesDone })

    async function attempt(pkg: PlannedPackage, id: string, attemptNo: number, check: IntegrityEntry[] | undefined, signal: AbortSignal): Promise<Uint8Array> {
      let received = 0
      const result = await raceAbort(call(() => opts.fetch(pkg, { signal })), signal)
      const data = await readBody(result, {
        signal,
        maxBytes: opts.maxBytes,
        id,
        attempt: attemptNo,
        onChunk: (n, totalBytes) => {
          received += n
          bytesDone += n
          const event = { type: 'bytes', name: pkg.name, version: pkg.version, bytes: n, received, ...totals() } as const
          emit(totalBytes === undefined ? event : { ...event, totalBytes })
          if (stopped) throw signal.reason
        },
      })
      if (check) {
        const match = await raceAbort(matchIntegrity(data, check), signal)
        if (!match.ok) throw new IntegrityMismatch(pkg.integrity!, match.actual)
      }
      return data
    }

    async function installOne(i: number): Promise<InstalledPackage> {
      const controller = new AbortController()
      active.add(controller)
      try {
        return await installWith(i, controller.signal)
      } finally {
        active.delete(controller)
      }
    }

    async function installWith(i: number, signal: AbortSignal): Promise<InstalledPackage> {
      const pkg = packages[i]!
      const id = `${pkg.name}@${pkg.version}`
      let fetchFailures = 0
      let integrityFailures = 0
      let data: Uint8Array | undefined
      let attemptNo = 0
      while (data === undefined) {
        attemptNo++
        emit({ type: 'start', name: pkg.name, version: pkg.version, attempt: attemptNo, ...totals() })
        if (stopped) throw signal.reason
        try {
          data = await attempt(pkg, id, attemptNo, checks[i], signal)
        } catch (error) {
          if (signal.aborted) throw signal.reason
          if (error instanceof InstallError) throw error
          if (error instanceof IntegrityMismatch) {
            if (integrityFailures++ >= opts.integrityRetries) {
              throw new InstallError('E_INTEGRITY', `${id}: ${error.message}`, { package: id, attempts: attemptNo, cause: error })
            }
          } else if (!isRetryable(error) || fetchFailures++ >= opts.retries) {
            const why = isRetryable(error) ? `after ${attemptNo} attempts` : 'not retryable'
            throw new InstallError('E_FETCH', `${id}: fetch failed (${why}): ${describe(error)}`, { package: id, attempts: attemptNo, cause: error })
          }
          const delayMs = backoffDelay(fetchFailures + integrityFailures, opts.backoff, opts.random)
          retries++
          emit({ type: 'retry', name: pkg.name, version: pkg.version, attempt: attemptNo, delayMs, error, ...totals() })
          await raceAbort(call(() => opts.sleep(delayMs, signal)), signal)
        }
      }
      if (opts.store) {
        const store = opts.store
        try {
          await raceAbort(call(() => store(pkg, data, { signal })), signal)
        } catch (error) {
          if (signal.aborted) throw signal.reason
          throw new InstallError('E_STORE', `${id}: store failed: ${describe(error)}`, { package: id, cause: error })
        }
      }
      return { name: pkg.name, version: pkg.version, bytes: data.length, attempts: attemptNo }
    }

    function onInstalled(i: number, result: InstalledPackage): void {
      if (stopped) return
      running--
      packagesDone++
      bytes += result.bytes
      installed.push(result)
      emit({ type: 'done', name: result.name, version: result.version, bytes: result.bytes, ...totals() })
      if (stopped) return
      for (const d of dependents[i]!) {
        if (--waiting[d]! === 0) ready.push(d)
      }
      if (packagesDone === packagesTotal) {
        settle()
        resolve({ installed, bytes, bytesReceived: bytesDone, retries, durationMs: performance.now() - startedAt })
      } else {
        pump()
      }
    }

    function pump(): void {
      while (!stopped && running < opts.concurrency && readyHead < ready.length) {
        const i = ready[readyHead++]!
        running++
        installOne(i).then((result) => onInstalled(i, result), stop)
      }
    }

    external?.addEventListener('abort', onExternalAbort, { once: true })
    if (packagesTotal === 0) {
      settle()
      resolve({ installed, bytes: 0, bytesReceived: 0, retries: 0, durationMs: performance.now() - startedAt })
    } else {
      pump()
    }
  })
}
