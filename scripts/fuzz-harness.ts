import { spawn } from 'node:child_process'

/** What a fuzz runner reported. */
export interface FuzzResult {
  done?: Record<string, number>
  failed?: string
  /** The last iteration reported before the runner stopped making progress. */
  hung?: number
}

/**
 * Run a fuzz runner (a TypeScript file, under tsx) in its own process and watch it: it prints
 * one JSON line per event ({"progress": i}, then {"done": tally} or {"failed": message}).
 * If no line arrives for `stallMs`, the process is killed and the result says where it hung,
 * so even a synchronous infinite loop in the code under test is caught and located.
 */
export function runFuzz(runner: string, args: string[], options: { cwd: string; stallMs?: number }): Promise<FuzzResult> {
  const stallMs = options.stallMs ?? 15_000
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let last = -1
    let result: FuzzResult = {}
    let stderr = ''
    let buffered = ''
    const stall = () => {
      result = { hung: last }
      child.kill('SIGKILL')
    }
    let timer = setTimeout(stall, stallMs)
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const event = JSON.parse(buffered.slice(0, nl))
        buffered = buffered.slice(nl + 1)
        clearTimeout(timer)
        timer = setTimeout(stall, stallMs)
        if ('progress' in event) last = event.progress
        else result = event
      }
    })
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', () => {
      clearTimeout(timer)
      if (!result.done && !result.failed && result.hung === undefined) result = { failed: `runner exited without a result: ${stderr}` }
      resolve(result)
    })
  })
}

/** Throw a descriptive error unless the run finished cleanly; returns the tally. */
export function expectFinished(result: FuzzResult, seed?: number): Record<string, number> {
  const where = seed === undefined ? '' : ` (seed ${seed})`
  if (result.hung !== undefined) throw new Error(`the code under test stopped making progress after step ${result.hung}${where}`)
  if (result.failed) throw new Error(result.failed)
  return result.done!
}
