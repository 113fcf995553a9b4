/*
 * The package search: a CDCL solver specialised for choosing one version per package, in the
 * way resolvo does it (and PubGrub in spirit).
 *
 * - One variable per (package, version); variables of a package are contiguous. Literal of
 *   variable v: 2v true, 2v+1 false; `lit ^ 1` negates. `vals` is kept per literal.
 * - "At most one version per package" is not a set of clauses: when a version becomes true,
 *   propagation sets the package's other versions false with the reason AMO(that version)
 *   (encoded in `reason` as -2 - var); a clash materialises one binary clause.
 * - Clauses are made lazily: a version's dependency clauses (`¬A ∨ B1 ∨ ... ∨ Bk`, Bi the
 *   versions matching the range) are added the first time the version becomes true. When a
 *   dependency's package has not been fetched yet, the search stops before its next decision
 *   and returns `NEED`; the async driver fetches, calls `loaded`, and runs the search again.
 *   Clauses added in the middle of a search may be unit or conflicting at once; `addLive`
 *   handles both (a unit is propagated at the current level, which is sound; a conflict below
 *   the current level backjumps there first).
 * - Decisions follow the requirements, not VSIDS: the first unsatisfied requirement of a true
 *   version (in the order versions became true, roots first) gets its preferred candidate
 *   (newest by default). When every requirement holds, the remaining free variables are
 *   decided false, so only what is needed is installed. The search is deterministic.
 * - Every clause records where it came from (an `Origin`); learned clauses record the clauses
 *   they were derived from, so an unsatisfiable search yields the original clauses involved
 *   (its core), from which `explain.ts` writes the explanation.
 * - State lives in typed arrays grown geometrically (watch lists and per-version requirement
 *   lists are linked lists in them, so a clause costs no JS allocation), and a finished search
 *   is `release`d to a small pool for the next resolution: resolving a few packages then
 *   allocates almost nothing, which is most of its cost.
 */
import { ResolutionError } from '../errors.js'
import type { CompiledVersion } from './compile.js'

const TRUE = 1
const FALSE = -1
const UNDEF = 0
// mem[c] = size, mem[c + 1] = origin (>= 0: index into `origins`; < 0: a dependency edge,
// see `edgeOrigin`), mem[c + 2] = the edge's parent version; then the literals.
const HDR = 3
const NO_REASON = -1
const EMPTY: readonly number[] = []

/** Where a clause comes from. */
export type Origin =
  | { readonly kind: 'root'; readonly name: string; readonly range: string }
  | { readonly kind: 'dependency'; readonly parent: number; readonly name: string; readonly range: string }
  | { readonly kind: 'optional'; readonly parent: number; readonly name: string; readonly range: string }
  | { readonly kind: 'conflict'; readonly parent: number; readonly name: string; readonly range: string }
  | { readonly kind: 'one-version'; readonly pkg: number }
  | { readonly kind: 'learned'; readonly from: readonly number[] }

/** Origin code of the clauses of dependency edge `index` (optional or not) of a version. */
const edgeOrigin = (index: number, optional: boolean) => -1 - (2 * index + (optional ? 1 : 0))

/** Searches kept for reuse, and how big one may be to be kept (variables, clause words). */
const pool: PackageSearch[] = []
const POOL_SIZE = 4
const POOL_MAX_VARS = 1 << 18
const POOL_MAX_WORDS = 1 << 22

/** `a` grown to at least `size` entries (doubling), the new part filled with `fill`. */
function grow<T extends Int32Array | Int8Array | Uint8Array>(a: T, size: number, fill: number): T {
  if (size <= a.length) return a
  const b = new (a.constructor as new (n: number) => T)(Math.max(size, 2 * a.length, 64))
  b.set(a)
  if (fill !== 0) b.fill(fill, a.length)
  return b
}

export const SAT = 0
export const UNSAT = 1
export const NEED = 2

/** What the search needs from the package catalog (resolve.ts implements it). */
export interface Catalog {
  /** Package id of `name` (given on first sight, before the package is fetched). */
  idOf(name: string): number
  /** `idOf(name)` where `gid` is the process-wide number of `name` (see name-ids.ts). */
  idOfNumbered(gid: number, name: string): number
  /** Has package `id` been fetched? */
  isFetched(id: number): boolean
  /** Name of package `id`. */
  readonly names: readonly string[]
  /** First variable of fetched package `id` (its versions are `first .. first + count - 1`). */
  first(id: number): number
  /** Number of versions of package `id` (0 when not fetched). */
  count(id: number): number
  /**
   * Versions of package `id` that satisfy `range` and fit the platform, most preferred first,
   * as indices from `first(id)`. The array may be shared: never modified.
   */
  candidates(id: number, range: string): readonly number[]
  /** `candidates(id, range)` of edge `slot` of `cv` (dependencies, then optional ones), memoized on the version. */
  edgeCandidates(cv: CompiledVersion, slot: number, id: number, range: string): readonly number[]
  /** The version behind variable `v` (its dependencies, their name numbers, conflicts). */
  edges(v: number): CompiledVersion
}

export interface SearchLimits {
  maxConflicts: number
  deadline: number
  signal: AbortSignal | undefined
}

