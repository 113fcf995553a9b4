/**
 * The shape of `torshpkg.lock`. See README "Lockfile" for the file layout and docs in
 * `schema.ts` for the zod schema that checks it.
 */
import type { PlatformMarkers } from '../types.js'
import type { LockfileIssue } from './errors.js'

/** Current lockfile format version. */
export const LOCKFILE_VERSION = 1

/** One installed package in a lockfile. */
export interface LockedPackage {
  readonly version: string
  /** Where the package file is fetched from (copied from the index). */
  readonly source?: string
  /** SRI integrity (`sha256-<base64>`; sha384/sha512 also accepted). */
  readonly integrity?: string
  /** Required dependencies: name -> range, as declared. */
  readonly dependencies?: Readonly<Record<string, string>>
  /** Optional dependencies: name -> range, as declared. */
  readonly optionalDependencies?: Readonly<Record<string, string>>
  /** Installed only through optional dependencies. */
  readonly optional?: boolean
  readonly platform?: PlatformMarkers
}

/** A parsed `torshpkg.lock`. */
export interface Lockfile {
  readonly lockfileVersion: number
  readonly root: {
    readonly dependencies: Readonly<Record<string, string>>
    readonly optionalDependencies?: Readonly<Record<string, string>>
  }
  /** Package name -> locked package (keys sorted in the file). */
  readonly packages: Readonly<Record<string, LockedPackage>>
}

// ---- Additions for validateLockfile, diffLockfiles and generateLockfile (see their docs). ----


/** Options of `validateLockfile`. */
export interface ValidateLockfileOptions {
  /** Accept dependency cycles (by default each cycle is an `E_LOCKFILE_CYCLE` error). */
  readonly allowCycles?: boolean
  /** Whether a package without `integrity` is an error (default) or a warning. */
  readonly missingIntegrity?: 'error' | 'warning'
  /**
   * Let ranges match prerelease versions they do not name, as semver's `includePrerelease`
   * (default `true`: accepts what the resolver picks with or without its own
   * `includePrerelease`). `false` checks as the resolver does by default.
   */
  readonly includePrerelease?: boolean
}

/** What `validateLockfile` found. */
export interface LockfileValidation {
  /** `true` when `errors` is empty (warnings do not make a lockfile invalid). */
  readonly valid: boolean
  readonly errors: readonly LockfileIssue[]
  readonly warnings: readonly LockfileIssue[]
  /**
   * The lockfile as read (normalized: sorted keys, empty maps dropped), when it parsed and
   * matched the schema, even if other checks failed.
   */
  readonly lockfile?: Lockfile
}

/** Options of `generateLockfile`. */
export interface GenerateLockfileOptions {
  /**
   * Validate the lockfile before returning it and throw `LockfileError` (`E_LOCKFILE_INVALID`)
   * if it has errors; an object passes options to `validateLockfile`. Default: off (the text
   * is always checked against the schema).
   */
  readonly validate?: boolean | ValidateLockfileOptions
}

/** A package in one lockfile and not the other. */
export interface LockfileDiffEntry {
  readonly name: string
  readonly version: string
}

/** A package locked at a different version. */
export interface LockfileVersionChange {
  readonly name: string
  readonly from: string
  readonly to: string
}

/** A package locked at the same version with other differences. */
export interface LockfileFieldChange {
  readonly name: string
  readonly version: string
  /** Fields that differ, sorted: `dependencies`, `integrity`, `optional`, `optionalDependencies`, `platform`, `source`. */
  readonly fields: readonly string[]
}

/** What `diffLockfiles` returns; every list is sorted by name. */
export interface LockfileDiff {
  readonly added: readonly LockfileDiffEntry[]
  readonly removed: readonly LockfileDiffEntry[]
  readonly upgraded: readonly LockfileVersionChange[]
  readonly downgraded: readonly LockfileVersionChange[]
  readonly changed: readonly LockfileFieldChange[]
}
