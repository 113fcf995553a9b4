/** Dependency cycles in a lockfile's package graph. */
import { stronglyConnectedComponents } from '../graph/scc.js'

/**
 * One cycle per strongly connected component of the graph that has one (two or more packages
 * depending on each other, or a package depending on itself): the shortest cycle through the
 * component's smallest name, written `[a, b, a]`. Iterative (Tarjan's algorithm, then a
 * breadth-first search), deterministic for the same graph, linear in its size.
 *
 * @example
 * ```ts
 * const deps = new Map([['a', ['b']], ['b', ['a']], ['c', ['c']], ['d', []]])
 * findCycles([...deps.keys()], (n) => deps.get(n) ?? []) // [['a', 'b', 'a'], ['c', 'c']]
 * ```
 */
export function findCycles(names: readonly string[], next: (name: string) => readonly string[]): string[][] {
  const sorted = [...names].sort()
  const id = new Map(sorted.map((n, i) => [n, i]))
  const adj = sorted.map((n) => [...new Set(next(n))].filter((m) => id.has(m)).sort().map((m) => id.get(m)!))
  const cycles: string[][] = []
  for (const component of stronglyConnectedComponents(adj.length, adj)) {
    const start = Math.min(...component)
    const inside = new Set(component)
    if (component.length === 1 && !adj[start]!.includes(start)) continue
    cycles.push(shortestCycle(start, adj, inside).map((i) => sorted[i]!))
  }
  return cycles.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0))
}


/** Breadth-first from `start` back to itself within one component: `[start, ..., start]`. */
function shortestCycle(start: number, adj: readonly (readonly number[])[], inside: ReadonlySet<number>): number[] {
  const parent = new Map<number, number>()
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!
    for (const w of adj[v]!) {
      if (!inside.has(w)) continue
      if (w === start) {
        const path = [start]
        for (let u = v; u !== start; u = parent.get(u)!) path.push(u)
        path.push(start)
        return [path[0]!, ...path.slice(1, -1).reverse(), start]
      }
      if (!parent.has(w)) {
        parent.set(w, v)
        queue.push(w)
      }
    }
  }
  return [start, start] // unreachable: every node of a component lies on a cycle through start
}
