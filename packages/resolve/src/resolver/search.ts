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
 */
import { ResolutionError } from '../errors.js'

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

/** A dependency edge whose package is not fetched yet: `index` into the parent's (optional) dependencies. */
interface DormantEdge {
  readonly parent: number
  readonly index: number
  readonly optional: boolean
}

/** Origin code of the clauses of dependency edge `index` (optional or not) of a version. */
const edgeOrigin = (index: number, optional: boolean) => -1 - (2 * index + (optional ? 1 : 0))

export const SAT = 0
export const UNSAT = 1
export const NEED = 2

/** What the search needs from the package catalog (resolve.ts implements it). */
export interface Catalog {
  /** Package id of `name`, or -1 when not fetched yet. */
  packageId(name: string): number
  /** First variable of package `id` (its versions are `first .. first + count - 1`). */
  first(id: number): number
  /** Number of versions of package `id`. */
  count(id: number): number
  /**
   * Versions of package `id` that satisfy `range` and fit the platform, most preferred first,
   * as indices from `first(id)`. The array may be shared: never modified.
   */
  candidates(id: number, range: string): readonly number[]
  /** Dependencies of the version behind variable `v`. */
  edges(v: number): {
    dependencies: ReadonlyArray<readonly [string, string]>
    optionalDependencies: ReadonlyArray<readonly [string, string]>
    conflicts: ReadonlyArray<readonly [string, string]>
  }
}

export interface SearchLimits {
  maxConflicts: number
  deadline: number
  signal: AbortSignal | undefined
}

export class PackageSearch {
  // Per-variable and per-literal state in plain arrays of small integers: a resolution has
  // hundreds to tens of thousands of variables, made a package at a time, and growing plain
  // arrays by `push` costs far less than reallocating a dozen typed arrays.
  nVars = 0
  /** Per literal: TRUE, FALSE or UNDEF. */
  vals: number[] = [UNDEF, UNDEF]
  level: number[] = [0]
  reason: number[] = [NO_REASON]
  pkgOf: number[] = [-1]
  private created: number[] = [0]
  private seen: number[] = [0]
  private reqsOf: (number[] | undefined)[] = [undefined]
  /** Per literal: (clause, blocker) pairs of the clauses to visit when the literal becomes true. */
  private watches: (number[] | undefined)[] = [undefined, undefined]
  private trail: number[] = []
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
  readonly origins: Origin[] = []
  // Requirements the decision heuristic tries to satisfy (some candidate true), as parallel
  // arrays: candidates are version indices (variable = base + index), most preferred first.
  // One that has no free candidate left is an optional dependency that cannot be met: skipped.
  private readonly reqCands: (readonly number[])[] = []
  private readonly reqBase: number[] = []
  private active: number[] = []
  private activeLen = 0
  private ptr = 0
  private freePtr = 1
  /** Packages a true version depends on that are not fetched yet: the driver fetches them. */
  readonly wanted = new Set<string>()
  /** Edges to packages not fetched yet, made when (if ever) the package is. */
  private readonly dormantEdges = new Map<string, DormantEdge[]>()
  /** Conflicts declared against packages not fetched (added if they ever are). */
  private readonly dormant = new Map<string, { parent: number; range: string }[]>()
  /** Edges of packages just fetched, to add in `resume`. */
  private woken: DormantEdge[] = []
  /** Versions found false at level 0 by a clause, to generalise from (see `generalise`). */
  private readonly refuted: number[] = []
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

  constructor(
    private readonly catalog: Catalog,
    private readonly limits: SearchLimits,
  ) {}

  // ---- variables and packages -------------------------------------------------------------

  /** Makes `count` fresh variables for package `pkg`; returns the first. */
  addVariables(pkg: number, count: number): number {
    const first = this.nVars + 1
    // One loop per array: each push site then sees a single array shape and stays fast.
    const { vals, watches, level, reason, pkgOf, created, seen, reqsOf } = this
    for (let k = 0; k < count; k++) vals.push(UNDEF, UNDEF)
    for (let k = 0; k < count; k++) watches.push(undefined, undefined)
    for (let k = 0; k < count; k++) level.push(0)
    for (let k = 0; k < count; k++) reason.push(NO_REASON)
    for (let k = 0; k < count; k++) pkgOf.push(pkg)
    for (let k = 0; k < count; k++) created.push(0)
    for (let k = 0; k < count; k++) seen.push(0)
    for (let k = 0; k < count; k++) reqsOf.push(undefined)
    this.nVars += count
    return first
  }

  /** Package `name` was fetched: wake what was waiting for it (edges are added by `resume`). */
  loaded(name: string): void {
    const edges = this.dormantEdges.get(name)
    if (edges !== undefined) {
      this.dormantEdges.delete(name)
      for (const e of edges) this.woken.push(e)
    }
    const waiting = this.dormant.get(name)
    if (waiting === undefined) return
    this.dormant.delete(name)
    const id = this.catalog.packageId(name)
    for (const w of waiting) this.addConflicts(w.parent, id, name, w.range)
  }

