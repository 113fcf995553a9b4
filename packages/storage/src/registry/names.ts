import { StorageError } from '../errors.js'

/**
 * A repository name as the OCI distribution spec allows it: path components of lowercase
 * letters and digits, separated inside by `.`, `_`, `__` or runs of `-`, joined by `/`.
 */
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/
/** A tag: 1 to 128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/

/**
 * The repository of package `name` under `namespace`: `@acme/bert` -> `<namespace>/acme/bert`.
 * Package names (lowercase letters, digits, `.`, `_`, `-`, optionally scoped) mostly are
 * repository names already; ones that are not (`a..b`, `-x`) are `E_ARGUMENT`.
 */
export function repositoryOf(namespace: string, name: string): string {
  if (typeof name !== 'string' || name === '') throw new StorageError('E_ARGUMENT', 'a package name must be a non-empty string')
  const path = name.startsWith('@') ? name.slice(1) : name
  const repo = namespace === '' ? path : `${namespace}/${path}`
  if (repo.length > 255 || !REPOSITORY.test(repo)) {
    throw new StorageError('E_ARGUMENT', `package name ${JSON.stringify(name)} does not make an OCI repository name (${JSON.stringify(repo)}): lowercase letters and digits, separated by ".", "_", "__" or "-"`)
  }
  return repo
}

/** `repo` when it is a repository name the OCI distribution spec allows, else `E_ARGUMENT` naming `who`. */
export function checkRepository(repo: string, who: string): string {
  if (typeof repo !== 'string' || repo.length > 255 || !REPOSITORY.test(repo)) {
    throw new StorageError('E_ARGUMENT', `${who}: ${JSON.stringify(repo)} is not an OCI repository name: lowercase letters and digits, separated by ".", "_", "__" or "-", path parts joined by "/"`)
  }
  return repo
}

/** The package name of a repository made by {@link repositoryOf} (undefined for others). */
export function nameOfRepository(namespace: string, repo: string): string | undefined {
  const prefix = namespace === '' ? '' : `${namespace}/`
  if (!repo.startsWith(prefix)) return undefined
  const path = repo.slice(prefix.length)
  if (path === '') return undefined
  const parts = path.split('/')
  if (parts.length === 1) return path
  if (parts.length === 2) return `@${path}`
  return undefined
}

/**
 * The tag of a version: semver's build metadata separator `+` is not allowed in tags, so it
 * becomes `_` (which semver identifiers never contain, so the mapping is reversible).
 */
export function tagOfVersion(version: string): string {
  const tag = typeof version === 'string' ? version.replace(/\+/g, '_') : ''
  if (!TAG.test(tag)) throw new StorageError('E_ARGUMENT', `version ${JSON.stringify(version)} cannot be a tag: 1 to 128 of letters, digits, ".", "-", "+", not starting with "." or "-"`)
  return tag
}

/** The version a tag made by {@link tagOfVersion} stands for. */
export function versionOfTag(tag: string): string {
  return tag.replace(/_/g, '+')
}

export function isTag(s: string): boolean {
  return TAG.test(s)
}
