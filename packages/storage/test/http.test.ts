import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fsBackend, httpBackend, StorageManager, type StorageBackend } from '@torshpkg/storage'
import { startFileServer, type TestServer } from '../../../scripts/test-server'
import { expectCode, expectSameBytes, pattern } from './conformance'

// A real HTTP server (send: the static-file engine of Express, with Range, ETag and
// If-Match) serving an fs backend's root; the fs backend writes, the http backend reads.
describe('http backend (read-only) against a real HTTP server', () => {
  let root: string
  let server: TestServer
  let disk: StorageBackend
  let web: StorageBackend
  const big = pattern(3 * 1024 * 1024 + 5, 4)
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'torshpkg-http-'))
    disk = fsBackend(root)
    await disk.put('models/big.bin', big)
    await disk.put('models/small.bin', pattern(1000, 1))
    await disk.put('empty', new Uint8Array(0))
    await disk.put('odd name/ü+#?.bin', pattern(10, 2))
    server = await startFileServer(root)
    web = httpBackend(server.url)
  })
  afterAll(async () => {
    await server.close()
    await rm(root, { recursive: true, force: true })
  })

  it('get, stat, has; keys with spaces, "#", "?" and non-ASCII are URL-encoded', async () => {
    expectSameBytes(await web.get('models/big.bin'), big)
    expect(await web.get('odd name/ü+#?.bin')).toEqual(pattern(10, 2))
    expect(await web.get('empty')).toEqual(new Uint8Array(0))
    const st = await web.stat('models/small.bin')
    expect(st?.size).toBe(1000)
    expect(typeof st?.etag).toBe('string')
    expect(await web.has('models/small.bin')).toBe(true)
    expect(await web.has('models/none.bin')).toBe(false)
    expect(await web.stat('models/none.bin')).toBeUndefined()
    await expectCode(web.get('models/none.bin'), 'E_NOT_FOUND')
    await expectCode(web.getStream('models/none.bin'), 'E_NOT_FOUND')
  })

  it('ranges are Range requests: only the bytes asked for cross the wire', async () => {
    const data = pattern(1000, 1)
    server.reset()
    expect(await web.get('models/small.bin', { range: { offset: 10, length: 5 } })).toEqual(data.slice(10, 15))
    expect(server.bytes()).toBe(5)
    expect(await web.get('models/small.bin', { range: { offset: 990 } })).toEqual(data.slice(990))
    expect(await web.get('models/small.bin', { range: { offset: 995, length: 100 } })).toEqual(data.slice(995))
    expect(await web.get('models/small.bin', { range: { offset: 1000, length: 0 } })).toEqual(new Uint8Array(0))
    await expectCode(web.get('models/small.bin', { range: { offset: 1001 } }), 'E_ARGUMENT')
    await expectCode(web.get('models/small.bin', { range: { offset: 1000, length: 1 } }), 'E_ARGUMENT')
    await expectCode(web.get('models/small.bin', { range: { offset: -1 } }), 'E_ARGUMENT')
    server.reset()
    const parts: Uint8Array[] = []
    for await (const p of (await web.getStream('models/big.bin', { range: { offset: 1 << 20, length: 1 << 20 } })) as unknown as AsyncIterable<Uint8Array>) parts.push(p)
    expectSameBytes(Buffer.concat(parts), big.slice(1 << 20, 2 << 20))
    expect(server.bytes()).toBe(1 << 20)
  })

  it('ifMatch is If-Match: the current ETag reads, another is E_CONFLICT', async () => {
    const st = (await web.stat('models/small.bin'))!
    expect((await web.get('models/small.bin', { ifMatch: st.etag })).length).toBe(1000)
    await expectCode(web.get('models/small.bin', { ifMatch: '"not-it"' }), 'E_CONFLICT')
  })

  it('writes and listing are E_UNSUPPORTED; bad keys are E_INVALID_KEY; a dead server is E_UNAVAILABLE (retried by a manager)', async () => {
    expect(web.writable).toBe(false)
    await expectCode(web.put('x', new Uint8Array(1)), 'E_UNSUPPORTED')
    await expectCode(web.delete('x'), 'E_UNSUPPORTED')
    await expectCode(web.list(''), 'E_UNSUPPORTED')
    await expectCode(web.get('../etc/passwd'), 'E_INVALID_KEY')
    const dead = await startFileServer(root)
    const url = dead.url
    await dead.close()
    await expectCode(httpBackend(url).get('models/small.bin'), 'E_UNAVAILABLE')
    const managed = new StorageManager(httpBackend(url), { retry: { retries: 2, baseDelayMs: 1 } })
    await expectCode(managed.get('models/small.bin'), 'E_UNAVAILABLE')
    expect(managed.stats().retries).toBe(2)
  })

  it('a server that ignores Range is refused rather than streaming the whole object', async () => {
    const noRange = await startFileServer(root, { ignoreRange: true })
    try {
      await expectCode(httpBackend(noRange.url).get('models/big.bin', { range: { offset: 5, length: 5 } }), 'E_PROTOCOL')
    } finally {
      await noRange.close()
    }
  })
})
