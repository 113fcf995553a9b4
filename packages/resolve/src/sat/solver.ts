import { SolverLimitError } from '../errors.js'
import { MAX_VARIABLES } from './dimacs.js'
import { VarHeap } from './heap.js'
import type { Cnf, SatResult, SolveOptions } from './types.js'

/*
 * A compact CDCL solver in the MiniSat/Glucose mould, over typed arrays only.
 *
 * Literals: variable v (1-based) is 2v when positive, 2v+1 when negated; `lit ^ 1` negates.
 * Values are kept per literal (`vals[lit]`: 1 true, -1 false, 0 unassigned) so a lookup
 * needs no sign arithmetic.
 *
 * Clauses live in one Int32Array arena; a clause reference (cref) is its offset:
 *   mem[c] = size, mem[c+1] = flags | lbd << 2, mem[c+2] = activity (float32 view), then the literals.
 * A clause that is the reason of an assignment has the implied literal at position 0.
 *
 * Watch lists, per literal, hold the clauses to visit when that literal becomes true (those
 * containing its negation), in three kinds by clause size:
 *  - binary clauses: (other literal, cref), in the lists of both literals;
 *  - ternary clauses: (other literal, other literal, cref), in the lists of all three literals.
 *    Watching every literal costs a visit per occurrence but never moves a watch nor reads the
 *    arena: the entry alone says whether the clause is satisfied, unit or conflicting. With
 *    the one-test check in `propagate`, SATLIB's 3-SAT took 13-15% less time than with two
 *    watched literals;
 *  - longer clauses: (blocker, cref), two watched literals (the first two of the clause); the
 *    blocker is another literal of the clause, and when it is true the clause is skipped
 *    without touching the arena.
 * Learnt clauses go the same way by size. Implying through a binary or ternary clause
 * reorders its arena copy so that the implied literal comes first, which is all conflict
 * analysis needs.
 */

const HDR = 3
const LEARNT = 1
const DELETED = 2
const TRUE = 1
const FALSE = -1
const UNDEF = 0

const VAR_DECAY = 0.95
const CLAUSE_DECAY = 0.999
// Luby restarts in units of 512 conflicts, the scale of the "stable" phases of CaDiCaL and
// Kissat rather than MiniSat's 100: fewer conflicts on every SATLIB family that restarts at all
// (uuf100 -5%, uf150 -35%) and on pigeonhole formulas. Glucose's LBD-driven restarts took
// 8-24% more conflicts than Luby-100 there (random 3-SAT has no structure for them to follow).
const RESTART_UNIT = 512
const FIRST_REDUCE = 2000
const REDUCE_INCREMENT = 300
const CHECK_EVERY = 255 // conflicts between time/abort checks (mask)

/** The i-th element (0-based) of the Luby sequence 1 1 2 1 1 2 4 1 1 2 ... */
function luby(i: number): number {
  let size = 1
  let seq = 0
  while (size < i + 1) { seq++; size = 2 * size + 1 }
  while (size - 1 !== i) { size = (size - 1) >> 1; seq--; i %= size }
  return 2 ** seq
}

class Solver {
  readonly n: number
  readonly nl: number
  ok = true
  // Clause arena.
  mem: Int32Array
  memF: Float32Array
  top = 0
  // Watch lists: list `lit` holds binary clauses, `nl + lit` ternary, `2 * nl + lit` longer ones.
  // All lists share one pool; a list that outgrows its slot moves to the end of the pool, and
  // `compact` repacks it. (One pool instead of an Int32Array per list: a small formula has
  // hundreds of lists, and allocating and regrowing them cost several percent of the search.)
  pool: Int32Array
  poolTop = 0
  readonly wbeg: Int32Array
  readonly wlen: Int32Array
  readonly wcap: Int32Array
  // Assignment.
  readonly vals: Int8Array
  readonly level: Int32Array
  readonly reason: Int32Array
  readonly trail: Int32Array
  trailLen = 0
  qhead = 0 // next literal to propagate through longer clauses
  qshort = 0 // ... through binary and ternary ones (>= qhead)
  readonly trailLim: Int32Array
  dl = 0
  // Heuristics.
  readonly act: Float64Array
  varInc = 1
  claInc = 1
  readonly heap: VarHeap
  readonly polarity: Uint8Array
  // Learnt clauses.
  learnts: Int32Array = new Int32Array(64)
  nLearnts = 0
  // Conflict analysis scratch.
  readonly seen: Uint8Array
  readonly out: Int32Array
  outLen = 0
  readonly stack: Int32Array
  readonly toclear: Int32Array
  toclearLen = 0
  readonly levelStamp: Uint32Array
  stamp = 0
  btLevel = 0
  lbd = 0
  // Statistics.
  conflicts = 0

