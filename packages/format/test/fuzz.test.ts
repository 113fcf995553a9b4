import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { expectFinished, runFuzz } from '../../../scripts/fuzz-harness'

/**
 * Seeded mutation fuzzing of the reader. Plain mutations must be caught (a typed error or a
 * failed verify, never wrong data); mutations of the manifest and index that are then resealed
 * get past the digest and exercise every parser and bound behind it, where the only rule is:
 * a PackageError or success, never another exception, never a hang. The loop runs in its own
 * process (fuzz-runner.ts) so a hang, even a synchronous one, is caught and named.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261120)
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 3000)

describe('fuzz', () => {
  it(`${ITERATIONS} seeded mutations give only PackageErrors, never wrong data, never a hang`, { timeout: 600_000 }, async () => {
    const runner = fileURLToPath(new URL('./fuzz-runner.ts', import.meta.url))
    const result = await runFuzz(runner, [String(SEED), String(ITERATIONS)], { cwd: fileURLToPath(new URL('..', import.meta.url)) })
    const tally = expectFinished(result, SEED)
    expect(tally.rejected! + tally.reported! + tally.clean! + tally.unchanged!).toBe(ITERATIONS)
    expect(tally.unchanged).toBeLessThan(ITERATIONS / 100)
    expect(tally.rejected).toBeGreaterThan(ITERATIONS / 4)
    expect(tally.reported).toBeGreaterThan(ITERATIONS / 20)
  })
})
