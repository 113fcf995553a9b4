import { describe, expect, it } from 'vitest'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPackage, openPackage, PackageError } from '@torshpkg/format'
import { rng } from '../../../scripts/test-data'

const manifest = { name: 'writer', version: '1.0.0' }

describe('writer behaviour', () => {
  it('concurrent add() calls run in call order', async () => {
    const w = createPackage('memory', manifest)
    const paths = Array.from({ length: 50 }, (_, i) => `r${i}`)
    await Promise.all(paths.map((p, i) => w.add(p, rng(i).bytes(100 + i))))
    const { bytes } = await w.finish()
    expect((await openPackage(bytes!)).entries().map((e) => e.path)).toEqual(paths)
  })

  it("owns what it was given: reusing a Buffer after add() resolves changes nothing, pool or not", async () => {
    const { createPool } = await import('@torshpkg/compress')
    const pool = createPool({ size: 1, workerUrl: new URL('../../../scripts/pool-worker-dev.mjs', import.meta.url) })
    try {
      for (const options of [{ compression: 'none' as const }, { compression: 'lz4' as const }, { compression: 'lz4' as const, pool }]) {
        const w = createPackage('memory', manifest, { ...options, chunkSize: 65_536 })
        // Buffer#slice is a view, not a copy: the writer and its sink must not keep one.
        const big = Buffer.from(rng(1).bytes(200_000))
        const small = Buffer.from('tiny, from the shared Buffer pool')
        const [bigCopy, smallCopy] = [Buffer.from(big), Buffer.from(small)]
        await w.add('big.bin', big)
        await w.add('small.txt', small)
        big.fill(0)
        small.fill(0)
        const pkg = await openPackage((await w.finish()).bytes!)
        expect(Buffer.from(await pkg.read('big.bin')).equals(bigCopy), JSON.stringify(Object.keys(options))).toBe(true)
        expect(Buffer.from(await pkg.read('small.txt')).equals(smallCopy)).toBe(true)
        expect((await pkg.verify()).ok).toBe(true)
      }
      expect(pool.parallel).toBe(true)
    } finally {
      await pool.close()
    }
  })

  it('bad arguments reject without breaking the writer', async () => {
    const w = createPackage('memory', manifest)
    await expect(w.add('a', 42 as never)).rejects.toMatchObject({ code: 'E_ARGUMENT', details: { field: 'data' } })
    await expect(w.add('a', 'x', { type: 'weights-ish' as never })).rejects.toMatchObject({ code: 'E_ARGUMENT', details: { field: 'type' } })
    await expect(w.add('a', 'x', { mediaType: 'not a media type' })).rejects.toMatchObject({ code: 'E_ARGUMENT', details: { field: 'mediaType' } })
    await expect(w.add('a', new Uint8Array(12), { tensor: { dtype: 'float32', shape: [4] } })).rejects.toMatchObject({
      code: 'E_ARGUMENT',
      message: expect.stringContaining('needs 16 bytes but the data has 12'),
    })
    await expect(w.add('a', 'x', { tensor: { dtype: 'complex128', shape: [1] } })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(w.add('a', 'x', { tensor: { dtype: 'uint8', shape: [-1] } })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(w.add('a', 'x', { compression: 'zip' as never })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    // A stream that yields strings fails before any byte is written: the writer survives.
    await expect(w.add('a', (async function* () { yield 'text' as never })())).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await w.add('a', 'finally')
    const { bytes } = await w.finish()
    expect(new TextDecoder().decode(await (await openPackage(bytes!)).read('a'))).toBe('finally')
  })

  it('content that fails after bytes were written fails the writer (nothing half-written survives)', async () => {
    const w = createPackage('memory', manifest, { chunkSize: 4096 })
    const failing = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(rng(1).bytes(10_000))
      },
      pull(c) {
        c.error(new Error('network reset'))
      },
    })
    await expect(w.add('w', failing)).rejects.toMatchObject({ code: 'E_SOURCE', message: expect.stringContaining('network reset') })
    await expect(w.add('b', 'x')).rejects.toMatchObject({ code: 'E_CLOSED' })
    await expect(w.finish()).rejects.toMatchObject({ code: 'E_CLOSED' })
  })

  it('a stream whose size contradicts its tensor shape fails the writer', async () => {
    const w = createPackage('memory', manifest, { chunkSize: 4096 })
    const stream = (async function* () { yield rng(2).bytes(5000) })()
    await expect(w.add('t', stream, { tensor: { dtype: 'float32', shape: [1000] } })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(w.finish()).rejects.toMatchObject({ code: 'E_CLOSED' })
  })

  it('add() after finish() and finish() twice are E_CLOSED', async () => {
    const w = createPackage('memory', manifest)
    const done = w.finish()
    await expect(w.add('late', 'x')).rejects.toMatchObject({ code: 'E_CLOSED' })
    await expect(w.finish()).rejects.toMatchObject({ code: 'E_CLOSED' })
    await done
  })

  it('an AbortSignal stops the writer with E_ABORTED', async () => {
    const controller = new AbortController()
    const w = createPackage('memory', manifest, { signal: controller.signal, chunkSize: 4096 })
    await w.add('a', 'x')
    controller.abort()
    await expect(w.add('b', rng(3).bytes(100_000))).rejects.toMatchObject({ code: 'E_ABORTED' })
    await expect(w.finish()).rejects.toMatchObject({ code: 'E_ABORTED' })
  })

  it('abort() after finish() has begun waits for it and leaves its result alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'torshpkg-race-'))
    try {
      const target = join(dir, 'race.torshpkg')
      const w = createPackage(target, manifest)
      await w.add('a', rng(9).bytes(100_000))
      const finishing = w.finish()
      await w.abort()
      const summary = await finishing
      const pkg = await openPackage(target)
      try {
        expect(pkg.digest).toBe(summary.digest)
      } finally {
        await pkg.close()
      }
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
      await expect(w.add('b', 'x')).rejects.toMatchObject({ code: 'E_CLOSED' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('reports progress per chunk', async () => {
    const events: { path: string; resourceBytes: number; bytesWritten: number }[] = []
    const w = createPackage('memory', manifest, { chunkSize: 4096, onProgress: (p) => events.push(p) })
    await w.add('big', rng(4).bytes(10_000), { compression: 'none' })
    expect(events.map((e) => e.resourceBytes)).toEqual([4096, 8192, 10_000])
    expect(events.at(-1)!.bytesWritten).toBe(w.bytesWritten)
  })

  it('invalid manifests and options throw synchronously from createPackage', () => {
    expect(() => createPackage('memory', { name: 'x' } as never)).toThrow(PackageError)
    expect(() => createPackage(42 as never, manifest)).not.toThrow() // the sink error surfaces on first use
    expect(() => createPackage('memory', manifest, { chunkSize: 128 * 1024 * 1024 })).toThrow(/chunkSize/)
  })

  it('an invalid sink rejects at first use', async () => {
    const w = createPackage(42 as never, manifest)
    await expect(w.add('a', 'x')).rejects.toMatchObject({ code: 'E_ARGUMENT', details: { field: 'sink' } })
  })
})
