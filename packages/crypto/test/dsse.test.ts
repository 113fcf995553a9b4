import { createPublicKey, verify as nodeVerify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CryptoError } from '../src/errors'
import { Keyring } from '../src/keyring'
import { base64Decode, base64Encode as encodeBase64 } from '../src/encoding/base64'
import { DSSE_BASE64, pae } from '../src/signing/dsse'
import { canonicalJson, parseJsonStrict } from '../src/signing/json'
import { createSigningApi } from '../src/signing/api'
import * as browserBuild from '../src/index'
import * as nodeBuild from '../src/index.node'
import { dec, enc, makeKeyPair, PRIMITIVES } from './signing-helpers'

const decodeBase64 = (text: string, field: string) => base64Decode(text, { ...DSSE_BASE64, field })

// An Ed25519 public key as SPKI DER, so node:crypto can check our signatures independently.
const spki = (raw: Uint8Array) =>
  createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' })

describe('PAE', () => {
  it('matches the DSSE specification example', () => {
    expect(dec(pae('http://example.com/HelloWorld', enc('hello world')))).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world')
  })

  it('counts bytes, not characters, and handles empty parts', () => {
    expect(dec(pae('type/é', enc('ü')))).toBe('DSSEv1 7 type/é 2 ü')
    expect(dec(pae('', new Uint8Array(0)))).toBe('DSSEv1 0  0 ')
  })
})

describe('base64', () => {
  it('encodes like Buffer and decodes standard and URL-safe, padded or not', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 151 + n * 7) & 255)
      const standard = Buffer.from(bytes).toString('base64')
      expect(encodeBase64(bytes)).toBe(standard)
      for (const form of [standard, standard.replace(/=+$/, ''), Buffer.from(bytes).toString('base64url'), standard.replace(/\+/g, '-').replace(/\//g, '_')]) {
        expect(Buffer.from(decodeBase64(form, 'x')).equals(Buffer.from(bytes)), form).toBe(true)
      }
    }
  })

  it('refuses characters, lengths and padding no encoder produces', () => {
    for (const bad of ['a', 'ab=c', 'ab c', 'ab\n', '====', 'abc==', 'a===', 'ä', 'abcd=']) {
      expect(() => decodeBase64(bad, 'field'), bad).toThrow(expect.objectContaining({ code: 'E_FORMAT' }))
    }
  })
})

describe('strict JSON', () => {
  it('parses what JSON.parse parses, identically', () => {
    const docs = ['{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n"', ' {"a":[1,2,{"b":null}],"c":true,"d":false} ', '[[[]]]', '{"__proto__":1}', '"\\ud83d\\ude00"']
    for (const d of docs) expect(JSON.stringify(parseJsonStrict(enc(d), 'doc')), d).toBe(JSON.stringify(JSON.parse(d)))
  })

  it('refuses duplicate keys, trailing data, bad grammar, deep nesting, invalid UTF-8 and a BOM', () => {
    const bad: (string | Uint8Array)[] = [
      '{"a":1,"a":2}',
      '{"a":{"x":1,"x":1}}',
      '{"a":1} x',
      '{"a":1,}',
      '[1,]',
      '01',
      '1.',
      "{'a':1}",
      '"\u0001"',
      '"\\x41"',
      'nul',
      '',
      '['.repeat(65) + ']'.repeat(65),
      Uint8Array.of(0x22, 0xff, 0x22),
      Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d),
    ]
    for (const b of bad) expect(() => parseJsonStrict(typeof b === 'string' ? enc(b) : b, 'doc'), String(b)).toThrow(expect.objectContaining({ code: 'E_FORMAT' }))
    expect(parseJsonStrict(enc('['.repeat(64) + ']'.repeat(64)), 'doc')).toBeDefined()
  })

  it('canonical JSON sorts keys, drops undefined members and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: undefined, ä: 2, A: 3 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"A":3,"z":1,"ä":2}}')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const v of [NaN, Infinity, [undefined], 1n, () => 1, new Date(0), new Map(), cyclic]) {
      expect(() => canonicalJson(v), String(v)).toThrow(CryptoError)
    }
  })
})

