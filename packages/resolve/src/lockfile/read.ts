/**
 * Reading a JSON value as a lockfile: every structural problem as a {@link LockfileIssue},
 * and as much of the lockfile as is readable (validate.ts checks the graph of what is).
 * Never recursive on the input, so hostile nesting cannot overflow the stack.
 */
import type { z } from 'zod'
import { formatPath, issue, type LockfileIssue, type LockfileIssueCode } from './errors.js'
import { normalizePackage, sortedMap } from './normalize.js'
import {
  describeValue,
  isPackageName,
  LOCKFILE_FIELDS,
  lockedPackageSchema,
  NAME_RULE,
  PACKAGE_FIELDS,
  PLATFORM_FIELDS,
  ROOT_FIELDS,
  rootSchema,
} from './schema.js'
import { LOCKFILE_VERSION, type LockedPackage, type Lockfile } from './types.js'

type Path = (string | number)[]

/** What {@link readLockfileValue} could read. */
export interface LockfileRead {
  /** Structural problems, in document order. */
  readonly issues: LockfileIssue[]
  /** `true` when nothing beyond `issues` could be read (not an object, `__proto__`, unknown version). */
  readonly stopped: boolean
  /** The root requirements, when `root` matched the schema. */
  readonly root?: Lockfile['root']
  /** Every name in `packages` (sorted): its entry, or `null` when the entry is invalid. */
  readonly packages: Map<string, LockedPackage | null>
  /** The whole lockfile, normalized, when there are no issues. */
  readonly lockfile?: Lockfile
}

/**
 * Check `value` (a parsed `torshpkg.lock`, or a {@link Lockfile} object) against the schema.
 *
 * @example
 * ```ts
 * readLockfileValue({ lockfileVersion: 1, root: { dependencies: {} }, packages: {} }).lockfile
 * // { lockfileVersion: 1, packages: {}, root: { dependencies: {} } }
 * ```
 */
export function readLockfileValue(value: unknown): LockfileRead {
  const packages = new Map<string, LockedPackage | null>()
  const stop = (issues: LockfileIssue[]): LockfileRead => ({ issues, stopped: true, packages })
  if (!isJsonObject(value)) return stop([issue('E_LOCKFILE_SCHEMA', [], `a lockfile must be a JSON object, got ${describeValue(value)}`)])
  const proto = protoKeys(value)
  if (proto.length > 0) return stop(proto.map((p) => issue('E_LOCKFILE_SCHEMA', p, 'a "__proto__" key is not allowed')))

  const issues: LockfileIssue[] = []
  for (const key of Object.keys(value)) {
    if (!(LOCKFILE_FIELDS as readonly string[]).includes(key)) issues.push(unknownField([key], LOCKFILE_FIELDS))
  }

  const version = own(value, 'lockfileVersion')
  if (version === undefined) issues.push(issue('E_LOCKFILE_SCHEMA', ['lockfileVersion'], 'is required'))
  else if (typeof version !== 'number') {
    issues.push(issue('E_LOCKFILE_SCHEMA', ['lockfileVersion'], `must be the number ${LOCKFILE_VERSION}, got ${describeValue(version)}`))
  } else if (version !== LOCKFILE_VERSION) {
    const why =
      Number.isInteger(version) && version > LOCKFILE_VERSION
        ? 'is newer than this version of @torshpkg/resolve reads'
        : 'is not a lockfile format version'
    const message = `lockfileVersion ${version} ${why} (it reads lockfileVersion ${LOCKFILE_VERSION})`
    return stop([issue('E_LOCKFILE_UNSUPPORTED_VERSION', ['lockfileVersion'], message)])
  }

  const list = own(value, 'packages')
  if (list === undefined) issues.push(issue('E_LOCKFILE_SCHEMA', ['packages'], 'is required'))
  else if (!isJsonObject(list)) {
    issues.push(issue('E_LOCKFILE_SCHEMA', ['packages'], `must be an object of { name: package }, got ${describeValue(list)}`))
  } else {
    for (const name of Object.keys(list).sort()) {
      packages.set(name, null)
      if (!isPackageName(name)) {
        issues.push(issue('E_LOCKFILE_SCHEMA', ['packages', name], NAME_RULE))
        continue
      }
      const entry = lockedPackageSchema.safeParse(list[name])
      if (entry.success) packages.set(name, normalizePackage(entry.data))
      else issues.push(...zodIssues(entry.error, ['packages', name], (p) => (p.length === 0 ? PACKAGE_FIELDS : PLATFORM_FIELDS)))
    }
  }

  let root: Lockfile['root'] | undefined
  const rootResult = rootSchema.safeParse(own(value, 'root'))
  if (rootResult.success) {
    const optionalDependencies = sortedMap(rootResult.data.optionalDependencies)
    root = {
      dependencies: sortedMap(rootResult.data.dependencies) ?? (Object.create(null) as Record<string, string>),
      ...(optionalDependencies ? { optionalDependencies } : {}),
    }
  } else issues.push(...zodIssues(rootResult.error, ['root'], () => ROOT_FIELDS))

  if (issues.length > 0 || root === undefined) return { issues, stopped: false, packages, ...(root ? { root } : {}) }
  const record = Object.create(null) as Record<string, LockedPackage>
  for (const [name, entry] of packages) record[name] = entry!
  return { issues, stopped: false, packages, root, lockfile: { lockfileVersion: LOCKFILE_VERSION, packages: record, root } }
}

