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
