import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * Seeded mutation fuzzing of the reader. Plain mutations must be caught (a typed error or a
 * failed verify, never wrong data); mutations of the manifest and index that are then resealed
 * get past the digest and exercise every parser and bound behind it, where the only rule is:
 * a PackageError or success, never another exception, never a hang. The loop runs in its own
 * process (fuzz-runner.ts) so a hang, even a synchronous one, is caught and named.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261120)
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 3000)
const STALL_MS = 15_000

function runFuzz(seed: number, iterations: number): Promise<{ done?: Record<string, number>; failed?: string; hung?: number }> {
  return new Promise((resolve, reject) => {
    const runner = fileURLToPath(new URL('./fuzz-runner.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', runner, String(seed), String(iterations)], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let last = -1
    let result: { done?: Record<string, number>; failed?: string; hung?: number } = {}
    let stderr = ''
    let timer = setTimeout(stall, STALL_MS)
    function stall() {
      result = { hung: last }
      child.kill('SIGKILL')
    }
    let buffered = ''
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const event = JSON.parse(buffered.slice(0, nl))
        buffered = buffered.slice(nl + 1)
        clearTimeout(timer)
        timer = setTimeout(stall, STALL_MS)
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

describe('fuzz', () => {
  it(`${ITERATIONS} seeded mutations give only PackageErrors, never wrong data, never a hang`, { timeout: 600_000 }, async () => {
    const result = await runFuzz(SEED, ITERATIONS)
    if (result.hung !== undefined) throw new Error(`the reader stopped making progress after iteration ${result.hung} (seed ${SEED})`)
    if (result.failed) throw new Error(result.failed)
    const tally = result.done!
    expect(tally.rejected! + tally.reported! + tally.clean! + tally.unchanged!).toBe(ITERATIONS)
    expect(tally.unchanged).toBeLessThan(ITERATIONS / 100)
    expect(tally.rejected).toBeGreaterThan(ITERATIONS / 4)
    expect(tally.reported).toBeGreaterThan(ITERATIONS / 20)
  })
})
