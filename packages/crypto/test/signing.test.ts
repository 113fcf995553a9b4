import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Keyring } from '../src/keyring'
import { base64Encode as encodeBase64 } from '../src/encoding/base64'
import { encodeEnvelope } from '../src/signing/dsse'
import { createSigningApi } from '../src/signing/api'
import { IN_TOTO_PAYLOAD_TYPE, RECORD_KIND_ATTESTATION, RECORD_KIND_SIGNATURE, SIGNATURE_PAYLOAD_TYPE } from '../src/signing/records'
import type { Primitives } from '../src/primitives/types'
import { nodePrimitives } from '../src/primitives/node'
import { dec, enc, fakePackage, makeKeyPair, PRIMITIVES } from './signing-helpers'

const digestOf = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`
const D1 = digestOf('package one')
const D2 = digestOf('package two')
const envelopeOf = (payload: Uint8Array) => JSON.parse(dec(payload))

describe.each(PRIMITIVES)('package signatures with %s primitives', (_, p) => {
  const api = createSigningApi(p)

  it('signs a package as a kind-1 DSSE record over a canonical body, and verifies it', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const signed = await api.signPackage(fakePackage(D1), secretKey, { created: '2026-03-01T10:00:00Z', comment: 'release 1.0' })
    expect(signed.signatures).toHaveLength(1)
    const record = signed.signatures[0]!
    expect(record.kind).toBe(RECORD_KIND_SIGNATURE)
    const env = envelopeOf(record.payload)
    expect(Object.keys(env)).toEqual(['payloadType', 'payload', 'signatures'])
    expect(env.payloadType).toBe(SIGNATURE_PAYLOAD_TYPE)
    expect(env.signatures).toEqual([{ keyid: secretKey.keyId, sig: expect.any(String) }])
    expect(dec(Buffer.from(env.payload, 'base64'))).toBe(`{"comment":"release 1.0","created":"2026-03-01T10:00:00.000Z","digest":"${D1}","keyId":"${secretKey.keyId}"}`)

    const keyring = new Keyring().add(publicKey, { name: 'alice' })
    const result = await api.verifyPackage(signed, keyring, { now: new Date('2026-04-01') })
    expect(result).toEqual({
      valid: true,
      digest: D1,
      signatures: [{ valid: true, index: 0, keyId: secretKey.keyId, signer: 'alice', created: new Date('2026-03-01T10:00:00Z'), comment: 'release 1.0' }],
    })
  })

  it('lists several signatures, ignores other record kinds, and requireAll wants every one', async () => {
    const alice = await makeKeyPair(p)
    const bob = await makeKeyPair(p)
    let pkg = fakePackage(D1, [{ kind: 99, payload: enc('someone else’s record') }])
    pkg = await api.signPackage(pkg, alice.secretKey)
    pkg = await api.signPackage(pkg, bob.secretKey)
    const both = new Keyring().add(alice.publicKey, { name: 'alice' }).add(bob.publicKey, { name: 'bob' })
    const r = await api.verifyPackage(pkg, both)
    expect(r.valid).toBe(true)
    expect(r.signatures.map((s) => [s.index, s.signer, s.valid])).toEqual([
      [1, 'alice', true],
      [2, 'bob', true],
    ])
    const onlyAlice = new Keyring().add(alice.publicKey, { name: 'alice' })
    expect((await api.verifyPackage(pkg, onlyAlice)).valid).toBe(true)
    expect(await api.verifyPackage(pkg, onlyAlice, { requireAll: true })).toMatchObject({ valid: false, reason: 'not-all-valid' })
    expect((await api.verifyPackage(pkg, both, { requireAll: true })).valid).toBe(true)
  })

  it('no signatures: not valid, whatever the keyring', async () => {
    const { publicKey } = await makeKeyPair(p)
    const keyring = new Keyring().add(publicKey, { name: 'alice' })
    expect(await api.verifyPackage(fakePackage(D1), keyring)).toEqual({ valid: false, digest: D1, signatures: [], reason: 'no-signatures' })
    expect(await api.verifyPackage(fakePackage(D1), keyring, { requireAll: true })).toMatchObject({ valid: false, reason: 'no-signatures' })
  })

  it('untrusted and expired keys are rejected with their reasons', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const signed = await api.signPackage(fakePackage(D1), secretKey, { created: '2026-01-01T00:00:00Z' })
    expect(await api.verifyPackage(signed, new Keyring())).toMatchObject({
      valid: false,
      reason: 'no-valid-signature',
      signatures: [{ valid: false, keyId: secretKey.keyId, reason: 'untrusted-key' }],
    })
    const expiring = new Keyring().add(publicKey, { name: 'alice', expires: '2027-01-01T00:00:00Z' })
    expect((await api.verifyPackage(signed, expiring, { now: new Date('2026-12-31T23:59:59Z') })).valid).toBe(true)
    expect(await api.verifyPackage(signed, expiring, { now: new Date('2027-01-01T00:00:00Z') })).toMatchObject({
      valid: false,
      signatures: [{ valid: false, reason: 'expired-key', signer: 'alice', created: new Date('2026-01-01T00:00:00Z') }],
    })
    // A signature that claims to be made after the key's expiry is refused even before it.
    const late = await api.signPackage(fakePackage(D1), secretKey, { created: '2027-06-01T00:00:00Z' })
    expect(await api.verifyPackage(late, expiring, { now: new Date('2026-06-01T00:00:00Z') })).toMatchObject({
      valid: false,
      signatures: [{ valid: false, reason: 'expired-key' }],
    })
  })

  it('a signature moved to another package is a digest mismatch', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const signed = await api.signPackage(fakePackage(D1), secretKey)
    const other = fakePackage(D2, [...signed.signatures])
    const r = await api.verifyPackage(other, new Keyring().add(publicKey, { name: 'alice' }))
    expect(r).toMatchObject({ valid: false, digest: D2, signatures: [{ valid: false, reason: 'digest-mismatch', signer: 'alice' }] })
  })

  it('malformed records are reported as malformed, never thrown', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const keyring = new Keyring().add(publicKey, { name: 'alice' })
    const other = await makeKeyPair(p)
    const sign = async (payloadType: string, body: string, keys = [secretKey]) => encodeEnvelope(await api.signDsse(payloadType, body, keys))
    const goodBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ digest: D1, created: '2026-01-01T00:00:00Z', keyId: secretKey.keyId, ...extra })
    const payloads: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['garbage', enc('\u0000\u0001garbage')],
      ['not an object', enc('[1,2,3]')],
      ['attestation type in a kind-1 record', await sign(IN_TOTO_PAYLOAD_TYPE, goodBody())],
      ['two signatures', await sign(SIGNATURE_PAYLOAD_TYPE, goodBody(), [secretKey, other.secretKey])],
      ['body not JSON', await sign(SIGNATURE_PAYLOAD_TYPE, 'hello')],
      ['body an array', await sign(SIGNATURE_PAYLOAD_TYPE, '[]')],
      ['duplicate key in body', await sign(SIGNATURE_PAYLOAD_TYPE, goodBody().replace('{', `{"digest":"${D2}",`))],
      ['body names another key', await sign(SIGNATURE_PAYLOAD_TYPE, goodBody({ keyId: other.secretKey.keyId }))],
      ['bad created', await sign(SIGNATURE_PAYLOAD_TYPE, goodBody({ created: 'yesterday' }))],
      ['created without zone', await sign(SIGNATURE_PAYLOAD_TYPE, goodBody({ created: '2026-01-01T00:00:00' }))],
      ['bad digest', await sign(SIGNATURE_PAYLOAD_TYPE, goodBody({ digest: 'md5:abc' }))],
      ['comment not a string', await sign(SIGNATURE_PAYLOAD_TYPE, goodBody({ comment: 5 }))],
    ]
    const pkg = fakePackage(D1, payloads.map(([, payload]) => ({ kind: RECORD_KIND_SIGNATURE, payload })))
    const r = await api.verifyPackage(pkg, keyring)
    expect(r.valid).toBe(false)
    expect(r.signatures).toHaveLength(payloads.length) // else the loop below could check nothing
    r.signatures.forEach((s, i) => {
      expect(s.valid, payloads[i]![0]).toBe(false)
      expect(s.reason, payloads[i]![0]).toBe('malformed')
      expect(s.detail, payloads[i]![0]).toEqual(expect.any(String))
    })
    // A well-formed body with unknown extra fields (a later version) is accepted.
    const extra = fakePackage(D1, [{ kind: 1, payload: await sign(SIGNATURE_PAYLOAD_TYPE, goodBody({ future: { x: 1 } })) }])
    expect((await api.verifyPackage(extra, keyring)).valid).toBe(true)
  })

  it('bounds the work: records over maxRecords are not checked, oversized envelopes are refused', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const keyring = new Keyring().add(publicKey, { name: 'alice' })
    const record = (await api.signPackage(fakePackage(D1), secretKey)).signatures[0]!
    const many = fakePackage(D1, Array.from({ length: 5 }, () => record))
    const r = await api.verifyPackage(many, keyring, { maxRecords: 3 })
    expect(r.signatures.map((s) => s.reason ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'limit', 'limit'])
    const big = fakePackage(D1, [{ kind: 1, payload: new Uint8Array(2 * 1024 * 1024).fill(0x20) }])
    expect((await api.verifyPackage(big, keyring)).signatures[0]).toMatchObject({ valid: false, reason: 'limit' })
  })

  it('bounds the Ed25519 work an untrusted package can ask for: keyless signatures are tried per key, within maxSignatureChecks', async () => {
    let calls = 0
    const counting: Primitives = { ...p, ed25519: { ...p.ed25519, verify: (...args) => (calls++, p.ed25519.verify(...args)) } }
    const counted = createSigningApi(counting)
    const alice = await makeKeyPair(p)
    const others = await Promise.all(Array.from({ length: 7 }, () => makeKeyPair(p)))
    // Alice last: a signature without a keyid costs 8 verifications before it is found.
    const keyring = new Keyring()
    others.forEach((k, i) => keyring.add(k.publicKey, { name: `other ${i}` }))
    keyring.add(alice.publicKey, { name: 'alice' })
    const env = envelopeOf((await api.signPackage(fakePackage(D1), alice.secretKey)).signatures[0]!.payload)
    const keyless = enc(JSON.stringify({ ...env, signatures: [{ sig: env.signatures[0].sig }] }))
    const pkg = fakePackage(D1, Array.from({ length: 5 }, () => ({ kind: RECORD_KIND_SIGNATURE, payload: keyless })))
    const r = await counted.verifyPackage(pkg, keyring, { maxSignatureChecks: 20 })
    expect(r.signatures.map((s) => s.reason ?? 'ok')).toEqual(['ok', 'ok', 'limit', 'limit', 'limit'])
    expect(calls).toBe(20)
  })

  it('a tampered signature or body does not verify', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const keyring = new Keyring().add(publicKey, { name: 'alice' })
    const record = (await api.signPackage(fakePackage(D1), secretKey, { created: '2026-01-01T00:00:00Z' })).signatures[0]!
    const env = envelopeOf(record.payload)
    const sig = Buffer.from(env.signatures[0].sig, 'base64')
    sig[10]! ^= 1
    const badSig = { ...env, signatures: [{ ...env.signatures[0], sig: sig.toString('base64') }] }
    const body = dec(Buffer.from(env.payload, 'base64')).replace('2026', '2025')
    const badBody = { ...env, payload: encodeBase64(enc(body)) }
    for (const e of [badSig, badBody]) {
      const r = await api.verifyPackage(fakePackage(D1, [{ kind: 1, payload: enc(JSON.stringify(e)) }]), keyring)
      expect(r.signatures[0]).toMatchObject({ valid: false, reason: 'bad-signature' })
      expect(r.signatures[0]!.created).toBeUndefined()
    }
  })

  it('refuses bad arguments with CryptoErrors', async () => {
    const { secretKey } = await makeKeyPair(p)
    await expect(api.signPackage(fakePackage('sha256:xyz'), secretKey)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(api.signPackage({ digest: D1, signatures: [] } as never, secretKey)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(api.signPackage(fakePackage(D1), secretKey, { created: 'now' })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(api.signPackage(fakePackage(D1), secretKey, { comment: 'x'.repeat(1025) })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(api.verifyPackage(fakePackage(D1), {} as never)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    // createSignatureRecord works from a bare digest too.
    const record = await api.createSignatureRecord(D1, secretKey)
    expect(record.kind).toBe(1)
  })
})

describe('verification work', () => {
  it('is bounded by default: 64 attestations of 16 keyless signatures against 8 keys cost 1024 checks, not 8192', async () => {
    const p = nodePrimitives // 1024 checks take seconds with noble; the bound is the same code
    let calls = 0
    const counting: Primitives = { ...p, ed25519: { ...p.ed25519, verify: (...args) => (calls++, p.ed25519.verify(...args)) } }
    const keyring = new Keyring()
    for (let i = 0; i < 8; i++) keyring.add((await makeKeyPair(p)).publicKey, { name: `key ${i}` })
    const stranger = await makeKeyPair(p)
    const att = envelopeOf((await createSigningApi(p).attestPackage(fakePackage(D1), { predicateType: 'x:y', predicate: {} }, stranger.secretKey)).signatures[0]!.payload)
    const heavy = enc(JSON.stringify({ ...att, signatures: Array.from({ length: 16 }, () => ({ sig: att.signatures[0].sig })) }))
    const records = Array.from({ length: 64 }, () => ({ kind: RECORD_KIND_ATTESTATION, payload: heavy }))
    const r = await createSigningApi(counting).verifyAttestations(fakePackage(D1, records), keyring)
    expect(calls).toBe(1024)
    expect(r.attestations).toHaveLength(64)
    expect(r.attestations.at(-1)).toMatchObject({ valid: false, reason: 'limit' })
  })
})

describe.each(PRIMITIVES)('attestations with %s primitives', (_, p) => {
  const api = createSigningApi(p)
  const provenance = {
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: { buildDefinition: { buildType: 'https://example.com/train@v1', externalParameters: { epochs: 3 } }, runDetails: { builder: { id: 'ci' } } },
  }

  it('attests an in-toto Statement v1 about the package digest and verifies it', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const pkg = await api.attestPackage(fakePackage(D1, [], { name: 'tiny', version: '1.0.0' }), provenance, secretKey)
    expect(pkg.signatures[0]!.kind).toBe(RECORD_KIND_ATTESTATION)
    const env = envelopeOf(pkg.signatures[0]!.payload)
    expect(env.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE)
    const statement = JSON.parse(dec(Buffer.from(env.payload, 'base64')))
    expect(statement).toEqual({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'tiny@1.0.0', digest: { sha256: D1.slice(7) } }], ...provenance })

    const keyring = new Keyring().add(publicKey, { name: 'ci' })
    const r = await api.verifyAttestations(pkg, keyring)
    expect(r.valid).toBe(true)
    expect(r.attestations).toHaveLength(1)
    expect(r.attestations[0]).toMatchObject({ valid: true, index: 0, keyId: secretKey.keyId, signer: 'ci', predicateType: provenance.predicateType })
    expect(JSON.parse(JSON.stringify(r.attestations[0]!.statement))).toEqual(statement)
    // An attestation is not a package signature.
    expect(await api.verifyPackage(pkg, keyring)).toMatchObject({ valid: false, reason: 'no-signatures' })
  })

  it('rejects attestations about another digest, by strangers, or of the wrong type', async () => {
    const { publicKey, secretKey } = await makeKeyPair(p)
    const keyring = new Keyring().add(publicKey, { name: 'ci' })
    const attested = await api.attestPackage(fakePackage(D1), { ...provenance, name: 'model' }, secretKey)
    const moved = fakePackage(D2, [...attested.signatures])
    expect((await api.verifyAttestations(moved, keyring)).attestations[0]).toMatchObject({ valid: false, reason: 'digest-mismatch' })
    expect((await api.verifyAttestations(attested, new Keyring())).attestations[0]).toMatchObject({ valid: false, reason: 'untrusted-key', keyId: secretKey.keyId })

    // Domain separation: a package signature placed in a kind-2 record, or relabelled as an
    // in-toto envelope, is not accepted as an attestation.
    const signature = (await api.signPackage(fakePackage(D1), secretKey)).signatures[0]!
    const asKind2 = fakePackage(D1, [{ kind: RECORD_KIND_ATTESTATION, payload: signature.payload }])
    expect((await api.verifyAttestations(asKind2, keyring)).attestations[0]).toMatchObject({ valid: false, reason: 'malformed' })
    const relabelled = { ...envelopeOf(signature.payload), payloadType: IN_TOTO_PAYLOAD_TYPE }
    const forged = fakePackage(D1, [{ kind: RECORD_KIND_ATTESTATION, payload: enc(JSON.stringify(relabelled)) }])
    expect((await api.verifyAttestations(forged, keyring)).attestations[0]).toMatchObject({ valid: false, reason: 'bad-signature' })

    // A signed in-toto envelope whose body is not a statement is malformed.
    const notStatement = encodeEnvelope(await api.signDsse(IN_TOTO_PAYLOAD_TYPE, JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [] }), secretKey))
    expect((await api.verifyAttestations(fakePackage(D1, [{ kind: 2, payload: notStatement }]), keyring)).attestations[0]).toMatchObject({ valid: false, reason: 'malformed' })
  })

  it('refuses predicates that are not JSON objects', async () => {
    const { secretKey } = await makeKeyPair(p)
    for (const predicate of [null, [1], 'x', { when: new Date() }, { n: NaN }]) {
      await expect(api.attestPackage(fakePackage(D1), { predicateType: 'x:y', predicate: predicate as never }, secretKey), String(predicate)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    }
    await expect(api.attestPackage(fakePackage(D1), { predicateType: '', predicate: {} }, secretKey)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
  })
})