export class PackageSearch {
  // Per variable (and per literal for `vals` and `watchHead`); variable 0 is unused.
  nVars = 0
  private cap = 0
  /** Per literal: TRUE, FALSE or UNDEF. */
  vals = new Int8Array(0)
  level = new Int32Array(0)
  reason = new Int32Array(0)
  pkgOf = new Int32Array(0)
  private created = new Uint8Array(0)
  private seen = new Uint8Array(0)
  /** Per version: dependency edges parked until their package is fetched. */
  private parked = new Int32Array(0)
  /** Per version: its requirements as a linked list (first, last; `reqNext` links them). */
  private reqHead = new Int32Array(0)
  private reqTail = new Int32Array(0)
  /** Per literal: first node of the list of clauses to visit when the literal becomes true. */
  private watchHead = new Int32Array(0)
  /** Watch nodes, three entries each: clause, blocker literal, next node (-1 ends a list). */
  private watchNodes = new Int32Array(3 * 64)
  private watchTop = 0
  private trail = new Int32Array(0)
  trailLen = 0
  private qhead = 0
  dl = 0
  // Per decision level: where the trail, the active requirements and the two decision cursors were.
  private trailLim: number[] = []
  private activeLim: number[] = []
  private ptrLim: number[] = []
  private freeLim: number[] = []
  mem = new Int32Array(256)
  private top = 0
  /** Origins of clauses, `nOrigins` of them (entries past it are stale: kept, not cleared, for reuse). */
  private readonly origins: Origin[] = []
  private nOrigins = 0
  // Requirements the decision heuristic tries to satisfy (some candidate true), as parallel
  // arrays: candidates are version indices (variable = base + index), most preferred first.
  // One that has no free candidate left is an optional dependency that cannot be met: skipped.
  private readonly reqCands: (readonly number[])[] = []
  private readonly reqBase: number[] = []
  private readonly reqNext: number[] = []
  private nReqs = 0
  private active: number[] = []
  private activeLen = 0
  private ptr = 0
  private freePtr = 1
  /**
   * Packages (ids) a true version depends on that are not fetched yet, each once: the driver
   * fetches the first `nWanted` (entries past it are stale).
   */
  readonly wanted: number[] = []
  nWanted = 0
  /** Per package not fetched yet: edges to it, as (parent version, 2 * index + optional) pairs. */
  private readonly dormantEdges: (number[] | undefined)[] = []
  /**
   * Per package: the last `round` it was put in `wanted`. Rounds count up over the life of the
   * search object, pooled reuses included, so this array never needs clearing.
   */
  private readonly wantedRound: number[] = []
  private round = 1
  /** Per package not fetched yet: conflicts declared against it (added if it ever is). */
  private readonly dormant: ({ parent: number; range: string }[] | undefined)[] = []
  /** Package ids below this may have `dormantEdges` / `dormant` entries (cleared up to it). */
  private idLimit = 0
  /** Edges of packages just fetched, to add in `resume` (pairs as in `dormantEdges`), `nWoken` entries. */
  private readonly woken: number[] = []
  private nWoken = 0
  /** Versions found false at level 0 by a clause, to generalise from (see `generalise`); `nRefuted` entries. */
  private readonly refuted: number[] = []
  private nRefuted = 0
  private refutedHead = 0
  /** Packages whose versions all have their clauses (see `generalise`). */
  private readonly expanded = new Set<number>()
  /** Clause found false when added, to analyse before anything else. */
  private liveConflict = -1
  /** The final conflict (a clause false at level 0) once the search proves UNSAT. */
  finalConflict = -1
  conflicts = 0
  /** Set when unsatisfiability was proven outside `run` (while adding clauses). */
  private proven = -1
  /** Scratch for clauses being built (never kept: `alloc` copies). */
  private readonly pair: number[] = [0, 0]
  private readonly lits: number[] = []
  private pooled = false

  constructor(
    private catalog: Catalog,
    private limits: SearchLimits,
  ) {}

  /** A search for `catalog`: a released one when there is one (it is cleared), or a new one. */
  static acquire(catalog: Catalog, limits: SearchLimits): PackageSearch {
    const s = pool.pop()
    if (s === undefined) return new PackageSearch(catalog, limits)
    s.pooled = false
    s.catalog = catalog
    s.limits = limits
    return s
  }

  /**
   * Hands the search back for reuse: nothing of it may be used afterwards. Searches that grew
   * very large are left to the garbage collector instead of being kept.
   */
  release(): void {
    if (this.pooled || pool.length >= POOL_SIZE || this.cap > POOL_MAX_VARS || this.mem.length > POOL_MAX_WORDS) return
    this.clear()
    this.pooled = true
    pool.push(this)
  }