  constructor(cnf: Cnf) {
    const n = cnf.variables
    if (!Number.isInteger(n) || n < 0 || n > MAX_VARIABLES) {
      throw new RangeError(`solveCnf: variables must be an integer in [0, ${MAX_VARIABLES}], got ${String(n)}`)
    }
    if (!Array.isArray(cnf.clauses)) throw new TypeError('solveCnf: clauses must be an array')
    this.n = n
    const clauses = cnf.clauses
    const nl = 2 * n + 2
    this.nl = nl
    // The fixed-size arrays are views of one buffer: one allocation instead of twenty, which
    // on small formulas was a good part of the set-up.
    const v1 = n + 1
    const buf = new ArrayBuffer(8 * v1 + 4 * (9 * v1 + 1 + 11 * nl) + nl + 2 * v1)
    let off = 0
    const i32 = (len: number) => { const a = new Int32Array(buf, off, len); off += 4 * len; return a }
    const u8 = (len: number) => { const a = new Uint8Array(buf, off, len); off += len; return a }
    this.act = new Float64Array(buf, 0, v1)
    off = 8 * v1
    this.level = i32(v1)
    this.reason = i32(v1).fill(-1)
    this.trail = i32(v1)
    this.trailLim = i32(v1)
    this.out = i32(v1)
    this.stack = i32(v1)
    this.levelStamp = new Uint32Array(buf, off, v1)
    off += 4 * v1
    this.heap = new VarHeap(i32(v1), i32(v1 + 1).fill(-1), this.act)
    this.toclear = i32(nl)
    const occ = i32(nl)
    const wcap = (this.wcap = i32(3 * nl))
    this.wlen = i32(3 * nl)
    this.wbeg = i32(3 * nl)
    this.vals = new Int8Array(buf, off, nl)
    off += nl
    this.polarity = u8(v1)
    this.seen = u8(v1)

    // Validate, and size every watch list from the occurrences (by clause length as given;
    // clauses that shrink when duplicates go only over-reserve) so that the input never
    // makes a list move. Longer clauses get room for a few learnt watches too.
    let lits = 0
    for (let i = 0; i < clauses.length; i++) {
      const c = clauses[i]!
      const len = c.length
      lits += len
      for (let k = 0; k < len; k++) {
        const l = c[k]!
        if ((l | 0) !== l || l === 0 || l > n || l < -n) {
          throw new RangeError(`solveCnf: clause ${i} has literal ${String(l)} at position ${k}; literals are non-zero integers in ±1..${n}`)
        }
        const lit = l > 0 ? 2 * l : -2 * l + 1
        occ[lit] = occ[lit]! + 1
        if (len > 1) { // in the list of the negation: visited when the literal becomes false
          const id = (len === 2 ? 0 : len === 3 ? nl : 2 * nl) + (lit ^ 1)
          wcap[id] = wcap[id]! + (len === 3 ? 3 : 2)
        }
      }
    }
    // Before the first conflict, decide the variables with the most occurrences first, on the
    // side of their majority (a static order in the Jeroslow-Wang spirit; on SATLIB's random
    // 3-SAT it cuts conflicts by a fifth to a third over the index order and all-false phases).
    // The activities stay below a bump, so they only break ties among unbumped variables.
    for (let v = 1; v <= n; v++) {
      const pos = occ[2 * v]!
      const neg = occ[2 * v + 1]!
      this.act[v] = (pos + neg) / (lits + 1)
      this.polarity[v] = pos > neg ? 0 : 1
      this.heap.insert(v)
    }
    let at = 0
    for (let id = 0; id < 3 * nl; id++) {
      if (id >= 2 * nl) wcap[id] = wcap[id]! + 4
      this.wbeg[id] = at
      at += wcap[id]!
    }
    this.pool = new Int32Array(at + (at >> 1) + 16)
    this.poolTop = at
    this.mem = new Int32Array(Math.max(1024, 2 * (lits + HDR * clauses.length)))
    this.memF = new Float32Array(this.mem.buffer)

    let tmp = new Int32Array(16)
    for (let i = 0; i < clauses.length && this.ok; i++) {
      const c = clauses[i]!
      const len = c.length
      if (len > tmp.length) tmp = new Int32Array(len * 2)
      for (let k = 0; k < len; k++) {
        const l = c[k]!
        tmp[k] = l > 0 ? 2 * l : -2 * l + 1
      }
      this.addInput(tmp, len)
    }
  }

