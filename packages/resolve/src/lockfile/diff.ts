/** What changed between two lockfiles. */
import compareBuild from 'semver/functions/compare-build.js'
import { lockfileFromInput } from './parse.js'
import { canonicalJson } from './stringify.js'
import type { LockedPackage, Lockfile, LockfileDiff, LockfileDiffEntry, LockfileFieldChange, LockfileVersionChange } from './types.js'

/** Fields compared when a package keeps its version. */
const FIELDS = ['dependencies', 'integrity', 'optional', 'optionalDependencies', 'platform', 'source'] as const

/**
 * Compare two lockfiles (texts or {@link Lockfile} objects): packages added, removed,
 * upgraded, downgraded (by semver precedence), and changed at the same version (integrity,
 * source, dependencies, flags: `fields` names which). Every list is sorted by name; fields
 * are compared after normalization, so key order and empty maps make no difference.
 * Throws {@link LockfileError} if either side is not a readable lockfile (see {@link parseLockfile}).
 *
 * @example
 * ```ts
 * diffLockfiles(before, after)
 * // { added: [{ name: 'cuda-kernels', version: '1.0.0' }], removed: [],
 * //   upgraded: [{ name: 'tokenizer', from: '2.0.0', to: '2.1.0' }], downgraded: [],
 * //   changed: [{ name: 'model', version: '2.1.0', fields: ['integrity'] }] }
 * ```
 */
export function diffLockfiles(before: string | Lockfile, after: string | Lockfile): LockfileDiff {
  const a = lockfileFromInput(before).packages
  const b = lockfileFromInput(after).packages
  const added: LockfileDiffEntry[] = []
  const removed: LockfileDiffEntry[] = []
  const upgraded: LockfileVersionChange[] = []
  const downgraded: LockfileVersionChange[] = []
  const changed: LockfileFieldChange[] = []
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const from = a[name]
    const to = b[name]
    if (!from) added.push({ name, version: to!.version })
    else if (!to) removed.push({ name, version: from.version })
    else {
      const order = compareBuild(to.version, from.version)
      if (order > 0) upgraded.push({ name, from: from.version, to: to.version })
      else if (order < 0) downgraded.push({ name, from: from.version, to: to.version })
      else {
        const fields = FIELDS.filter((f) => field(from, f) !== field(to, f))
        if (fields.length > 0) changed.push({ name, version: to.version, fields })
      }
    }
  }
  return { added, removed, upgraded, downgraded, changed }
}

const field = (p: LockedPackage, f: (typeof FIELDS)[number]) => canonicalJson(p[f] ?? null)
