/**
 * Inputs built to cost a decoder far more than they are worth, decoded in their own process by
 * hostile.test.ts (see scripts/fuzz-harness.ts): a decoder that allocates per declared size
 * instead of per real output would spin here for minutes, synchronously, where no test timeout
 * can stop it. Prints {"progress": step} after each step, then {"done": {"steps": n}}, or
 * {"failed": why}.
 *
 *   node --import tsx test/hostile-runner.ts
 */
import * as browser from '../src/index.js'
import * as node from '../src/index.node.js'
import { xxh32 } from '../src/checksums/xxh32.js'
import { sameBytes } from '../../../scripts/test-data.js'
import { collect, pieces, streamOf } from './helpers.js'

const emit = (event: object) => process.stdout.write(JSON.stringify(event) + '\n')

/** An LZ4 frame of linked 4 MiB blocks, built by hand from raw block bodies. */
function lz4Frame(blocks: Uint8Array[]): Uint8Array {
  const header = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x40 /* version 1, linked */, 0x70 /* 4 MiB blocks */, 0)
  header[6] = (xxh32(header, 0, 4, 6) >>> 8) & 0xff
  const parts: Uint8Array[] = [header]
  for (const b of blocks) {
    const size = new Uint8Array(4)
    new DataView(size.buffer).setUint32(0, b.length, true)
    parts.push(size, b)
  }
  parts.push(new Uint8Array(4)) // end mark, no content checksum
  return new Uint8Array(Buffer.concat(parts))
}

// 30 000 blocks of one literal each, then one whose match reaches 1 500 bytes back across
// 1 500 earlier blocks. Given a 4 MiB buffer per block, this 180 KB input would zero 120 GB.
const tiny = Array.from({ length: 30_000 }, (_, i) => Uint8Array.of(0x10, (i * 7) & 0xff))
const reach = Uint8Array.of(0x0f, 1500 & 0xff, 1500 >> 8, 255, 255, 255, 216, 0x10, 0x2a) // 1000 bytes from 1500 back, one literal
const lz4 = lz4Frame([...tiny, reach])
const lz4Output = new Uint8Array(31_001)
for (let i = 0; i < 30_000; i++) lz4Output[i] = (i * 7) & 0xff
for (let i = 0; i < 1000; i++) lz4Output[30_000 + i] = lz4Output[28_500 + i]!
lz4Output[31_000] = 0x2a

// Empty zstd frames each declaring a 128 MiB window (magic, window descriptor 2^27, one empty
// last raw block): 18 KB that would have the decoder allocate and zero 256 GB.
const zstdFrame = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x88, 0x01, 0x00, 0x00)
const zstd = new Uint8Array(Buffer.concat(Array.from({ length: 2000 }, () => zstdFrame)))

function code(f: () => unknown): string {
  try {
    f()
    return 'ok'
  } catch (e) {
    return (e as { code?: string }).code ?? String(e)
  }
}
async function codeAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f()
    return 'ok'
  } catch (e) {
    return (e as { code?: string }).code ?? String(e)
  }
}
function expectCode(what: string, got: string, want: string) {
  if (got !== want) throw new Error(`${what}: expected ${want}, got ${got}`)
}

const steps: [string, () => unknown][] = []
for (const [name, api] of [['browser', browser], ['node', node]] as const) {
  steps.push(
    [`${name}: lz4 tiny blocks, one-shot`, () => sameBytes(api.decompressSync(lz4, { codec: 'lz4' }), lz4Output)],
    [`${name}: lz4 tiny blocks, streamed`, async () => sameBytes(await collect(streamOf(pieces(lz4, 3)).pipeThrough(api.decompressStream({ codec: 'lz4' }))), lz4Output)],
    [`${name}: lz4 tiny blocks, one byte over the limit`, () => expectCode('limit', code(() => api.decompressSync(lz4, { codec: 'lz4', maxOutputSize: 31_000 })), 'E_LIMIT')],
    [`${name}: zstd, two empty frames are fine`, () => sameBytes(api.decompressSync(zstd.subarray(0, 18), { codec: 'zstd' }), new Uint8Array(0))],
    [`${name}: zstd windows past 4x the limit`, () => expectCode('default limit', code(() => api.decompressSync(zstd, { codec: 'zstd' })), 'E_LIMIT')],
    [`${name}: zstd windows past 4 GiB, whatever the limit`, () => expectCode('no limit', code(() => api.decompressSync(zstd, { codec: 'zstd', maxOutputSize: Number.MAX_SAFE_INTEGER })), 'E_LIMIT')],
    [`${name}: zstd windows, streamed`, async () => expectCode('streamed', await codeAsync(() => collect(streamOf([zstd]).pipeThrough(api.decompressStream({ codec: 'zstd' })))), 'E_LIMIT')],
  )
}

try {
  for (let i = 0; i < steps.length; i++) {
    const [what, run] = steps[i]!
    try {
      await run()
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`)
    }
    emit({ progress: i })
  }
  emit({ done: { steps: steps.length } })
} catch (e) {
  emit({ failed: (e as Error).message })
}
