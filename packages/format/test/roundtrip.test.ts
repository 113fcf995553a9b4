import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { createPackage, openPackage, PackageError, type PackageData } from '@torshpkg/format'
import { bytesOf, rng, sameBytes } from '../../../scripts/test-data'
import { layoutOf } from './helpers/layout'

const manifest = { name: 'roundtrip', version: '1.0.0' }
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

async function pack(
  resources: [string, PackageData, Parameters<ReturnType<typeof createPackage>['add']>[2]?][],
  options: Parameters<typeof createPackage>[2] = {},
) {
  const w = createPackage('memory', manifest, options)
  for (const [path, data, opts] of resources) await w.add(path, data, opts)
  return w.finish()
}

describe('round trips', () => {
  it('an empty package has no entries and verifies', async () => {
    const s = await pack([])
    expect(s.resources).toBe(0)
    expect(s.size).toBe(s.bytes!.length)
    const pkg = await openPackage(s.bytes!)
    expect(pkg.entries()).toEqual([])
    expect(pkg.manifest).toMatchObject(manifest)
    expect(pkg.digest).toBe(s.digest)
    expect(pkg.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect((await pkg.verify()).ok).toBe(true)
  })

  it('empty resources read back as zero bytes, stream nothing, and take no chunks', async () => {
    const s = await pack([
      ['empty.bin', new Uint8Array(0)],
      ['empty.txt', ''],
      ['empty-stream', new ReadableStream({ start: (c) => c.close() })],
    ])
    const pkg = await openPackage(s.bytes!)
    for (const e of pkg.entries()) {
      expect(e.size).toBe(0)
      expect(e.chunks).toBe(0)
      expect(await pkg.read(e.path)).toEqual(new Uint8Array(0))
      expect(await pkg.readRange(e.path, 0, 0)).toEqual(new Uint8Array(0))
      const parts: Uint8Array[] = []
      for await (const p of pkg.stream(e.path) as unknown as AsyncIterable<Uint8Array>) parts.push(p)
      expect(parts).toEqual([])
    }
    expect((await pkg.verify()).ok).toBe(true)
  })

  it('10,000 resources round trip and are found by path', async () => {
    const w = createPackage('memory', manifest)
    for (let i = 0; i < 10_000; i++) await w.add(`files/${i % 100}/r${i}.txt`, `resource ${i}\n`, { type: 'data' })
    const s = await w.finish()
    expect(s.resources).toBe(10_000)
    const pkg = await openPackage(s.bytes!)
    expect(pkg.entries()).toHaveLength(10_000)
    expect(pkg.entries()[1234]!.path).toBe('files/34/r1234.txt')
    for (const i of [0, 1, 4999, 9999]) expect(text(await pkg.read(`files/${i % 100}/r${i}.txt`))).toBe(`resource ${i}\n`)
    expect(pkg.has('files/0/r10000.txt')).toBe(false)
    expect((await pkg.verify()).ok).toBe(true)
  })

  it('unicode paths survive, and lookups match any normalisation form', async () => {
    const paths = ['模型/权重.bin', 'emoji/🧠🔥.json', 'café/naïve résumé.txt', 'ελληνικά/αρχείο', 'עברית/קובץ.md']
    const s = await pack(paths.map((p, i) => [p, `#${i}`] as [string, string]))
    const pkg = await openPackage(s.bytes!)
    expect(pkg.entries().map((e) => e.path)).toEqual(paths)
    for (const [i, p] of paths.entries()) expect(text(await pkg.read(p))).toBe(`#${i}`)
    // NFD spelling of "café" finds the NFC-stored path.
    const nfd = 'café/naïve résumé.txt'.normalize('NFD')
    expect(nfd).not.toBe('café/naïve résumé.txt')
    expect(pkg.has(nfd)).toBe(true)
    expect(text(await pkg.read(nfd))).toBe('#2')
  })

  it('resources spanning many chunks read whole, by range, and by stream', async () => {
    const r = rng(1)
    const big = r.bytes(5 * 4096 + 123) // 6 chunks, the last partial
    const s = await pack([['big.bin', big]], { chunkSize: 4096 })
    const pkg = await openPackage(s.bytes!)
    expect(pkg.entry('big.bin')).toMatchObject({ size: big.length, chunks: 6, chunkSize: 4096, codecs: ['none'] })
    sameBytes(await pkg.read('big.bin'), big)
    for (let i = 0; i < 200; i++) {
      const offset = r.int(big.length)
      const length = r.int(big.length - offset + 1)
      sameBytes(await pkg.readRange('big.bin', offset, length), big.subarray(offset, offset + length))
    }
    for (const [o, l] of [[0, 4096], [4095, 2], [4096, 4096], [big.length - 1, 1], [0, big.length]] as const) {
      sameBytes(await pkg.readRange('big.bin', o, l), big.subarray(o, o + l))
    }
    const parts: Uint8Array[] = []
    const reader = pkg.stream('big.bin').getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      parts.push(value)
    }
    expect(parts.map((p) => p.length)).toEqual([4096, 4096, 4096, 4096, 4096, 123])
    expect(Buffer.concat(parts)).toEqual(Buffer.from(big))
  })

  it('readRange outside the resource is E_RANGE; unknown paths are E_NOT_FOUND', async () => {
    const s = await pack([['a.bin', new Uint8Array(10)]])
    const pkg = await openPackage(s.bytes!)
    for (const [o, l] of [[-1, 1], [0, 11], [10, 1], [1.5, 1], [0, Number.NaN]]) {
      await expect(pkg.readRange('a.bin', o!, l!)).rejects.toMatchObject({ code: 'E_RANGE' })
    }
    await expect(pkg.read('missing.bin')).rejects.toMatchObject({ name: 'PackageError', code: 'E_NOT_FOUND' })
    expect(() => pkg.stream('missing.bin')).toThrow(PackageError)
  })

  it('accepts every kind of content: bytes, views, strings, Blobs, streams and iterables', async () => {
    const r = rng(2)
    const data = r.bytes(10_000)
    const pieces = [data.subarray(0, 1), data.subarray(1, 5000), data.subarray(5000, 5001), data.subarray(5001)]
    const inputs: [string, PackageData][] = [
      ['u8', data],
      ['arraybuffer', data.slice().buffer],
      ['dataview', new DataView(data.buffer, data.byteOffset, data.byteLength)],
      ['float32', new Float32Array(data.slice().buffer)],
      ['blob', new Blob([data])],
      ['readable', new ReadableStream({ start(c) { for (const p of pieces) c.enqueue(p); c.close() } })],
      ['async-iterable', (async function* () { yield* pieces })()],
      ['iterable', pieces],
    ]
    const s = await pack(inputs, { chunkSize: 4096 })
    const pkg = await openPackage(s.bytes!)
    for (const [path] of inputs) expect(sha(await pkg.read(path))).toBe(sha(data))
    const t = await pack([['s', 'héllo wörld']])
    expect(text(await (await openPackage(t.bytes!)).read('s'))).toBe('héllo wörld')
  })

  it('tensors come back as typed arrays, zero-copy from memory, on aligned offsets', async () => {
    const weights = rng(3).weights(256 * 64)
    const s = await pack([
      ['fc1.weight', weights, { tensor: { dtype: 'float32', shape: [256, 64] } }],
      ['ids', new BigInt64Array([1n, -2n, 3n]), { tensor: { dtype: 'int64', shape: [3] } }],
      ['half', new Uint16Array([0x3c00, 0xc000]), { tensor: { dtype: 'f16', shape: [2] } }],
    ])
    const pkg = await openPackage(s.bytes!)
    const fc1 = await pkg.readTensor('fc1.weight')
    expect(fc1.dtype).toBe('float32')
    expect(fc1.shape).toEqual([256, 64])
    expect(fc1.data).toBeInstanceOf(Float32Array)
    sameBytes(fc1.data, weights)
    expect(fc1.data.buffer).toBe(s.bytes!.buffer) // a view, not a copy
    expect(fc1.data.byteOffset % 64).toBe(0)
    expect(Array.from((await pkg.readTensor('ids')).data as BigInt64Array)).toEqual([1n, -2n, 3n])
    const half = await pkg.readTensor('half')
    expect(half.dtype).toBe('float16')
    expect(Array.from(half.data as Uint16Array)).toEqual([0x3c00, 0xc000])
    expect(pkg.entry('fc1.weight')).toMatchObject({ type: 'weights', tensor: { dtype: 'float32', shape: [256, 64] } })
  })

  it('alignment up to 4096 puts every stored-raw chunk on the boundary', async () => {
    for (const alignment of [64, 256, 4096]) {
      const r = rng(alignment)
      const s = await pack(
        [
          ['a', r.bytes(100)],
          ['b.json', JSON.stringify({ x: 'y'.repeat(5000) })],
          ['c', r.bytes(3 * 8192 + 7)],
        ],
        { alignment, chunkSize: 8192 },
      )
      const pkg = await openPackage(s.bytes!)
      for (const path of ['a', 'c']) {
        const bytes = await pkg.read(path)
        expect(bytes.buffer).toBe(s.bytes!.buffer)
        expect(bytes.byteOffset % alignment).toBe(0)
      }
      expect((await pkg.verify()).ok).toBe(true)
    }
    expect(() => createPackage('memory', manifest, { alignment: 8192 })).toThrow(/alignment/)
    expect(() => createPackage('memory', manifest, { alignment: 96 })).toThrow(/alignment/)
    expect(() => createPackage('memory', manifest, { chunkSize: 5000 })).toThrow(/chunkSize/)
    expect(() => createPackage('memory', manifest, { chunkSize: 1024 })).toThrow(/chunkSize/)
  })

  it('compression: none stores raw, deflate compresses text, auto skips float weights', async () => {
    const json = JSON.stringify({ vocab: Array.from({ length: 3000 }, (_, i) => `token${i}`) })
    const weights = bytesOf(rng(4).weights(64 * 1024))
    for (const compression of ['none', 'deflate', 'auto'] as const) {
      const s = await pack(
        [
          ['tokenizer.json', json, { type: 'tokenizer' }],
          ['w.bin', weights, { tensor: { dtype: 'float32', shape: [65536] } }],
        ],
        { compression, chunkSize: 65536 },
      )
      const pkg = await openPackage(s.bytes!)
      const tok = pkg.entry('tokenizer.json')!
      const w = pkg.entry('w.bin')!
      if (compression === 'none') expect(tok.codecs).toEqual(['none'])
      else {
        expect(tok.codecs).toEqual(['deflate'])
        expect(tok.storedSize).toBeLessThan(tok.size / 3)
      }
      // Float weights barely compress: auto keeps them raw; explicit deflate keeps whatever is smaller.
      if (compression === 'auto' || compression === 'none') expect(w.codecs).toEqual(['none'])
      expect(text(await pkg.read('tokenizer.json'))).toBe(json)
      sameBytes(await pkg.read('w.bin'), weights)
      expect((await pkg.verify()).ok).toBe(true)
    }
    // Per-resource compression overrides the package default.
    const s = await pack([['t.json', json, { compression: 'none' }]], { compression: 'deflate' })
    expect((await openPackage(s.bytes!)).entry('t.json')!.codecs).toEqual(['none'])
    expect(() => createPackage('memory', manifest, { compression: 'brotli' as never })).toThrow(/compression/)
    expect(() => createPackage('memory', manifest, { compression: { codec: 'deflate', level: 11 } })).toThrow(/level/)
  })

  it('identical resources and chunks are stored once', async () => {
    const blob = rng(5).bytes(3 * 4096)
    const one = await pack([['a', blob]], { chunkSize: 4096 })
    const two = await pack([['a', blob], ['copy/of/a', blob], ['third', blob.slice()]], { chunkSize: 4096 })
    // The two extra copies add only index records, not data.
    expect(layoutOf(two.bytes!).tailOffset).toBe(layoutOf(one.bytes!).tailOffset)
    const zeros = await pack([['zeros', new Uint8Array(10 * 4096)]], { chunkSize: 4096, compression: 'none' })
    expect(layoutOf(zeros.bytes!).tailOffset).toBe(64 + 4096) // ten identical chunks, one block
    const pkg = await openPackage(two.bytes!)
    for (const p of ['a', 'copy/of/a', 'third']) sameBytes(await pkg.read(p), blob)
    sameBytes(await (await openPackage(zeros.bytes!)).read('zeros'), new Uint8Array(10 * 4096))
    const report = await pkg.verify()
    expect(report).toMatchObject({ ok: true, chunks: { total: 9, unique: 3, corrupt: 0 }, checkedBytes: two.bytes!.length })
    // Dedup is by content: the same text asked to be stored raw and compressed is stored once.
    const text = 'the same words, again and again. '.repeat(300)
    const mixed = await pack([['deflated.txt', text, { compression: 'deflate' }], ['raw.txt', text, { compression: 'none' }]])
    const entries = (await openPackage(mixed.bytes!)).entries()
    expect(entries.map((e) => e.codecs)).toEqual([['deflate'], ['deflate']])
    expect(layoutOf(mixed.bytes!).tailOffset - 64).toBe(entries[0]!.storedSize)
  })

  it('is deterministic, and the digest moves with any change to manifest, index or data', async () => {
    const base = (m = manifest, data = 'hello', path = 'a.txt') => pack([[path, data]], {}).then(() => {
      const w = createPackage('memory', m)
      return w.add(path, data).then(() => w.finish())
    })
    const a = await base()
    const b = await base()
    expect(Buffer.from(a.bytes!)).toEqual(Buffer.from(b.bytes!))
    expect(a.digest).toBe(b.digest)
    const digests = new Set([
      a.digest,
      (await base({ ...manifest, version: '1.0.1' })).digest,
      (await base(manifest, 'hellO')).digest,
      (await base(manifest, 'hello', 'b.txt')).digest,
    ])
    expect(digests.size).toBe(4)
    // Key order in the manifest does not matter: it is stored canonically.
    const reordered = await base({ version: '1.0.0', name: 'roundtrip' } as typeof manifest)
    expect(reordered.digest).toBe(a.digest)
  })

  it('summary and entries describe what was written', async () => {
    const w = createPackage('memory', { ...manifest, description: 'desc', tags: ['a'] })
    const entry = await w.add('config.json', '{"a":1}', { type: 'config' })
    expect(entry).toEqual({ path: 'config.json', type: 'config', mediaType: 'application/json', size: 7, storedSize: 7, chunkSize: 1 << 20, chunks: 1, codecs: ['none'] })
    await w.add('model.onnx', new Uint8Array(3), { type: 'model', mediaType: 'application/x-onnx; version=13' })
    const s = await w.finish()
    expect(s).toMatchObject({ resources: 2, size: s.bytes!.length })
    expect(s.entries.map((e) => e.mediaType)).toEqual(['application/json', 'application/x-onnx; version=13'])
    const pkg = await openPackage(s.bytes!)
    expect(pkg.entries()).toEqual(s.entries)
    expect(pkg.manifest.description).toBe('desc')
    expect(pkg.formatVersion).toBe('1.0')
  })
})
