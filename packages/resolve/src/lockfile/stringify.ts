/**
 * Writing `torshpkg.lock`: JSON with sorted keys, laid out one package per line so that a
 * change to one package is a one-line diff and merges rarely conflict.
 */
import { lockfileFromValue } from './parse.js'
import type { Lockfile } from './types.js'

/**
 * Serialize a lockfile to the text of `torshpkg.lock`. The lockfile is checked against the
 * schema (throws {@link LockfileError}, `E_LOCKFILE_SCHEMA`) and normalized first, so the same
 * content always gives the same bytes and the text always parses back.
 *
 * Layout: each top-level key on its own line, each package entry one compact JSON object on
 * its own line, keys sorted everywhere, a trailing newline.
 *
 * @example
 * ```ts
 * stringifyLockfile({
 *   lockfileVersion: 1,
 *   root: { dependencies: { tokenizer: '^1.2.0' } },
 *   packages: { tokenizer: { version: '1.2.0', integrity: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' } },
 * })
 * // {
 * //   "lockfileVersion": 1,
 * //   "packages": {
 * //     "tokenizer": {"integrity":"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=","version":"1.2.0"}
 * //   },
 * //   "root": {"dependencies":{"tokenizer":"^1.2.0"}}
 * // }
 * ```
 */
export function stringifyLockfile(lock: Lockfile): string {
  return renderLockfile(lockfileFromValue(lock))
}

/** The text of an already normalized lockfile (see {@link stringifyLockfile}). */
export function renderLockfile(lock: Lockfile): string {
  const lines = ['{', `  "lockfileVersion": ${JSON.stringify(lock.lockfileVersion)},`]
  const names = Object.keys(lock.packages).sort()
  if (names.length === 0) lines.push('  "packages": {},')
  else {
    lines.push('  "packages": {')
    names.forEach((name, i) => {
      const comma = i < names.length - 1 ? ',' : ''
      lines.push(`    ${JSON.stringify(name)}: ${canonicalJson(lock.packages[name])}${comma}`)
    })
    lines.push('  },')
  }
  lines.push(`  "root": ${canonicalJson(lock.root)}`, '}', '')
  return lines.join('\n')
}

/** Compact JSON with object keys sorted (by UTF-16 code unit) and `undefined` fields dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`
  const parts: string[] = []
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`)
  }
  return `{${parts.join(',')}}`
}
