import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import * as node from '../src/index.node'
import type { CodecName } from '../src/index'
import { runNode } from '../../../scripts/dist-check'
import { fixture, random, same } from './helpers'

// The sources' worker, run through tsx (the built package finds dist/pool-worker.node.js itself).
const workerUrl = new URL('../../../scripts/pool-worker-dev.mjs', import.meta.url)
const chunks = Array.from({ length: 12 }, (_, i) => new Uint8Array(Buffer.concat([fixture('code.py'), random(20_000 + i, i)])))

describe('worker pool (worker_threads)', () => {
  it('gives exactly the bytes the calling thread would, for every writable codec, in any completion order', async () => {
    const pool = node.createPool({ size: 2, workerUrl })
    try {
      expect(pool.size).toBe(2)
      expect(pool.parallel).toBe(true)
      for (const codec of ['deflate', 'gzip', 'zlib', 'lz4'] as CodecName[]) {
        const packed = await Promise.all(chunks.map((c) => pool.compress(c, { codec, level: 'max' })))
        packed.forEach((p, i) => same(p, node.compressSync(chunks[i]!, { codec, level: 'max' })))
        const back = await Promise.all(packed.map((p, i) => pool.decompress(p, { codec, expectedSize: chunks[i]!.length })))
        back.forEach((b, i) => same(b, chunks[i]!))
      }
      // Shuffle and zstd/xz/lzma decoding go through it too.
      same(await pool.decompress(await pool.compress(fixture('weights.f32'), { codec: 'deflate', shuffle: 4 }), { codec: 'deflate', shuffle: 4 }), fixture('weights.f32'))
      same(await pool.decompress(fixture('code.py.zst'), { codec: 'zstd' }), fixture('code.py'))
      same(await pool.decompress(fixture('code.py.xz'), { codec: 'xz' }), fixture('code.py'))
    } finally {
      await pool.close()
    }
  })

  it("reports a job's CompressError as such, and keeps working", async () => {
    const pool = node.createPool({ size: 1, workerUrl })
    try {
      await expect(pool.decompress(Uint8Array.of(1, 2, 3), { codec: 'gzip' })).rejects.toMatchObject({ name: 'CompressError', code: 'E_CORRUPT' })
      await expect(pool.compress(new Uint8Array(4), { codec: 'xz' })).rejects.toMatchObject({ code: 'E_CODEC_UNAVAILABLE' })
      await expect(pool.decompress(node.compressSync(new Uint8Array(1 << 20), { codec: 'lz4' }), { codec: 'lz4', maxOutputSize: 1000 })).rejects.toMatchObject({ code: 'E_LIMIT' })
      same(await pool.compress(new Uint8Array(0), { codec: 'gzip' }), node.compressSync(new Uint8Array(0), { codec: 'gzip' }))
    } finally {
      await pool.close()
    }
    await expect(pool.compress(new Uint8Array(1), { codec: 'gzip' })).rejects.toThrow(/closed/)
    await pool.close() // idempotent
  })

  it("leaves the caller's buffers intact (jobs are copied before transfer), Node Buffers included", async () => {
    const pool = node.createPool({ size: 1, workerUrl })
    try {
      const data = random(100_000, 1)
      const copy = data.slice()
      await pool.compress(data, { codec: 'deflate' })
      expect(data.byteLength).toBe(100_000)
      same(data, copy)
      // Buffer#slice is a view, not a copy: transferring one would detach the caller's memory,
      // and for a small Buffer, Node's shared 8 KiB pool with everyone else's small Buffers.
      const big = Buffer.from(random(100_000, 2))
      const small = Buffer.from('a small Buffer lives in a shared pool')
      const neighbour = Buffer.from('its neighbour')
      expect(small.buffer).toBe(neighbour.buffer)
      for (const b of [big, small]) {
        const before = Buffer.from(b)
        same(await pool.decompress(await pool.compress(b, { codec: 'lz4' }), { codec: 'lz4' }), before)
        expect(b.byteLength).toBe(before.length)
        same(b, before)
      }
      expect(neighbour.toString()).toBe('its neighbour')
      expect(pool.parallel).toBe(true)
    } finally {
      await pool.close()
    }
  })

  it("a job's bad data fails the job, not the pool: it stays parallel, nothing re-runs inline", async () => {
    const pool = node.createPool({ size: 1, workerUrl })
    try {
      // A 1 TiB LZMA header with no limit: the worker refuses it (once a bare RangeError from a
      // failed allocation, which the pool took for a broken worker and fell back to inline for good).
      const lzma = fixture('code.py.lzma').slice()
      new DataView(lzma.buffer).setBigUint64(5, 2n ** 40n, true)
      await expect(pool.decompress(lzma, { codec: 'lzma', maxOutputSize: Number.MAX_SAFE_INTEGER })).rejects.toMatchObject({ code: 'E_LIMIT' })
      await expect(pool.decompress(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1), { codec: 'gzip' })).rejects.toMatchObject({ code: 'E_CORRUPT' })
      expect(pool.parallel).toBe(true)
      same(await pool.decompress(fixture('code.py.lzma'), { codec: 'lzma' }), fixture('code.py'))
    } finally {
      await pool.close()
    }
  })

  it('a worker that cannot start is a pool failure: jobs run inline from then on', async () => {
    const pool = node.createPool({ size: 1, workerUrl: new URL('./no-such-worker.mjs', import.meta.url) })
    try {
      same(await pool.decompress(await pool.compress(fixture('code.py'), { codec: 'gzip' }), { codec: 'gzip' }), fixture('code.py'))
      expect(pool.parallel).toBe(false)
    } finally {
      await pool.close()
    }
  })

  it('from the built package, an idle pool does not keep the process alive', () => {
    const dir = fileURLToPath(new URL('..', import.meta.url))
    const out = runNode(
      dir,
      `import { createPool } from '@torshpkg/compress'
       const pool = createPool()
       const r = await pool.compress(new Uint8Array(1 << 20), { codec: 'deflate' })
       console.log(pool.size > 0, r.length < 2000)`,
      { type: 'module' },
    )
    expect(out).toBe('true true') // and the process exited without close()
  })
})
