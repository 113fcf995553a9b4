import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPool } from '@torshpkg/compress'
import { createPackage, openPackage, type CompressionOption } from '@torshpkg/format'
import { parseIndex } from './helpers/index-parser'
import { bytesOf, rng, sameBytes } from '../../../scripts/test-data'

const manifest = { name: 'compression', version: '1.0.0' }
const json = JSON.stringify({ vocab: Array.from({ length: 4000 }, (_, i) => [`token${i}`, i]) })
const weights = rng(1).weights(300_000) // 1.2 MB of float32
const bf16 = (() => {
  const words = new Uint32Array(weights.slice().buffer)
  const out = new Uint16Array(words.length)
  for (let i = 0; i < words.length; i++) out[i] = words[i]! >>> 16
  return out
})()

async function pack(options: { compression?: CompressionOption; pool?: ReturnType<typeof createPool> } = {}, perResource?: CompressionOption) {
  const w = createPackage('memory', manifest, { chunkSize: 256 * 1024, ...options })
  await w.add('tokenizer.json', json, { type: 'tokenizer', compression: perResource })
  await w.add('w.f32', weights, { tensor: { dtype: 'float32', shape: [300_000] }, compression: perResource })
  await w.add('w.bf16', bf16, { tensor: { dtype: 'bfloat16', shape: [300_000] }, compression: perResource })
  await w.add('again.json', json, { compression: perResource }) // deduplicated
  return (await w.finish()).bytes!
}

async function checkAll(bytes: Uint8Array, options = {}) {
  const pkg = await openPackage(bytes, options)
  expect(new TextDecoder().decode(await pkg.read('tokenizer.json'))).toBe(json)
  expect(new TextDecoder().decode(await pkg.read('again.json'))).toBe(json)
  sameBytes(await pkg.read('w.f32'), weights)
  sameBytes((await pkg.readTensor('w.bf16')).data, bf16)
  sameBytes(await pkg.readRange('w.f32', 300_001, 500_000), bytesOf(weights).subarray(300_001, 800_001))
  expect((await pkg.verify()).ok).toBe(true)
  return pkg
}

