/**
 * Public API of `@torshpkg/resolve`.
 *
 * @example
 * ```ts
 * import { parseDimacs, solveCnf } from '@torshpkg/resolve'
 * const r = solveCnf(parseDimacs('p cnf 3 3\n1 2 0\n-1 0\n-2 3 0\n'))
 * if (r.sat) console.log(r.model.slice(1)) // [false, true, true]
 * ```
 */
export { parseDimacs } from './sat/dimacs.js'
export { solveCnf } from './sat/solver.js'
export type { Cnf, DimacsCnf, DimacsOptions, SatResult, SolveOptions } from './sat/types.js'
export { DimacsError, ResolutionError, SolverLimitError } from './errors.js'
export type { ResolutionErrorCode, SatErrorCode, SolverLimit } from './errors.js'
export * from './install/index.js'
export { resolve } from './resolver/resolve.js'
export type { ResolveOptions } from './resolver/resolve.js'
export type {
  DependencyMap,
  IndexVersion,
  PackageIndex,
  PlatformMarkers,
  ResolvedPackage,
  Resolution,
  RootRequirements,
  TargetPlatform,
  VersionPreference,
} from './types.js'
export * from './lockfile/index.js'
