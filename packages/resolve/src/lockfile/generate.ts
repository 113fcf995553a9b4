/** From a resolution to `torshpkg.lock`. */
import type { Resolution } from '../types.js'
import { LockfileError } from './errors.js'
import { lockfileFromValue } from './parse.js'
import { renderLockfile } from './stringify.js'
import { LOCKFILE_VERSION, type GenerateLockfileOptions, type LockedPackage, type Lockfile } from './types.js'
import { validateLockfile } from './validate.js'

/**
 * The lockfile of a resolution: every package of `resolution.graph` with its version, source,
 * integrity, declared dependencies, `optional` flag and platform markers, and the root
 * requirements. Normalized (sorted keys, empty maps dropped) and checked against the schema:
 * throws {@link LockfileError} `E_LOCKFILE_SCHEMA` if the resolution holds something a
 * lockfile cannot (a version that is not semver, a range that is not a range, a bad name).
 *
 * @example
 * ```ts
 * const lock = toLockfile(await resolve({ dependencies: { model: '^2.0.0' } }, index))
 * lock.packages.model?.version // '2.1.0'
 * ```
 */
export function toLockfile(resolution: Resolution): Lockfile {
  const packages = Object.create(null) as Record<string, LockedPackage>
  for (const name of Object.keys(resolution.graph).sort()) {
    const p = resolution.graph[name]!
    packages[name] = {
      version: p.version,
      ...(p.source !== undefined ? { source: p.source } : {}),
      ...(p.integrity !== undefined ? { integrity: p.integrity } : {}),
      ...(p.dependencies !== undefined ? { dependencies: p.dependencies } : {}),
      ...(p.optionalDependencies !== undefined ? { optionalDependencies: p.optionalDependencies } : {}),
      ...(p.optional ? { optional: true } : {}),
      ...(p.platform !== undefined ? { platform: p.platform } : {}),
    }
  }
  const root = resolution.root
  return lockfileFromValue({
    lockfileVersion: LOCKFILE_VERSION,
    packages,
    root: {
      dependencies: root.dependencies ?? {},
      ...(root.optionalDependencies !== undefined ? { optionalDependencies: root.optionalDependencies } : {}),
    },
  })
}

/**
 * The text of `torshpkg.lock` for a resolution ({@link toLockfile}, then the layout of
 * {@link stringifyLockfile}): the same resolution always gives byte-identical text.
 * With `{ validate: true }` (or validation options) it also runs {@link validateLockfile} and
 * throws {@link LockfileError} `E_LOCKFILE_INVALID`, listing the errors, if there are any.
 *
 * @example
 * ```ts
 * const resolution = await resolve({ dependencies: { model: '^2.0.0' } }, index)
 * await writeFile('torshpkg.lock', generateLockfile(resolution, { validate: true }))
 * ```
 */
export function generateLockfile(resolution: Resolution, options: GenerateLockfileOptions = {}): string {
  const lock = toLockfile(resolution)
  if (options.validate) {
    const result = validateLockfile(lock, options.validate === true ? {} : options.validate)
    if (!result.valid) throw new LockfileError('E_LOCKFILE_INVALID', result.errors, 'the generated torshpkg.lock is invalid')
  }
  return renderLockfile(lock)
}
