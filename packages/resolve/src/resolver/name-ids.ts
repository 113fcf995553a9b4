/**
 * Process-wide numbers for package names. A compiled version names the packages of its edges
 * by these numbers (compile.ts), and a resolution maps them to its own package ids through
 * arrays (catalog.ts): following an edge then hashes no strings. Bounded: past `MAX_NAMES`
 * distinct names, new names get -1 and are found by name instead (the catalog keeps a Map for
 * them), so a long-lived process fed endless names holds at most this many.
 */
const ids = new Map<string, number>()
const MAX_NAMES = 1 << 18
let maxNames = MAX_NAMES

/** The process-wide number of `name`, or -1 when the table is full. */
export function nameId(name: string): number {
  const id = ids.get(name)
  if (id !== undefined) return id
  if (ids.size >= maxNames) return -1
  ids.set(name, ids.size)
  return ids.size - 1
}

/** The numbers of a `[name, range]` list's names. */
export function nameIds(list: ReadonlyArray<readonly [string, string]>): Int32Array {
  const out = new Int32Array(list.length)
  for (let i = 0; i < list.length; i++) out[i] = nameId(list[i]![0])
  return out
}

/**
 * Tests only: number no new names once the table holds `n` (default: back to the real bound),
 * so that the path of a full table can be exercised without a quarter million names.
 */
export function setNameIdBound(n = MAX_NAMES): void {
  maxNames = n
}
