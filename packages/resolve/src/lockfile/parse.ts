/** Reading `torshpkg.lock` text (or a lockfile object) into a checked, normalized {@link Lockfile}. */
import { issue, LockfileError, type LockfileIssue } from './errors.js'
import { readLockfileValue } from './read.js'
import type { Lockfile } from './types.js'

/**
 * Parse the text of `torshpkg.lock` and check it against the schema (structure only: use
 * {@link validateLockfile} for integrity, dependencies, conflicts and cycles). The result is
 * normalized (sorted keys; maps without a prototype).
 *
 * Throws {@link LockfileError}: `E_LOCKFILE_PARSE` (not JSON), `E_LOCKFILE_UNSUPPORTED_VERSION`
 * (a `lockfileVersion` this library does not read) or `E_LOCKFILE_SCHEMA` (with the path of
 * the field and why, e.g. `packages.tokenizer.integrity`; `issues` lists every problem).
 *
 * @example
 * ```ts
 * const lock = parseLockfile(await readFile('torshpkg.lock', 'utf8'))
 * lock.packages.tokenizer?.version // '1.2.0'
 * ```
 */
export function parseLockfile(text: string): Lockfile {
  const json = parseJson(text)
  if ('issue' in json) throw new LockfileError('E_LOCKFILE_PARSE', [json.issue])
  return lockfileFromValue(json.value)
}

/** JSON.parse, with a leading byte-order mark ignored and failures as an issue. */
export function parseJson(text: string): { value: unknown } | { issue: LockfileIssue } {
  if (typeof text !== 'string') return { issue: issue('E_LOCKFILE_PARSE', [], `a lockfile must be text, got ${typeof text}`) }
  try {
    return { value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown }
  } catch (e) {
    return { issue: issue('E_LOCKFILE_PARSE', [], `not valid JSON: ${e instanceof Error ? e.message : String(e)}`) }
  }
}

/** A parsed lockfile value checked and normalized; throws {@link LockfileError} like {@link parseLockfile}. */
export function lockfileFromValue(value: unknown): Lockfile {
  const read = readLockfileValue(value)
  if (read.lockfile) return read.lockfile
  const unsupported = read.issues.some((i) => i.code === 'E_LOCKFILE_UNSUPPORTED_VERSION')
  throw new LockfileError(unsupported ? 'E_LOCKFILE_UNSUPPORTED_VERSION' : 'E_LOCKFILE_SCHEMA', read.issues)
}

/** Text is parsed, an object is checked: either way a normalized lockfile, or a thrown {@link LockfileError}. */
export function lockfileFromInput(input: string | Lockfile): Lockfile {
  return typeof input === 'string' ? parseLockfile(input) : lockfileFromValue(input)
}
