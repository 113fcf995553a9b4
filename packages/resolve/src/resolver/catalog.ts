import { fitsPlatform, matching, type CompiledPackage, type CompiledVersion } from './compile.js'
import { nameId } from './name-ids.js'
import type { Catalog } from './search.js'
import type { TargetPlatform, VersionPreference } from '../types.js'

/**
 * The same string object for the same settings, resolution after resolution: it keys every
 * package's candidate memo, and a key seen before is found without hashing or comparing text.
 */
let lastSettingsKey = ''
function settingsKey(key: string): string {
  if (key !== lastSettingsKey) lastSettingsKey = key
  return lastSettingsKey
}

/** Catalogs kept for reuse (see `PackageCatalog.acquire`), and how many names one may hold to be kept. */
const pool: PackageCatalog[] = []
const POOL_SIZE = 4
const POOL_MAX_NAMES = 1 << 16

type Memo = Map<string, readonly number[]>

/**
 * The packages of one resolution, numbered in the order their names are first seen (fetched
 * or not: the search parks edges to a package by its id until it is fetched). A fetched
 * package `id` owns variables `first(id) .. first(id) + count(id) - 1`, one per version in
 * ascending semver order. Candidate lists come out in preference order (a locked version
 * first, then newest or lowest) and without versions that do not fit the target platform.
 *
 * Catalogs are pooled like searches (`acquire` / `release`): a small resolution then allocates
 * almost nothing for its bookkeeping.
 */
export class PackageCatalog implements Catalog {
  /**
   * Package id of each process-wide name number (name-ids.ts), valid where `stampOf` holds
   * this resolution's `stamp`: a pooled catalog starts over by changing its stamp.
   */
  private localOf = new Int32Array(0)
  private stampOf = new Int32Array(0)
  private stamp = 0
  /** Ids of names the process-wide table had no number for. */
  private unnumbered: Map<string, number> | undefined
  /** Names seen so far (ids are `0 .. size - 1`; entries past it are stale). */
  size = 0
  /** Per id: the name, and (once fetched) the package, its first variable, fits and candidates. */
  readonly names: string[] = []
  readonly packages: (CompiledPackage | undefined)[] = []
  private readonly firsts: number[] = []
  private readonly counts: number[] = []
  private readonly fits: (Uint8Array | undefined)[] = []
  private readonly cands: (Memo | undefined)[] = []
  /** Per id: what the index answered (the list `packages[id]` was compiled from). */
  readonly answers: unknown[] = []
  /** Packages fetched so far. */
  fetched = 0
  private preference: VersionPreference = 'newest'
  private platform: TargetPlatform = {}
  private includePrerelease = false
  private locked: ReadonlyMap<string, string> = new Map()
  private settingsKey = ''
  /** Variable -> its version, `nVars + 1` entries (variable 0 is unused). */
  private readonly byVar: (CompiledVersion | undefined)[] = [undefined]
  private nVars = 0
  private pooled = false

  /**
   * A catalog for one resolution with these settings: a released one when there is one, or a
   * new one.
   */
  static acquire(preference: VersionPreference, platform: TargetPlatform, includePrerelease: boolean, locked: ReadonlyMap<string, string>): PackageCatalog {
    const c = pool.pop() ?? new PackageCatalog()
    c.pooled = false
    c.preference = preference
    c.platform = platform
    c.includePrerelease = includePrerelease
    c.locked = locked
    c.settingsKey = settingsKey(`${preference}\0${includePrerelease ? 1 : 0}\0${platform.os ?? ''}\0${platform.arch ?? ''}\0${platform.runtime ?? ''}`)
    if (++c.stamp === 0x7fffffff) {
      c.stampOf.fill(0)
      c.stamp = 1
    }
    return c
  }

  /**
   * Hands the catalog back for reuse: nothing of it may be used afterwards. What it holds of
   * the index's data is dropped; very large catalogs are left to the garbage collector.
   */
  release(): void {
    if (this.pooled) return
    for (let id = 0; id < this.size; id++) {
      this.packages[id] = undefined
      this.answers[id] = undefined
      this.cands[id] = undefined
      this.fits[id] = undefined
    }
    for (let v = 1; v <= this.nVars; v++) this.byVar[v] = undefined
    this.locked = NOTHING
    this.platform = NO_PLATFORM
    if (pool.length >= POOL_SIZE || this.size > POOL_MAX_NAMES) return
    this.size = 0
    this.fetched = 0
    this.nVars = 0
    this.unnumbered?.clear()
    this.pooled = true
    pool.push(this)
  }

