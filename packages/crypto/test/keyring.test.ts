import { describe, expect, it } from 'vitest'
import { Keyring } from '../src/keyring'
import { noblePrimitives } from '../src/primitives/noble'
import { makeKeyPair } from './signing-helpers'

const p = noblePrimitives

describe('Keyring', () => {
  it('adds, looks up (either case), lists in order, removes', async () => {
    const a = await makeKeyPair(p)
    const b = await makeKeyPair(p)
    const ring = new Keyring().add(a.publicKey, { name: 'alice' }).add(b.publicKey, { name: 'bob', expires: '2030-01-01' })
    expect(ring.size).toBe(2)
    expect(ring.has(a.publicKey.keyId)).toBe(true)
    expect(ring.get(a.publicKey.keyId.toLowerCase())?.name).toBe('alice')
    expect(ring.list().map((e) => e.name)).toEqual(['alice', 'bob'])
    expect(ring.get(b.publicKey.keyId)?.expires?.toISOString()).toBe('2030-01-01T00:00:00.000Z')
    expect(Buffer.from(ring.get(b.publicKey.keyId)!.publicKey.bytes).equals(Buffer.from(b.publicKey.bytes))).toBe(true)
    expect(ring.remove(a.publicKey.keyId)).toBe(true)
    expect(ring.remove(a.publicKey.keyId)).toBe(false)
    expect(ring.get(a.publicKey.keyId)).toBeUndefined()
    expect(ring.size).toBe(1)
  })

  it('re-adding a key updates it; a different key under the same id is refused', async () => {
    const a = await makeKeyPair(p)
    const b = await makeKeyPair(p)
    const ring = new Keyring().add(a.publicKey, { name: 'alice' })
    ring.add(a.publicKey, { name: 'alice (laptop)', expires: new Date('2031-05-01T12:00:00Z') })
    expect(ring.size).toBe(1)
    expect(ring.get(a.publicKey.keyId)).toMatchObject({ name: 'alice (laptop)', expires: new Date('2031-05-01T12:00:00Z') })
    const impostor = { algorithm: 'ed25519' as const, keyId: a.publicKey.keyId, bytes: b.publicKey.bytes }
    expect(() => ring.add(impostor, { name: 'mallory' })).toThrow(expect.objectContaining({ code: 'E_KEY' }))
    expect(ring.get(a.publicKey.keyId)?.name).toBe('alice (laptop)')
  })

  it('keeps its own copies: mutating the caller key, Date or a returned entry changes nothing', async () => {
    const a = await makeKeyPair(p)
    const bytes = a.publicKey.bytes.slice()
    const expires = new Date('2030-01-01T00:00:00Z')
    const ring = new Keyring().add({ ...a.publicKey, bytes }, { name: 'alice', expires })
    bytes.fill(0)
    expires.setUTCFullYear(2099)
    ring.get(a.publicKey.keyId)!.expires!.setUTCFullYear(2098)
    const entry = ring.get(a.publicKey.keyId)!
    expect(Buffer.from(entry.publicKey.bytes).equals(Buffer.from(a.publicKey.bytes))).toBe(true)
    expect(entry.expires?.toISOString()).toBe('2030-01-01T00:00:00.000Z')
  })

  it('check() gives the entry or why not; expiry is the first instant the key is refused', async () => {
    const a = await makeKeyPair(p)
    const ring = new Keyring().add(a.publicKey, { name: 'alice', expires: '2030-01-01T00:00:00Z' })
    expect(ring.check(a.publicKey.keyId, new Date('2029-12-31T23:59:59.999Z'))).toMatchObject({ ok: true, entry: { name: 'alice' } })
    expect(ring.check(a.publicKey.keyId, '2030-01-01T00:00:00Z')).toMatchObject({ ok: false, reason: 'expired-key', entry: { name: 'alice' } })
    expect(ring.check('0000000000000000')).toEqual({ ok: false, reason: 'untrusted-key' })
  })

  it('refuses bad keys, names and dates', async () => {
    const a = await makeKeyPair(p)
    const ring = new Keyring()
    expect(() => ring.add({ ...a.publicKey, bytes: a.publicKey.bytes.subarray(1) }, { name: 'x' })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    expect(() => ring.add({ ...a.publicKey, keyId: 'abc' }, { name: 'x' })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    expect(() => ring.add(a.publicKey, { name: '' })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    for (const expires of ['tomorrow', '2030-13-45', '2030-01-01T00:00:00', new Date(NaN)]) {
      expect(() => ring.add(a.publicKey, { name: 'x', expires }), String(expires)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    }
    expect(ring.size).toBe(0)
  })

  it('round-trips through JSON text', async () => {
    const a = await makeKeyPair(p)
    const b = await makeKeyPair(p)
    const ring = new Keyring().add(a.publicKey, { name: 'alice' }).add(b.publicKey, { name: 'ci', expires: '2030-06-01T08:00:00+02:00' })
    const text = JSON.stringify(ring)
    expect(JSON.parse(text)).toEqual({
      version: 1,
      keys: [
        { keyId: a.publicKey.keyId, algorithm: 'ed25519', publicKey: Buffer.from(a.publicKey.bytes).toString('base64'), name: 'alice' },
        { keyId: b.publicKey.keyId, algorithm: 'ed25519', publicKey: Buffer.from(b.publicKey.bytes).toString('base64'), name: 'ci', expires: '2030-06-01T06:00:00.000Z' },
      ],
    })
    const again = Keyring.fromJSON(text)
    expect(again.list()).toEqual(ring.list())
    expect(Keyring.fromJSON(ring.toJSON()).list()).toEqual(ring.list())
  })

  it('fromJSON refuses anything malformed, whole', async () => {
    const a = await makeKeyPair(p)
    const good = new Keyring().add(a.publicKey, { name: 'alice' }).toJSON()
    const k = good.keys[0]!
    const bad: unknown[] = [
      'not json',
      null,
      { version: 2, keys: [] },
      { version: 1 },
      { version: 1, keys: [null] },
      { version: 1, keys: [{ ...k, algorithm: 'rsa' }] },
      { version: 1, keys: [{ ...k, keyId: k.keyId.toLowerCase() }] },
      { version: 1, keys: [{ ...k, publicKey: 'AAAA' }] },
      { version: 1, keys: [{ ...k, publicKey: '!!' }] },
      { version: 1, keys: [{ ...k, name: 42 }] },
      { version: 1, keys: [{ ...k, expires: 'soon' }] },
      { version: 1, keys: [k, k] },
      // Two "keys" members: JSON.parse would keep the second, other parsers the first.
      `{"version":1,"keys":[${JSON.stringify(k)}],"keys":[]}`,
    ]
    for (const j of bad) expect(() => Keyring.fromJSON(j as never), JSON.stringify(j)).toThrow(expect.objectContaining({ code: 'E_FORMAT' }))
  })
})

describe('Keyring and minisign public keys', () => {
  it('adds the key of a minisign .pub file under the id minisign prints', () => {
    // The public key line from minisign's documentation; `minisign` shows its id as C58F983C0AD8C39B.
    const line = 'RWSbw9gKPJiPxbNS8raEPsM0JCsXTJ/yn0mvPERuzTuc83nN0niNbWee'
    const ring = new Keyring().addMinisignKey(`untrusted comment: minisign public key C58F983C0AD8C39B\n${line}\n`, { name: 'jedisct1' })
    const entry = ring.get('C58F983C0AD8C39B')!
    expect(entry.name).toBe('jedisct1')
    // The key bytes are the last 32 of the 42 decoded bytes (2 algorithm, 8 key id, 32 key).
    expect(Buffer.from(entry.publicKey.bytes).equals(Buffer.from(line, 'base64').subarray(10))).toBe(true)
    expect(() => new Keyring().addMinisignKey('not a key', { name: 'x' })).toThrow(expect.objectContaining({ code: 'E_FORMAT' }))
  })
})

describe('Keyring shorthands', () => {
  const line = 'RWSbw9gKPJiPxbNS8raEPsM0JCsXTJ/yn0mvPERuzTuc83nN0niNbWee' // minisign's documentation key, id C58F983C0AD8C39B

  it('takes keys as objects or minisign text, names as strings or defaulting to the key id, expiry as epoch milliseconds', async () => {
    const a = await makeKeyPair(p)
    const ring = new Keyring([a.publicKey]).add(`untrusted comment: minisign public key C58F983C0AD8C39B\n${line}\n`, 'jedisct1')
    expect(ring.get(a.publicKey.keyId)!.name).toBe(a.publicKey.keyId)
    expect(ring.get('C58F983C0AD8C39B')!.name).toBe('jedisct1')
    ring.add(a.publicKey, { name: 'alice', expires: Date.UTC(2030, 0, 1) })
    expect(ring.get(a.publicKey.keyId)).toMatchObject({ name: 'alice', expires: new Date('2030-01-01T00:00:00Z') })
    expect(ring.check(a.publicKey.keyId, new Date('2030-01-01T00:00:00Z'))).toEqual({ ok: false, reason: 'expired-key', entry: expect.anything() })
    expect(new Keyring([line]).has('c58f983c0ad8c39b')).toBe(true)
    expect(() => ring.add(a.publicKey, { expires: Number.NaN })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    expect(() => ring.add(a.publicKey, 42 as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
  })
})
