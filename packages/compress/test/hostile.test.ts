import { describe, expect, it } from 'vitest'
import * as browser from '../src/index'
import * as node from '../src/index.node'
import { fileURLToPath } from 'node:url'
import { expectFinished, runFuzz } from '../../../scripts/fuzz-harness'
import { requireTool, runTool } from '../../../scripts/test-tools'
import { collect, collectIterable, fixture, pieces, random, same, streamOf } from './helpers'

/**
 * Inputs built to cost a decoder more than they are worth (see hostile-runner.ts), limits past
 * what one buffer holds, and the edges where the two builds (node:zlib and the portable
 * decoders) could disagree.
 */
const builds = [
  ['browser build', browser],
  ['node build', node],
] as const

describe('inputs that declare far more than they hold (tiny LZ4 blocks in 4 MiB frames, empty zstd frames with 128 MiB windows)', () => {
  it('cost what they output, or are refused: in their own process, so a synchronous hang is caught', { timeout: 120_000 }, async () => {
    const runner = fileURLToPath(new URL('./hostile-runner.ts', import.meta.url))
    const result = expectFinished(await runFuzz(runner, [], { cwd: fileURLToPath(new URL('..', import.meta.url)), stallMs: 30_000 }))
    expect(result.steps).toBe(14)
  })
})

describe('limits above 4 GiB', () => {
  it.each(['deflate', 'gzip', 'zlib'] as const)('%s decodes with maxOutputSize past what one buffer can hold', async (codec) => {
    const data = fixture('code.py')
    for (const api of [browser, node]) {
      const packed = api.compressSync(data, { codec })
      same(api.decompressSync(packed, { codec, maxOutputSize: 2 ** 40 }), data)
      same(await api.decompress(packed, { codec, maxOutputSize: Number.MAX_SAFE_INTEGER }), data)
      same(await collect(streamOf([packed]).pipeThrough(api.decompressStream({ codec, maxOutputSize: 2 ** 40 }))), data)
    }
  })

  it('lzma: a header declaring 1 TiB is a limit, not a failed allocation', () => {
    const packed = fixture('code.py.lzma').slice()
    new DataView(packed.buffer).setBigUint64(5, 2n ** 40n, true)
    for (const api of builds.map(([, a]) => a)) {
      expect(() => api.decompressSync(packed, { codec: 'lzma', maxOutputSize: Number.MAX_SAFE_INTEGER })).toThrow(expect.objectContaining({ code: 'E_LIMIT' }))
    }
  })
})

describe('bytes after the end of a stream', () => {
  const data = fixture('config.json')
  const garbage = Uint8Array.of(1, 2, 3, 4)
  const cat = (a: Uint8Array, b: Uint8Array) => new Uint8Array(Buffer.concat([a, b]))

  it.each(builds)('are refused after zlib, gzip, LZ4 and zstd, one-shot and streamed alike (%s)', async (_, api) => {
    const streams: [string, Uint8Array][] = [
      ['zlib', api.compressSync(data, { codec: 'zlib' })],
      ['gzip', api.compressSync(data, { codec: 'gzip' })],
      ['lz4', api.compressSync(data, { codec: 'lz4' })],
      ['zstd', fixture('config.json.zst')],
    ]
    for (const [codec, packed] of streams) {
      const bad = cat(packed, garbage)
      await expect(api.decompress(bad, { codec: codec as 'zlib' }), codec).rejects.toMatchObject({ code: 'E_CORRUPT' })
      expect(() => api.decompressSync(bad, { codec: codec as 'zlib' }), codec).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }))
      await expect(collect(streamOf([bad]).pipeThrough(api.decompressStream({ codec: codec as 'zlib' }))), codec).rejects.toMatchObject({ code: 'E_CORRUPT' })
    }
  })

  it('raw deflate has no framing to end it: what follows is ignored by both builds', () => {
    const packed = cat(browser.compressSync(data, { codec: 'deflate' }), garbage)
    same(node.decompressSync(packed, { codec: 'deflate' }), data)
    same(browser.decompressSync(packed, { codec: 'deflate' }), data)
  })

  it('zero padding after gzip: accepted by the node build (as gzip -d does), refused by the portable one', () => {
    requireTool('gzip')
    const padded = cat(browser.compressSync(data, { codec: 'gzip' }), new Uint8Array(512))
    same(runTool('gzip', ['-dc'], padded), data)
    same(node.decompressSync(padded, { codec: 'gzip' }), data)
    expect(() => browser.decompressSync(padded, { codec: 'gzip' })).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }))
  })
})

describe('lzma: a declared size and an end marker both', () => {
  it('is accepted, as xz accepts it; a byte past the declared size is not', () => {
    requireTool('xz')
    const data = new Uint8Array(Buffer.concat([fixture('code.py'), random(5000)]))
    // xz --format=lzma writes "size unknown" and an end marker: declare the size too.
    const packed = runTool('xz', ['-c', '--format=lzma'], data)
    new DataView(packed.buffer, packed.byteOffset).setBigUint64(5, BigInt(data.length), true)
    same(runTool('xz', ['-dc', '--format=lzma'], packed), data) // the reference decoder agrees
    for (const [, api] of builds) same(api.decompressSync(packed, { codec: 'lzma' }), data)
    // Declaring one byte less makes the last literal excess data.
    new DataView(packed.buffer, packed.byteOffset).setBigUint64(5, BigInt(data.length - 1), true)
    for (const [, api] of builds) expect(() => api.decompressSync(packed, { codec: 'lzma' })).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }))
  })
})

describe("a source's own error", () => {
  it.each(['xz', 'gzip', 'lz4'] as const)('reaches the caller of %s decompressIterable as itself', async (codec) => {
    const packed = codec === 'xz' ? fixture('code.py.xz') : node.compressSync(fixture('code.py'), { codec })
    const failure = new Error('disk on fire')
    async function* source() {
      yield packed.subarray(0, 100)
      throw failure
    }
    for (const [, api] of builds) await expect(collectIterable(api.decompressIterable(source(), { codec }))).rejects.toBe(failure)
  })
})
