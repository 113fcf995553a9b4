import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { openPackagePage, type BrowserPage } from '../../../scripts/test-browser'
import { nodePrimitives } from '../src/primitives/node'
import rfc from './fixtures/vectors/rfc.json'
import speccheck from './fixtures/vectors/speccheck_ed25519.json'
import wyEd25519 from './fixtures/vectors/wycheproof_ed25519.json'
import wyX25519 from './fixtures/vectors/wycheproof_x25519.json'
import { fromHex, pseudoRandom, toHex, WEBCRYPTO_REPORT } from './primitives.shared'

/**
 * The built browser entry (dist/index.js, bundled for the browser as an app would) in a real
 * Chromium, whose WebCrypto is BoringSSL rather than Node's OpenSSL: its `primitives` must give
 * the bytes node:crypto gives, accept exactly the Ed25519 signatures Node accepts, and say which
 * operations ran natively.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url))

let opened: BrowserPage
let page: Page

beforeAll(async () => {
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `pnpm build` first (npm test does)')
  opened = await openPackagePage('@torshpkg/crypto', packageDir)
  page = opened.page
})

afterAll(async () => {
  await opened?.close()
})

/** Page-side helpers, defined once per evaluate (functions cannot be passed in). */
const HELPERS = `
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  const bytes = (h) => new Uint8Array(h.match(/../g)?.map((x) => parseInt(x, 16)) ?? [])
  const p = window.m.primitives
`
async function inPage<T>(body: string, arg?: unknown): Promise<T> {
  return page.evaluate(new Function('arg', `return (async () => { ${HELPERS}; ${body} })()`) as (arg: unknown) => Promise<T>, arg)
}

