/**
 * Decoder fuzzing, run in its own process by fuzz.test.ts (see scripts/fuzz-harness.ts):
 * seeded mutations of valid streams of every codec go through every decoder, one-shot and
 * streaming. The rule: a CompressError or a result, never another exception, never a hang,
 * never more output than allowed. Prints {"progress": i} lines, then {"done": tally}.
 *
 *   node --import tsx test/fuzz-runner.ts <seed> <iterations>
 */
import * as browser from '../src/index.js'
import * as node from '../src/index.node.js'
import type { CodecName } from '../src/index.js'
import { rng } from '../../../scripts/test-data.js'
import { fixture } from './helpers.js'

const SEED = Number(process.argv[2])
const ITERATIONS = Number(process.argv[3])
const MAX = 1 << 20
const emit = (event: object) => process.stdout.write(JSON.stringify(event) + '\n')

const plain = new Uint8Array(Buffer.concat([fixture('code.py').subarray(0, 20_000), fixture('weights.f32').subarray(0, 8_000)]))
const corpus: [CodecName, Uint8Array][] = [
  ['deflate', node.compressSync(plain, { codec: 'deflate' })],
  ['gzip', node.compressSync(plain, { codec: 'gzip' })],
  ['gzip', fixture('concat.gz')],
  ['zlib', node.compressSync(plain, { codec: 'zlib' })],
  ['lz4', node.compressSync(plain, { codec: 'lz4' })],
  ['lz4', fixture('code.py.lz4')],
  ['zstd', fixture('code.py.zst')],
  ['zstd', fixture('config.json.zst')],
  ['lzma', fixture('code.py.lzma')],
  ['xz', fixture('code.py.xz')],
]

function mutate(r: ReturnType<typeof rng>, base: Uint8Array): Uint8Array {
  const b = base.slice()
  switch (r.int(5)) {
    case 0:
      for (let n = 1 + r.int(4); n > 0; n--) b[r.int(b.length)]! ^= 1 << r.int(8)
      return b
    case 1: {
      const at = r.int(b.length)
      for (let i = at; i < Math.min(b.length, at + 1 + r.int(16)); i++) b[i] = r.int(256)
      return b
    }
    case 2:
      return b.subarray(0, r.int(b.length))
    case 3: {
      // Header fields are where sizes live: hit the first 32 bytes hardest.
      const at = r.int(Math.min(32, b.length))
      b[at] = [0, 0xff, 0x7f, 0x80, r.int(256)][r.int(5)]!
      return b
    }
    default: {
      const at = r.int(b.length)
      return new Uint8Array(Buffer.concat([b.subarray(0, at), Uint8Array.from({ length: 1 + r.int(8) }, () => r.int(256)), b.subarray(at)]))
    }
  }
}

async function attempt(fn: () => Promise<Uint8Array> | Uint8Array): Promise<'ok' | 'error'> {
  try {
    const out = await fn()
    if (out.length > MAX) throw new Error(`decoder returned ${out.length} bytes, over the ${MAX} limit`)
    return 'ok'
  } catch (e) {
    if ((e as Error)?.name === 'CompressError') return 'error'
    throw e
  }
}

async function main() {
  const r = rng(SEED)
  const tally = { ok: 0, error: 0 }
  for (let i = 0; i < ITERATIONS; i++) {
    if (i % 25 === 0) emit({ progress: i })
    const [codec, base] = corpus[r.int(corpus.length)]!
    const bytes = mutate(r, base)
    try {
      for (const api of [node, browser]) {
        tally[await attempt(() => api.decompress(bytes, { codec, maxOutputSize: MAX }))]++
      }
      tally[await attempt(() => new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(browser.decompressStream({ codec, maxOutputSize: MAX }))).arrayBuffer().then((b) => new Uint8Array(b)))]++
    } catch (e) {
      emit({ failed: `iteration ${i} (seed ${SEED}, ${codec}, ${bytes.length} bytes): ${(e as Error)?.stack ?? e}` })
      process.exit(1)
    }
  }
  emit({ done: tally })
}

main().catch((e) => {
  emit({ failed: String(e?.stack ?? e) })
  process.exit(1)
})