  /** Back to the state of a new search, keeping the arrays (only their used parts are reset). */
  private clear(): void {
    // Loops rather than `fill`: most searches are small, and a loop has no call overhead.
    const n = this.nVars
    const { vals, watchHead, created, parked, reqHead, reqCands } = this
    for (let i = 0; i < 2 * n + 2; i++) vals[i] = UNDEF
    for (let i = 0; i < 2 * n + 2; i++) watchHead[i] = -1
    for (let i = 0; i <= n; i++) created[i] = 0
    for (let i = 0; i <= n; i++) parked[i] = 0
    for (let i = 0; i <= n; i++) reqHead[i] = -1
    for (let i = 0; i < this.nReqs; i++) reqCands[i] = EMPTY
    this.nVars = 0
    this.nReqs = 0
    this.watchTop = 0
    this.top = 0
    this.trailLen = 0
    this.qhead = 0
    this.dl = 0
    this.activeLen = 0
    this.ptr = 0
    this.freePtr = 1
    // Arrays are kept at their size and cleared by counters ("length = 0" frees their store).
    this.nOrigins = 0
    this.nWanted = 0
    this.round++
    const { dormantEdges, dormant } = this
    for (let i = 0; i < this.idLimit; i++) {
      dormantEdges[i] = undefined
      dormant[i] = undefined
    }
    this.idLimit = 0
    this.nWoken = 0
    this.nRefuted = 0
    this.refutedHead = 0
    if (this.expanded.size > 0) this.expanded.clear()
    this.liveConflict = -1
    this.finalConflict = -1
    this.conflicts = 0
    this.proven = -1
    this.coreMemo = undefined
  }

  // ---- variables and packages -------------------------------------------------------------

  /** Makes `count` fresh variables for package `pkg`; returns the first. */
  addVariables(pkg: number, count: number): number {
    const first = this.nVars + 1
    const last = this.nVars + count
    if (last >= this.cap) this.growVariables(last + 1)
    this.pkgOf.fill(pkg, first, last + 1)
    this.nVars = last
    return first
  }

  private growVariables(size: number): void {
    const cap = Math.max(size, 2 * this.cap, 64)
    this.vals = grow(this.vals, 2 * cap, UNDEF)
    this.watchHead = grow(this.watchHead, 2 * cap, -1)
    this.level = grow(this.level, cap, 0)
    this.reason = grow(this.reason, cap, NO_REASON)
    this.pkgOf = grow(this.pkgOf, cap, -1)
    this.created = grow(this.created, cap, 0)
    this.seen = grow(this.seen, cap, 0)
    this.parked = grow(this.parked, cap, 0)
    this.reqHead = grow(this.reqHead, cap, -1)
    this.reqTail = grow(this.reqTail, cap, -1)
    this.trail = grow(this.trail, cap, 0) // every variable is on the trail at most once
    this.cap = cap
  }

  /** Package `id` was fetched: wake what was waiting for it (edges are added by `resume`). */
  loaded(id: number): void {
    const edges = this.dormantEdges[id]
    if (edges !== undefined) {
      this.dormantEdges[id] = undefined
      const woken = this.woken
      for (let i = 0; i < edges.length; i++) woken[this.nWoken++] = edges[i]!
    }
    const waiting = this.dormant[id]
    if (waiting === undefined) return
    this.dormant[id] = undefined
    for (const w of waiting) this.addConflicts(w.parent, id, this.catalog.names[id]!, w.range)
  }

  // ---- clauses ----------------------------------------------------------------------------

  private alloc(lits: ArrayLike<number>, len: number, origin: number, parent = 0): number {
    const need = this.top + HDR + len
    if (need > this.mem.length) this.mem = grow(this.mem, need, 0)
    const mem = this.mem
    const cr = this.top
    mem[cr] = len
    mem[cr + 1] = origin
    mem[cr + 2] = parent
    for (let k = 0; k < len; k++) mem[cr + HDR + k] = lits[k]!
    this.top = need
    return cr
  }

  /** Visit clause `cr` when `lit` becomes true (`blocker`: a literal of it that, true, means "skip"). */
  private watch(lit: number, cr: number, blocker: number): void {
    const n = this.watchTop
    if (n + 3 > this.watchNodes.length) this.watchNodes = grow(this.watchNodes, n + 3, 0)
    const wn = this.watchNodes
    wn[n] = cr
    wn[n + 1] = blocker
    wn[n + 2] = this.watchHead[lit]!
    this.watchHead[lit] = n
    this.watchTop = n + 3
  }

  private origin(o: Origin): number {
    this.origins[this.nOrigins] = o
    return this.nOrigins++
  }

  /** Rank of a literal as a watch: true, then unassigned, then false at higher levels first. */
  private rank(lit: number): number {
    const v = this.vals[lit]!
    if (v === TRUE) return 0x7fffffff
    if (v === UNDEF) return 0x7ffffffe
    return this.level[lit >> 1]!
  }

