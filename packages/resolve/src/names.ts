/**
 * Package names, one rule for the resolver and the lockfile (npm-style, as in torshpkg
 * manifests): lowercase letters, digits, `.`, `_`, `-`, optionally scoped as `@scope/name`,
 * at most 214 characters. A name the resolver accepts can always be locked.
 */
const NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/

/** Is `s` a valid package name? */
export const isPackageName = (s: string): boolean => s.length <= 214 && NAME.test(s)

/** What a valid name looks like, for error messages. */
export const NAME_RULE = 'must be a package name: lowercase letters, digits, ".", "_" or "-", optionally scoped as "@scope/name"'
