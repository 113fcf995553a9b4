import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../../../scripts/test-browser'
import { startFileServer, type TestServer } from '../../../scripts/test-server'

/**
 * The browser build in a real Chromium: packing with WebCrypto and fflate, opening from bytes,
 * a Blob and a cross-origin URL (ranged reads with no CORS preflight). The package packed in
 * the browser must be byte-identical to the same package packed by Node.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url))

let pageDir: string
let page: TestServer
let data: TestServer
let browser: Browser
let nodeDigest: string

// The same resources, built in both runtimes.
const BUILD = `
async function buildPackage(m, sink) {
  const w = m.createPackage(sink, { name: 'browser-check', version: '1.0.0', lineage: { derivedFrom: 'base@1.0.0' } }, { chunkSize: 4096 })
  const weights = new Float32Array(30000).map((_, i) => Math.sin(i) / 10)
  await w.add('weights.bin', weights, { tensor: { dtype: 'float32', shape: [300, 100] } })
  await w.add('config.json', JSON.stringify({ layers: Array.from({ length: 50 }, (_, i) => ({ i, act: 'gelu' })) }), { type: 'config' })
  await w.add('tokenizer.txt', 'hello world\\n'.repeat(500), { type: 'tokenizer', compression: 'deflate' })
  return w.finish()
}`

beforeAll(async () => {
  pageDir = await mkdtemp(join(tmpdir(), 'torshpkg-browser-'))
  const bundle = await build({
    stdin: { contents: `import * as m from '@torshpkg/format'; ${BUILD}; window.torshpkg = m; window.buildPackage = buildPackage`, resolveDir: packageDir },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  })
  await writeFile(join(pageDir, 'bundle.js'), bundle.outputFiles[0]!.text)
  await writeFile(join(pageDir, 'index.html'), '<!doctype html><meta charset="utf-8"><script src="bundle.js"></script>')
  // The same package made by Node, served from another origin.
  const { createPackage } = await import('@torshpkg/format')
  const buildPackage = new Function(`return (${BUILD.replace('async function buildPackage', 'async function')})`)()
  const summary = await buildPackage({ createPackage }, join(pageDir, 'model.torshpkg'))
  nodeDigest = summary.digest
  page = await startFileServer(pageDir)
  data = await startFileServer(pageDir, { cors: true })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await page?.close()
  await data?.close()
  if (pageDir) await rm(pageDir, { recursive: true, force: true })
})

describe('in Chromium', () => {
  it('packs, opens and verifies with the browser build; the bytes match Node exactly', async () => {
    const tab = await browser.newPage()
    await tab.goto(`${page.url}/index.html`)
    data.reset()
    // Open cross-origin first, alone, to count its requests.
    await tab.evaluate(async (url: string) => {
      ;(window as any).remote = await (window as any).torshpkg.openPackage(url)
    }, `${data.url}/model.torshpkg`)
    const openHits = [...data.hits]
    const result = await tab.evaluate(async () => {
      const m = (window as any).torshpkg
      const summary = await (window as any).buildPackage(m, 'memory')
      const fromBytes = await m.openPackage(summary.bytes)
      const fromBlob = await m.openPackage(new Blob([summary.bytes]))
      const remote = (window as any).remote
      const tensor = await remote.readTensor('weights.bin')
      const range = await remote.readRange('weights.bin', 4096, 8)
      const config = JSON.parse(new TextDecoder().decode(await fromBlob.read('config.json')))
      const streamed: Uint8Array[] = []
      const sink = new WritableStream({ write: (c: Uint8Array) => void streamed.push(c.slice()) })
      const viaStream = await (window as any).buildPackage(m, sink)
      let pathError = ''
      try {
        await m.openPackage('/etc/passwd')
      } catch (e: any) {
        pathError = e.code
      }
      return {
        digest: summary.digest,
        streamDigest: viaStream.digest,
        bytesDigest: fromBytes.digest,
        remoteDigest: remote.digest,
        tensorIsFloat32: tensor.data instanceof Float32Array,
        tensorShape: tensor.shape,
        tensorFirst: Array.from(tensor.data.slice(0, 3)),
        rangeLength: range.length,
        layers: config.layers.length,
        tokenizerCodecs: fromBytes.entry('tokenizer.txt').codecs,
        verifyBytes: (await fromBytes.verify()).ok,
        verifyRemote: (await remote.verify()).ok,
        pathError,
        hasWebCrypto: typeof crypto?.subtle?.digest === 'function',
      }
    })

    expect(result.hasWebCrypto).toBe(true)
    expect(result.digest).toBe(nodeDigest) // packed in Chromium (WebCrypto + fflate) = packed in Node (node:crypto + fflate)
    expect(result.streamDigest).toBe(nodeDigest)
    expect(result.bytesDigest).toBe(nodeDigest)
    expect(result.remoteDigest).toBe(nodeDigest)
    expect(result.tensorIsFloat32).toBe(true)
    expect(result.tensorShape).toEqual([300, 100])
    expect(result.tensorFirst[0]).toBe(0)
    expect(result.tensorFirst[1]).toBeCloseTo(Math.sin(1) / 10, 6)
    expect(result.rangeLength).toBe(8)
    expect(result.layers).toBe(50)
    expect(result.tokenizerCodecs).toEqual(['deflate'])
    expect(result.verifyBytes).toBe(true)
    expect(result.verifyRemote).toBe(true)
    expect(result.pathError).toBe('E_ARGUMENT')
    // Cross-origin: opened with two ranged requests, and no CORS preflight at any point.
    expect(openHits.map((h) => h.method)).toEqual(['GET', 'GET'])
    expect(openHits[0]!.range).toBe('bytes=0-65535')
    expect(data.hits.filter((h) => h.method === 'OPTIONS')).toEqual([])
    expect(data.hits.every((h) => h.status === 206)).toBe(true)
    await tab.close()
  })
})
