/**
 * `torshpkg.lock`: the lockfile of a resolution. Generate it from `resolve()`'s result, read
 * it back, validate it, compare two of them, and hand its versions to the resolver.
 *
 * @example
 * ```ts
 * import { generateLockfile, validateLockfile, diffLockfiles } from '@torshpkg/resolve'
 * const text = generateLockfile(resolution)
 * validateLockfile(text).valid // true
 * diffLockfiles(previous, text).upgraded // [{ name: 'tokenizer', from: '2.0.0', to: '2.1.0' }]
 * ```
 * @packageDocumentation
 */
export { LOCKFILE_VERSION } from './types.js'
export type {
  GenerateLockfileOptions,
  LockedPackage,
  Lockfile,
  LockfileDiff,
  LockfileDiffEntry,
  LockfileFieldChange,
  LockfileValidation,
  LockfileVersionChange,
  ValidateLockfileOptions,
} from './types.js'
export { LockfileError } from './errors.js'
export type { LockfileErrorCode, LockfileIssue, LockfileIssueCode } from './errors.js'
export { generateLockfile, toLockfile } from './generate.js'
export { parseLockfile } from './parse.js'
export { stringifyLockfile } from './stringify.js'
export { validateLockfile } from './validate.js'
export { diffLockfiles } from './diff.js'
export { lockedVersions } from './locked-versions.js'