  /** Adds an input clause (at level 0): sorts, drops duplicates, tautologies and false literals. */
  private addInput(tmp: Int32Array, len: number): void {
    const lits = tmp
    if (len > 16) lits.subarray(0, len).sort()
    else for (let i = 1; i < len; i++) { // insertion sort for the usual short clause
      const x = lits[i]!
      let k = i - 1
      while (k >= 0 && lits[k]! > x) { lits[k + 1] = lits[k]!; k-- }
      lits[k + 1] = x
    }
    const vals = this.vals
    let j = 0
    let prev = -1
    for (let k = 0; k < len; k++) {
      const l = lits[k]!
      const v = vals[l]!
      if (v === TRUE || l === (prev ^ 1)) return // satisfied or tautology
      if (v === FALSE || l === prev) continue
      lits[j++] = prev = l
    }
    if (j === 0) { this.ok = false; return }
    if (j === 1) {
      // Propagate at once: the clauses still to come then drop what it falsifies.
      this.assign(lits[0]!, -1)
      if (this.propagate() !== -1) this.ok = false
      return
    }
    this.attach(this.alloc(lits, j, 0))
  }

  private alloc(lits: Int32Array, len: number, flags: number): number {
    const need = this.top + HDR + len
    if (need > this.mem.length) {
      const m = new Int32Array(Math.max(need, this.mem.length * 2))
      m.set(this.mem.subarray(0, this.top))
      this.mem = m
      this.memF = new Float32Array(m.buffer)
    }
    const cr = this.top
    const mem = this.mem
    mem[cr] = len
    mem[cr + 1] = flags
    this.memF[cr + 2] = 0
    for (let k = 0; k < len; k++) mem[cr + HDR + k] = lits[k]!
    this.top = need
    return cr
  }

  /** Adds the clause to the watch lists of its kind (by size). */
  private attach(cr: number): void {
    const mem = this.mem
    const size = mem[cr]!
    const a = mem[cr + HDR]!
    const b = mem[cr + HDR + 1]!
    const nl = this.nl
    if (size === 2) {
      this.push2(a ^ 1, b, cr)
      this.push2(b ^ 1, a, cr)
    } else if (size === 3) {
      const c = mem[cr + HDR + 2]!
      this.push3(nl + (a ^ 1), b, c, cr)
      this.push3(nl + (b ^ 1), a, c, cr)
      this.push3(nl + (c ^ 1), a, b, cr)
    } else {
      this.push2(2 * nl + (a ^ 1), b, cr)
      this.push2(2 * nl + (b ^ 1), a, cr)
    }
  }

  private push2(id: number, x: number, y: number): void {
    const m = this.wlen[id]!
    if (m + 2 > this.wcap[id]!) this.grow(id, 2)
    const at = this.wbeg[id]! + m
    this.pool[at] = x
    this.pool[at + 1] = y
    this.wlen[id] = m + 2
  }

  private push3(id: number, x: number, y: number, z: number): void {
    const m = this.wlen[id]!
    if (m + 3 > this.wcap[id]!) this.grow(id, 3)
    const at = this.wbeg[id]! + m
    const pool = this.pool
    pool[at] = x
    pool[at + 1] = y
    pool[at + 2] = z
    this.wlen[id] = m + 3
  }

  /** Makes room for `extra` more entries in list `id`: moves it to the end of the pool (may replace `pool`). */
  private grow(id: number, extra: number): void {
    const beg = this.wbeg[id]!
    const len = this.wlen[id]!
    const cap = Math.max(2 * this.wcap[id]!, len + extra, 8)
    const last = beg + this.wcap[id]! === this.poolTop // the list at the end grows in place
    const at = last ? beg : this.poolTop
    if (at + cap > this.pool.length) {
      const p = new Int32Array(Math.max(2 * this.pool.length, at + cap))
      p.set(this.pool.subarray(0, this.poolTop))
      this.pool = p
    }
    if (!last) this.pool.copyWithin(at, beg, beg + len)
    this.wbeg[id] = at
    this.wcap[id] = cap
    this.poolTop = at + cap
  }

