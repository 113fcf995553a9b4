/** Reusing a lockfile: the versions it pins. */
import { lockfileFromInput } from './parse.js'
import type { Lockfile } from './types.js'

/**
 * Name -> locked version for every package of a lockfile (text or object; checked like
 * {@link parseLockfile}, which throws {@link LockfileError}). Keys are sorted and the object has
 * no prototype, so `versions['constructor']` is `undefined` unless such a package is locked.
 *
 * @example
 * ```ts
 * const prefer = lockedVersions(await readFile('torshpkg.lock', 'utf8'))
 * prefer.tokenizer // '2.4.0'
 * ```
 */
export function lockedVersions(lock: string | Lockfile): Record<string, string> {
  const packages = lockfileFromInput(lock).packages
  const out = Object.create(null) as Record<string, string>
  for (const name of Object.keys(packages).sort()) out[name] = packages[name]!.version
  return out
}
