import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPackage, openPackage } from '@torshpkg/format'
import { layoutOf } from './helpers/layout'
import { rng, sameBytes } from '../../../scripts/test-data'
import { startFileServer, startHandlerServer, type TestServer } from '../../../scripts/test-server'

const manifest = { name: 'over-http', version: '2.0.0' }
const CHUNK = 256 * 1024
let dir: string
let server: TestServer
const weights = rng(11).bytes(8 * CHUNK + 1000) // 9 chunks

async function write(name: string, build: (w: ReturnType<typeof createPackage>) => Promise<unknown>, sink?: 'stream') {
  const path = join(dir, name)
  if (sink === 'stream') {
    const parts: Uint8Array[] = []
    const w = createPackage(new WritableStream({ write: (c) => void parts.push(c.slice()) }), manifest, { chunkSize: CHUNK })
    await build(w)
    await w.finish()
    await writeFile(path, Buffer.concat(parts))
  } else {
    const w = createPackage(path, manifest, { chunkSize: CHUNK })
    await build(w)
    await w.finish()
  }
  return new Uint8Array(await readFile(path))
}

let large: Uint8Array
let small: Uint8Array
let streamed: Uint8Array
let manyLocated: Uint8Array
let manyStreamed: Uint8Array

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'torshpkg-http-'))
  large = await write('large.torshpkg', async (w) => {
    await w.add('config.json', '{"dim":512}', { type: 'config' })
    await w.add('weights.bin', weights, { tensor: { dtype: 'uint8', shape: [weights.length] } })
  })
  small = await write('small.torshpkg', (w) => w.add('hello.txt', 'hello over http'))
  streamed = await write('streamed.torshpkg', (w) => w.add('weights.bin', weights), 'stream')
  const many = async (w: ReturnType<typeof createPackage>) => {
    for (let i = 0; i < 5000; i++) await w.add(`shard/${i}.txt`, `#${i}`)
    await w.add('weights.bin', weights)
  }
  manyLocated = await write('many.torshpkg', many)
  manyStreamed = await write('many-streamed.torshpkg', many, 'stream')
  server = await startFileServer(dir)
})
afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

const tailBytes = (b: Uint8Array) => b.length - layoutOf(b).tailOffset

