import { fitsPlatform, matching, type CompiledPackage, type CompiledVersion } from './compile.js'
import type { Catalog } from './search.js'
import type { TargetPlatform, VersionPreference } from '../types.js'

/**
 * The packages of one resolution, numbered in the order their names are first seen (fetched
 * or not: the search parks edges to a package by its id until it is fetched). A fetched
 * package `id` owns variables `first(id) .. first(id) + count(id) - 1`, one per version in
 * ascending semver order. Candidate lists come out in preference order (a locked version
 * first, then newest or lowest) and without versions that do not fit the target platform.
 */
/**
 * The same string object for the same settings, resolution after resolution: it keys every
 * package's candidate memo, and a key seen before is found without hashing or comparing text.
 */
let lastSettingsKey = ''
function settingsKey(key: string): string {
  if (key !== lastSettingsKey) lastSettingsKey = key
  return lastSettingsKey
}

export class PackageCatalog implements Catalog {
  private readonly ids = new Map<string, number>()
  /** Per id: the name, and (once fetched) the package, its first variable, fits and candidates. */
  readonly names: string[] = []
  readonly packages: (CompiledPackage | undefined)[] = []
  private readonly firsts: number[] = []
  private readonly fits: (Uint8Array | undefined)[] = []
  private readonly cands: (Map<string, readonly number[]> | undefined)[] = []
  /** Per id: what the index answered (the list `packages[id]` was compiled from). */
  readonly answers: unknown[] = []
  /** Packages fetched so far. */
  fetched = 0
  private readonly settingsKey: string
  /** Variable -> its version (filled by `add`; variable 0 is unused). */
  private readonly byVar: CompiledVersion[] = [undefined as unknown as CompiledVersion]

  constructor(
    private readonly preference: VersionPreference,
    private readonly platform: TargetPlatform,
    private readonly includePrerelease: boolean,
    private readonly locked: ReadonlyMap<string, string>,
  ) {
    this.settingsKey = settingsKey(`${preference}\0${includePrerelease ? 1 : 0}\0${platform.os ?? ''}\0${platform.arch ?? ''}\0${platform.runtime ?? ''}`)
  }

  /** Names seen so far (ids are `0 .. size - 1`). */
  get size(): number {
    return this.names.length
  }

  idOf(name: string): number {
    const id = this.ids.get(name)
    if (id !== undefined) return id
    const fresh = this.names.length
    this.ids.set(name, fresh)
    this.names.push(name)
    this.packages.push(undefined)
    this.firsts.push(-1)
    this.fits.push(undefined)
    this.cands.push(undefined)
    return fresh
  }

  isFetched(id: number): boolean {
    return this.packages[id] !== undefined
  }

  /** Id of `name` when it has been fetched, else -1 (sees no new names). */
  packageId(name: string): number {
    const id = this.ids.get(name)
    return id !== undefined && this.packages[id] !== undefined ? id : -1
  }

  /** Registers fetched package `pkg` (its name's id) whose variables start at `first`; `answer` is what it was compiled from. */
  add(pkg: CompiledPackage, first: number, answer: unknown): number {
    const id = this.idOf(pkg.name)
    if (this.packages[id] !== undefined) throw new Error(`catalog: package ${pkg.name} added twice`)
    this.packages[id] = pkg
    this.answers[id] = answer
    this.firsts[id] = first
    this.fetched++
    // Candidate lists are shared by every resolution of this compiled package with the same
    // settings (preference, platform, prerelease rule, locked version).
    const locked = this.locked.size === 0 ? undefined : this.locked.get(pkg.name)
    const key = locked === undefined ? this.settingsKey : `${this.settingsKey}\0${locked}`
    let memo = pkg.preferred.get(key)
    if (memo === undefined) {
      if (pkg.preferred.size >= 64) pkg.preferred.clear() // bounded for long-lived indexes
      pkg.preferred.set(key, (memo = new Map()))
    }
    this.cands[id] = memo
    let fits: Uint8Array | undefined
    const vs = pkg.versions
    for (let i = 0; pkg.hasPlatform && i < vs.length; i++) {
      if (vs[i]!.platform === undefined || fitsPlatform(vs[i]!.platform, this.platform)) continue
      fits ??= new Uint8Array(vs.length).fill(1)
      fits[i] = 0
    }
    this.fits[id] = fits
    // Variables are numbered in the order packages arrive (variable 0 is unused).
    const byVar = this.byVar
    if (first !== byVar.length) throw new Error(`catalog: package ${pkg.name} starts at ${first}, expected ${byVar.length}`)
    for (let i = 0; i < vs.length; i++) byVar.push(vs[i]!)
    return id
  }

  first(id: number): number {
    return this.firsts[id]!
  }

  /** Versions of package `id` (0 when not fetched). */
  count(id: number): number {
    const pkg = this.packages[id]
    return pkg === undefined ? 0 : pkg.versions.length
  }

  /** The version behind variable `v`. */
  versionOf(v: number): CompiledVersion {
    return this.byVar[v]!
  }

  /** The package of variable `v` (a scan: for explanations, not the search). */
  packageOf(v: number): number {
    for (let id = 0; id < this.names.length; id++) {
      const first = this.firsts[id]!
      if (first >= 0 && v >= first && v < first + this.count(id)) return id
    }
    return -1
  }

  /** Versions of package `id` that exist but do not fit the platform, within `range`. */
  unfit(id: number, range: string): CompiledVersion[] {
    const fits = this.fits[id]
    const pkg = this.packages[id]
    if (fits === undefined || pkg === undefined) return []
    return Array.from(matching(pkg, range, this.includePrerelease))
      .filter((i) => fits[i] === 0)
      .map((i) => pkg.versions[i]!)
  }

  /** (Package `id` must be fetched.) */
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