  /**
   * Adds a clause at any point of the search. Handles the clause being satisfied, unit (the
   * literal is implied now) or false (recorded in `liveConflict`, analysed next). The literals
   * must be distinct and not contain both a literal and its negation (callers build clauses
   * from distinct variables, so this holds by construction).
   */
  addLive(lits: number[], n: number, origin: number, parent = 0): number {
    // Best two watches to the front (in place: callers pass scratch arrays).
    let b0 = -1
    let r0 = -1
    let b1 = -1
    let r1 = -1
    for (let k = 0; k < n; k++) {
      const r = this.rank(lits[k]!)
      if (r > r0) { b1 = b0; r1 = r0; b0 = k; r0 = r }
      else if (r > r1) { b1 = k; r1 = r }
    }
    if (b0 > 0) { const t = lits[0]!; lits[0] = lits[b0]!; lits[b0] = t; if (b1 === 0) b1 = b0 }
    if (b1 > 1) { const t = lits[1]!; lits[1] = lits[b1]!; lits[b1] = t }
    const cr = this.alloc(lits, n, origin, parent)
    if (n === 0) {
      this.liveConflict = cr
      return cr
    }
    if (n >= 2) {
      this.watch(lits[0]! ^ 1, cr, lits[1]!)
      this.watch(lits[1]! ^ 1, cr, lits[0]!)
    }
    const v0 = this.vals[lits[0]!]!
    if (v0 === FALSE) {
      if (this.liveConflict < 0) this.liveConflict = cr
    } else if (v0 === UNDEF && (n === 1 || this.vals[lits[1]!] === FALSE)) {
      if (n === 1 && this.dl > 0) {
        // A fact: it belongs at level 0 so that no backjump forgets it.
        this.cancelUntil(0)
      }
      this.assign(lits[0]!, cr)
    }
    return cr
  }

  /** Adds `name` (ranged) as a root requirement at level 0, before the search starts. */
  addRoot(name: string, range: string, soft: boolean): void {
    const id = this.catalog.idOf(name)
    const fetched = this.catalog.isFetched(id) // (roots are fetched first: false only when the index has no such package)
    const cands = fetched ? this.catalog.candidates(id, range) : EMPTY
    const base = fetched ? this.catalog.first(id) : 0
    if (soft) {
      if (cands.length > 0) this.activate(this.requirement(cands, base))
      return
    }
    const lits = this.scratchLits(cands.length)
    for (let k = 0; k < cands.length; k++) lits[k] = 2 * (base + cands[k]!)
    this.addLive(lits, cands.length, this.origin({ kind: 'root', name, range }))
    this.activate(this.requirement(cands, base))
  }

  private requirement(cands: readonly number[], base: number): number {
    const r = this.nReqs++
    this.reqCands[r] = cands
    this.reqBase[r] = base
    this.reqNext[r] = -1
    return r
  }

  private activate(id: number): void {
    this.active[this.activeLen++] = id
  }

  /**
   * Clauses of version `v`, made the first time it is true (or when `generalise` asks): edges
   * to fetched packages now, edges to others when they are fetched. Nothing is fetched here.
   */
  private create(v: number): void {
    this.created[v] = 1
    const e = this.catalog.edges(v)
    const nDeps = e.dependencies.length
    for (let i = 0; i < nDeps; i++) this.edge(v, e, i, false)
    const nOpt = e.optionalDependencies.length
    for (let i = 0; i < nOpt; i++) this.edge(v, e, i, true)
    const conflicts = e.conflicts
    for (let i = 0; i < conflicts.length; i++) {
      const name = conflicts[i]![0]
      const range = conflicts[i]![1]
      const id = this.catalog.idOf(name)
      if (this.catalog.isFetched(id)) this.addConflicts(v, id, name, range)
      else {
        if (id >= this.idLimit) this.idLimit = id + 1
        ;(this.dormant[id] ??= []).push({ parent: v, range })
      }
    }
  }

  /**
   * Adds the clauses of dependency `index` (optional or not) of version `v` (`cv`), or parks it
   * until its package is fetched.
   */
  private edge(v: number, cv: CompiledVersion, index: number, optional: boolean): void {
    const dep = (optional ? cv.optionalDependencies : cv.dependencies)[index]!
    const id = this.catalog.idOfNumbered((optional ? cv.optionalIds : cv.dependencyIds)[index]!, dep[0])
    if (!this.catalog.isFetched(id)) {
      const edges = this.dormantEdges[id]
      if (id >= this.idLimit) this.idLimit = id + 1
      if (edges === undefined) this.dormantEdges[id] = [v, 2 * index + (optional ? 1 : 0)]
      else edges.push(v, 2 * index + (optional ? 1 : 0))
      this.parked[v] = this.parked[v]! + 1
      return
    }
    const cands = this.catalog.edgeCandidates(cv, optional ? cv.dependencies.length + index : index, id, dep[1])
    const base = this.catalog.first(id)
    const o = edgeOrigin(index, optional)
    if (!optional) {
      const lits = this.scratchLits(cands.length + 1)
      lits[0] = 2 * v + 1
      let selfInRange = false // a version depending on its own package, in range: always true
      for (let k = 0; k < cands.length; k++) {
        const w = base + cands[k]!
        if (w === v) selfInRange = true
        lits[k + 1] = 2 * w
      }
      if (!selfInRange) this.addLive(lits, cands.length + 1, o, v)
    } else {
      // Optional: when installed it must be in range (¬v ∨ ¬w for each w out of range).
      const count = this.catalog.count(id)
      const inRange = new Set(cands)
      for (let i = 0; i < count; i++) {
        if (inRange.has(i)) continue
        const w = base + i
        if (w === v) this.addBinary(2 * v + 1, -1, o, v) // its own package, out of its own range
        else this.addBinary(2 * v + 1, 2 * w + 1, o, v)
      }
    }
    const req = this.requirement(cands, base)
    if (this.reqHead[v]! < 0) this.reqHead[v] = req
    else this.reqNext[this.reqTail[v]!] = req
    this.reqTail[v] = req
    if (this.vals[2 * v] === TRUE) this.activate(req)
  }