  // ---- clauses ----------------------------------------------------------------------------

  private alloc(lits: ArrayLike<number>, len: number, origin: number, parent = 0): number {
    const need = this.top + HDR + len
    if (need > this.mem.length) {
      const m = new Int32Array(Math.max(need, this.mem.length * 2))
      m.set(this.mem.subarray(0, this.top))
      this.mem = m
    }
    const cr = this.top
    this.mem[cr] = len
    this.mem[cr + 1] = origin
    this.mem[cr + 2] = parent
    for (let k = 0; k < len; k++) this.mem[cr + HDR + k] = lits[k]!
    this.top = need
    return cr
  }

  private watch(lit: number, cr: number, blocker: number): void {
    const ws = this.watches[lit]
    if (ws === undefined) this.watches[lit] = [cr, blocker]
    else ws.push(cr, blocker)
  }

  private origin(o: Origin): number {
    this.origins.push(o)
    return this.origins.length - 1
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
    const id = this.catalog.packageId(name)
    const cands = id < 0 ? EMPTY : this.catalog.candidates(id, range)
    const base = id < 0 ? 0 : this.catalog.first(id)
    if (soft) {
      if (cands.length > 0) this.activate(this.requirement(cands, base))
      return
    }
    const lits = Array.from(cands, (i) => 2 * (base + i))
    this.addLive(lits, lits.length, this.origin({ kind: 'root', name, range }))
    this.activate(this.requirement(cands, base))
  }

  private requirement(cands: readonly number[], base: number): number {
    this.reqCands.push(cands)
    this.reqBase.push(base)
    return this.reqCands.length - 1
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
    for (let i = 0; i < e.dependencies.length; i++) this.edge(v, i, false)
    for (let i = 0; i < e.optionalDependencies.length; i++) this.edge(v, i, true)
    for (const [name, range] of e.conflicts) {
      const id = this.catalog.packageId(name)
      if (id >= 0) this.addConflicts(v, id, name, range)
      else {
        let list = this.dormant.get(name)
        if (list === undefined) this.dormant.set(name, (list = []))
        list.push({ parent: v, range })
      }
    }
  }

  /** Adds the clauses of dependency `index` of version `v`, or parks it until its package is fetched. */
  private edge(v: number, index: number, optional: boolean): void {
    const e = this.catalog.edges(v)
    const pair = (optional ? e.optionalDependencies : e.dependencies)[index]!
    const name = pair[0]
    const range = pair[1]
    const id = this.catalog.packageId(name)
    if (id < 0) {
      let list = this.dormantEdges.get(name)
      if (list === undefined) this.dormantEdges.set(name, (list = []))
      list.push({ parent: v, index, optional })
      return
    }
    const cands = this.catalog.candidates(id, range)
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
    let list = this.reqsOf[v]
    if (list === undefined) this.reqsOf[v] = list = []
    const req = this.requirement(cands, base)
    list.push(req)
    if (this.vals[2 * v] === TRUE) this.activate(req)
  }

