import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import * as browser from '../src/index'
import * as node from '../src/index.node'

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))
const random = (n: number, seed = 1) => {
  const out = new Uint8Array(n)
  let s = seed
  for (let i = 0; i < n; i++) out[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24
  return out
}
const same = (a: Uint8Array, b: Uint8Array) => expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)

const inputs: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', Uint8Array.of(42)],
  ['config.json', fixture('config.json')],
  ['code.py', fixture('code.py')],
  ['weights.f32', fixture('weights.f32')],
  ['random.bin', fixture('random.bin')],
  ['1 MiB random', random(1 << 20)],
  ['1 MiB zeros', new Uint8Array(1 << 20)],
]

describe.each([
  ['browser build (fflate)', browser],
  ['node build (zlib decoder)', node],
])('deflate, %s', (_, api) => {
  it.each(inputs)('round trips %s', async (_, data) => {
    const packed = await api.compress(data, { codec: 'deflate' })
    same(await api.decompress(packed, { codec: 'deflate', maxOutputSize: data.length }), data)
    same(api.decompressSync(packed, { codec: 'deflate', expectedSize: data.length }), data)
  })

  it('every level round trips, and level 0 stores', () => {
    const data = fixture('config.json')
    for (let level = 0; level <= 9; level++) {
      const packed = api.compressSync(data, { codec: 'deflate', level })
      same(api.decompressSync(packed, { codec: 'deflate', maxOutputSize: data.length }), data)
      if (level === 0) expect(packed.length).toBeGreaterThan(data.length)
      if (level === 9) expect(packed.length).toBeLessThan(data.length / 3)
    }
  })

  it("decodes zlib's raw deflate streams (an independent encoder) at levels 1, 6 and 9", () => {
    for (const [, data] of inputs) {
      for (const level of [1, 6, 9]) {
        const packed = new Uint8Array(deflateRawSync(data, { level }))
        same(api.decompressSync(packed, { codec: 'deflate', maxOutputSize: data.length + 1 }), data)
      }
    }
  })

  it('stops a decompression bomb at maxOutputSize with E_LIMIT', () => {
    const bomb = api.compressSync(new Uint8Array(64 << 20), { codec: 'deflate', level: 9 }) // 64 MiB of zeros
    expect(bomb.length).toBeLessThan(100_000)
    expect(() => api.decompressSync(bomb, { codec: 'deflate', maxOutputSize: 1 << 20 })).toThrow(
      expect.objectContaining({ name: 'CompressError', code: 'E_LIMIT' }),
    )
    expect(() => api.decompressSync(bomb, { codec: 'deflate', expectedSize: 1000 })).toThrow(expect.objectContaining({ code: 'E_SIZE_MISMATCH' }))
    expect(() => api.decompressSync(bomb, { codec: 'deflate', expectedSize: 2 << 20, maxOutputSize: 1 << 20 })).toThrow(
      expect.objectContaining({ code: 'E_LIMIT' }),
    )
  })

  it('a stream shorter than expected is E_SIZE_MISMATCH', () => {
    const packed = api.compressSync(fixture('code.py'), { codec: 'deflate' })
    expect(() => api.decompressSync(packed, { codec: 'deflate', expectedSize: fixture('code.py').length + 1 })).toThrow(
      expect.objectContaining({ code: 'E_SIZE_MISMATCH' }),
    )
  })

  it('truncated, empty and garbage streams are E_CORRUPT', () => {
    const packed = api.compressSync(fixture('code.py'), { codec: 'deflate' })
    for (const bad of [packed.subarray(0, packed.length >> 1), packed.subarray(0, 1), new Uint8Array(0), Uint8Array.of(0xff, 0xff, 0xff, 0xff)]) {
      expect(() => api.decompressSync(bad, { codec: 'deflate', maxOutputSize: 1 << 20 })).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }))
    }
  })

  it('reports what it can do, and refuses what it cannot with typed errors', async () => {
    expect(api.codecs.deflate).toEqual({ canCompress: true, canDecompress: true, streaming: false })
    expect(api.codecs.none.canCompress).toBe(true)
    expect(api.codecs.zstd).toEqual({ canCompress: false, canDecompress: false, streaming: false })
    await expect(api.compress(new Uint8Array(1), { codec: 'brotli' as never })).rejects.toMatchObject({ code: 'E_UNKNOWN_CODEC' })
    await expect(api.compress(new Uint8Array(1), { codec: 'zstd' })).rejects.toMatchObject({ code: 'E_CODEC_UNAVAILABLE' })
    await expect(api.decompress(fixture('code.py.gz'), { maxOutputSize: 1 << 20 })).rejects.toMatchObject({
      code: 'E_CODEC_UNAVAILABLE',
      message: expect.stringContaining('gzip'),
    })
    await expect(api.compress(new Uint8Array(1), { codec: 'deflate', level: 10 })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(api.decompress(api.compressSync(Uint8Array.of(1), { codec: 'deflate' }))).rejects.toMatchObject({ code: 'E_UNKNOWN_CODEC' })
    await expect(api.decompress(new Uint8Array(1), { codec: 'deflate', maxOutputSize: -1 })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
  })
})

describe('the two builds agree', () => {
  it("write streams that zlib (an independent decoder) reads back, byte-identical between builds", () => {
    // Both builds compress with fflate by design, so a package is byte-identical wherever it is
    // made (the Chromium test checks the same for whole packages); zlib checks the streams.
    for (const [, data] of inputs) {
      for (const level of [1, 6, 9]) {
        const packed = node.compressSync(data, { codec: 'deflate', level })
        same(new Uint8Array(inflateRawSync(packed)), data)
        same(packed, browser.compressSync(data, { codec: 'deflate', level }))
      }
    }
  })

  it('decode identical bytes from the same streams', () => {
    for (const [, data] of inputs) {
      const packed = browser.compressSync(data, { codec: 'deflate' })
      same(node.decompressSync(packed, { codec: 'deflate', maxOutputSize: data.length }), browser.decompressSync(packed, { codec: 'deflate', maxOutputSize: data.length }))
    }
  })
})