/** A plain object (JSON object), with or without a prototype. */
export function isJsonObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined
}

/**
 * Paths of `__proto__` keys anywhere in `value` (at most 10). JSON.parse keeps them as data,
 * but copying such an object turns the key into a prototype, so it would silently vanish.
 * Iterative, and each object is visited once (a cyclic object passed in cannot loop).
 */
function protoKeys(value: object): Path[] {
  // Paths are kept as parent links and built only for a hit: deep nesting stays linear.
  interface Node { readonly value: unknown; readonly key: string | number; readonly parent: Node | null }
  const pathOf = (node: Node | null): Path => {
    const path: Path = []
    for (let n = node; n !== null && n.parent !== null; n = n.parent) path.push(n.key)
    return path.reverse()
  }
  const found: Path[] = []
  const seen = new Set<object>()
  const stack: Node[] = [{ value, key: '', parent: null }]
  while (stack.length > 0 && found.length < 10) {
    const node = stack.pop()!
    const v = node.value
    if (v === null || typeof v !== 'object' || seen.has(v)) continue
    seen.add(v)
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: node })
      continue
    }
    if (Object.hasOwn(v, '__proto__')) found.push([...pathOf(node), '__proto__'])
    const keys = Object.keys(v)
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (v as Record<string, unknown>)[keys[i]!], key: keys[i]!, parent: node })
  }
  return found
}

/** zod's issues as lockfile issues: one per unknown field, precise codes from `params.lockfileCode`. */
function zodIssues(error: z.ZodError, prefix: Path, fieldsAt: (path: Path) => readonly string[]): LockfileIssue[] {
  const out: LockfileIssue[] = []
  for (const i of error.issues) {
    const local: Path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
    const path = [...prefix, ...local]
    if (i.code === 'unrecognized_keys') {
      for (const key of i.keys) out.push(unknownField([...path, key], fieldsAt(local)))
    } else if (i.code === 'invalid_key') {
      out.push(issue('E_LOCKFILE_SCHEMA', path, i.issues[0]?.message ?? i.message))
    } else {
      const code = i.code === 'custom' ? (i.params?.['lockfileCode'] as LockfileIssueCode | undefined) : undefined
      out.push(issue(code ?? 'E_LOCKFILE_SCHEMA', path, i.message))
    }
  }
  return out
}

function unknownField(path: Path, known: readonly string[]): LockfileIssue {
  const key = String(path[path.length - 1])
  const near = suggest(key, known)
  const where = path.length === 1 ? 'a lockfile' : `"${formatPath(path.slice(0, -1))}"`
  const fields = known.map((k) => `"${k}"`).join(', ')
  return issue('E_LOCKFILE_SCHEMA', path, `unknown field: ${where} has ${fields}${near ? ` (did you mean "${near}"?)` : ''}`)
}

/** The known field closest to `key`, if it is a plausible typo (edit distance 1 or 2). */
function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [k, d]
  }
  return best
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}