describe('chunk codecs in the container', () => {
  it.each(['deflate', 'gzip', 'zlib', 'lz4'] as const)('%s, per package and per resource', async (codec) => {
    for (const bytes of [await pack({ compression: codec }), await pack({ compression: 'none' }, codec)]) {
      const pkg = await checkAll(bytes)
      expect(pkg.entry('tokenizer.json')!.codecs).toEqual([codec])
      const idx = parseIndex(bytes)
      expect(idx.chunks.some((c) => c.codec === { deflate: 1, zlib: 2, gzip: 3, lz4: 4 }[codec])).toBe(true)
    }
  })

  it('a byte shuffle is recorded per chunk (filter 1, element width) and undone on read', async () => {
    const bytes = await pack({ compression: 'none' }, { codec: 'deflate', level: 'max', shuffle: 4 })
    await checkAll(bytes)
    const idx = parseIndex(bytes)
    // Chunks that shrank are stored deflated and shuffled (full-size float32 chunks among them);
    // any that did not are stored raw, with no filter to undo.
    const deflated = idx.chunks.filter((c) => c.codec === 1)
    expect(deflated.filter((c) => c.rawLength === 256 * 1024).length).toBeGreaterThan(0)
    for (const c of idx.chunks) {
      expect([bytes[c.at + 17], bytes[c.at + 18]]).toEqual(c.codec === 1 ? [1, 4] : [0, 0])
    }
  })

  it("'auto' keeps float32 raw, shuffles and deflates bfloat16, deflates JSON", async () => {
    const bytes = await pack()
    const pkg = await checkAll(bytes)
    expect(pkg.entry('w.f32')!.codecs).toEqual(['none'])
    expect(pkg.entry('w.bf16')!.codecs).toEqual(['deflate'])
    expect(pkg.entry('w.bf16')!.storedSize).toBeLessThan(0.8 * bf16.byteLength)
    expect(pkg.entry('tokenizer.json')!.codecs).toEqual(['deflate'])
    const idx = parseIndex(bytes)
    const bf16Record = idx.resources.find((r) => r.path === 'w.bf16')!
    const first = idx.chunks[idx.resources.slice(0, idx.resources.indexOf(bf16Record)).reduce((n, r) => n + new DataView(bytes.buffer).getUint32(r.chunkCountAt, true), 0)]!
    expect([bytes[first.at + 17], bytes[first.at + 18]]).toEqual([1, 2]) // shuffled by 2 bytes
    // The float32 weights are still a zero-copy view.
    expect((await pkg.readTensor('w.f32')).data.buffer).toBe(bytes.buffer)
  })

  it('a worker pool changes nothing but speed: identical bytes, identical reads', async () => {
    // The sources' worker, through tsx (the built package finds dist/pool-worker.node.js itself).
    const pool = createPool({ size: 2, workerUrl: new URL('../../../scripts/pool-worker-dev.mjs', import.meta.url) })
    try {
      for (const compression of ['auto', 'deflate', 'lz4', { codec: 'gzip', shuffle: 2 }] as CompressionOption[]) {
        const inline = await pack({ compression })
        const pooled = await pack({ compression, pool })
        sameBytes(pooled, inline)
        await checkAll(pooled, { pool })
      }
      expect(pool.parallel).toBe(true) // the workers really ran the jobs
    } finally {
      await pool.close()
    }
  })

  it('options are checked: unknown codecs, unwritable ones, bad levels and shuffles', () => {
    expect(() => createPackage('memory', manifest, { compression: 'brotli' as never })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    expect(() => createPackage('memory', manifest, { compression: 'xz' as never })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    expect(() => createPackage('memory', manifest, { compression: { codec: 'deflate', level: 12 } })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/level/) }))
    expect(() => createPackage('memory', manifest, { compression: { codec: 'deflate', shuffle: 3 as never } })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/shuffle/) }))
    if (!process.versions.node.startsWith('2') || Number(process.versions.node.split('.')[0]) < 22) {
      expect(() => createPackage('memory', manifest, { compression: 'zstd' })).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/22\.15/) }))
    }
  })

  it('reads zstd chunks written under Node 22 (the portable decoder here, on Node 20)', async () => {
    const node22 = process.env.NODE22_PATH ?? fileURLToPath(new URL('../../../.cache/node22/package/bin/node', import.meta.url))
    if (!existsSync(node22)) throw new Error(`this test needs Node >= 22.15 at ${node22}: run \`npm test\` (it fetches one) or set NODE22_PATH`)
    const out = join(mkdtempSync(join(tmpdir(), 'zstd-pkg-')), 'z.torshpkg')
    execFileSync(
      node22,
      [
        '--input-type=module',
        '-e',
        `import { createPackage } from '@torshpkg/format'
         const w = createPackage(process.argv[1], { name: 'z', version: '1.0.0' }, { compression: { codec: 'zstd', level: 'max', shuffle: 4 }, chunkSize: 65536 })
         await w.add('w.f32', new Float32Array(200000).map((_, i) => Math.sin(i)))
         await w.add('text.txt', 'zstd in a package '.repeat(20000))
         await w.finish()`,
        out,
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)) },
    )
    const pkg = await openPackage(out)
    try {
      expect(pkg.entries().map((e) => e.codecs)).toEqual([['zstd'], ['zstd']])
      expect(new TextDecoder().decode(await pkg.read('text.txt'))).toBe('zstd in a package '.repeat(20000))
      const f32 = new Float32Array((await pkg.read('w.f32')).slice().buffer)
      expect(f32[12345]).toBe(Math.fround(Math.sin(12345)))
      expect((await pkg.verify()).ok).toBe(true)
    } finally {
      await pkg.close()
    }
    expect(readFileSync(out).length).toBeLessThan(800_000 + 360_000)
  })
})
