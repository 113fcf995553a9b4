import type { Cnf } from '@torshpkg/resolve'

/** Index of the first clause the model falsifies, or -1 when it satisfies them all. */
export function violated(cnf: Cnf, model: boolean[]): number {
  for (let i = 0; i < cnf.clauses.length; i++) {
    const c = cnf.clauses[i]!
    let ok = false
    for (let k = 0; k < c.length && !ok; k++) {
      const l = c[k]!
      ok = model[Math.abs(l)] === l > 0
    }
    if (!ok) return i
  }
  return -1
}

/** mulberry32: a small seeded PRNG, returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Pigeonhole PHP(p, h): p pigeons in h holes, one hole each, no hole shared. UNSAT iff p > h. */
export function pigeonhole(p: number, h: number): { variables: number; clauses: number[][] } {
  const x = (i: number, j: number) => i * h + j + 1
  const clauses: number[][] = []
  for (let i = 0; i < p; i++) clauses.push(Array.from({ length: h }, (_, j) => x(i, j)))
  for (let j = 0; j < h; j++) for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) clauses.push([-x(a, j), -x(b, j)])
  return { variables: p * h, clauses }
}