  private readonly lits: number[] = []
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
    if (this.dl === 0 && (lit & 1) === 1 && from >= 0) this.refuted.push(v)
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
            return this.alloc([2 * v + 1, 2 * u + 1], 2, this.origin({ kind: 'one-version', pkg: this.pkgOf[v]! }))
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
          const list = this.reqsOf[v]
          if (list !== undefined) for (const r of list) this.activate(r)
        }
        // What it depends on must be fetched before the next decision.
        const e = this.catalog.edges(v)
        const deps = e.dependencies
        for (let i = 0; i < deps.length; i++) if (this.catalog.packageId(deps[i]![0]) < 0) this.wanted.add(deps[i]![0])
        const opt = e.optionalDependencies
        for (let i = 0; i < opt.length; i++) if (this.catalog.packageId(opt[i]![0]) < 0) this.wanted.add(opt[i]![0])
      }
      const c = this.propagateWatches(p)
      if (c >= 0) return c
    }
    return -1
  }

  private propagateWatches(p: number): number {
    const mem = this.mem
    const vals = this.vals
    const falseLit = p ^ 1
    const ws = this.watches[p]
    if (ws === undefined) return -1
    const n = ws.length
    let i = 0
    let j = 0
    let confl = -1
    while (i < n) {
      const cr = ws[i]!
      const blocker = ws[i + 1]!
      i += 2
      if (vals[blocker] === TRUE) { ws[j] = cr; ws[j + 1] = blocker; j += 2; continue }
      const b = cr + HDR
      let first = mem[b]!
      if (first === falseLit) { first = mem[b + 1]!; mem[b] = first; mem[b + 1] = falseLit }
      if (first !== blocker && vals[first] === TRUE) { ws[j] = cr; ws[j + 1] = first; j += 2; continue }
      const end = b + mem[cr]!
      let k = b + 2
      while (k < end && vals[mem[k]!] === FALSE) k++
      if (k < end) {
        const l = mem[k]!
        mem[b + 1] = l
        mem[k] = falseLit
        this.watch(l ^ 1, cr, first)
        continue
      }
      ws[j] = cr
      ws[j + 1] = first
      j += 2
      if (vals[first] === FALSE) {
        confl = cr
        while (i < n) ws[j++] = ws[i++]!
      } else this.assign(first, cr)
    }
    ws.length = j
    return confl
  }

  // ---- conflicts --------------------------------------------------------------------------

  /** The literals of `v`'s reason other than `v`'s own, into `out` (an AMO reason has one). */
  private reasonOthers(v: number, out: number[]): number {
    const r = this.reason[v]!
    out.length = 0
    if (r <= -2) {
      out.push(2 * (-2 - r) + 1)
      return -1
    }
    const mem = this.mem
    for (let k = r + HDR + 1; k < r + HDR + mem[r]!; k++) out.push(mem[k]!)
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
  private analyze(confl: number): { lits: number[]; from: number[]; bt: number } {
    const seen = this.seen
    const level = this.level
    const from: number[] = []
    const learned: number[] = [0]
    const toClear: number[] = []
    const others: number[] = []
    let pathC = 0
    let p = -1
    let idx = this.trailLen - 1
    const addLits = (lits: ArrayLike<number>, start: number, end: number) => {
      for (let k = start; k < end; k++) {
        const q = lits[k]!
        const v = q >> 1
        if (seen[v] !== 0) continue
        seen[v] = 1
        toClear.push(v)
        if (level[v] === 0) from.push(PackageSearch.tagVar(v))
        else if (level[v]! >= this.dl) pathC++
        else learned.push(q)
      }
    }
    from.push(PackageSearch.tagClause(confl))
    addLits(this.mem, confl + HDR, confl + HDR + this.mem[confl]!)
    for (;;) {
      while (seen[this.trail[idx]! >> 1] === 0 || level[this.trail[idx]! >> 1] !== this.dl) idx--
      p = this.trail[idx--]!
      pathC--
      if (pathC <= 0) break
      const r = this.reasonOthers(p >> 1, others)
      from.push(r >= 0 ? PackageSearch.tagClause(r) : PackageSearch.tagAmo(this.pkgOf[p >> 1]!))
      addLits(others, 0, others.length)
    }
    learned[0] = p ^ 1
    // Local minimisation: drop a literal whose reason's other literals are all in the clause.
    let j = 1
    for (let i = 1; i < learned.length; i++) {
      const v = learned[i]! >> 1
      if (this.reason[v] === NO_REASON) { learned[j++] = learned[i]!; continue }
      const r = this.reasonOthers(v, others)
      let redundant = true
      for (const q of others) if (seen[q >> 1] === 0 && level[q >> 1]! > 0) { redundant = false; break }
      if (!redundant) { learned[j++] = learned[i]!; continue }
      from.push(r >= 0 ? PackageSearch.tagClause(r) : PackageSearch.tagAmo(this.pkgOf[v]!))
      for (const q of others) if (level[q >> 1] === 0) from.push(PackageSearch.tagVar(q >> 1))
    }
    learned.length = j
    for (const v of toClear) seen[v] = 0
    let bt = 0
    if (learned.length > 1) {
      let mi = 1
      for (let i = 2; i < learned.length; i++) if (level[learned[i]! >> 1]! > level[learned[mi]! >> 1]!) mi = i
      const t = learned[mi]!
      learned[mi] = learned[1]!
      learned[1] = t
      bt = level[t >> 1]!
    }
    return { lits: learned, from, bt }
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
    const { lits, from, bt } = this.analyze(confl)
    this.cancelUntil(bt)
    const o = this.origin({ kind: 'learned', from })
    const cr = this.alloc(lits, lits.length, o)
    if (lits.length >= 2) {
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
      if (this.dl === 0 && this.refutedHead < this.refuted.length) {
        this.generalise()
        continue
      }
      if (this.wanted.size > 0) return NEED
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
    while (this.refutedHead < this.refuted.length && this.liveConflict < 0) {
      const v = this.refuted[this.refutedHead++]!
      const pkg = this.pkgOf[v]!
      if (this.expanded.has(pkg)) continue
      let dead = false
      for (const [name, range] of this.catalog.edges(v).dependencies) {
        const id = this.catalog.packageId(name)
        if (id < 0) continue
        const cands = this.catalog.candidates(id, range)
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
    this.woken = []
    this.wanted.clear()
    for (const e of edges) {
      if (this.proven === UNSAT) return
      this.edge(e.parent, e.index, e.optional)
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
    const others: number[] = []
    while (stack.length > 0) {
      const t = stack.pop()!
      const tag = t & 3
      const x = t >> 2
      if (tag === 2) { oneVersion.add(x); continue }
      if (tag === 1) {
        if (doneVar[x] !== 0 || this.reason[x] === NO_REASON) continue
        doneVar[x] = 1
        const r = this.reasonOthers(x, others)
        if (r >= 0) stack.push(PackageSearch.tagClause(r))
        else stack.push(PackageSearch.tagAmo(this.pkgOf[x]!))
        for (const q of others) stack.push(PackageSearch.tagVar(q >> 1))
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