describe('webPrimitives in Chromium (dist/index.js)', () => {
  it('runs Ed25519, X25519, SHA-2, AES-GCM, HKDF and HMAC on WebCrypto and the rest on noble', async () => {
    const report = await inPage<Record<string, string>>('return await p.describe()')
    expect(report).toEqual(WEBCRYPTO_REPORT)
  })

  it('RFC 8032 TEST 1 and RFC 7748 §6.1: same keys, signature and shared secret as in Node', async () => {
    const t = rfc.rfc8032_ed25519.tests[0]!
    const d = rfc.rfc7748_x25519.dh
    const got = await inPage<Record<string, unknown>>(
      `const { t, d } = arg
       return {
         publicKey: hex(await p.ed25519.publicKey(bytes(t.secretKey))),
         signature: hex(await p.ed25519.sign(bytes(t.message), bytes(t.secretKey))),
         verifies: await p.ed25519.verify(bytes(t.signature), bytes(t.message), bytes(t.publicKey)),
         alicePublic: hex(await p.x25519.publicKey(bytes(d.alicePrivate))),
         shared: hex(await p.x25519.sharedSecret(bytes(d.bobPrivate), bytes(d.alicePublic))),
       }`,
      { t, d },
    )
    expect(got).toEqual({ publicKey: t.publicKey, signature: t.signature, verifies: true, alicePublic: d.alicePublic, shared: d.shared })
  })

  it('AES-256-GCM and ChaCha20-Poly1305: the browser seals to the bytes Node does, opens what Node sealed, and refuses a changed byte with E_DECRYPT', async () => {
    const key = pseudoRandom(32, 1)
    const nonce = pseudoRandom(12, 2)
    const aad = pseudoRandom(13, 3)
    const plaintext = pseudoRandom(100_003, 4)
    const expected: Record<string, string> = {}
    for (const a of ['aes-256-gcm', 'chacha20-poly1305'] as const) expected[a] = toHex(await nodePrimitives.aead.encrypt(a, key, nonce, plaintext, aad))
    const got = await inPage<Record<string, { sealed: string; opened: string; tampered: string }>>(
      `const out = {}
       const [key, nonce, aad, plaintext] = [arg.key, arg.nonce, arg.aad, arg.plaintext].map(bytes)
       for (const a of ['aes-256-gcm', 'chacha20-poly1305']) {
         const sealed = hex(await p.aead.encrypt(a, key, nonce, plaintext, aad))
         const fromNode = bytes(arg.expected[a])
         const opened = hex(await p.aead.decrypt(a, key, nonce, fromNode, aad))
         fromNode[500] ^= 1
         const tampered = await p.aead.decrypt(a, key, nonce, fromNode, aad).then(() => 'accepted', (e) => e.code)
         out[a] = { sealed, opened, tampered }
       }
       return out`,
      { key: toHex(key), nonce: toHex(nonce), aad: toHex(aad), plaintext: toHex(plaintext), expected },
    )
    for (const a of ['aes-256-gcm', 'chacha20-poly1305']) {
      expect(got[a]!.sealed, a).toBe(expected[a])
      expect(got[a]!.opened === toHex(plaintext), a).toBe(true)
      expect(got[a]!.tampered, a).toBe('E_DECRYPT')
    }
  })

  it('Ed25519 verdicts on BoringSSL equal Node\'s on all Wycheproof and ed25519-speccheck vectors', async () => {
    const cases = [
      ...wyEd25519.tests.map((t) => ({ id: `wycheproof ${t.tcId}`, sig: t.sig, msg: t.msg, pk: t.pk })),
      ...speccheck.cases.map((c) => ({ id: `speccheck ${c.case}`, sig: c.signature, msg: c.message, pk: c.pub_key })),
    ]
    const inBrowser = await inPage<Record<string, boolean>>(
      `const out = {}
       for (const c of arg) out[c.id] = await p.ed25519.verify(bytes(c.sig), bytes(c.msg), bytes(c.pk))
       return out`,
      cases,
    )
    let accepted = 0
    for (const c of cases) {
      const inNode = await nodePrimitives.ed25519.verify(fromHex(c.sig), fromHex(c.msg), fromHex(c.pk))
      expect(inBrowser[c.id], c.id).toBe(inNode)
      if (inNode) accepted++
    }
    expect(accepted).toBe(88 + 2) // the 88 valid Wycheproof vectors and speccheck cases 2 and 3
  })

  it('raw Chromium WebCrypto (BoringSSL) has OpenSSL\'s verdicts on the speccheck cases: the shared rule is needed there too', async () => {
    const accepted = await inPage<number[]>(
      `const out = []
       for (const c of arg) {
         const key = await crypto.subtle.importKey('raw', bytes(c.pub_key), { name: 'Ed25519' }, false, ['verify'])
         if (await crypto.subtle.verify({ name: 'Ed25519' }, key, bytes(c.signature), bytes(c.message))) out.push(c.case)
       }
       return out`,
      speccheck.cases,
    )
    expect(accepted).toEqual([0, 1, 2, 3, 11])
  })

  it('X25519 low-order public keys: E_DECRYPT in the browser as in Node (Wycheproof zero shared secrets)', async () => {
    const zero = wyX25519.tests.filter((t) => /^0+$/.test(t.shared))
    const codes = await inPage<string[]>(
      `const out = []
       for (const t of arg) out.push(await p.x25519.sharedSecret(bytes(t.private), bytes(t.public)).then(() => 'accepted', (e) => e.code))
       return out`,
      zero,
    )
    expect(codes).toEqual(zero.map(() => 'E_DECRYPT'))
  })

  it('HKDF and HMAC edge cases Chromium refuses natively (empty IKM, empty HMAC key) still give Node\'s bytes', async () => {
    const cases: [string, string, string, number][] = [['', '', '', 32], ['0b0b', '00', 'ff', 0], ['0b'.repeat(22), '', '', 255 * 32], [toHex(pseudoRandom(77, 1)), '01', '02', 100]]
    const expected: string[] = []
    for (const [ikm, salt, info, length] of cases) expected.push(toHex(await nodePrimitives.hkdf(fromHex(ikm), fromHex(salt), fromHex(info), length)))
    for (const key of ['', '00', toHex(pseudoRandom(200, 2))]) expected.push(toHex(await nodePrimitives.hmac(fromHex(key), fromHex('616263'))))
    const got = await inPage<string[]>(
      `const out = []
       for (const [ikm, salt, info, length] of arg.cases) out.push(hex(await p.hkdf(bytes(ikm), bytes(salt), bytes(info), length)))
       for (const key of ['', '00', arg.hmacKey]) out.push(hex(await p.hmac(bytes(key), bytes('616263'))))
       return out`,
      { cases, hmacKey: toHex(pseudoRandom(200, 2)) },
    )
    expect(got).toEqual(expected)
  })

  it('every hash algorithm gives Node\'s digest, on the async, sync and incremental paths', async () => {
    const data = pseudoRandom(200_001, 9)
    const expected: Record<string, string> = {}
    for (const a of ['sha256', 'sha512', 'blake2b512', 'blake3'] as const) expected[a] = toHex(await nodePrimitives.hash(a, data))
    const got = await inPage<Record<string, string[]>>(
      `const data = bytes(arg)
       const out = {}
       for (const a of ['sha256', 'sha512', 'blake2b512', 'blake3']) {
         const h = p.createHasher(a)
         for (let i = 0; i < data.length; i += 70000) h.update(data.subarray(i, i + 70000))
         out[a] = [hex(await p.hash(a, data)), hex(p.hashSync(a, data)), hex(h.digest())]
       }
       return out`,
      toHex(data),
    )
    for (const [a, hex] of Object.entries(expected)) expect(got[a], a).toEqual([hex, hex, hex])
  })
})
