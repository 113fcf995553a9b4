/**
 * Install plans and the installer: `planInstall` orders a lockfile's or a resolution's
 * packages in dependency levels; `installPackages` fetches, verifies and stores them.
 *
 * @example
 * ```ts
 * import { installPackages, planInstall } from '@torshpkg/resolve'
 * const plan = planInstall(lockfile)
 * await installPackages(plan, { fetch: (pkg, { signal }) => fetch(pkg.source!, { signal }) })
 * ```
 */
export { planInstall } from './plan.js'
export { installPackages } from './installer.js'
export { backoffDelay } from './backoff.js'
export { parseIntegrity, verifyIntegrity } from './integrity.js'
export type { IntegrityAlgorithm, IntegrityEntry } from './integrity.js'
export { InstallError } from './errors.js'
export type { InstallErrorCode, InstallErrorOptions } from './errors.js'
export type {
  BackoffOptions,
  FetchResult,
  InstallBytesEvent,
  InstallDoneEvent,
  InstalledPackage,
  InstallOptions,
  InstallPlan,
  InstallProgressEvent,
  InstallRetryEvent,
  InstallStartEvent,
  InstallSummary,
  PackageFetcher,
  PackageStore,
  PlannedPackage,
  PlanOptions,
  ProgressTotals,
  ResponseLike,
} from './types.js'