  private assign(lit: number, from: number): void {
    this.vals[lit] = TRUE
    this.vals[lit ^ 1] = FALSE
    const v = lit >> 1
    this.level[v] = this.dl
    this.reason[v] = from
    this.trail[this.trailLen++] = lit
  }

  /**
   * Unit propagation over the trail; returns a conflicting clause or -1.
   *
   * Binary and ternary clauses go first: every assigned literal is run through their lists
   * before the next one is through the longer clauses' (two queue heads, `qshort` ahead of
   * `qhead`). Their visits are cheap, and a conflict they find spares the longer clauses'
   * visits for the rest of the queue: on SATLIB's 3-SAT, 10-20% less time than one head.
   */
  propagate(): number {
    const mem = this.mem
    const vals = this.vals
    const wbeg = this.wbeg
    const wlen = this.wlen
    const wcap = this.wcap
    const trail = this.trail
    const level = this.level
    const reason = this.reason
    const dl = this.dl
    const nl = this.nl
    const long = 2 * nl
    let pool = this.pool
    let qhead = this.qhead
    let qshort = this.qshort
    let trailLen = this.trailLen
    let confl = -1
    outer: for (;;) {
      while (qshort < trailLen) {
        const p = trail[qshort++]!
        const falseLit = p ^ 1
        // Binary clauses: the entry is the other literal and the clause.
        for (let i = wbeg[p]!, end = i + wlen[p]!; i < end; i += 2) {
          const o = pool[i]!
          const vo = vals[o]!
          if (vo === TRUE) continue
          const cr = pool[i + 1]!
          if (vo === FALSE) { confl = cr; break outer }
          const b = cr + HDR
          mem[b] = o
          mem[b + 1] = falseLit
          vals[o] = TRUE
          vals[o ^ 1] = FALSE
          level[o >> 1] = dl
          reason[o >> 1] = cr
          trail[trailLen++] = o
        }
        // Ternary clauses: the other two literals and the clause.
        for (let i = wbeg[nl + p]!, end = i + wlen[nl + p]!; i < end; i += 3) {
          const x = pool[i]!
          const y = pool[i + 1]!
          const vx = vals[x]!
          const vy = vals[y]!
          // One test for the common case: the sum is negative exactly when neither is true and
          // one is false (hard-to-predict branches are what this loop costs; this one test made
          // the whole search ~9% faster than testing each value).
          if (vx + vy >= 0) continue
          const cr = pool[i + 2]!
          if (vx + vy === -2) { confl = cr; break outer }
          const u = vx === UNDEF ? x : y // the unit literal; the other is false
          const b = cr + HDR
          mem[b] = u
          mem[b + 1] = u === x ? y : x
          mem[b + 2] = falseLit
          vals[u] = TRUE
          vals[u ^ 1] = FALSE
          level[u >> 1] = dl
          reason[u >> 1] = cr
          trail[trailLen++] = u
        }
      }
      if (qhead === trailLen) break
      // Longer clauses, for one literal before going back to the short ones: two watched
      // literals with a blocker.
      const p = trail[qhead++]!
      const falseLit = p ^ 1
      const id = long + p
      const ws = wbeg[id]!
      const n = ws + wlen[id]!
      let i = ws
      let j = ws
      while (i < n) {
        const blocker = pool[i]!
        const cr = pool[i + 1]!
        i += 2
        if (vals[blocker] === TRUE) { pool[j] = blocker; pool[j + 1] = cr; j += 2; continue }
        const b = cr + HDR
        let first = mem[b]!
        if (first === falseLit) { first = mem[b + 1]!; mem[b] = first; mem[b + 1] = falseLit }
        if (first !== blocker && vals[first] === TRUE) { pool[j] = first; pool[j + 1] = cr; j += 2; continue }
        // Look for a new literal to watch.
        const end = b + mem[cr]!
        let k = b + 2
        while (k < end && vals[mem[k]!] === FALSE) k++
        if (k < end) {
          const l = mem[k]!
          mem[b + 1] = l
          mem[k] = falseLit
          const w = long + (l ^ 1)
          const m = wlen[w]!
          if (m + 2 > wcap[w]!) { this.grow(w, 2); pool = this.pool }
          const at = wbeg[w]! + m
          pool[at] = first
          pool[at + 1] = cr
          wlen[w] = m + 2
          continue
        }
        // Unit or conflicting.
        pool[j] = first
        pool[j + 1] = cr
        j += 2
        if (vals[first] === FALSE) {
          confl = cr
          while (i < n) pool[j++] = pool[i++]!
        } else {
          vals[first] = TRUE
          vals[first ^ 1] = FALSE
          const v = first >> 1
          level[v] = dl
          reason[v] = cr
          trail[trailLen++] = first
        }
      }
      wlen[id] = j - ws
      if (confl !== -1) break
    }
    // Everything is propagated, or after a conflict the rest of the queue is dropped (the
    // caller backtracks).
    this.qhead = this.qshort = trailLen
    this.trailLen = trailLen
    return confl
  }

