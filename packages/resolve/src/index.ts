/**
 * `@torshpkg/resolve`: dependency resolution for torshpkg. So far: a CDCL SAT solver usable
 * on its own (`solveCnf`, with DIMACS input through `parseDimacs`).
 *
 * @example
 * ```ts
 * import { parseDimacs, solveCnf } from '@torshpkg/resolve'
 * solveCnf(parseDimacs('p cnf 2 2\n1 2 0\n-1 0\n')) // { sat: true, model: [false, false, true] }
 * ```
 * @packageDocumentation
 */
export * from './public.js'
