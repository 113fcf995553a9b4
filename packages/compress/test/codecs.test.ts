import { describe, expect, it } from 'vitest'
import * as browser from '../src/index'
import * as node from '../src/index.node'
import type { CodecName } from '../src/index'
import { collect, collectIterable, fixture, pieces, random, same, streamOf } from './helpers'

/** Everything both builds can write on Node 20 (zstd writing needs Node 22.15: see zstd-node22.test.ts). */
const WRITABLE: CodecName[] = ['deflate', 'gzip', 'zlib', 'lz4']

const inputs: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', Uint8Array.of(42)],
  ['17 bytes', random(17)],
  ['config.json', fixture('config.json')],
  ['code.py', fixture('code.py')],
  ['weights.f32', fixture('weights.f32')],
  ['random.bin', fixture('random.bin')],
  ['9 MiB mixed', new Uint8Array(Buffer.concat([random(3 << 20, 5), new Uint8Array(3 << 20), fixture('code.py').subarray(0, 1 << 20), random(2 << 20, 9)]))],
]

describe.each([
  ['browser build', browser],
  ['node build', node],
] as const)('%s', (_, api) => {
  describe.each(WRITABLE)('%s', (codec) => {
    it.each(inputs)('round trips %s one-shot, sync and async', async (_, data) => {
      const packed = api.compressSync(data, { codec })
      same(await api.decompress(packed, { codec, maxOutputSize: data.length }), data)
      same(api.decompressSync(packed, { codec, expectedSize: data.length }), data)
      if (codec !== 'deflate') same(await api.decompress(packed, { maxOutputSize: data.length }), data) // detected
    })

    it('round trips through streams and iterables, whatever the piece sizes', async () => {
      for (const [, data] of inputs) {
        const packed = await collect(streamOf(pieces(data)).pipeThrough(api.compressStream({ codec })))
        same(await api.decompress(packed, { codec, maxOutputSize: data.length }), data)
        const back = await collect(streamOf(pieces(packed, 3)).pipeThrough(api.decompressStream({ codec, maxOutputSize: data.length })))
        same(back, data)
        const viaIterables = await collectIterable(api.decompressIterable(api.compressIterable(pieces(data), { codec }), { codec }))
        same(viaIterables, data)
        // The one-shot output decodes as a stream, a byte at a time.
        const oneShot = api.compressSync(data.subarray(0, 5000), { codec })
        same(await collect(streamOf(pieces(oneShot, 1).flatMap((p) => Array.from(p, (b) => Uint8Array.of(b)))).pipeThrough(api.decompressStream({ codec }))), data.subarray(0, 5000))
      }
    })

    it('takes every level and the presets', () => {
      const data = fixture('config.json')
      const { min, max } = codec === 'lz4' ? { min: 1, max: 1 } : { min: 0, max: 9 }
      for (let level = min; level <= max; level++) same(api.decompressSync(api.compressSync(data, { codec, level }), { codec }), data)
      // Presets are names for levels: fast 1, balanced 6, max 9 (lz4js has one level).
      const presets = codec === 'lz4' ? { fast: 1, balanced: 1, max: 1 } : { fast: 1, balanced: 6, max: 9 }
      for (const [preset, level] of Object.entries(presets)) {
        same(api.compressSync(data, { codec, level: preset as 'fast' }), api.compressSync(data, { codec, level }))
      }
      same(api.compressSync(data, { codec }), api.compressSync(data, { codec, level: 'balanced' }))
      expect(() => api.compressSync(data, { codec, level: 'ultra' as never })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
      expect(() => api.compressSync(data, { codec, level: 99 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    })

    it('byte shuffle round trips for every width, including lengths that are not a multiple', () => {
      for (const shuffle of [2, 4, 8] as const) {
        for (const data of [fixture('weights.f32'), random(4099)]) {
          const packed = api.compressSync(data, { codec, shuffle })
          same(api.decompressSync(packed, { codec, shuffle, maxOutputSize: data.length }), data)
        }
      }
      expect(() => api.compressSync(new Uint8Array(8), { codec, shuffle: 3 as never })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
      expect(() => api.compressStream({ codec, shuffle: 4 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    })

    it('stops a decompression bomb at maxOutputSize, one-shot and streaming', async () => {
      const bomb = api.compressSync(new Uint8Array(32 << 20), { codec, level: codec === 'lz4' ? 1 : 9 })
      expect(bomb.length).toBeLessThan(1 << 20)
      expect(() => api.decompressSync(bomb, { codec, maxOutputSize: 1 << 20 })).toThrow(expect.objectContaining({ code: 'E_LIMIT' }))
      await expect(collect(streamOf([bomb]).pipeThrough(api.decompressStream({ codec, maxOutputSize: 1 << 20 })))).rejects.toMatchObject({ code: 'E_LIMIT' })
      expect(() => api.decompressSync(bomb, { codec, expectedSize: 1000 })).toThrow(expect.objectContaining({ code: 'E_SIZE_MISMATCH' }))
      expect(() => api.decompressSync(bomb, { codec, expectedSize: (32 << 20) + 1 })).toThrow(expect.objectContaining({ code: 'E_SIZE_MISMATCH' }))
    })

    it('refuses truncated, emptied and corrupted streams with E_CORRUPT, never wrong data', () => {
      const data = fixture('code.py')
      const packed = api.compressSync(data, { codec })
      const attempts = [packed.subarray(0, packed.length >> 1), packed.subarray(0, packed.length - 1), packed.subarray(0, 3), new Uint8Array(0)]
      for (const bad of attempts) {
        expect(() => api.decompressSync(bad, { codec, maxOutputSize: 1 << 20 }), `length ${bad.length}`).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }))
      }
      // Every single-byte change either fails or (raw deflate has no checksum) yields... never the
      // same length of silently different bytes for checksummed formats.
      let undetected = 0
      for (let i = 0; i < packed.length; i += Math.max(1, packed.length >> 7)) {
        const copy = packed.slice()
        copy[i]! ^= 0x20
        try {
          const out = api.decompressSync(copy, { codec, maxOutputSize: 1 << 20 })
          if (!Buffer.from(out).equals(Buffer.from(data))) undetected++
        } catch (e) {
          expect(e).toMatchObject({ name: 'CompressError' })
        }
      }
      if (codec !== 'deflate') expect(undetected).toBe(0)
    })
  })

  it('reports codec capabilities, and refuses what it cannot do with typed errors', async () => {
    expect(api.codecs.deflate).toEqual({ canCompress: true, canDecompress: true, streaming: true })
    expect(api.codecs.xz).toEqual({ canCompress: false, canDecompress: true, streaming: true })
    expect(api.codecs.lzma).toEqual({ canCompress: false, canDecompress: true, streaming: false })
    expect(api.codecs.zstd.canDecompress).toBe(true)
    await expect(api.compress(new Uint8Array(1), { codec: 'brotli' as never })).rejects.toMatchObject({ code: 'E_UNKNOWN_CODEC' })
    await expect(api.compress(new Uint8Array(1), { codec: 'xz' })).rejects.toMatchObject({ code: 'E_CODEC_UNAVAILABLE', message: expect.stringContaining('read-only') })
    await expect(api.compress(new Uint8Array(1), { codec: 'lzma' })).rejects.toMatchObject({ code: 'E_CODEC_UNAVAILABLE' })
    if (!api.codecs.zstd.canCompress) {
      await expect(api.compress(new Uint8Array(1), { codec: 'zstd' })).rejects.toMatchObject({ code: 'E_CODEC_UNAVAILABLE', message: expect.stringContaining('22.15') })
    }
    expect(() => api.decompressSync(fixture('code.py.xz'), { maxOutputSize: 1 << 20 })).toThrow(expect.objectContaining({ code: 'E_CODEC_UNAVAILABLE', message: expect.stringContaining('asynchronous') }))
    await expect(api.decompress(api.compressSync(Uint8Array.of(1), { codec: 'deflate' }))).rejects.toMatchObject({ code: 'E_UNKNOWN_CODEC' })
    await expect(api.decompress(new Uint8Array(1), { codec: 'deflate', maxOutputSize: -1 })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
  })
})

describe('the two builds agree', () => {
  it("compress to identical bytes (fflate and our frame writers in both), which other decoders read", () => {
    for (const codec of WRITABLE) {
      for (const [, data] of inputs) {
        const a = node.compressSync(data, { codec, level: 'max' })
        same(a, browser.compressSync(data, { codec, level: 'max' }))
        same(browser.decompressSync(a, { codec, maxOutputSize: data.length }), data)
      }
    }
  })

  it('decode every fixture to the same bytes (node:zlib and fflate, for the zlib family)', () => {
    for (const name of ['code.py.gz', 'config.json.gz', 'weights.f32.gz', 'concat.gz', 'empty.bin.gz']) {
      same(node.decompressSync(fixture(name), { maxOutputSize: 1 << 20 }), browser.decompressSync(fixture(name), { maxOutputSize: 1 << 20 }))
    }
  })
})