  /** A scratch array of at least `n` entries (grown by push, never shrunk). */
  private scratchLits(n: number): number[] {
    const lits = this.lits
    while (lits.length < n) lits.push(0)
    return lits
  }

  /** `addLive` of the clause (a ∨ b), or of (a) when b is -1. */
  private addBinary(a: number, b: number, origin: number, parent: number): void {
    const pair = this.pair
    pair[0] = a
    pair[1] = b
    this.addLive(pair, b < 0 ? 1 : 2, origin, parent)
  }

  private addConflicts(v: number, id: number, name: string, range: string): void {
    const cands = this.catalog.candidates(id, range)
    if (cands.length === 0) return
    const base = this.catalog.first(id)
    const o = this.origin({ kind: 'conflict', parent: v, name, range })
    for (const i of cands) if (base + i !== v) this.addBinary(2 * v + 1, 2 * (base + i) + 1, o, 0)
  }

  // ---- assignment and propagation --------------------------------------------------------

  private assign(lit: number, from: number): void {
    this.vals[lit] = TRUE
    this.vals[lit ^ 1] = FALSE
    const v = lit >> 1
    this.level[v] = this.dl
    this.reason[v] = from
    this.trail[this.trailLen++] = lit
    if (this.dl === 0 && (lit & 1) === 1 && from >= 0) this.refuted[this.nRefuted++] = v
  }

  /** Unit propagation (plus at-most-one and lazy clause creation); returns a conflict or -1. */
  private propagate(): number {
    const vals = this.vals
    while (this.qhead < this.trailLen) {
      const p = this.trail[this.qhead++]!
      if ((p & 1) === 0) {
        // A version became true: its siblings become false, its requirements become active.
        const v = p >> 1
        const pkg = this.pkgOf[v]!
        const first = this.catalog.first(pkg)
        const end = first + this.catalog.count(pkg)
        for (let u = first; u < end; u++) {
          if (u === v) continue
          const val = vals[2 * u]!
          if (val === TRUE) {
            return this.alloc([2 * v + 1, 2 * u + 1], 2, this.origin({ kind: 'one-version', pkg }))
          }
          if (val === UNDEF) this.assign(2 * u + 1, -2 - v)
        }
        if (this.created[v] === 0) {
          this.create(v)
          if (this.liveConflict >= 0) {
            const c = this.liveConflict
            this.liveConflict = -1
            return c
          }
          if (vals[p] !== TRUE) continue // a new fact sent the search back to level 0
        } else {
          for (let r = this.reqHead[v]!; r >= 0; r = this.reqNext[r]!) this.activate(r)
        }
        // What it depends on must be fetched before the next decision.
        if (this.parked[v]! > 0) this.want(v)
      }
      const c = this.propagateWatches(p)
      if (c >= 0) return c
    }
    return -1
  }

  /** Asks for the packages version `v` depends on that are not fetched yet. */
  private want(v: number): void {
    const e = this.catalog.edges(v)
    this.wantAll(e.dependencies, e.dependencyIds)
    this.wantAll(e.optionalDependencies, e.optionalIds)
  }

  private wantAll(deps: ReadonlyArray<readonly [string, string]>, gids: Int32Array): void {
    for (let i = 0; i < deps.length; i++) {
      const id = this.catalog.idOfNumbered(gids[i]!, deps[i]![0])
      if (this.catalog.isFetched(id) || this.wantedRound[id] === this.round) continue
      this.wantedRound[id] = this.round
      this.wanted[this.nWanted++] = id
    }
  }

  /** Visits the clauses watching `p` (just made true), moving watches off `¬p` where it can. */
  private propagateWatches(p: number): number {
    const mem = this.mem
    const vals = this.vals
    const wn = this.watchNodes
    const head = this.watchHead
    const falseLit = p ^ 1
    let prev = -1
    let n = head[p]!
    while (n >= 0) {
      const next = wn[n + 2]!
      const cr = wn[n]!
      const blocker = wn[n + 1]!
      if (vals[blocker] === TRUE) { prev = n; n = next; continue }
      const b = cr + HDR
      let first = mem[b]!
      if (first === falseLit) { first = mem[b + 1]!; mem[b] = first; mem[b + 1] = falseLit }
      if (first !== blocker && vals[first] === TRUE) { wn[n + 1] = first; prev = n; n = next; continue }
      const end = b + mem[cr]!
      let k = b + 2
      while (k < end && vals[mem[k]!] === FALSE) k++
      if (k < end) {
        // A new watch: the node moves from p's list to the list of the new literal's negation.
        const l = mem[k]!
        mem[b + 1] = l
        mem[k] = falseLit
        if (prev < 0) head[p] = next
        else wn[prev + 2] = next
        wn[n + 1] = first
        wn[n + 2] = head[l ^ 1]!
        head[l ^ 1] = n
        n = next
        continue
      }
      wn[n + 1] = first
      if (vals[first] === FALSE) return cr
      this.assign(first, cr)
      prev = n
      n = next
    }
    return -1
  }

  // ---- conflicts --------------------------------------------------------------------------