  private bumpVar(v: number): void {
    const act = this.act
    if ((act[v] = act[v]! + this.varInc) > 1e100) {
      for (let u = 1; u <= this.n; u++) act[u] = act[u]! * 1e-100
      this.varInc *= 1e-100
    }
    this.heap.increased(v)
  }

  private bumpClause(cr: number): void {
    const f = this.memF
    if ((f[cr + 2] = f[cr + 2]! + this.claInc) > 1e20) {
      const ls = this.learnts
      for (let i = 0; i < this.nLearnts; i++) f[ls[i]! + 2] = f[ls[i]! + 2]! * 1e-20
      this.claInc *= 1e-20
    }
  }

  /** First-UIP analysis with recursive minimization; fills `out`, `outLen`, `btLevel`, `lbd`. */
  private analyze(confl: number): void {
    const mem = this.mem
    const seen = this.seen
    const level = this.level
    const reason = this.reason
    const trail = this.trail
    const out = this.out
    const dl = this.dl
    let pathC = 0
    let p = -1
    let outLen = 1
    let idx = this.trailLen - 1
    do {
      if ((mem[confl + 1]! & LEARNT) !== 0) this.bumpClause(confl)
      const b = confl + HDR
      const end = b + mem[confl]!
      for (let k = p === -1 ? b : b + 1; k < end; k++) {
        const q = mem[k]!
        const v = q >> 1
        if (seen[v] === 0 && level[v]! > 0) {
          this.bumpVar(v)
          seen[v] = 1
          if (level[v]! >= dl) pathC++
          else out[outLen++] = q
        }
      }
      while (seen[trail[idx]! >> 1] === 0) idx--
      p = trail[idx--]!
      confl = reason[p >> 1]!
      seen[p >> 1] = 0
      pathC--
    } while (pathC > 0)
    out[0] = p ^ 1

    // Minimize: drop literals implied by the others (MiniSat's recursive litRedundant).
    const toclear = this.toclear
    let abs = 0
    for (let i = 1; i < outLen; i++) {
      toclear[i] = out[i]!
      abs |= 1 << (level[out[i]! >> 1]! & 31)
    }
    this.toclearLen = outLen
    let j = 1
    for (let i = 1; i < outLen; i++) {
      const l = out[i]!
      if (reason[l >> 1] === -1 || !this.redundant(l, abs)) out[j++] = l
    }
    for (let i = 1; i < this.toclearLen; i++) seen[toclear[i]! >> 1] = 0
    outLen = j

    // Backjump level: the highest level below the current one, moved to position 1.
    let bt = 0
    if (outLen > 1) {
      let mi = 1
      for (let i = 2; i < outLen; i++) if (level[out[i]! >> 1]! > level[out[mi]! >> 1]!) mi = i
      const t = out[mi]!
      out[mi] = out[1]!
      out[1] = t
      bt = level[t >> 1]!
    }
    // LBD: distinct decision levels in the clause.
    const stamp = ++this.stamp
    const ls = this.levelStamp
    let lbd = 0
    for (let i = 0; i < outLen; i++) {
      const lv = level[out[i]! >> 1]!
      if (ls[lv] !== stamp) { ls[lv] = stamp; lbd++ }
    }
    this.outLen = outLen
    this.btLevel = bt
    this.lbd = lbd
  }

