/**
 * A binary max-heap of variables keyed by an external activity array (VSIDS order).
 * `pos[v]` is v's index in `heap`, or -1 when absent. Ties break on the smaller variable,
 * which keeps the search deterministic.
 */
export class VarHeap {
  size = 0

  /** `heap` holds up to all the variables; `pos` has room for every variable and is all -1. */
  constructor(readonly heap: Int32Array, readonly pos: Int32Array, readonly act: Float64Array) {}

  contains(v: number): boolean {
    return this.pos[v]! >= 0
  }

  insert(v: number): void {
    if (this.pos[v]! >= 0) return
    const i = this.size++
    this.heap[i] = v
    this.pos[v] = i
    this.up(i)
  }

  /** Call after `act[v]` grew. */
  increased(v: number): void {
    const i = this.pos[v]!
    if (i >= 0) this.up(i)
  }

  /** Removes and returns the most active variable (the heap must not be empty). */
  pop(): number {
    const { heap, pos } = this
    const top = heap[0]!
    const last = heap[--this.size]!
    pos[top] = -1
    if (this.size > 0) {
      heap[0] = last
      pos[last] = 0
      this.down(0)
    }
    return top
  }

  private up(i: number): void {
    const { heap, pos, act } = this
    const v = heap[i]!
    const a = act[v]!
    while (i > 0) {
      const p = (i - 1) >> 1
      const u = heap[p]!
      const b = act[u]!
      if (b > a || (b === a && u < v)) break
      heap[i] = u
      pos[u] = i
      i = p
    }
    heap[i] = v
    pos[v] = i
  }

  private down(i: number): void {
    const { heap, pos, act } = this
    const n = this.size
    const v = heap[i]!
    const a = act[v]!
    for (;;) {
      let c = 2 * i + 1
      if (c >= n) break
      let cv = heap[c]!
      let ca = act[cv]!
      if (c + 1 < n) {
        const rv = heap[c + 1]!
        const ra = act[rv]!
        if (ra > ca || (ra === ca && rv < cv)) { c++; cv = rv; ca = ra }
      }
      if (a > ca || (a === ca && v < cv)) break
      heap[i] = cv
      pos[cv] = i
      i = c
    }
    heap[i] = v
    pos[v] = i
  }
}
