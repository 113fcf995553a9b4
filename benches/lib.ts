import { spawnSync } from 'node:child_process'

/** What every bench prints at the end, and how it exits (non-zero when a goal is missed). */
export interface Goal {
  goal: string
  value: string
  met: boolean
}

/** Print the results and goals, remove the scratch directory, set the exit code. */
export function report(rows: Record<string, string>[], goals: Goal[], scratch: string, rm: (dir: string) => void): void {
  console.log()
  console.table(rows)
  console.table(goals)
  rm(scratch)
  if (goals.some((g) => !g.met)) process.exitCode = 1
}

/** A bench that crashed: clean up and fail. */
export function crashed(error: unknown, scratch: string, rm: (dir: string) => void): never {
  rm(scratch)
  console.error(error)
  process.exit(1)
}

/**
 * Float32 "weights" drawn from normal(0, 0.02) (Box-Muller over a fixed LCG), the shape of
 * trained model tensors: the same bytes on every run, so ratios compare like with like.
 */
export function normalWeights(bytes: number): Float32Array {
  const out = new Float32Array(bytes / 4)
  let s = 12345
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rand())) * 0.02
    const t = 2 * Math.PI * rand()
    out[i] = r * Math.cos(t)
    out[i + 1] = r * Math.sin(t)
  }
  return out
}

/**
 * How fast the machine runs plain JS at this moment: the best time of a fixed arithmetic loop
 * (no allocation, no I/O, 2.5 M iterations) over `tries` after a warm-up, in a fresh `node`
 * process (in this one, the loop's speed would depend on the code around it: in an ES module
 * that also had a direct `eval`, it ran 2x slower).
 *
 * The VMs these benches run on are not always given a full core: on the 2-core VM of
 * benches/RESULTS.md the loop takes 3.0-3.2 ms when the host leaves it alone and 4.5-6 ms
 * when the host is busy, and every wall-clock figure slows with it (large_case: 20-22 ms, then
 * 35-40 ms in the same process minutes later). Benches print it beside absolute goals, so that
 * a miss can be read against the machine's state; goals are still judged on the measured
 * times alone. It is a sample of about 50 ms: the host's load also changes between the two
 * checks around a bench.
 */
export function hostLoopMs(tries = 5): number {
  const r = spawnSync(process.execPath, ['-e', HOST_LOOP, String(tries)], { encoding: 'utf8' })
  const ms = Number((r.stdout ?? '').trim())
  return r.error === undefined && r.status === 0 && ms > 0 ? ms : NaN // (NaN: no figure; the bench goes on)
}

/** The loop `hostLoopMs` times on an idle host of the benches' machine kind (ms). */
export const HOST_LOOP_IDLE_MS = 3.0

const HOST_LOOP = `
const a = new Float64Array(4096)
let sink = 0
function loop() {
  let x = 0
  for (let r = 0; r < 600; r++) for (let i = 0; i < a.length; i++) { a[i] = a[i] * 0.5 + i; x += a[i] }
  sink += x
}
const tries = Number(process.argv[1])
let best = Infinity
for (let k = 0; k < tries + 5; k++) {
  const t = performance.now()
  loop()
  if (k >= 5) best = Math.min(best, performance.now() - t) // (the first ones run before the JIT has optimized it)
}
console.log(sink > 0 ? best : -1)
`

/** One line on the host's state: the loop's times before and after a bench, against an idle host's. */
export function hostNote(beforeMs: number, afterMs: number): string {
  const ms = (x: number) => (Number.isNaN(x) ? 'unavailable' : `${x.toFixed(1)} ms`)
  return `host check (a fixed JS loop in a fresh node; ${HOST_LOOP_IDLE_MS.toFixed(1)} ms on an idle host): ${ms(beforeMs)} before, ${ms(afterMs)} after`
}