  private redundant(p: number, abs: number): boolean {
    const mem = this.mem
    const seen = this.seen
    const level = this.level
    const reason = this.reason
    const stack = this.stack
    const toclear = this.toclear
    const top = this.toclearLen
    let sp = 0
    stack[sp++] = p
    while (sp > 0) {
      const c = reason[stack[--sp]! >> 1]!
      const end = c + HDR + mem[c]!
      for (let k = c + HDR + 1; k < end; k++) {
        const l = mem[k]!
        const v = l >> 1
        if (seen[v] === 0 && level[v]! > 0) {
          if (reason[v] !== -1 && (abs & (1 << (level[v]! & 31))) !== 0) {
            seen[v] = 1
            stack[sp++] = l
            toclear[this.toclearLen++] = l
          } else {
            for (let t = top; t < this.toclearLen; t++) seen[toclear[t]! >> 1] = 0
            this.toclearLen = top
            return false
          }
        }
      }
    }
    return true
  }

  private cancelUntil(lvl: number): void {
    if (this.dl <= lvl) return
    const trail = this.trail
    const vals = this.vals
    const polarity = this.polarity
    const heap = this.heap
    const lim = this.trailLim[lvl]!
    for (let c = this.trailLen - 1; c >= lim; c--) {
      const lit = trail[c]!
      vals[lit] = UNDEF
      vals[lit ^ 1] = UNDEF
      const v = lit >> 1
      polarity[v] = lit & 1
      heap.insert(v)
    }
    this.trailLen = this.qhead = this.qshort = lim
    this.dl = lvl
  }

  private locked(cr: number): boolean {
    const l = this.mem[cr + HDR]!
    return this.vals[l] === TRUE && this.reason[l >> 1] === cr
  }

  /** Deletes the worse half of the learnt clauses (high LBD, then low activity); keeps LBD <= 2. */
  private reduceDb(): void {
    const mem = this.mem
    const f = this.memF
    const list = Array.from(this.learnts.subarray(0, this.nLearnts))
    list.sort((a, b) => {
      const la = mem[a + 1]! >> 2
      const lb = mem[b + 1]! >> 2
      if (la !== lb) return lb - la
      return f[a + 2]! - f[b + 2]! || a - b
    })
    const half = list.length >> 1
    let removed = 0
    for (let i = 0; i < half; i++) {
      const cr = list[i]!
      if ((mem[cr + 1]! >> 2) <= 2 || this.locked(cr)) continue
      mem[cr + 1] = mem[cr + 1]! | DELETED
      removed++
    }
    if (removed > 0) this.compact()
  }

  /** Copies live clauses to a fresh arena and rewrites every reference (watches, reasons, learnts). */
  private compact(): void {
    const mem = this.mem
    const fresh = new Int32Array(Math.max(1024, this.mem.length))
    let nt = 0
    for (let c = 0; c < this.top; c += HDR + mem[c]!) {
      if ((mem[c + 1]! & DELETED) !== 0) continue
      const sz = HDR + mem[c]!
      fresh.set(mem.subarray(c, c + sz), nt)
      mem[c + 2] = nt // forwarding address (the activity moved with the copy)
      nt += sz
    }
    // Repack the watch pool, dropping the entries of deleted clauses; each list keeps half its
    // length again as room.
    const wbeg = this.wbeg
    const wlen = this.wlen
    const wcap = this.wcap
    const nl = this.nl
    let need = 0
    for (let id = 0; id < 3 * nl; id++) need += wlen[id]! + (wlen[id]! >> 1) + 4
    const old = this.pool
    const pool = new Int32Array(need + (need >> 1))
    let at = 0
    for (let id = 0; id < 3 * nl; id++) {
      const stride = id >= nl && id < 2 * nl ? 3 : 2
      const beg = wbeg[id]!
      const end = beg + wlen[id]!
      let j = at
      for (let i = beg; i < end; i += stride) {
        const cr = old[i + stride - 1]!
        if ((mem[cr + 1]! & DELETED) !== 0) continue
        for (let k = 0; k < stride - 1; k++) pool[j + k] = old[i + k]!
        pool[j + stride - 1] = mem[cr + 2]!
        j += stride
      }
      wbeg[id] = at
      wlen[id] = j - at
      wcap[id] = (j - at) + ((j - at) >> 1) + 4
      at += wcap[id]!
    }
    this.pool = pool
    this.poolTop = at
    const reason = this.reason
    for (let i = 0; i < this.trailLen; i++) {
      const v = this.trail[i]! >> 1
      const r = reason[v]!
      if (r >= 0) reason[v] = mem[r + 2]!
    }
    let k = 0
    for (let i = 0; i < this.nLearnts; i++) {
      const cr = this.learnts[i]!
      if ((mem[cr + 1]! & DELETED) === 0) this.learnts[k++] = mem[cr + 2]!
    }
    this.nLearnts = k
    this.mem = fresh
    this.memF = new Float32Array(fresh.buffer)
    this.top = nt
  }

