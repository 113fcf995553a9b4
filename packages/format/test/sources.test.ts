import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createPackage, openPackage, type PackageError, type PackageSource } from '@torshpkg/format'
import { rng, sameBytes } from '../../../scripts/test-data'
import { startFileServer, type TestServer } from '../../../scripts/test-server'

const manifest = { name: 'sources', version: '0.1.0' }
let dir: string
let server: TestServer
let file: string
let bytes: Uint8Array<ArrayBuffer>
const big = rng(7).bytes(300_000)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'torshpkg-sources-'))
  file = join(dir, 'pkg.torshpkg')
  const w = createPackage(file, manifest, { chunkSize: 65536 })
  await w.add('config.json', '{"layers":2}', { type: 'config' })
  await w.add('big.bin', big)
  const summary = await w.finish()
  expect(summary.path).toBe(file)
  bytes = new Uint8Array(await readFile(file))
  server = await startFileServer(dir)
})
afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

async function check(source: PackageSource) {
  const pkg = await openPackage(source)
  try {
    expect(pkg.manifest.name).toBe('sources')
    expect(new TextDecoder().decode(await pkg.read('config.json'))).toBe('{"layers":2}')
    sameBytes(await pkg.read('big.bin'), big)
    sameBytes(await pkg.readRange('big.bin', 70_000, 100_000), big.subarray(70_000, 170_000))
    const report = await pkg.verify()
    expect(report.ok).toBe(true)
    expect(report.checkedBytes).toBe(bytes.length)
    return pkg.digest
  } finally {
    await pkg.close()
  }
}

describe('every source kind opens the same package', () => {
  it('Uint8Array, ArrayBuffer, file path, file: URL, Blob, File, custom, http URL string and URL object', async () => {
    const reads: [number, number][] = []
    const custom = {
      size: bytes.length,
      read: async (o: number, l: number) => {
        reads.push([o, l])
        return bytes.slice(o, o + l)
      },
    }
    const digests = [
      await check(bytes),
      await check(bytes.slice().buffer),
      await check(file),
      await check(pathToFileURL(file)),
      await check(new Blob([bytes])),
      await check(new File([bytes], 'pkg.torshpkg')),
      await check(custom),
      await check(`${server.url}/pkg.torshpkg`),
      await check(new URL(`${server.url}/pkg.torshpkg`)),
    ]
    expect(new Set(digests).size).toBe(1)
    // The custom source was asked for the preamble and the tail, not the whole file, to open.
    expect(reads[0]).toEqual([0, 64])
    expect(reads[1]![0]).toBeGreaterThan(big.length)
  })

  it('a closed package refuses reads, and closing twice is harmless', async () => {
    const pkg = await openPackage(file)
    await pkg.close()
    await expect(pkg.read('config.json')).rejects.toMatchObject({ code: 'E_CLOSED' })
    await pkg.close() // idempotent
  })

  it('bad sources get typed errors', async () => {
    await expect(openPackage(join(dir, 'missing.torshpkg'))).rejects.toMatchObject({ code: 'E_SOURCE', details: { errno: 'ENOENT' } })
    // File content passed as a string is named as such, and not echoed whole.
    const armored = '-----BEGIN AGE ENCRYPTED FILE-----\n' + 'A'.repeat(100_000)
    const e = (await openPackage(armored).catch((x: unknown) => x)) as PackageError
    expect(e).toMatchObject({ code: 'E_SOURCE', message: expect.stringContaining('looks like file content') })
    expect(e.message.length).toBeLessThan(500)
    await expect(openPackage(42 as never)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(openPackage(new URL('ftp://example.com/x'))).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(openPackage({ size: -1, read: () => new Uint8Array(0) })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    // A custom source that returns the wrong number of bytes.
    await expect(openPackage({ size: bytes.length, read: () => new Uint8Array(3) })).rejects.toMatchObject({ code: 'E_SOURCE' })
    // One that throws.
    await expect(openPackage({ size: bytes.length, read: () => { throw new Error('disk on fire') } })).rejects.toMatchObject({ code: 'E_SOURCE', message: expect.stringContaining('disk on fire') })
  })
})

describe('sinks', () => {
  it('a file path is written atomically: no temp files left, the target appears only when finished', async () => {
    const target = join(dir, 'atomic.torshpkg')
    const w = createPackage(target, manifest)
    await w.add('a', rng(8).bytes(1000))
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' })
    expect((await readdir(dir)).some((f) => f.startsWith('.atomic.torshpkg.') && f.endsWith('.tmp'))).toBe(true)
    await w.finish()
    expect((await stat(target)).size).toBeGreaterThan(1000)
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('an aborted file write leaves nothing behind and keeps an existing file intact', async () => {
    const target = join(dir, 'keep.torshpkg')
    await writeFile(target, 'previous contents')
    const w = createPackage(target, manifest)
    await w.add('a', new Uint8Array(5000))
    await w.abort()
    await expect(w.finish()).rejects.toMatchObject({ code: 'E_ABORTED' })
    expect(await readFile(target, 'utf8')).toBe('previous contents')
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('an unwritable path fails add() and finish() with E_SOURCE', async () => {
    const w = createPackage(join(dir, 'no/such/dir/x.torshpkg'), manifest)
    await expect(w.add('a', 'x')).rejects.toMatchObject({ code: 'E_SOURCE' })
    await expect(w.finish()).rejects.toMatchObject({ code: 'E_CLOSED' })
  })

  it('a WritableStream receives the same package bytes (without the tail locator)', async () => {
    const parts: Uint8Array[] = []
    const stream = new WritableStream<Uint8Array>({ write: (c) => void parts.push(c.slice()) })
    const w = createPackage(stream, manifest, { chunkSize: 65536 })
    await w.add('config.json', '{"layers":2}', { type: 'config' })
    await w.add('big.bin', big)
    const s = await w.finish()
    const streamed = new Uint8Array(Buffer.concat(parts))
    expect(s.digest).toBe((await openPackage(bytes)).digest)
    // Identical to the file except the tail locator (bytes 24..31), which a stream cannot seek
    // back to fill, and the footer flag that says so; neither is under the digest.
    const flags = bytes.length - 96 + 84
    expect(Buffer.from(streamed.subarray(24, 32))).toEqual(Buffer.alloc(8))
    expect(new DataView(streamed.buffer).getUint32(flags, true)).toBe(0)
    expect(new DataView(bytes.buffer).getUint32(flags, true)).toBe(1)
    sameBytes(streamed.subarray(0, 24), bytes.subarray(0, 24))
    sameBytes(streamed.subarray(32, flags), bytes.subarray(32, flags))
    sameBytes(streamed.subarray(flags + 4), bytes.subarray(flags + 4))
    expect(await check(streamed)).toBe(s.digest)
  })

  it('a custom { write, close } sink works, and its failures surface as E_SOURCE', async () => {
    let closed = false
    const parts: Uint8Array[] = []
    const w = createPackage({ write: (b) => void parts.push(b.slice()), close: () => void (closed = true) }, manifest)
    await w.add('x', 'y')
    await w.finish()
    expect(closed).toBe(true)
    expect((await openPackage(new Uint8Array(Buffer.concat(parts)))).has('x')).toBe(true)
    const failing = createPackage({ write: () => { throw new Error('quota exceeded') } }, manifest)
    await expect(failing.add('x', 'y')).rejects.toMatchObject({ code: 'E_SOURCE', message: expect.stringContaining('quota exceeded') })
  })
})
