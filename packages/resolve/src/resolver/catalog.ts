import { fitsPlatform, matching, type CompiledPackage, type CompiledVersion } from './compile.js'
import type { Catalog } from './search.js'
import type { TargetPlatform, VersionPreference } from '../types.js'

/**
 * The packages fetched so far in one resolution, numbered, with their variables: package `id`
 * owns variables `first[id] .. first[id] + count - 1`, one per version in ascending semver
 * order. Candidate lists come out in preference order (a locked version first, then newest or
 * lowest) and without versions that do not fit the target platform.
 */
export class PackageCatalog implements Catalog {
  private readonly ids = new Map<string, number>()
  readonly names: string[] = []
  readonly packages: CompiledPackage[] = []
  private readonly firsts: number[] = []
  private readonly fits: (Uint8Array | undefined)[] = []
  private readonly cands: Map<string, readonly number[]>[] = []
  private readonly settingsKey: string
  /** Variable -> package id (filled by `add`). */
  private readonly varPkg: number[] = [-1]

  constructor(
    private readonly preference: VersionPreference,
    private readonly platform: TargetPlatform,
    private readonly includePrerelease: boolean,
    private readonly locked: ReadonlyMap<string, string>,
  ) {
    this.settingsKey = `${preference}\0${includePrerelease ? 1 : 0}\0${platform.os ?? ''}\0${platform.arch ?? ''}\0${platform.runtime ?? ''}`
  }

  get size(): number {
    return this.names.length
  }

  /** Registers a fetched package whose variables start at `first`. */
  add(pkg: CompiledPackage, first: number): number {
    const id = this.names.length
    this.ids.set(pkg.name, id)
    this.names.push(pkg.name)
    this.packages.push(pkg)
    this.firsts.push(first)
    // Candidate lists are shared by every resolution of this compiled package with the same
    // settings (preference, platform, prerelease rule, locked version).
    const key = `${this.settingsKey}\0${this.locked.get(pkg.name) ?? ''}`
    let memo = pkg.preferred.get(key)
    if (memo === undefined) {
      if (pkg.preferred.size >= 64) pkg.preferred.clear() // bounded for long-lived indexes
      pkg.preferred.set(key, (memo = new Map()))
    }
    this.cands.push(memo)
    let fits: Uint8Array | undefined
    const vs = pkg.versions
    for (let i = 0; i < vs.length; i++) {
      if (vs[i]!.platform === undefined || fitsPlatform(vs[i]!.platform, this.platform)) continue
      fits ??= new Uint8Array(vs.length).fill(1)
      fits[i] = 0
    }
    this.fits.push(fits)
    // Variables are numbered in the order packages arrive (variable 0 is unused).
    if (first !== this.varPkg.length) throw new Error(`catalog: package ${pkg.name} starts at ${first}, expected ${this.varPkg.length}`)
    for (let i = 0; i < vs.length; i++) this.varPkg.push(id)
    return id
  }

  packageId(name: string): number {
    return this.ids.get(name) ?? -1
  }

  first(id: number): number {
    return this.firsts[id]!
  }

  count(id: number): number {
    return this.packages[id]!.versions.length
  }

  /** The version behind variable `v`. */
  versionOf(v: number): CompiledVersion {
    const id = this.varPkg[v]!
    return this.packages[id]!.versions[v - this.firsts[id]!]!
  }

  packageOf(v: number): number {
    return this.varPkg[v]!
  }

  /** Versions of package `id` that exist but do not fit the platform, within `range`. */
  unfit(id: number, range: string): CompiledVersion[] {
    const fits = this.fits[id]
    if (fits === undefined) return []
    const pkg = this.packages[id]!
    return Array.from(matching(pkg, range, this.includePrerelease))
      .filter((i) => fits[i] === 0)
      .map((i) => pkg.versions[i]!)
  }

  candidates(id: number, range: string): readonly number[] {
    const memo = this.cands[id]!
    let out = memo.get(range)
    if (out !== undefined) return out
    const pkg = this.packages[id]!
    const lockedVersion = this.locked.get(pkg.name)
    const m = matching(pkg, range, this.includePrerelease)
    const fits = this.fits[id]
    const picked: number[] = []
    let lockedIdx = -1
    const n = m.length
    for (let k = 0; k < n; k++) {
      const i = this.preference === 'newest' ? m[n - 1 - k]! : m[k]!
      if (fits !== undefined && fits[i] === 0) continue
      if (lockedVersion !== undefined && pkg.versions[i]!.version === lockedVersion) lockedIdx = i
      else picked.push(i)
    }
    if (lockedIdx >= 0) picked.unshift(lockedIdx)
    out = picked
    if (memo.size >= 4096) memo.clear() // bounded for long-lived indexes fed endless ranges
    memo.set(range, out)
    return out
  }

  edges(v: number): CompiledVersion {
    return this.versionOf(v)
  }
}