  /**
   * The literals of `v`'s reason other than `v`'s own, into `others[0 .. nOthers)` (an AMO
   * reason has one). Returns the reason clause, or -1 for an AMO reason.
   */
  private reasonOthers(v: number): number {
    const r = this.reason[v]!
    const others = this.others
    if (r <= -2) {
      others[0] = 2 * (-2 - r) + 1
      this.nOthers = 1
      return -1
    }
    const mem = this.mem
    let n = 0
    for (let k = r + HDR + 1; k < r + HDR + mem[r]!; k++) others[n++] = mem[k]!
    this.nOthers = n
    return r
  }

  /** Records what a learned clause depends on: a clause, a level-0 variable, or an AMO use. */
  private static tagClause = (cr: number) => cr * 4
  private static tagVar = (v: number) => v * 4 + 1
  private static tagAmo = (pkg: number) => pkg * 4 + 2

  /**
   * First-UIP analysis. Returns the learned clause (asserting literal first, the literal of the
   * backjump level second) and its antecedents.
   */
  private analyze(confl: number): { lits: number[]; n: number; from: number[]; bt: number } {
    const seen = this.seen
    const level = this.level
    const from: number[] = [] // kept by the learned clause's origin
    const learned = this.learned // scratch: `alloc` copies the clause
    const others = this.others
    this.nLearned = 1
    this.nToClear = 0
    let p = -1
    let idx = this.trailLen - 1
    from.push(PackageSearch.tagClause(confl))
    let pathC = this.mark(this.mem, confl + HDR, confl + HDR + this.mem[confl]!, from)
    for (;;) {
      while (seen[this.trail[idx]! >> 1] === 0 || level[this.trail[idx]! >> 1] !== this.dl) idx--
      p = this.trail[idx--]!
      pathC--
      if (pathC <= 0) break
      const r = this.reasonOthers(p >> 1)
      from.push(r >= 0 ? PackageSearch.tagClause(r) : PackageSearch.tagAmo(this.pkgOf[p >> 1]!))
      pathC += this.mark(others, 0, this.nOthers, from)
    }
    learned[0] = p ^ 1
    // Local minimisation: drop a literal whose reason's other literals are all in the clause.
    let j = 1
    const nLearned = this.nLearned
    for (let i = 1; i < nLearned; i++) {
      const v = learned[i]! >> 1
      if (this.reason[v] === NO_REASON) { learned[j++] = learned[i]!; continue }
      const r = this.reasonOthers(v)
      const nOthers = this.nOthers
      let redundant = true
      for (let k = 0; k < nOthers; k++) if (seen[others[k]! >> 1] === 0 && level[others[k]! >> 1]! > 0) { redundant = false; break }
      if (!redundant) { learned[j++] = learned[i]!; continue }
      from.push(r >= 0 ? PackageSearch.tagClause(r) : PackageSearch.tagAmo(this.pkgOf[v]!))
      for (let k = 0; k < nOthers; k++) if (level[others[k]! >> 1] === 0) from.push(PackageSearch.tagVar(others[k]! >> 1))
    }
    const toClear = this.toClear
    for (let k = 0; k < this.nToClear; k++) seen[toClear[k]!] = 0
    let bt = 0
    if (j > 1) {
      let mi = 1
      for (let i = 2; i < j; i++) if (level[learned[i]! >> 1]! > level[learned[mi]! >> 1]!) mi = i
      const t = learned[mi]!
      learned[mi] = learned[1]!
      learned[1] = t
      bt = level[t >> 1]!
    }
    return { lits: learned, n: j, from, bt }
  }

  // Scratch of `analyze` (the search is single-threaded, and analyze is not re-entered), used
  // up to their counts: shortening a JS array (`length = 0`) is a runtime call, a count is not.
  private readonly learned: number[] = [0]
  private nLearned = 0
  private readonly toClear: number[] = []
  private nToClear = 0
  private readonly others: number[] = []
  private nOthers = 0

  /**
   * Marks the variables of `lits[start..end)` seen during analysis: level-0 ones are recorded in
   * `from`, lower-level ones join the learned clause. Returns how many are at the current level.
   */
  private mark(lits: ArrayLike<number>, start: number, end: number, from: number[]): number {
    const seen = this.seen
    const level = this.level
    let atLevel = 0
    for (let k = start; k < end; k++) {
      const q = lits[k]!
      const v = q >> 1
      if (seen[v] !== 0) continue
      seen[v] = 1
      this.toClear[this.nToClear++] = v
      if (level[v] === 0) from.push(PackageSearch.tagVar(v))
      else if (level[v]! >= this.dl) atLevel++
      else this.learned[this.nLearned++] = q
    }
    return atLevel
  }

  private cancelUntil(lvl: number): void {
    if (this.dl <= lvl) return
    const lim = this.trailLim[lvl]!
    for (let c = this.trailLen - 1; c >= lim; c--) {
      const lit = this.trail[c]!
      this.vals[lit] = UNDEF
      this.vals[lit ^ 1] = UNDEF
    }
    this.trailLen = this.qhead = lim
    this.activeLen = this.activeLim[lvl]!
    this.ptr = this.ptrLim[lvl]!
    this.freePtr = this.freeLim[lvl]!
    this.dl = lvl
  }

