/**
 * Strongly connected components by Tarjan's algorithm, with an explicit stack instead of
 * recursion (so a chain of 100 000 packages does not overflow the call stack).
 */

/**
 * Strongly connected components of the directed graph on nodes `0..n-1` whose edges from
 * node `v` are `edges[v]`. Every node is in exactly one component. Components come out in
 * reverse topological order of the condensation: a component is emitted after every
 * component it has an edge to (so, with edges pointing at dependencies, dependencies first).
 * Time and memory are linear in nodes plus edges.
 *
 * @example
 * ```ts
 * // 0 -> 1 -> 2 -> 1
 * stronglyConnectedComponents(3, [[1], [2], [1]]) // [[2, 1], [0]]
 * ```
 */
export function stronglyConnectedComponents(n: number, edges: readonly (readonly number[])[]): number[][] {
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stack = new Int32Array(n)
  const callNode = new Int32Array(n)
  const callEdge = new Int32Array(n)
  let sp = 0
  let counter = 0
  const components: number[][] = []

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue
    index[root] = low[root] = counter++
    stack[sp++] = root
    onStack[root] = 1
    callNode[0] = root
    callEdge[0] = 0
    let cp = 1
    while (cp > 0) {
      const v = callNode[cp - 1]!
      const adj = edges[v]!
      const e = callEdge[cp - 1]!
      if (e < adj.length) {
        callEdge[cp - 1] = e + 1
        const w = adj[e]!
        if (index[w] === -1) {
          index[w] = low[w] = counter++
          stack[sp++] = w
          onStack[w] = 1
          callNode[cp] = w
          callEdge[cp] = 0
          cp++
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!
        }
        continue
      }
      cp--
      if (low[v] === index[v]) {
        const component: number[] = []
        let w: number
        do {
          w = stack[--sp]!
          onStack[w] = 0
          component.push(w)
        } while (w !== v)
        components.push(component)
      }
      if (cp > 0) {
        const parent = callNode[cp - 1]!
        if (low[v]! < low[parent]!) low[parent] = low[v]!
      }
    }
  }
  return components
}
