/**
 * The peer of the package-resolution benches (packages.ts): logic-solver, MiniSat compiled to
 * JS, on an eager SAT encoding of the same problem, as Meteor's package version solver used it.
 *
 * Why not a PubGrub: none is published for JavaScript. The npm registry has no `pubgrub`
 * package (`npm view pubgrub`: 404; `npm search` is not served by the registry mirror this
 * was checked through), and the PubGrub implementations in public code are in Rust
 * (pubgrub-rs, the one whose benchmarks are ported here), Dart (pub), Ruby (pub_grub), Python
 * (poetry, mixology), Swift (SwiftPM), Go, Elm, Gleam, OCaml, C, Zig: none usable from Node
 * without a toolchain or a WASM build of our own, which would not be "a peer on npm".
 * logic-solver is a real, widely used (Meteor) JS solver that decides exactly the same
 * question, so it is the peer, as for the SAT benches (bench.ts).
 *
 * The peer does the whole job in the same run on the same index: read every package reachable
 * from the root through any version's dependencies (through the same async `versions()`), test
 * every range against every version with `semver` (ranges parsed once per call, exact versions
 * looked up), build the clauses (one variable per version, at most one per package, dependency,
 * optional, conflict and platform clauses: see packages/resolve/test/universes-sat.ts, where
 * the encoding lives because the tests use it as their oracle) and solve. It only decides
 * satisfiability and returns the first model found, pruned to what the root reaches: no
 * newest-version preference, no explanation, so it does less than `resolve`.
 */
import type { PackageIndex, RootRequirements, TargetPlatform } from '../../packages/resolve/src/types'
import type { EagerSatResult } from '../../packages/resolve/test/universes-sat'

export const PEER_NAME = 'logic-solver'

/**
 * The peer's encoding and logic-solver, loaded by `loadPeer` once ours are timed, so that no
 * peer code is in the process while ours run (bench.ts does the same for the SAT part).
 */
let eagerSat: typeof import('../../packages/resolve/test/universes-sat').eagerSat | undefined

/** Loads the peer; call it once ours are timed, before the peer is. */
export async function loadPeer(): Promise<void> {
  eagerSat ??= (await import('../../packages/resolve/test/universes-sat')).eagerSat
}

/** Resolve `root` against `index` with the peer: `{ sat: false }` when no resolution exists. */
export function peerResolve(root: RootRequirements, index: PackageIndex, options: { platform?: TargetPlatform } = {}): Promise<EagerSatResult> {
  if (eagerSat === undefined) throw new Error('peers.ts: call loadPeer() first')
  return eagerSat(root, index, options)
}