describe('opening over HTTP', () => {
  it('takes two requests and reads at most 64 KiB plus the tail (manifest, index, footer)', async () => {
    server.reset()
    const pkg = await openPackage(`${server.url}/large.torshpkg`)
    expect(server.hits.length).toBe(2)
    expect(server.hits[0]!.range).toBe('bytes=0-65535')
    expect(server.hits.every((h) => h.status === 206 && /^bytes=\d+-\d+$/.test(h.range!))).toBe(true) // no suffix ranges
    expect(server.bytes()).toBeLessThanOrEqual(65536 + tailBytes(large))
    expect(pkg.size).toBe(large.length)
    expect(pkg.entries().map((e) => e.path)).toEqual(['config.json', 'weights.bin'])
  })

  it('a range read fetches only the chunks it covers, in one request', async () => {
    const pkg = await openPackage(`${server.url}/large.torshpkg`)
    server.reset()
    sameBytes(await pkg.readRange('weights.bin', 3 * CHUNK + 10, 100), weights.subarray(3 * CHUNK + 10, 3 * CHUNK + 110))
    expect(server.hits.length).toBe(1)
    expect(server.bytes()).toBe(CHUNK)
    server.reset()
    sameBytes(await pkg.readRange('weights.bin', 5 * CHUNK - 1, 2), weights.subarray(5 * CHUNK - 1, 5 * CHUNK + 1))
    expect(server.hits.length).toBe(1)
    expect(server.bytes()).toBe(2 * CHUNK)
    server.reset()
    sameBytes(await pkg.read('weights.bin'), weights)
    // Whatever of it lay in the first 64 KiB came from the cached head.
    const weightsStart = layoutOf(large).tailOffset - weights.length
    expect(server.bytes()).toBe(weights.length - (65536 - weightsStart))
  })

  it('a small package opens with one request and small resources come from it', async () => {
    server.reset()
    const pkg = await openPackage(`${server.url}/small.torshpkg`)
    expect(server.hits.length).toBe(1)
    expect(server.bytes()).toBe(small.length)
    expect(new TextDecoder().decode(await pkg.read('hello.txt'))).toBe('hello over http')
    expect((await pkg.verify()).ok).toBe(true)
    expect(server.hits.length).toBe(1)
  })

  it('a large index is still two requests when the preamble locates the tail', async () => {
    server.reset()
    const pkg = await openPackage(`${server.url}/many.torshpkg`)
    expect(tailBytes(manyLocated)).toBeGreaterThan(65536)
    expect(server.hits.length).toBe(2)
    expect(server.bytes()).toBeLessThanOrEqual(65536 + tailBytes(manyLocated))
    expect(pkg.entries()).toHaveLength(5001)
  })

  it('packages written to a stream (no locator) open from a tail estimate, plus one request if the index is bigger', async () => {
    server.reset()
    await openPackage(`${server.url}/streamed.torshpkg`)
    expect(server.hits.length).toBe(2)
    expect(server.bytes()).toBeLessThanOrEqual(2 * 65536 + 64 * Math.ceil(streamed.length / CHUNK))
    // A streamed package with 2048 chunk records (a 106 KiB index): the estimate still covers it.
    const parts: Uint8Array[] = []
    const w = createPackage(new WritableStream({ write: (c) => void parts.push(c.slice()) }), manifest, { chunkSize: 4096 })
    await w.add('w.bin', rng(12).bytes(2048 * 4096))
    await w.finish()
    const chunky = new Uint8Array(Buffer.concat(parts))
    expect(tailBytes(chunky)).toBeGreaterThan(100_000)
    await writeFile(join(dir, 'chunky.torshpkg'), chunky)
    server.reset()
    expect((await openPackage(`${server.url}/chunky.torshpkg`)).entries()).toHaveLength(1)
    expect(server.hits.length).toBe(2)
    // 5000 tiny resources in a 2 MiB package: an index far beyond any estimate from the size.
    // This is the one case that takes a third request.
    server.reset()
    const pkg = await openPackage(`${server.url}/many-streamed.torshpkg`)
    expect(server.hits.length).toBe(3)
    expect(server.bytes()).toBeLessThanOrEqual(2 * 65536 + tailBytes(manyStreamed))
    sameBytes(await pkg.read('weights.bin'), weights)
  })

  it('verify() over HTTP accounts for every byte', async () => {
    const pkg = await openPackage(`${server.url}/large.torshpkg`)
    const progress: number[] = []
    const report = await pkg.verify({ onProgress: (p) => progress.push(p.checkedBytes) })
    expect(report).toMatchObject({ ok: true, checkedBytes: large.length, chunks: { total: 10, unique: 10, corrupt: 0 } })
    expect(progress.at(-1)).toBe(large.length)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
  })

  it('a corrupt chunk on the server is caught by the range read that touches it, and only that one', async () => {
    const bad = large.slice()
    const chunk5 = layoutOf(bad).tailOffset - weights.length + 5 * CHUNK // weights.bin is stored last and raw
    bad[chunk5 + 77]! ^= 0x10
    await writeFile(join(dir, 'bad.torshpkg'), bad)
    const pkg = await openPackage(`${server.url}/bad.torshpkg`)
    sameBytes(await pkg.readRange('weights.bin', 4 * CHUNK, CHUNK), weights.subarray(4 * CHUNK, 5 * CHUNK))
    await expect(pkg.readRange('weights.bin', 5 * CHUNK + 100, 10)).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK' })
    await expect(pkg.read('weights.bin')).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK' })
    const report = await pkg.verify()
    expect(report.ok).toBe(false)
    expect(report.issues).toEqual([expect.objectContaining({ code: 'E_CORRUPT_CHUNK', region: 'data', paths: ['weights.bin'] })])
  })

  it('a file replaced on the server between requests is E_SOURCE_CHANGED, by size or by ETag', async () => {
    await writeFile(join(dir, 'moving.torshpkg'), large)
    const grown = await openPackage(`${server.url}/moving.torshpkg`)
    await writeFile(join(dir, 'moving.torshpkg'), Buffer.concat([large, Buffer.from('x')]))
    await expect(grown.readRange('weights.bin', 0, 10)).rejects.toMatchObject({ code: 'E_SOURCE_CHANGED' })
    // Same size, different contents: only the ETag (size + mtime for send) tells.
    await writeFile(join(dir, 'moving.torshpkg'), large)
    const same = await openPackage(`${server.url}/moving.torshpkg`)
    await new Promise((r) => setTimeout(r, 1100)) // the next mtime second gives a new ETag
    const edited = large.slice()
    edited[100_000]! ^= 1
    await writeFile(join(dir, 'moving.torshpkg'), edited)
    await expect(same.readRange('weights.bin', 2 * CHUNK, 10)).rejects.toMatchObject({ code: 'E_SOURCE_CHANGED' })
  })

  it('HTTP errors and servers without Range support get typed errors', async () => {
    await expect(openPackage(`${server.url}/missing.torshpkg`)).rejects.toMatchObject({ code: 'E_SOURCE', details: { status: 404 } })
    const plain = await startFileServer(dir, { ignoreRange: true })
    try {
      // Small files are accepted whole; larger ones need Range support.
      const pkg = await openPackage(`${plain.url}/small.torshpkg`)
      expect(pkg.has('hello.txt')).toBe(true)
      await expect(openPackage(`${plain.url}/large.torshpkg`, { maxFullDownload: 100_000 })).rejects.toMatchObject({
        code: 'E_SOURCE',
        message: expect.stringContaining('Range'),
      })
    } finally {
      await plain.close()
    }
    await expect(openPackage('http://127.0.0.1:9/nothing-listens-here')).rejects.toMatchObject({ code: 'E_SOURCE' })
  })

  it('an abort mid-body is E_ABORTED; a 200 without Content-Length is read up to the limit; bad options are E_ARGUMENT', async () => {
    const controller = new AbortController()
    const slow = await startHandlerServer((req, res) => {
      if (req.url === '/chunked') {
        res.writeHead(200) // no Content-Length: chunked transfer
        res.write(Buffer.from(small.subarray(0, 100)))
        res.end(Buffer.from(small.subarray(100)))
        return
      }
      res.writeHead(206, { 'Content-Range': `bytes 0-65535/${large.length}` })
      res.write(Buffer.alloc(1000))
      setTimeout(() => controller.abort(), 50) // and never finish the body
    })
    try {
      await expect(openPackage(`${slow.url}/stalls`, { signal: controller.signal })).rejects.toMatchObject({ code: 'E_ABORTED' })
      const pkg = await openPackage(`${slow.url}/chunked`)
      expect(new TextDecoder().decode(await pkg.read('hello.txt'))).toBe('hello over http')
      await expect(openPackage(`${slow.url}/chunked`, { maxFullDownload: 50 })).rejects.toMatchObject({ code: 'E_SOURCE', message: expect.stringContaining('Range') })
      await expect(openPackage(`${slow.url}/chunked`, { headBytes: 0 })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    } finally {
      await slow.close()
    }
  })

  it('a server that answers the wrong range, or too few bytes, is refused', async () => {
    const liar = await startHandlerServer((req, res) => {
      const [a, b] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')!.slice(1).map(Number)
      const end = Math.min(b!, large.length - 1)
      if (a === 0) {
        res.writeHead(206, { 'Content-Range': `bytes 0-${end}/${large.length}`, 'Content-Length': end + 1 })
        res.end(Buffer.from(large.subarray(0, end + 1)))
      } else if (req.url === '/shifted') {
        res.writeHead(206, { 'Content-Range': `bytes ${a! + 1}-${end}/${large.length}` })
        res.end(Buffer.from(large.subarray(a! + 1, end + 1)))
      } else {
        res.writeHead(206, { 'Content-Range': `bytes ${a}-${end}/${large.length}` })
        res.end(Buffer.from(large.subarray(a!, end - 10))) // a body shorter than the range it claims
      }
    })
    try {
      await expect(openPackage(`${liar.url}/shifted`)).rejects.toMatchObject({ code: 'E_SOURCE', message: expect.stringContaining('sent bytes') })
      await expect(openPackage(`${liar.url}/short`)).rejects.toMatchObject({ code: 'E_SOURCE' })
    } finally {
      await liar.close()
    }
  })
})
