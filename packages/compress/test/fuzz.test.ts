import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { expectFinished, runFuzz } from '../../../scripts/fuzz-harness'

/**
 * Every decoder (ours for LZ4, the zstd frame walker, LZMA; fflate's and zlib's for the
 * deflate family with our checksum layers; xz-decompress) against seeded mutations of valid
 * streams, in a child process so even a synchronous hang is caught (fuzz-runner.ts).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 7)
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 1500)

describe('decoder fuzzing', () => {
  it(`${ITERATIONS} mutated streams give results or CompressErrors only, within limits, never a hang`, { timeout: 600_000 }, async () => {
    const runner = fileURLToPath(new URL('./fuzz-runner.ts', import.meta.url))
    const tally = expectFinished(await runFuzz(runner, [String(SEED), String(ITERATIONS)], { cwd: fileURLToPath(new URL('..', import.meta.url)) }), SEED)
    expect(tally.ok! + tally.error!).toBe(3 * ITERATIONS)
    expect(tally.error).toBeGreaterThan(ITERATIONS)
  })
})
