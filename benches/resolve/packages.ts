/**
 * Package-resolution benches: `resolve` on the universes of packages/resolve/test/universes.ts,
 * against the peer of peers.ts (logic-solver on an eager SAT encoding) in the same run.
 *
 * - large_case: pubgrub-rs's large_case universe, all 641 `package@version` problems one after
 *   the other (593 resolve, 48 are E_UNSATISFIABLE). Goal: all 641 in <= 25 ms.
 * - pubgrub-rs's backtracking benches (singletons 100x500, disjoint versions 300x200, ranges
 *   5x200; pubgrub-rs takes 1.9-3.5 s on them). Goal: each <= 50 ms.
 * - Registry-shaped graphs of 1k, 5k and 20k packages (seed 1), resolved for linux/x64/node.
 *   Goal: 5k < 50 ms.
 *
 * Universes are built before timing; a time covers whole `resolve` calls, reading the index
 * (async, as a registry client answers) included. Ours: after warm-up runs (at least 5 and
 * 0.5 s), the median of the runs that fit in about a second (0.3 s in quick mode; 3 to 15
 * runs). The host check of ../lib.ts runs just before and just after large_case and is printed
 * after the tables (the VM's speed varies by nearly 2x with the host's load; see `hostLoopMs`).
 * All of ours first (the SAT part's too: see bench.ts), then the peer, loaded only then, so
 * that the peer's garbage (a 64 MB MiniSat heap per problem) is not being collected while we
 * are timed; each universe is built only when needed and dropped after, as the peer's
 * collections cost in proportion to the live heap. The peer: one run (large_case
 * after a warm-up on 32 problems); in quick mode no warm-up, and large_case on every 8th
 * problem only (its time scaled to 641). Every answer is checked outside the timed runs: ours
 * against the expected answer and checkResolution (every range, conflict, platform), the
 * peer's against the expected satisfiability and checkResolution.
 */
import { resolve, ResolutionError } from '@torshpkg/resolve'
import { hostLoopMs, hostNote, type Goal } from '../lib'
import type { RootRequirements, TargetPlatform, PackageIndex } from '../../packages/resolve/src/types'
import {
  backtrackingDisjointVersions,
  backtrackingRanges,
  backtrackingSingletons,
  largeCase,
  registryGraph,
  type IndexData,
  type Universe,
} from '../../packages/resolve/test/universes'
import { checkResolution } from '../../packages/resolve/test/check-resolution'
import { loadPeer, PEER_NAME, peerResolve } from './peers'

type Outcome = { sat: true; packages: Record<string, string> } | { sat: false }

/** `resolve`, with E_UNSATISFIABLE as `{ sat: false }` (any other error is a bench failure). */
async function ours(root: RootRequirements, index: PackageIndex, platform?: TargetPlatform): Promise<Outcome> {
  try {
    const r = await resolve(root, index, platform ? { platform } : {})
    return { sat: true, packages: r.packages }
  } catch (e) {
    if (e instanceof ResolutionError && e.code === 'E_UNSATISFIABLE') return { sat: false }
    throw e
  }
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

/**
 * Warm-up runs (at least 5 and 500 ms: until the JIT has compiled the hot paths; large_case's
 * first runs take 140, 50, 45 ms, then about 22), then the median of runs until `budget` ms
 * have passed (3 to 15 runs).
 */
async function median(fn: () => Promise<unknown>, budget: number): Promise<{ ms: number; runs: number }> {
  const warm = performance.now()
  for (let k = 0; k < 5 || performance.now() - warm < 500; k++) await fn()
  const times: number[] = []
  const start = performance.now()
  while (times.length < 3 || (times.length < 15 && performance.now() - start < budget)) times.push(await time(fn))
  times.sort((a, b) => a - b)
  return { ms: times[times.length >> 1]!, runs: times.length }
}

function same(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a).sort()
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k])
}

