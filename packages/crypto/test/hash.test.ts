import { afterEach, describe, expect, it, vi } from 'vitest'
import * as browser from '../src/index'
import * as node from '../src/index.node'
import { nobleBackend } from '../src/hash/noble'
import { nodeBackend } from '../src/hash/node'
import { webCryptoBackend } from '../src/hash/webcrypto'
import { HASH_ALGORITHMS, ALGORITHMS, type HashAlgorithm } from '../src/hash/algorithms'
import { noblePrimitives } from '../src/primitives/noble'
import { nodePrimitives } from '../src/primitives/node'
import { createWebPrimitives, webPrimitives } from '../src/primitives/web'
import blake3Vectors from './fixtures/vectors/blake3.json'

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
    expect(() => node.hashSync('sha256', 42 as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
  })

  it('strings are hashed as their UTF-8 bytes, on every path', async () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    for (const api of [browser, node]) {
      expect(await api.sha256('abc')).toBe(abc)
      expect(browser.toHex(api.hashSync('sha256', 'abc'))).toBe(abc)
      expect(browser.toHex(api.createHasher('sha256').update('a').update(new TextEncoder().encode('b')).update('c').digest())).toBe(abc)
      // Not Latin-1 nor UTF-16: 'é' is the two bytes c3 a9.
      expect(browser.toHex(await api.hash('sha512', 'é'))).toBe(browser.toHex(await api.hash('sha512', Uint8Array.of(0xc3, 0xa9))))
    }
  })

  it('equalBytes compares contents and lengths', () => {
    expect(browser.equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true)
    expect(browser.equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false)
    expect(browser.equalBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------------
// SHA-512, BLAKE2b-512 and BLAKE3: official vectors on every backend and every Primitives.

const SHA512_ABC = 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'

// FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values", SHA-512) and the million-'a' test.
const SHA512_VECTORS: [string, Uint8Array, string][] = [
  ['empty', new Uint8Array(0), 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'],
  ['"abc"', enc('abc'), SHA512_ABC],
  ['448 bits', enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445'],
  [
    '896 bits',
    enc('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
    '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
  ],
  ['one million "a"', new Uint8Array(1_000_000).fill(0x61), 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b'],
]

// RFC 7693 Appendix A ("abc") and the unkeyed empty-input digest of the BLAKE2 reference (blake2b-kat.txt, in = "").
const BLAKE2B_VECTORS: [string, Uint8Array, string][] = [
  ['"abc" (RFC 7693 appendix A)', enc('abc'), 'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923'],
  ['empty', new Uint8Array(0), '786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce'],
]

// BLAKE3 official test_vectors.json (input: i mod 251), default 32-byte hash; see fixtures/vectors/README.md.
const BLAKE3_VECTORS: [string, Uint8Array, string][] = blake3Vectors.cases.map((c) => [
  `${c.input_len} bytes`,
  Uint8Array.from({ length: c.input_len }, (_, i) => i % 251),
  c.hash,
])

const OFFICIAL: Record<HashAlgorithm, [string, Uint8Array, string][]> = {
  sha256: VECTORS,
  sha512: SHA512_VECTORS,
  blake2b512: BLAKE2B_VECTORS,
  blake3: BLAKE3_VECTORS,
}

const PRIMITIVES = [noblePrimitives, webPrimitives, nodePrimitives, { ...createWebPrimitives(null), name: 'web without WebCrypto' }]

/** Every way this package can compute `algorithm` over `data` (one-shot, sync, incremental, per backend). */
async function allDigests(algorithm: HashAlgorithm, data: Uint8Array, split = 0): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const b of backends) {
    const supported = b !== nodeBackend ? b !== webCryptoBackend || ALGORITHMS[algorithm].webCrypto : ALGORITHMS[algorithm].node
    if (!supported) continue
    out.set(`${b.name}.hash`, browser.toHex(await b.hash(algorithm, data)))
    if (b.hashSync) out.set(`${b.name}.hashSync`, browser.toHex(b.hashSync(algorithm, data)))
  }
  for (const p of PRIMITIVES) {
    out.set(`${p.name}.hash`, browser.toHex(await p.hash(algorithm, data)))
    out.set(`${p.name}.hashSync`, browser.toHex(p.hashSync(algorithm, data)))
    const h = p.createHasher(algorithm)
    if (split > 0) for (let at = 0; at < data.length; at += split) h.update(data.subarray(at, at + split))
    else h.update(data)
    out.set(`${p.name}.createHasher`, browser.toHex(h.digest()))
  }
  return out
}

describe.each(HASH_ALGORITHMS.map((a) => [a] as const))('%s official vectors', (algorithm) => {
  it.each(OFFICIAL[algorithm])('%s, on every backend and every Primitives', async (_, input, hex) => {
    const digests = await allDigests(algorithm, input, 1000)
    // node:crypto has no BLAKE3 and WebCrypto neither BLAKE2b nor BLAKE3: fewer paths, never zero.
    expect(digests.size).toBeGreaterThanOrEqual(12)
    for (const [path, digest] of digests) expect(digest, path).toBe(hex)
    expect(hex.length / 2).toBe(ALGORITHMS[algorithm].outputLength)
  })
})

describe('every path gives identical digests for every algorithm', () => {
  it.each(HASH_ALGORITHMS.map((a) => [a] as const))('%s on random lengths and splits, including around block sizes', async (algorithm) => {
    // 128 is the SHA-512 and BLAKE2b block, 64 the SHA-256 and BLAKE3 block, 1024 a BLAKE3 chunk.
    const lengths = [0, 1, 63, 64, 65, 111, 112, 127, 128, 129, 255, 256, 1023, 1024, 1025, 4096, 70_000]
    let seed = 12345
    const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n
    for (let i = 0; i < 12; i++) lengths.push(rand(20_000))
    for (const n of lengths) {
      const data = pseudoRandom(n, n + 1)
      const digests = new Set((await allDigests(algorithm, data, 1 + rand(300))).values())
      expect(digests.size, `${algorithm}, length ${n}`).toBe(1)
    }
  })

  it('the public API hashes with every algorithm in both builds', async () => {
    for (const api of [browser, node]) {
      expect(browser.toHex(await api.hash('sha512', enc('abc')))).toBe(SHA512_ABC)
      expect(browser.toHex(api.hashSync('blake2b512', enc('abc')))).toBe(BLAKE2B_VECTORS[0]![2])
      expect(browser.toHex(api.createHasher('blake3').update(new Uint8Array(0)).digest())).toBe(BLAKE3_VECTORS[0]![2])
    }
  })

  it('SharedArrayBuffer views hash on every Primitives (WebCrypto needs a copy)', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3))
    shared.set(enc('abc'))
    for (const p of PRIMITIVES) expect(browser.toHex(await p.hash('sha512', shared)), p.name).toBe(SHA512_ABC)
  })
})