  /** Max level of a clause's literals (all false). */
  private clauseLevel(cr: number): number {
    let m = 0
    for (let k = cr + HDR; k < cr + HDR + this.mem[cr]!; k++) m = Math.max(m, this.level[this.mem[k]! >> 1]!)
    return m
  }

  /** Learns from a conflict; false when the conflict is at level 0 (unsatisfiable). */
  private resolveConflict(confl: number): boolean {
    this.conflicts++
    if (this.mem[confl] === 0) { this.finalConflict = confl; return false }
    const lvl = this.clauseLevel(confl)
    if (lvl === 0) { this.finalConflict = confl; return false }
    this.cancelUntil(lvl)
    const { lits, n, from, bt } = this.analyze(confl)
    this.cancelUntil(bt)
    const o = this.origin({ kind: 'learned', from })
    const cr = this.alloc(lits, n, o)
    if (n >= 2) {
      this.watch(lits[0]! ^ 1, cr, lits[1]!)
      this.watch(lits[1]! ^ 1, cr, lits[0]!)
    }
    this.assign(lits[0]!, cr)
    return true
  }

  private checkLimits(): void {
    const l = this.limits
    if (this.conflicts >= l.maxConflicts) throw new ResolutionError('E_LIMIT', `resolve: gave up after ${this.conflicts} conflicts (maxConflicts)`)
    if ((this.conflicts & 255) === 0) {
      if (l.signal?.aborted) throw new ResolutionError('E_ABORTED', 'resolve: aborted', { cause: l.signal.reason })
      if (Date.now() > l.deadline) throw new ResolutionError('E_LIMIT', 'resolve: gave up (timeoutMs)')
    }
  }

  // ---- the search -------------------------------------------------------------------------

  /**
   * Runs until the answer is known (SAT/UNSAT) or a package must be fetched first (NEED: see
   * `wanted`; call `resume` once the packages are `loaded`).
   */
  run(): number {
    if (this.proven === UNSAT) return UNSAT
    for (;;) {
      let confl = this.liveConflict
      this.liveConflict = -1
      if (confl < 0) confl = this.propagate()
      if (confl >= 0) {
        if (!this.resolveConflict(confl)) return UNSAT
        this.checkLimits()
        continue
      }
      if (this.dl === 0 && this.refutedHead < this.nRefuted) {
        this.generalise()
        continue
      }
      if (this.nWanted > 0) return NEED
      if (!this.decide()) return SAT
    }
  }

  /**
   * A version refuted for good (false at level 0 by a clause) whose dependency has no possible
   * candidate left says something about its siblings too: they probably depend on the same
   * package in a similar way. So the clauses of every version of its package are made now,
   * and what they imply at level 0 follows at once. This is what turns PubGrub's backtracking
   * benchmarks (chains of single-version requirements, ranges that all lead to a dead end)
   * from one refutation per version into one pass over the packages.
   */
  private generalise(): void {
    const vals = this.vals
    while (this.refutedHead < this.nRefuted && this.liveConflict < 0) {
      const v = this.refuted[this.refutedHead++]!
      const pkg = this.pkgOf[v]!
      if (this.expanded.has(pkg)) continue
      let dead = false
      const e = this.catalog.edges(v)
      const deps = e.dependencies
      for (let i = 0; i < deps.length; i++) {
        const id = this.catalog.idOfNumbered(e.dependencyIds[i]!, deps[i]![0])
        if (!this.catalog.isFetched(id)) continue
        const cands = this.catalog.edgeCandidates(e, i, id, deps[i]![1])
        const base = this.catalog.first(id)
        dead = true
        for (let k = 0; k < cands.length && dead; k++) {
          const w = base + cands[k]!
          dead = vals[2 * w] === FALSE && this.level[w] === 0
        }
        if (dead) break
      }
      if (!dead) continue
      this.expanded.add(pkg)
      const first = this.catalog.first(pkg)
      const end = first + this.catalog.count(pkg)
      for (let u = first; u < end && this.liveConflict < 0; u++) if (this.created[u] === 0) this.create(u)
    }
  }

  /** Adds the edges that were waiting for packages now fetched. */
  resume(): void {
    const edges = this.woken
    const n = this.nWoken
    this.nWoken = 0
    this.nWanted = 0
    this.round++
    for (let i = 0; i < n; i += 2) {
      if (this.proven === UNSAT) break
      const parent = edges[i]!
      const code = edges[i + 1]!
      this.parked[parent] = this.parked[parent]! - 1
      this.edge(parent, this.catalog.edges(parent), code >> 1, (code & 1) === 1)
      const c = this.liveConflict
      if (c >= 0) {
        this.liveConflict = -1
        if (!this.resolveConflict(c)) this.proven = UNSAT
      }
    }
  }

  private newLevel(): void {
    const dl = this.dl
    this.trailLim[dl] = this.trailLen
    this.activeLim[dl] = this.activeLen
    this.ptrLim[dl] = this.ptr
    this.freeLim[dl] = this.freePtr
    this.dl = dl + 1
  }