function check(what: string, root: RootRequirements, data: IndexData, out: Outcome, platform?: TargetPlatform): void {
  if (!out.sat) return
  const problems = checkResolution(root, data, out.packages, platform ? { platform } : {})
  if (problems.length) throw new Error(`${what}: invalid resolution: ${problems.slice(0, 3).join('; ')}`)
}

const ms = (x: number) => (x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`)

interface Case {
  readonly bench: string
  readonly problems: number
  /** What was found (checked). */
  result: string
  oursMs: number
  oursRuns: number
  peerMs?: number
  peerNote?: string
}

/** Ours on one universe (built here and dropped on return, so that nothing keeps it alive). */
async function oursOn(make: () => Universe, budget: number): Promise<Case> {
  const u = make()
  let out = { sat: false } as Outcome
  const t = await median(async () => {
    out = await ours(u.root, u.index, u.platform)
  }, budget)
  if (out.sat !== u.expected.sat) throw new Error(`${u.name}: sat = ${out.sat}, expected ${u.expected.sat}`)
  if (out.sat && u.expected.sat && u.expected.packages && !same(out.packages, u.expected.packages)) {
    throw new Error(`${u.name}: got ${JSON.stringify(out.packages)}, expected ${JSON.stringify(u.expected.packages)}`)
  }
  check(u.name, u.root, u.data, out, u.platform)
  const result = out.sat ? `${Object.keys(out.packages).length} packages` : 'unsat'
  return { bench: u.name, problems: 1, result, oursMs: t.ms, oursRuns: t.runs }
}

/** The peer on one universe: its time, after checking its answer. */
async function peerOn(make: () => Universe): Promise<number> {
  const u = make()
  let out = { sat: false } as Outcome
  const t = await time(async () => {
    out = await peerResolve(u.root, u.index, u.platform ? { platform: u.platform } : {})
  })
  if (out.sat !== u.expected.sat) throw new Error(`${u.name}: ${PEER_NAME} says sat = ${out.sat}, expected ${u.expected.sat}`)
  check(`${u.name} (${PEER_NAME})`, u.root, u.data, out, u.platform)
  return t
}

/** The peer on large_case (quick: every 8th problem, scaled), checked against our answers. */
async function peerOnLargeCase(c: Case, oursOut: readonly Outcome[], quick: boolean): Promise<void> {
  const lc = largeCase()
  if (!quick) for (const p of lc.problems.slice(0, 32)) await peerResolve(p.root, lc.index) // warm-up
  const step = quick ? 8 : 1
  const sample = lc.problems.map((p, k) => ({ p, k })).filter(({ k }) => k % step === 0)
  const peerOut: boolean[] = []
  const t = await time(async () => {
    for (const { p } of sample) peerOut.push((await peerResolve(p.root, lc.index)).sat)
  })
  for (const [i, { p, k }] of sample.entries()) {
    if (peerOut[i] !== oursOut[k]!.sat) throw new Error(`large_case ${p.package}@${p.version}: ${PEER_NAME} says sat = ${peerOut[i]}, resolve ${oursOut[k]!.sat}`)
  }
  c.peerMs = (t * lc.problems.length) / sample.length
  if (sample.length < lc.problems.length) c.peerNote = ` (${sample.length} problems, scaled)`
}

/** Ours on all 641 large_case problems, one after the other; checked. */
async function oursOnLargeCase(budget: number): Promise<{ c: Case; out: Outcome[] }> {
  const lc = largeCase()
  const out: Outcome[] = []
  const run = async () => {
    out.length = 0
    for (const p of lc.problems) out.push(await ours(p.root, lc.index))
  }
  const t = await median(run, budget)
  const sat = out.filter((o) => o.sat).length
  if (sat !== lc.expected.sat || out.length - sat !== lc.expected.unsat) {
    throw new Error(`large_case: ${sat} satisfiable / ${out.length - sat} not, expected ${lc.expected.sat} / ${lc.expected.unsat}`)
  }
  for (const [k, p] of lc.problems.entries()) check(`large_case ${p.package}@${p.version}`, p.root, lc.data, out[k]!)
  const c: Case = { bench: 'large_case (pubgrub-rs)', problems: lc.problems.length, result: `${sat} sat, ${out.length - sat} unsat`, oursMs: t.ms, oursRuns: t.runs }
  return { c, out }
}

/**
 * Runs the package-resolution benches; `quick` trims the peer's share (see the file comment).
 * `beforePeer` runs between our timed runs and the peer's (bench.ts runs the SAT part's peer
 * there, so that no peer code is loaded while ours are timed). Throws when any answer is wrong.
 */
export async function benchPackages(quick: boolean, beforePeer: () => Promise<void> = async () => {}): Promise<{ rows: Record<string, string>[]; goals: Goal[]; notes: string[] }> {
  const budget = quick ? 300 : 1000
  // Universes are built when needed and dropped after, so that the peer (whose collections
  // of MiniSat heaps cost in proportion to what is alive) runs beside one universe only. They
  // are deterministic: the peer phase rebuilds the same ones.
  const universes: (() => Universe)[] = [
    () => backtrackingSingletons(),
    () => backtrackingDisjointVersions(),
    () => backtrackingRanges(),
    ...[1000, 5000, 20000].map((n) => () => registryGraph(n, 1)),
  ]
  const BACKTRACKING = 3
  const REGISTRY_5K = 4

  // --- Ours -------------------------------------------------------------------------------
  // The host check of ../lib.ts just before and just after large_case: the VM's speed varies
  // by nearly 2x with the host's load, from one second to the next, and a miss reads
  // differently on a throttled VM.
  const hostBefore = hostLoopMs()
  const { c: lcCase, out: lcOut } = await oursOnLargeCase(budget)
  const hostAfter = hostLoopMs()
  const cases: Case[] = []
  for (const make of universes) cases.push(await oursOn(make, budget))

  // --- Peer -------------------------------------------------------------------------------
  await beforePeer()
  // A full collection, so that what `beforePeer` left (the SAT peer's asm.js heaps) is not
  // collected while this peer is timed (scripts/run.mjs gives benches --expose-gc).
  ;(globalThis as { gc?: () => void }).gc?.()
  await loadPeer()
  await peerOnLargeCase(lcCase, lcOut, quick)
  for (const [i, make] of universes.entries()) cases[i]!.peerMs = await peerOn(make)

  // --- Report -----------------------------------------------------------------------------
  const all = [lcCase, ...cases]
  const rows = all.map((c) => ({
    bench: c.bench,
    problems: String(c.problems),
    result: c.result,
    ours: `${ms(c.oursMs)} (median of ${c.oursRuns})`,
    [PEER_NAME]: c.peerMs === undefined ? '-' : `${ms(c.peerMs)}${c.peerNote ?? ''}`,
    [`${PEER_NAME} / ours`]: c.peerMs === undefined ? '-' : `${(c.peerMs / c.oursMs).toFixed(1)}x`,
  }))
  const goal = (text: string, c: Case, limit: number, strict = false): Goal => ({
    goal: text,
    value: ms(c.oursMs),
    met: strict ? c.oursMs < limit : c.oursMs <= limit,
  })
  const goals: Goal[] = [goal(`large_case: all ${lcCase.problems} problems in <= 25 ms`, lcCase, 25)]
  for (const c of cases.slice(0, BACKTRACKING)) goals.push(goal(`${c.bench} in <= 50 ms`, c, 50))
  const r5k = cases[REGISTRY_5K]!
  goals.push(goal(`${r5k.bench} (${r5k.result}) in < 50 ms`, r5k, 50, true))
  return { rows, goals, notes: [`large_case: ${hostNote(hostBefore, hostAfter)}`] }
}
