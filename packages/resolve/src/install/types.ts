/**
 * Shapes of install plans (`planInstall`) and of the installer's options, events and result
 * (`installPackages`).
 */

/** One package of an {@link InstallPlan}. */
export interface PlannedPackage {
  readonly name: string
  readonly version: string
  /** Where the package file is fetched from, as the lockfile or resolution says. */
  readonly source?: string
  /** SRI integrity of the package file, as the lockfile or resolution says. */
  readonly integrity?: string
  /**
   * Names of the packages this one needs installed first: its required dependencies and the
   * optional ones that are installed (present in the input). Sorted, no duplicates.
   */
  readonly dependencies: readonly string[]
}

/**
 * What `planInstall` returns: every package exactly once, in dependency order.
 *
 * Invariant: each dependency of a package is in an earlier level, except dependencies inside
 * a cycle, whose members share one level (and are listed together in `cycles`).
 */
export interface InstallPlan {
  /**
   * Packages grouped by depth: level 0 has no dependencies (or only its own cycle), level k
   * needs at least one package of level k-1. Each level is sorted by name.
   */
  levels: PlannedPackage[][]
  /** `levels` flattened: a topological order (dependencies first). */
  order: PlannedPackage[]
  /**
   * Dependency cycles (strongly connected components of more than one package, or a package
   * that depends on itself): the names of each, sorted; the list sorted by first name.
   */
  cycles: string[][]
}

/** Options of `planInstall`. */
export interface PlanOptions {
  /**
   * When `false`, a dependency cycle is an error (`E_CYCLE`) instead of being reported in
   * `InstallPlan.cycles`. Default `true`.
   */
  readonly allowCycles?: boolean
}

/**
 * A minimal `Response` (what `globalThis.fetch` returns), so a fetch function can return the
 * response as is. `ok: false` is a failure: retried for status 408, 425, 429 and 5xx, not
 * retried otherwise. `content-length` (without a `content-encoding`) gives `totalBytes`.
 */
export interface ResponseLike {
  readonly ok: boolean
  readonly status: number
  readonly statusText?: string
  readonly headers?: { get(name: string): string | null }
  readonly body: ReadableStream<Uint8Array> | null
  arrayBuffer(): Promise<ArrayBuffer>
}

/** What a fetch function may resolve to: the bytes, a stream of them, or a response. */
export type FetchResult = Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | ResponseLike

/**
 * The caller's way of getting a package file. It receives the package and a signal that
 * aborts when the install is cancelled or fails; pass it on (`fetch(url, { signal })`).
 * Reject with an error carrying `retryable: false` for failures that a retry cannot fix.
 */
export type PackageFetcher = (pkg: PlannedPackage, init: { readonly signal: AbortSignal }) => Promise<FetchResult>

/** The caller's way of persisting a verified package file. */
export type PackageStore = (pkg: PlannedPackage, bytes: Uint8Array, init: { readonly signal: AbortSignal }) => Promise<void>

/**
 * Exponential backoff between retries. The n-th retry (n from 1) waits up to
 * `min(maxMs, baseMs * factor^(n-1))` milliseconds (the ceiling):
 * - `jitter: 'full'` (default): a uniformly random delay in `[0, ceiling)`;
 * - `'equal'`: in `[ceiling/2, ceiling)`;
 * - `'none'`: exactly the ceiling.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. Default 200. */
  readonly baseMs?: number
  /** Largest ceiling. Default 10 000. */
  readonly maxMs?: number
  /** Growth of the ceiling per retry. Default 2. */
  readonly factor?: number
  /** Default `'full'`. */
  readonly jitter?: 'full' | 'equal' | 'none'
}

/** Fields every progress event carries: totals so far. */
export interface ProgressTotals {
  /** Packages installed (fetched, verified and stored) so far. */
  readonly packagesDone: number
  /** Packages in the plan. */
  readonly packagesTotal: number
  /**
   * Bytes received so far, all packages and attempts together (bytes of an attempt that was
   * retried stay counted): always the sum of `bytes` over the `bytes` events emitted so far.
   */
  readonly bytesDone: number
}

/** An attempt to fetch a package begins (`attempt` 1 is the first, 2 the first retry...). */
export interface InstallStartEvent extends ProgressTotals {
  readonly type: 'start'
  readonly name: string
  readonly version: string
  readonly attempt: number
}

/** A chunk of a package file arrived. */
export interface InstallBytesEvent extends ProgressTotals {
  readonly type: 'bytes'
  readonly name: string
  readonly version: string
  /** Size of this chunk. */
  readonly bytes: number
  /** Bytes of this package received so far in this attempt. */
  readonly received: number
  /** Size of the package file when known (from the response's `content-length`). */
  readonly totalBytes?: number
}

/** An attempt failed and will be retried after `delayMs`. */
export interface InstallRetryEvent extends ProgressTotals {
  readonly type: 'retry'
  readonly name: string
  readonly version: string
  /** The attempt that failed. */
  readonly attempt: number
  readonly delayMs: number
  /** Why the attempt failed. */
  readonly error: unknown
}

/** A package was fetched, verified and stored. */
export interface InstallDoneEvent extends ProgressTotals {
  readonly type: 'done'
  readonly name: string
  readonly version: string
  /** Size of the package file. */
  readonly bytes: number
}

/** What `onProgress` receives. */
export type InstallProgressEvent = InstallStartEvent | InstallBytesEvent | InstallRetryEvent | InstallDoneEvent

/** Options of `installPackages`. */
export interface InstallOptions {
  /** Fetches a package file; see {@link PackageFetcher}. */
  readonly fetch: PackageFetcher
  /** Persists a verified package file; optional (without it the bytes are dropped). */
  readonly store?: PackageStore
  /** Most packages in progress at once (fetching, verifying, storing or waiting to retry). Default 8. */
  readonly concurrency?: number
  /** Retries of a transient fetch failure, per package. Default 3. */
  readonly retries?: number
  /** Re-fetches of a package whose bytes fail the integrity check. Default 1. */
  readonly integrityRetries?: number
  readonly backoff?: BackoffOptions
  /** Largest package file accepted, in bytes. Default 1 GiB (2^30). */
  readonly maxBytes?: number
  /** Install packages that have no `integrity` without checking them. Default `false`. */
  readonly allowMissingIntegrity?: boolean
  /** Cancels the install: `E_ABORTED`. */
  readonly signal?: AbortSignal
  /** Called synchronously for each event; must not throw (a throw stops the install). */
  readonly onProgress?: (event: InstallProgressEvent) => void
  /** Source of randomness for jitter, in `[0, 1)`. Default `Math.random`. */
  readonly random?: () => number
  /**
   * Waits between retries. Default: a timer. The installer also stops waiting when the
   * install is cancelled, whether or not this function heeds `signal`.
   */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

/** One installed package in an {@link InstallSummary}. */
export interface InstalledPackage {
  readonly name: string
  readonly version: string
  /** Size of the package file. */
  readonly bytes: number
  /** Fetch attempts it took (1 when the first one succeeded). */
  readonly attempts: number
}

/** What `installPackages` resolves to. */
export interface InstallSummary {
  /** Every package of the plan, in the order they finished. */
  readonly installed: InstalledPackage[]
  /** Size of the installed package files together. */
  readonly bytes: number
  /** Bytes received, including attempts that were retried (the last `bytesDone`). */
  readonly bytesReceived: number
  /** Retries made, all packages together. */
  readonly retries: number
  /** Wall-clock time of the install. */
  readonly durationMs: number
}
