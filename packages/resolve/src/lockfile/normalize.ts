/**
 * The canonical in-memory form of a lockfile: name-keyed maps sorted and without a prototype
 * (a package named `constructor` is just a key), empty maps, empty marker lists and
 * `optional: false` dropped, marker lists sorted and deduplicated. Two lockfiles that mean the
 * same thing normalize to the same object, so they serialize to the same bytes.
 */
import type { PlatformMarkers } from '../types.js'
import type { LockedPackage } from './types.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** A copy of `map` with sorted keys and no prototype; `undefined` when empty or absent. */
export function sortedMap(map: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (map === undefined) return undefined
  const keys = Object.keys(map).sort()
  if (keys.length === 0) return undefined
  const out = Object.create(null) as Record<string, string>
  for (const k of keys) out[k] = map[k]!
  return out
}

/** Sorted, deduplicated marker lists; `undefined` when nothing is restricted. */
export function normalizePlatform(platform: PlatformMarkers | undefined): PlatformMarkers | undefined {
  if (platform === undefined) return undefined
  const out: Mutable<PlatformMarkers> = {}
  for (const axis of ['arch', 'os', 'runtime'] as const) {
    const list = platform[axis]
    if (list && list.length > 0) out[axis] = [...new Set(list)].sort()
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** A package entry with its fields in sorted order and nothing empty. */
export function normalizePackage(p: LockedPackage): LockedPackage {
  const out: Mutable<LockedPackage> = {} as Mutable<LockedPackage>
  const dependencies = sortedMap(p.dependencies)
  const optionalDependencies = sortedMap(p.optionalDependencies)
  const platform = normalizePlatform(p.platform)
  if (dependencies) out.dependencies = dependencies
  if (p.integrity !== undefined) out.integrity = p.integrity
  if (p.optional === true) out.optional = true
  if (optionalDependencies) out.optionalDependencies = optionalDependencies
  if (platform) out.platform = platform
  if (p.source !== undefined) out.source = p.source
  out.version = p.version
  return out
}
