import { afterEach, describe, expect, it, vi } from 'vitest'
import * as browser from '../src/index'
import * as node from '../src/index.node'
import { nobleBackend } from '../src/hash/noble'
import { nodeBackend } from '../src/hash/node'
import { webCryptoBackend } from '../src/hash/webcrypto'

const enc = (s: string) => new TextEncoder().encode(s)

// FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values") and the classic million-'a' test.
const VECTORS: [string, Uint8Array, string][] = [
  ['empty', new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['"abc"', enc('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['448 bits', enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  [
    '896 bits',
    enc('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
  ['one million "a"', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
]

function pseudoRandom(n: number, seed: number) {
  const out = new Uint8Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) out[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24
  return out
}

const backends = [nodeBackend, webCryptoBackend, nobleBackend]

describe.each(backends.map((b) => [b.name, b] as const))('SHA-256 via %s', (_, backend) => {
  it.each(VECTORS)('matches the FIPS 180-4 vector: %s', async (_, input, hex) => {
    expect(browser.toHex(await backend.hash('sha256', input))).toBe(hex)
    if (backend.hashSync) expect(browser.toHex(backend.hashSync('sha256', input))).toBe(hex)
  })
})

describe('every SHA-256 path gives identical digests', () => {
  it('on every length around the block boundaries and on 4 MiB', async () => {
    const lengths = [...Array.from({ length: 200 }, (_, i) => i), 447, 448, 511, 512, 513, 4 << 20]
    for (const n of lengths) {
      const data = pseudoRandom(n, n)
      const digests = new Set<string>()
      for (const b of backends) digests.add(browser.toHex(await b.hash('sha256', data)))
      digests.add(browser.toHex(nodeBackend.hashSync!('sha256', data)))
      digests.add(browser.toHex(nobleBackend.hashSync!('sha256', data)))
      digests.add(await browser.sha256(data))
      digests.add(await node.sha256(data))
      expect(digests.size, `length ${n}`).toBe(1)
    }
  })

  it('incremental hashers agree with one-shot digests whatever the split', () => {
    const data = pseudoRandom(100_000, 9)
    const expected = browser.toHex(nodeBackend.hashSync!('sha256', data))
    for (const api of [browser, node]) {
      for (let seed = 0; seed < 20; seed++) {
        const h = api.createHasher('sha256')
        let at = 0
        let s = seed
        while (at < data.length) {
          const step = ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % 5000) + (seed === 0 ? 0 : 1)
          h.update(data.subarray(at, at + step))
          at += step
        }
        expect(browser.toHex(h.digest())).toBe(expected)
      }
    }
  })

  it('accept ArrayBuffers and other views', async () => {
    const data = pseudoRandom(1000, 3)
    const hex = await node.sha256(data)
    expect(await node.sha256(data.slice().buffer)).toBe(hex)
    expect(await browser.sha256(new DataView(data.buffer))).toBe(hex)
    expect(browser.toHex(node.hashSync('sha256', new Uint16Array(data.slice().buffer)))).toBe(hex)
  })
})

describe('shared memory', () => {
  it('hashes views of a SharedArrayBuffer on every path (WebCrypto refuses them directly)', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3))
    shared.set(enc('abc'))
    for (const b of backends) expect(browser.toHex(await b.hash('sha256', shared))).toBe(VECTORS[1]![2])
    expect(await browser.sha256(shared)).toBe(VECTORS[1]![2])
  })
})

describe('the browser build without WebCrypto', () => {
  afterEach(() => vi.unstubAllGlobals())
  it('falls back to @noble/hashes with the same digest', async () => {
    vi.stubGlobal('crypto', undefined)
    expect(globalThis.crypto).toBeUndefined()
    expect(await browser.sha256(enc('abc'))).toBe(VECTORS[1]![2])
    await expect(webCryptoBackend.hash('sha256', enc('abc'))).rejects.toMatchObject({ code: 'E_UNSUPPORTED_ALGORITHM' })
  })
})

describe('errors and helpers', () => {
  it('unknown algorithms are E_UNSUPPORTED_ALGORITHM in every path', async () => {
    for (const api of [browser, node]) {
      await expect(api.hash('md5' as never, new Uint8Array(1))).rejects.toMatchObject({ name: 'CryptoError', code: 'E_UNSUPPORTED_ALGORITHM' })
      expect(() => api.hashSync('sha1' as never, new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED_ALGORITHM' }))
      expect(() => api.createHasher('blake9' as never)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED_ALGORITHM' }))
    }
  })

  it('a finished hasher cannot be reused', () => {
    for (const api of [browser, node]) {
      const h = api.createHasher('sha256').update(enc('x'))
      h.digest()
      expect(() => h.update(enc('y'))).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
      expect(() => h.digest()).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    }
  })

  it('hex round trips and rejects malformed input', () => {
    const b = pseudoRandom(256, 1)
    expect(browser.fromHex(browser.toHex(b))).toEqual(b)
    expect(browser.toHex(Uint8Array.of(0, 15, 16, 255))).toBe('000f10ff')
    expect(browser.fromHex('CAFE')).toEqual(Uint8Array.of(0xca, 0xfe))
    for (const bad of ['abc', 'zz', '0x00', ' 00']) expect(() => browser.fromHex(bad)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    expect(() => node.hashSync('sha256', 'text' as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
  })

  it('equalBytes compares contents and lengths', () => {
    expect(browser.equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true)
    expect(browser.equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false)
    expect(browser.equalBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false)
  })
})
