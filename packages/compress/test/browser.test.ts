import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { copyFileSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import * as node from '../src/index.node'
import { openPackagePage, type BrowserPage } from '../../../scripts/test-browser'

/**
 * The browser build in a real Chromium: every fixture decodes (xz through its WebAssembly
 * decoder), our encoders produce the same bytes as in Node, and the pool runs on Web Workers
 * loaded from dist/pool-worker.js next to the bundle, as a static host would serve them.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

let opened: BrowserPage
let page: Page

beforeAll(async () => {
  opened = await openPackagePage('@torshpkg/compress', packageDir, (dir) => {
    copyFileSync(join(packageDir, 'dist', 'pool-worker.js'), join(dir, 'pool-worker.js'))
    for (const f of readdirSync(fixtures)) copyFileSync(join(fixtures, f), join(dir, f))
  })
  page = opened.page
})

afterAll(async () => {
  await opened?.close()
})

describe('in Chromium', () => {
  it('decodes every fixture made by gzip, xz, lz4 and zstd to its digest', async () => {
    const names = readdirSync(fixtures).filter((f) => /\.(gz|xz|lzma|lz4|zst)$/.test(f))
    const digests = await page.evaluate(async (names: string[]) => {
      const m = (window as any).m
      const out: Record<string, string> = {}
      for (const name of names) {
        const data = new Uint8Array(await (await fetch(name)).arrayBuffer())
        const codec = name.endsWith('.lzma') ? 'lzma' : undefined
        const plain = await m.decompress(data, { codec, maxOutputSize: 1 << 20 })
        out[name] = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', plain)), (b) => b.toString(16).padStart(2, '0')).join('')
      }
      return out
    }, names)
    const sums = new Map(readFileSync(join(fixtures, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.split(/\s+/).reverse() as [string, string]))
    for (const name of names) {
      const original = name.replace(/\.(gz|xz|lzma|lz4|zst)$/, '')
      expect(digests[name], name).toBe(sums.get(original) ?? sums.get(`${original}.orig`))
    }
  })

  it('compresses to the same bytes as Node, and its Web Worker pool gives the same bytes again', async () => {
    const input = readFileSync(join(fixtures, 'config.json'))
    const result = await page.evaluate(async () => {
      const m = (window as any).m
      const data = new Uint8Array(await (await fetch('config.json')).arrayBuffer())
      const hex = async (b: Uint8Array) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>)), (x) => x.toString(16).padStart(2, '0')).join('')
      const inline: Record<string, string> = {}
      for (const codec of ['deflate', 'gzip', 'zlib', 'lz4']) inline[codec] = await hex(m.compressSync(data, { codec, level: 'max', shuffle: codec === 'lz4' ? undefined : 4 }))
      const pool = m.createPool({ size: 2 })
      const pooled: Record<string, string> = {}
      for (const codec of ['deflate', 'gzip', 'zlib', 'lz4']) pooled[codec] = await hex(await pool.compress(data, { codec, level: 'max', shuffle: codec === 'lz4' ? undefined : 4 }))
      const back = await pool.decompress(await pool.compress(data, { codec: 'gzip' }), { codec: 'gzip' })
      const parallel = pool.parallel
      await pool.close()
      return { inline, pooled, parallel, roundTrip: back.length === data.length }
    })
    expect(result.parallel).toBe(true) // Web Workers, not the inline fallback
    expect(result.roundTrip).toBe(true)
    for (const codec of ['deflate', 'gzip', 'zlib', 'lz4'] as const) {
      const expected = sha(node.compressSync(input, { codec, level: 'max', shuffle: codec === 'lz4' ? undefined : 4 }))
      expect(result.inline[codec], codec).toBe(expected)
      expect(result.pooled[codec], codec).toBe(expected)
    }
  })
})