describe.each(PRIMITIVES)('DSSE with %s primitives', (_, p) => {
  const api = createSigningApi(p)

  it('signs an envelope that node:crypto verifies over the PAE, and verifyDsse accepts it', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const envelope = await api.signDsse('application/vnd.example+json', '{"x":1}', secretKey)
    expect(envelope).toEqual({ payloadType: 'application/vnd.example+json', payload: Buffer.from('{"x":1}').toString('base64'), signatures: [{ keyid: secretKey.keyId, sig: expect.any(String) }] })
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64')
    expect(sig).toHaveLength(64)
    expect(nodeVerify(null, Buffer.from('DSSEv1 28 application/vnd.example+json 7 {"x":1}'), spki(publicKey.bytes), sig)).toBe(true)

    const keyring = new Keyring().add(publicKey, { name: 'alice' })
    for (const form of [envelope, JSON.stringify(envelope), enc(JSON.stringify(envelope))]) {
      const r = await api.verifyDsse(form, keyring)
      expect(r).toMatchObject({ valid: true, payloadType: 'application/vnd.example+json', signatures: [{ valid: true, keyId: secretKey.keyId, signer: 'alice' }] })
      expect(dec(r.body!)).toBe('{"x":1}')
    }
    // URL-safe, unpadded encodings of the same envelope verify too (DSSE: verifiers must accept either).
    const urlSafe = { ...envelope, payload: Buffer.from('{"x":1}').toString('base64url'), signatures: [{ keyid: secretKey.keyId, sig: sig.toString('base64url') }] }
    expect((await api.verifyDsse(urlSafe, keyring)).valid).toBe(true)
  })

  it('the payloadType is signed: the same body under another type does not verify', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const keyring = new Keyring().add(publicKey, { name: 'alice' })
    const envelope = await api.signDsse('application/vnd.a+json', '{}', secretKey)
    expect(await api.verifyDsse({ ...envelope, payloadType: 'application/vnd.b+json' }, keyring)).toMatchObject({ valid: false, reason: 'bad-signature' })
    expect(await api.verifyDsse({ ...envelope, payload: encodeBase64(enc('{ }')) }, keyring)).toMatchObject({ valid: false, reason: 'bad-signature' })
    // And a verifier can insist on the type it expects.
    expect(await api.verifyDsse(envelope, keyring, { payloadType: 'application/vnd.b+json' })).toMatchObject({ valid: false, reason: 'malformed' })
  })

  it('reports untrusted and expired keys; several signatures are judged one by one', async () => {
    const alice = await makeKeyPair(p)
    const bob = await makeKeyPair(p)
    const envelope = await api.signDsse('t/x', 'body', [alice.secretKey, bob.secretKey])
    expect(envelope.signatures.map((s) => s.keyid)).toEqual([alice.secretKey.keyId, bob.secretKey.keyId])

    expect(await api.verifyDsse(envelope, new Keyring())).toMatchObject({ valid: false, reason: 'untrusted-key' })
    const onlyBob = new Keyring().add(bob.publicKey, { name: 'bob' })
    expect(await api.verifyDsse(envelope, onlyBob)).toMatchObject({
      valid: true,
      signatures: [
        { valid: false, keyId: alice.secretKey.keyId, reason: 'untrusted-key' },
        { valid: true, keyId: bob.secretKey.keyId, signer: 'bob' },
      ],
    })
    const expiring = new Keyring().add(alice.publicKey, { name: 'alice', expires: '2030-01-01T00:00:00Z' })
    expect((await api.verifyDsse(envelope, expiring, { now: new Date('2029-12-31T23:59:59.999Z') })).valid).toBe(true)
    expect(await api.verifyDsse(envelope, expiring, { now: new Date('2030-01-01T00:00:00Z') })).toMatchObject({ valid: false, reason: 'expired-key' })
  })

  it('a signature without a keyid is matched by trying the keyring, as DSSE allows', async () => {
    const alice = await makeKeyPair(p)
    const bob = await makeKeyPair(p)
    const envelope = await api.signDsse('t/x', 'body', alice.secretKey)
    const bare = { ...envelope, signatures: [{ sig: envelope.signatures[0]!.sig }] }
    const keyring = new Keyring().add(bob.publicKey, { name: 'bob' }).add(alice.publicKey, { name: 'alice' })
    expect(await api.verifyDsse(bare, keyring)).toMatchObject({ valid: true, signatures: [{ valid: true, keyId: alice.secretKey.keyId, signer: 'alice' }] })
    // A keyid hint naming another trusted key does not make the signature that key's.
    const lying = { ...envelope, signatures: [{ keyid: bob.secretKey.keyId, sig: envelope.signatures[0]!.sig }] }
    expect(await api.verifyDsse(lying, keyring)).toMatchObject({ valid: false, reason: 'bad-signature' })
  })

  it('decodes the DSSE specification example envelope (an ECDSA signature, so untrusted here)', async () => {
    const spec = `{"payload": "aGVsbG8gd29ybGQ=",
 "payloadType": "http://example.com/HelloWorld",
 "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}`
    const { publicKey } = await makeKeyPair(p)
    const r = await api.verifyDsse(spec, new Keyring().add(publicKey, { name: 'someone' }))
    expect(r).toMatchObject({ valid: false, payloadType: 'http://example.com/HelloWorld', reason: 'untrusted-key' })
    expect(dec(r.body!)).toBe('hello world')
  })

  it('malformed and oversized envelopes are reported, never thrown', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const keyring = new Keyring().add(publicKey, { name: 'alice' })
    const good = await api.signDsse('t/x', 'body', secretKey)
    const cases: [unknown, string][] = [
      ['not json', 'malformed'],
      ['[]', 'malformed'],
      ['{"payloadType":"t/x","payload":"Ym9keQ==","signatures":[]}', 'malformed'],
      ['{"payloadType":"t/x","payloadType":"t/y","payload":"Ym9keQ==","signatures":[{"sig":"AA=="}]}', 'malformed'],
      [{ ...good, payload: 'not base64!' }, 'malformed'],
      [{ ...good, payloadType: 7 }, 'malformed'],
      [{ ...good, signatures: [{ keyid: 5, sig: 'AA==' }] }, 'malformed'],
      [{ ...good, signatures: [{ keyid: 'K'.repeat(257), sig: good.signatures[0]!.sig }] }, 'malformed'],
      [{ ...good, signatures: [{ keyid: secretKey.keyId, sig: 'AAAA' }] }, 'bad-signature'],
      [{ ...good, signatures: Array.from({ length: 17 }, () => good.signatures[0]) }, 'malformed'],
      [JSON.stringify({ ...good, pad: 'x'.repeat(1024 * 1024) }), 'limit'],
    ]
    for (const [input, reason] of cases) {
      const r = await api.verifyDsse(input as never, keyring)
      expect(r.valid, JSON.stringify(input).slice(0, 80)).toBe(false)
      expect(r.reason, JSON.stringify(input).slice(0, 80)).toBe(reason)
    }
    // Unknown fields are ignored (DSSE: consumers must ignore them).
    expect((await api.verifyDsse({ ...good, extra: { any: 1 } } as never, keyring)).valid).toBe(true)
  })

  it('refuses a secret key whose public half is another key', async () => {
    const a = await makeKeyPair(p)
    const b = await makeKeyPair(p)
    const mixed = { ...a.secretKey, keyId: b.publicKey.keyId, publicKey: b.publicKey }
    await expect(api.signDsse('t/x', 'body', mixed)).rejects.toMatchObject({ code: 'E_KEY' })
    await expect(api.signDsse('', 'body', a.secretKey)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
  })
})

describe('builds', () => {
  it('both builds export the same signing functions, and their envelopes verify across builds', async () => {
    for (const name of ['signPackage', 'verifyPackage', 'attestPackage', 'verifyAttestations', 'signDsse', 'verifyDsse', 'createSignatureRecord', 'createAttestationRecord', 'Keyring', 'pae']) {
      expect(typeof (browserBuild as Record<string, unknown>)[name], name).toBe('function')
      expect(typeof (nodeBuild as Record<string, unknown>)[name], name).toBe('function')
    }
    const { publicKey, secretKey } = await makeKeyPair(PRIMITIVES[0]![1])
    const keyring = new nodeBuild.Keyring().add(publicKey, { name: 'alice' })
    expect((await browserBuild.verifyDsse(await nodeBuild.signDsse('t/x', 'b', secretKey), keyring)).valid).toBe(true)
    expect((await nodeBuild.verifyDsse(await browserBuild.signDsse('t/x', 'b', secretKey), keyring)).valid).toBe(true)
  })
})
