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
