// The web implementation's own logic: probing WebCrypto once, falling back to noble for what the
// runtime lacks or gets wrong, and coping with SharedArrayBuffer views WebCrypto refuses.
// (The browser itself runs these primitives in dist.browser.test.ts.)
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createWebPrimitives, webPrimitives, type WebPrimitives } from '../src/primitives/web'
import rfc from './fixtures/vectors/rfc.json'
import { fromHex, pseudoRandom, toHex, utf8, WEBCRYPTO_REPORT } from './primitives.shared'

const TEST1 = rfc.rfc8032_ed25519.tests[0]!
const DH = rfc.rfc7748_x25519.dh

/** A SubtleCrypto that forwards to Node's, with `override` replacing some methods. */
function fakeSubtle(override: Partial<Record<keyof SubtleCrypto, (...args: never[]) => unknown>>): SubtleCrypto {
  const real = globalThis.crypto.subtle
  return new Proxy(real, {
    get: (target, prop: keyof SubtleCrypto) => (prop in override ? override[prop] : (target[prop] as (...a: unknown[]) => unknown).bind(target)),
  })
}
const algorithmName = (algorithm: unknown) => (typeof algorithm === 'string' ? algorithm : (algorithm as { name: string }).name)

async function checkVectors(p: WebPrimitives) {
  expect(toHex(await p.ed25519.publicKey(fromHex(TEST1.secretKey)))).toBe(TEST1.publicKey)
  expect(toHex(await p.ed25519.sign(new Uint8Array(0), fromHex(TEST1.secretKey)))).toBe(TEST1.signature)
  expect(await p.ed25519.verify(fromHex(TEST1.signature), new Uint8Array(0), fromHex(TEST1.publicKey))).toBe(true)
  expect(toHex(await p.x25519.publicKey(fromHex(DH.alicePrivate)))).toBe(DH.alicePublic)
  expect(toHex(await p.x25519.sharedSecret(fromHex(DH.alicePrivate), fromHex(DH.bobPublic)))).toBe(DH.shared)
}

describe('webPrimitives on Node 20 WebCrypto', () => {
  it('reports WebCrypto for everything WebCrypto has here, noble for the rest', async () => {
    expect(await webPrimitives.describe()).toEqual(WEBCRYPTO_REPORT)
  })

  it('really calls WebCrypto for Ed25519 once the probe has passed, and probes only once', async () => {
    const sign = vi.fn((...args: Parameters<SubtleCrypto['sign']>) => globalThis.crypto.subtle.sign(...args))
    const p = createWebPrimitives(fakeSubtle({ sign: sign as never }))
    await checkVectors(p)
    await p.ed25519.sign(utf8('again'), fromHex(TEST1.secretKey))
    // 1 known-answer probe + 2 signatures; HMAC would also use sign but is not called here.
    expect(sign).toHaveBeenCalledTimes(3)
  })
})

describe('fallbacks', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('createWebPrimitives(null): pure noble, same answers', async () => {
    const p = createWebPrimitives(null)
    expect(Object.values(await p.describe()).every((b) => b === 'noble')).toBe(true)
    await checkVectors(p)
  })

  it('a runtime without Ed25519/X25519 in WebCrypto (older browsers) uses noble for those only', async () => {
    const importKey = (format: KeyFormat, data: BufferSource | JsonWebKey, algorithm: AlgorithmIdentifier, extractable: boolean, usages: KeyUsage[]) => {
      if (['Ed25519', 'X25519'].includes(algorithmName(algorithm))) return Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'))
      return globalThis.crypto.subtle.importKey(format as 'raw', data as BufferSource, algorithm, extractable, usages)
    }
    const p = createWebPrimitives(fakeSubtle({ importKey: importKey as never }))
    const report = await p.describe()
    expect([report.ed25519, report.x25519, report['aes-256-gcm'], report.hkdf]).toEqual(['noble', 'noble', 'webcrypto', 'webcrypto'])
    await checkVectors(p)
  })

  it('an engine whose Ed25519 gives wrong signatures fails the known-answer probe and is not used', async () => {
    const sign = async (algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource) => {
      const out = new Uint8Array(await globalThis.crypto.subtle.sign(algorithm, key, data))
      if (algorithmName(algorithm) === 'Ed25519') out[0]! ^= 1
      return out.buffer
    }
    const p = createWebPrimitives(fakeSubtle({ sign: sign as never }))
    expect((await p.describe()).ed25519).toBe('noble')
    await checkVectors(p)
  })

  it('without a global crypto (insecure context) the default instance uses noble, looked up at first use', async () => {
    const p = createWebPrimitives()
    vi.stubGlobal('crypto', undefined)
    expect((await p.describe()).ed25519).toBe('noble')
    expect(toHex(await p.hash('sha256', utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(toHex(await p.hmac(utf8('Jefe'), utf8('what do ya want for nothing?')))).toBe(rfc.rfc4231_hmac_sha256.tests[1]!.mac)
    vi.unstubAllGlobals()
    await checkVectors(p)
  })
})

describe('SharedArrayBuffer views (WebCrypto refuses them; the web path copies)', () => {
  const shared = (bytes: Uint8Array) => {
    const view = new Uint8Array(new SharedArrayBuffer(bytes.length + 3), 3, bytes.length)
    view.set(bytes)
    return view
  }

  it('every operation accepts them and gives the same bytes as for ordinary buffers', async () => {
    const p = webPrimitives
    const seed = pseudoRandom(32, 1)
    const message = pseudoRandom(1000, 2)
    const signature = await p.ed25519.sign(message, seed)
    expect(toHex(await p.ed25519.sign(shared(message), shared(seed)))).toBe(toHex(signature))
    expect(await p.ed25519.verify(shared(signature), shared(message), shared(await p.ed25519.publicKey(seed)))).toBe(true)
    const key = pseudoRandom(32, 3)
    const nonce = pseudoRandom(12, 4)
    const aad = pseudoRandom(7, 5)
    const sealed = await p.aead.encrypt('aes-256-gcm', key, nonce, message, aad)
    expect(toHex(await p.aead.encrypt('aes-256-gcm', shared(key), shared(nonce), shared(message), shared(aad)))).toBe(toHex(sealed))
    expect(toHex(await p.aead.decrypt('aes-256-gcm', shared(key), shared(nonce), shared(sealed), shared(aad)))).toBe(toHex(message))
    expect(toHex(await p.hkdf(shared(key), shared(nonce), shared(aad), 40))).toBe(toHex(await p.hkdf(key, nonce, aad, 40)))
    expect(toHex(await p.hmac(shared(key), shared(message)))).toBe(toHex(await p.hmac(key, message)))
    expect(toHex(await p.x25519.sharedSecret(shared(seed), shared(fromHex(DH.bobPublic))))).toBe(toHex(await p.x25519.sharedSecret(seed, fromHex(DH.bobPublic))))
  })
})
