/**
 * Semver precedence (semver.org section 11) for sorting a registry's versions, without a
 * dependency: numeric major.minor.patch, then a release before its prereleases, prerelease
 * identifiers compared numerically when both are numbers, numbers before words. Build
 * metadata is ignored. Strings that are not semver sort after every version, by code unit.
 */
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

export function compareVersions(a: string, b: string): number {
  const x = SEMVER.exec(a)
  const y = SEMVER.exec(b)
  if (x === null || y === null) return x !== null ? -1 : y !== null ? 1 : a < b ? -1 : a > b ? 1 : 0
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i])
    if (d !== 0) return d < 0 ? -1 : 1
  }
  const pa = x[4]
  const pb = y[4]
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1
  const ia = pa.split('.')
  const ib = pb.split('.')
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    const p = ia[i]
    const q = ib[i]
    if (p === undefined) return -1
    if (q === undefined) return 1
    const pn = /^\d+$/.test(p)
    const qn = /^\d+$/.test(q)
    if (pn && qn) {
      const d = Number(p) - Number(q)
      if (d !== 0) return d < 0 ? -1 : 1
    } else if (pn !== qn) return pn ? -1 : 1
    else if (p !== q) return p < q ? -1 : 1
  }
  return 0
}
