/**
 * The shapes the package resolver reads (an index of versions) and returns (a resolution).
 * `lockfile/types.ts` builds on these.
 */

/** Dependency name -> semver range (npm syntax: `^1.2`, `>=2 <3`, `1.x || 2.x`, `*`). */
export type DependencyMap = Readonly<Record<string, string>>

/**
 * Where a version may be installed. Each list allows the values it names; a value starting
 * with `!` excludes that value instead (`os: ['!win32']`). A missing or empty list allows all.
 * Values are compared exactly (`os`: `process.platform` style, `arch`: `process.arch` style,
 * `runtime`: `node`, `browser`, `deno`, `bun`, or any name the caller targets).
 */
export interface PlatformMarkers {
  readonly os?: readonly string[]
  readonly arch?: readonly string[]
  readonly runtime?: readonly string[]
}

/** The platform a resolution targets; a marker whose axis is not given here is not checked. */
export interface TargetPlatform {
  readonly os?: string
  readonly arch?: string
  readonly runtime?: string
}

/**
 * One published version as the index describes it.
 *
 * @example
 * ```ts
 * const v: IndexVersion = {
 *   version: '2.1.0',
 *   dependencies: { tokenizer: '^3.0.0' },
 *   optionalDependencies: { 'cuda-kernels': '^1' },
 *   platform: { os: ['linux', 'darwin'] },
 *   conflicts: ['legacy-tokenizer@<2'],
 *   integrity: 'sha256-...',
 * }
 * ```
 */
export interface IndexVersion {
  /** A valid semver version (`1.2.3`, `2.0.0-rc.1`). */
  readonly version: string
  /** Required dependencies: a version of each must be installed, within its range. */
  readonly dependencies?: DependencyMap
  /**
   * Installed when possible (a version in range that resolves and fits the platform), skipped
   * otherwise. When installed, its range holds like a required one.
   */
  readonly optionalDependencies?: DependencyMap
  /** Where this version can be installed; a version that does not fit is never chosen. */
  readonly platform?: PlatformMarkers
  /**
   * Packages that must not be installed alongside this version, within a range:
   * `['name@range', ...]` or `{ name: range }`. A conflict with a package that is not
   * installed at all holds trivially.
   */
  readonly conflicts?: readonly string[] | DependencyMap
  /** Where the package file is fetched from (URL, registry reference); copied to the lockfile. */
  readonly source?: string
  /** Subresource Integrity of the package file (`sha256-<base64>`); copied to the lockfile. */
  readonly integrity?: string
}

/**
 * Where the resolver reads package metadata from. `versions(name)` returns every published
 * version of `name` (any order; an empty array or `undefined` when the package does not
 * exist). It is called at most once per name per `resolve` call, only for names the search
 * reaches, and calls for different names may be in flight at once.
 */
export interface PackageIndex {
  versions(name: string): Promise<readonly IndexVersion[] | undefined> | readonly IndexVersion[] | undefined
}

/** The root of a resolution: what the user asked for. */
export interface RootRequirements {
  readonly dependencies?: DependencyMap
  readonly optionalDependencies?: DependencyMap
}

/** Which version the resolver tries first for each package. */
export type VersionPreference = 'newest' | 'lowest'

/** One package of a {@link Resolution}. */
export interface ResolvedPackage {
  readonly name: string
  readonly version: string
  /** Required dependencies as the index declared them (name -> range). */
  readonly dependencies: DependencyMap
  /** Optional dependencies as declared (installed or not: see {@link Resolution.packages}). */
  readonly optionalDependencies: DependencyMap
  /**
   * `true` when the package is installed only because of optional dependencies (no chain of
   * required dependencies from the root reaches it).
   */
  readonly optional: boolean
  readonly platform?: PlatformMarkers
  readonly source?: string
  readonly integrity?: string
}

/**
 * What `resolve` returns. `graph` and `root` are built the first time they are read (then
 * kept); they are enumerable own properties like `packages`, so spreading, `JSON.stringify`,
 * `structuredClone` and deep equality see all three.
 */
export interface Resolution {
  /** Chosen version of every installed package (keys sorted). */
  readonly packages: Record<string, string>
  /** Details of each installed package, same keys as `packages`. */
  readonly graph: Record<string, ResolvedPackage>
  /** The root requirements as given (normalized: sorted keys, no undefined). */
  readonly root: { dependencies: Record<string, string>; optionalDependencies: Record<string, string> }
}