  idOf(name: string): number {
    return this.idOfNumbered(nameId(name), name)
  }

  /** `idOf(name)` where `gid` is `nameId(name)` (known in advance for compiled edges). */
  idOfNumbered(gid: number, name: string): number {
    if (gid >= 0 && gid < this.stampOf.length && this.stampOf[gid] === this.stamp) return this.localOf[gid]!
    if (gid < 0) {
      // Compiled while the table was full; ask again, so that a name has one id however it is reached.
      gid = nameId(name)
      if (gid >= 0) return this.idOfNumbered(gid, name)
      const id = this.unnumbered?.get(name)
      if (id !== undefined) return id
    }
    const fresh = this.size++
    this.names[fresh] = name
    this.packages[fresh] = undefined
    this.firsts[fresh] = -1
    this.counts[fresh] = 0
    this.fits[fresh] = undefined
    this.cands[fresh] = undefined
    this.answers[fresh] = undefined
    if (gid < 0) {
      ;(this.unnumbered ??= new Map()).set(name, fresh)
    } else {
      if (gid >= this.stampOf.length) {
        const cap = Math.max(gid + 1, 2 * this.stampOf.length, 256)
        const stamps = new Int32Array(cap)
        stamps.set(this.stampOf)
        const locals = new Int32Array(cap)
        locals.set(this.localOf)
        this.stampOf = stamps
        this.localOf = locals
      }
      this.stampOf[gid] = this.stamp
      this.localOf[gid] = fresh
    }
    return fresh
  }

  isFetched(id: number): boolean {
    return this.packages[id] !== undefined
  }

  /** Id of `name` when it has been fetched, else -1 (sees no new names). */
  packageId(name: string): number {
    const gid = nameId(name)
    let id = -1
    if (gid < 0) id = this.unnumbered?.get(name) ?? -1
    else if (gid < this.stampOf.length && this.stampOf[gid] === this.stamp) id = this.localOf[gid]!
    return id >= 0 && this.packages[id] !== undefined ? id : -1
  }

  /** Registers fetched package `pkg` (its name's id) whose variables start at `first`; `answer` is what it was compiled from. */
  add(pkg: CompiledPackage, first: number, answer: unknown): number {
    const id = this.idOf(pkg.name)
    if (this.packages[id] !== undefined) throw new Error(`catalog: package ${pkg.name} added twice`)
    const vs = pkg.versions
    this.packages[id] = pkg
    this.answers[id] = answer
    this.firsts[id] = first
    this.counts[id] = vs.length
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
    for (let i = 0; pkg.hasPlatform && i < vs.length; i++) {
      if (vs[i]!.platform === undefined || fitsPlatform(vs[i]!.platform, this.platform)) continue
      fits ??= new Uint8Array(vs.length).fill(1)
      fits[i] = 0
    }
    this.fits[id] = fits
    // Variables are numbered in the order packages arrive (variable 0 is unused).
    if (first !== this.nVars + 1) throw new Error(`catalog: package ${pkg.name} starts at ${first}, expected ${this.nVars + 1}`)
    const byVar = this.byVar
    for (let i = 0; i < vs.length; i++) byVar[++this.nVars] = vs[i]!
    return id
  }

  first(id: number): number {
    return this.firsts[id]!
  }

  /** Versions of package `id` (0 when not fetched). */
  count(id: number): number {
    return this.counts[id]!
  }

  /** The version behind variable `v`. */
  versionOf(v: number): CompiledVersion {
    return this.byVar[v]!
  }

  /** The package of variable `v` (a scan: for explanations, not the search). */
  packageOf(v: number): number {
    for (let id = 0; id < this.size; id++) {
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

  /**
   * `candidates(id, range)` for edge `slot` of version `cv` (its dependencies, then its
   * optional ones), `id` being the edge's package: kept on the version, so that following the
   * same edge again (in this resolution or a later one with the same settings) is two array
   * reads instead of a lookup by range.
   */
  edgeCandidates(cv: CompiledVersion, slot: number, id: number, range: string): readonly number[] {
    const memo = this.cands[id]!
    const memos = (cv.edgeMemos ??= [])
    if (memos[slot] === memo) return cv.edgeLists![slot]!
    const list = this.candidates(id, range)
    memos[slot] = memo
    ;(cv.edgeLists ??= [])[slot] = list
    return list
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

const NOTHING: ReadonlyMap<string, string> = new Map()
const NO_PLATFORM: TargetPlatform = {}
