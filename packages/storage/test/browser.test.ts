import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { openPackagePage, type BrowserPage } from '../../../scripts/test-browser'
import { startFileServer, type TestServer } from '../../../scripts/test-server'
import { pattern } from './pattern'

/**
 * The browser build in a real Chromium: `httpBackend` reads whole objects, ranges, streams and
 * metadata from a real HTTP server, same-origin and cross-origin (CORS); the content store,
 * the cached manager and the memory backend work on the noble hashes.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const big = pattern(3 * 1024 * 1024 + 5, 4)
const small = pattern(1000, 1)

let opened: BrowserPage
let page: Page
let other: TestServer

beforeAll(async () => {
  opened = await openPackagePage('@torshpkg/storage', packageDir, (dir) => {
    mkdirSync(join(dir, 'data', 'models'), { recursive: true })
    writeFileSync(join(dir, 'data', 'models', 'big.bin'), big)
    writeFileSync(join(dir, 'data', 'models', 'small.bin'), small)
  })
  page = opened.page
  // The same files from another origin, which sends CORS headers.
  other = await startFileServer(opened.dir, { cors: true })
})

afterAll(async () => {
  await other?.close()
  await opened?.close()
})

describe('in Chromium', () => {
  it('httpBackend reads whole objects, ranges, streams and stats, same-origin and cross-origin', async () => {
    for (const base of [`${opened.server.url}/data`, `${other.url}/data`]) {
      const got = await page.evaluate(async (base: string) => {
        const m = (window as any).m
        const hex = async (b: Uint8Array) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>)), (x) => x.toString(16).padStart(2, '0')).join('')
        const web = m.httpBackend(base)
        const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: any) => (e instanceof m.StorageError ? e.code : String(e)))
        const whole = await web.get('models/big.bin')
        const range = await web.get('models/big.bin', { range: { offset: 1_000_000, length: 5 } })
        const tail = await web.get('models/small.bin', { range: { offset: 990 } })
        let streamed = 0
        const reader = (await web.getStream('models/big.bin')).getReader()
        for (let r = await reader.read(); !r.done; r = await reader.read()) streamed += r.value.length
        const st = await web.stat('models/small.bin')
        return {
          whole: await hex(whole),
          range: Array.from(range),
          tail: Array.from(tail),
          streamed,
          size: st?.size,
          etag: typeof st?.etag,
          has: await web.has('models/small.bin'),
          missing: await code(web.get('models/none.bin')),
          put: await code(web.put('models/x.bin', new Uint8Array(1))),
          past: await code(web.get('models/small.bin', { range: { offset: 1001 } })),
        }
      }, base)
      expect(got, base).toEqual({
        whole: sha(big),
        range: Array.from(big.subarray(1_000_000, 1_000_005)),
        tail: Array.from(small.subarray(990)),
        streamed: big.length,
        size: 1000,
        etag: 'string',
        has: true,
        missing: 'E_NOT_FOUND',
        put: 'E_UNSUPPORTED',
        past: 'E_ARGUMENT',
      })
    }
    // The cross-origin range went out as a Range request, not a whole-file fetch. (Chromium
    // had the whole file cached from the first read: it revalidates, gets 304, and cuts the
    // range from its cache; without the cache the server answers 206.)
    const ranged = other.hits.find((h) => h.range === 'bytes=1000000-1000004')
    expect(ranged, JSON.stringify(other.hits)).toBeDefined()
    expect([206, 304]).toContain(ranged!.status)
  })

  it('a content store over a cached memory backend adds, verifies and collects', async () => {
    const got = await page.evaluate(async () => {
      const m = (window as any).m
      const store = new m.ContentStore(new m.StorageManager(m.memoryBackend(), { cache: { maxBytes: 1 << 20 } }))
      const ref = await store.add('bert', '1.0.0', new TextEncoder().encode('weights'))
      await store.put(new TextEncoder().encode('orphan'))
      const gc = await store.gc({ graceMs: 0 })
      return { digest: ref.digest, back: new TextDecoder().decode(await store.get(ref.digest)), deleted: gc.deleted.length }
    })
    expect(got).toEqual({ digest: `sha256:${sha(new TextEncoder().encode('weights'))}`, back: 'weights', deleted: 1 })
  })
})