  solve(options: SolveOptions): SatResult {
    const maxConflicts = options.maxConflicts ?? Infinity
    const signal = options.signal
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs
    const limited = signal !== undefined || deadline !== Infinity
    if (signal?.aborted) throw new SolverLimitError('aborted', 0, 'solveCnf: aborted before the search', { cause: signal.reason })
    if (!this.ok || this.propagate() !== -1) return { sat: false }

    let restarts = 0
    let nextReduce = FIRST_REDUCE
    let reduces = 0
    const heap = this.heap
    const vals = this.vals
    for (;;) {
      // One restart interval.
      const budget = luby(restarts++) * RESTART_UNIT
      let local = 0
      for (;;) {
        const confl = this.propagate()
        if (confl !== -1) {
          this.conflicts++
          local++
          if (this.dl === 0) return { sat: false }
          this.analyze(confl)
          this.cancelUntil(this.btLevel)
          const out = this.out
          if (this.outLen === 1) {
            this.assign(out[0]!, -1)
          } else {
            const cr = this.alloc(out, this.outLen, LEARNT | (this.lbd << 2))
            this.attach(cr)
            if (this.nLearnts === this.learnts.length) {
              const g = new Int32Array(this.nLearnts * 2)
              g.set(this.learnts)
              this.learnts = g
            }
            this.learnts[this.nLearnts++] = cr
            this.bumpClause(cr)
            this.assign(out[0]!, cr)
          }
          this.varInc /= VAR_DECAY
          this.claInc /= CLAUSE_DECAY
          if (this.conflicts >= maxConflicts) {
            throw new SolverLimitError('conflicts', this.conflicts, `solveCnf: gave up after ${this.conflicts} conflicts (maxConflicts)`)
          }
          if (limited && (this.conflicts & CHECK_EVERY) === 0) {
            if (signal?.aborted) throw new SolverLimitError('aborted', this.conflicts, 'solveCnf: aborted', { cause: signal.reason })
            if (Date.now() >= deadline) {
              throw new SolverLimitError('time', this.conflicts, `solveCnf: gave up after ${options.timeoutMs} ms (timeoutMs)`)
            }
          }
          continue
        }
        if (local >= budget) { this.cancelUntil(0); break }
        if (this.conflicts >= nextReduce) {
          nextReduce = this.conflicts + FIRST_REDUCE + REDUCE_INCREMENT * ++reduces
          this.reduceDb()
        }
        let next = 0
        while (heap.size > 0) {
          const v = heap.pop()
          if (vals[2 * v] === UNDEF) { next = v; break }
        }
        if (next === 0) return { sat: true, model: this.model() }
        this.trailLim[this.dl++] = this.trailLen
        this.assign(2 * next + this.polarity[next]!, -1)
      }
    }
  }

  private model(): boolean[] {
    const m = new Array<boolean>(this.n + 1)
    m[0] = false
    for (let v = 1; v <= this.n; v++) m[v] = this.vals[2 * v] === TRUE
    return m
  }
}

/**
 * Decides a CNF formula with a conflict-driven clause-learning search (two watched literals with
 * blockers, ternary clauses watched on every literal, first-UIP learning with recursive
 * minimization, VSIDS starting from an occurrence order, phase saving, Luby restarts, LBD-based
 * clause deletion). Deterministic: the same input gives the same answer and model.
 *
 * @throws {SolverLimitError} (`code: 'E_LIMIT'`) when `maxConflicts`, `timeoutMs` or `signal` stops
 * the search first. {@link RangeError}/{@link TypeError} on a malformed {@link Cnf}.
 */
export function solveCnf(cnf: Cnf, options: SolveOptions = {}): SatResult {
  return new Solver(cnf).solve(options)
}
