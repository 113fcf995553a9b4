/** Deepest nesting accepted in a manifest: real metadata is shallow; recursion is not free. */
export const MAX_JSON_DEPTH = 64
// Values visited before giving up: far more than a 16 MiB manifest can hold, and a bound on
// the walk when a caller passes a cyclic object.
const MAX_NODES = 4_000_000

/**
 * What is wrong with the shape of a JSON value before any schema looks at it, found without
 * recursion (a hostile manifest of 10,000 nested arrays cannot overflow the stack):
 * nesting deeper than `max` (or a cycle), or a `__proto__` key, which JSON.parse keeps as data
 * but object copies turn into a prototype, so it would be silently lost.
 */
export function jsonShapeProblem(value: unknown, max: number): string | undefined {
  const stack: [unknown, number][] = [[value, 0]]
  let visited = 0
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth >= max || ++visited > MAX_NODES) return `nests objects or arrays deeper than ${max} levels (or is cyclic)`
    if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) return 'has a "__proto__" key, which is not allowed'
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1])
  }
  return undefined
}