  /** Makes the next decision; false when there is nothing left to decide. */
  private decide(): boolean {
    const vals = this.vals
    if (this.dl === 0) this.dropSettled()
    while (this.ptr < this.activeLen) {
      const r = this.active[this.ptr]!
      const cands = this.reqCands[r]!
      const base = this.reqBase[r]!
      let free = -1
      let satisfied = false
      for (let k = 0; k < cands.length; k++) {
        const w = base + cands[k]!
        const val = vals[2 * w]!
        if (val === TRUE) { satisfied = true; break }
        if (val === UNDEF && free < 0) free = w
      }
      if (satisfied || free < 0) { this.ptr++; continue } // (no free candidate: an optional one that cannot be met)
      this.newLevel()
      this.assign(2 * free, NO_REASON)
      return true
    }
    while (this.freePtr <= this.nVars) {
      const v = this.freePtr
      if (vals[2 * v] === UNDEF) {
        this.newLevel()
        this.assign(2 * v + 1, NO_REASON)
        return true
      }
      this.freePtr++
    }
    return false
  }

  /**
   * At level 0, before a decision: drops the active requirements from `ptr` on that are met
   * (or can no longer be: an optional one) at level 0, which no backjump undoes, keeping the
   * others in order. Without it every backjump to level 0 (each conflict that learns a unit) scanned
   * them all again at the levels above: on a registry graph most requirements are met at level
   * 0 and conflicts grow with its size, so 40,000 packages cost 7.8 M requirement visits, half
   * of the search.
   */
  private dropSettled(): void {
    const vals = this.vals
    const active = this.active
    let kept = this.ptr
    for (let p = this.ptr; p < this.activeLen; p++) {
      const r = active[p]!
      const cands = this.reqCands[r]!
      const base = this.reqBase[r]!
      let open = false
      let met = false
      for (let k = 0; k < cands.length; k++) {
        const val = vals[2 * (base + cands[k]!)]!
        if (val === TRUE) { met = true; break }
        if (val === UNDEF) open = true
      }
      if (!met && open) active[kept++] = r
    }
    this.activeLen = kept
  }

  /** The true variable of package `pkg`, or -1. */
  chosen(pkg: number): number {
    const first = this.catalog.first(pkg)
    const end = first + this.catalog.count(pkg)
    for (let v = first; v < end; v++) if (this.vals[2 * v] === TRUE) return v
    return -1
  }

  /** Where a clause came from. */
  originOf(cr: number): Origin {
    const code = this.mem[cr + 1]!
    if (code >= 0) return this.origins[code]!
    const k = -1 - code
    const parent = this.mem[cr + 2]!
    const e = this.catalog.edges(parent)
    const optional = (k & 1) === 1
    const [name, range] = (optional ? e.optionalDependencies : e.dependencies)[k >> 1]!
    return { kind: optional ? 'optional' : 'dependency', parent, name, range }
  }

  /** The original clauses behind the final conflict (their origins), and the packages whose AMO was used. */
  core(): { origins: Origin[]; oneVersion: Set<number> } {
    // Asked twice on failure (the conflicting roots, then the explanation): walk the proof once.
    this.coreMemo ??= this.walkCore()
    return this.coreMemo
  }

  private coreMemo: { origins: Origin[]; oneVersion: Set<number> } | undefined

  private walkCore(): { origins: Origin[]; oneVersion: Set<number> } {
    const clauses = new Map<string, { code: number; parent: number; o: Origin }>()
    const oneVersion = new Set<number>()
    const doneClause = new Set<number>()
    const doneVar = new Uint8Array(this.nVars + 1)
    const stack: number[] = [PackageSearch.tagClause(this.finalConflict)]
    // The final conflict's literals are all false at level 0: their reasons are part of it.
    for (let k = this.finalConflict + HDR; k < this.finalConflict + HDR + this.mem[this.finalConflict]!; k++) {
      stack.push(PackageSearch.tagVar(this.mem[k]! >> 1))
    }
    const others = this.others
    while (stack.length > 0) {
      const t = stack.pop()!
      const tag = t & 3
      const x = t >> 2
      if (tag === 2) { oneVersion.add(x); continue }
      if (tag === 1) {
        if (doneVar[x] !== 0 || this.reason[x] === NO_REASON) continue
        doneVar[x] = 1
        const r = this.reasonOthers(x)
        if (r >= 0) stack.push(PackageSearch.tagClause(r))
        else stack.push(PackageSearch.tagAmo(this.pkgOf[x]!))
        for (let k = 0; k < this.nOthers; k++) stack.push(PackageSearch.tagVar(others[k]! >> 1))
        continue
      }
      if (doneClause.has(x)) continue
      doneClause.add(x)
      const o = this.originOf(x)
      if (o.kind === 'learned') for (const f of o.from) stack.push(f)
      else if (o.kind === 'one-version') oneVersion.add(o.pkg)
      else {
        const code = this.mem[x + 1]!
        const parent = code >= 0 ? -1 : this.mem[x + 2]!
        clauses.set(`${code}:${parent}`, { code, parent, o })
      }
    }
    // Stable order: recorded origins (roots first) as made, then edges by version and position.
    const list = [...clauses.values()].sort((a, b) => a.parent - b.parent || (a.parent < 0 ? a.code - b.code : b.code - a.code))
    return { origins: list.map((e) => e.o), oneVersion }
  }
}
