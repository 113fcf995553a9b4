import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runTool } from '../../../scripts/test-tools'
import { createCryptoApi } from '../src/api'
import * as nodeIndex from '../src/index.node'
import { formatMinisignPublicKey, formatMinisignSecretKey, parseMinisignPublicKey, toHex } from '../src/index.node'
import { base64Encode, tryBase64Decode } from '../src/encoding/base64'
import { scryptParamsFromLimits } from '../src/minisign/scrypt-params'
import { noblePrimitives } from '../src/primitives/noble'
import { nodePrimitives } from '../src/primitives/node'
import { APIS, tempDir, thrown } from './minisign-helpers'

// Ed25519 keys: raw import, generation, key ids, and minisign's .pub / secret key files,
// checked against RFC 8032 and against the real minisign CLI both ways.

const FIX = new URL('./fixtures/minisign/', import.meta.url)
const fixtureText = (name: string) => readFileSync(new URL(name, FIX), 'utf8')
const PUB_TEXT = fixtureText('minisign.pub')
const KEY_TEXT = fixtureText('minisign.key')
const FIXTURE_KEY_ID = 'C58F983C0AD8C39B'

// RFC 8032 section 7.1, TEST 1.
const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
const RFC_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'

const { dir, temp } = tempDir('torshpkg-keys-')
let fileNo = 0

/** minisign's display form of a key id from SHA-256, computed independently (node:crypto). */
function expectedKeyId(publicKeyHex: string): string {
  const digest = createHash('sha256').update(Buffer.from(publicKeyHex, 'hex')).digest()
  return Buffer.from(digest.subarray(0, 8)).reverse().toString('hex').toUpperCase()
}

/** Re-encode the key line (line 2) of a key file after `edit` changes its bytes. */
function editKeyLine(text: string, edit: (bytes: Uint8Array) => void): string {
  const lines = text.split('\n')
  const bytes = tryBase64Decode(lines[1]!)!
  edit(bytes)
  lines[1] = base64Encode(bytes)
  return lines.join('\n')
}

describe.each(APIS)('keys, %s', (_name, api) => {
  it('secretKeyFromSeed gives RFC 8032 test 1’s public key; key id = SHA-256 prefix in display order', async () => {
    const sk = await api.secretKeyFromSeed(RFC_SEED)
    expect(toHex(sk.publicKey.bytes)).toBe(RFC_PUBLIC)
    expect(sk.keyId).toBe(expectedKeyId(RFC_PUBLIC))
    expect(sk.publicKey.keyId).toBe(sk.keyId)
    expect(api.keyIdOf(sk.publicKey.bytes)).toBe(sk.keyId)
    expect(api.keyIdOf(RFC_PUBLIC)).toBe(sk.keyId)
    const fromBytes = await api.secretKeyFromSeed(Buffer.from(RFC_SEED, 'hex'))
    expect(toHex(fromBytes.seed)).toBe(RFC_SEED)
    // RFC 8032 test 1 signs the empty message: our signatures are plain Ed25519
    const sig = await api.primitives.ed25519.sign(new Uint8Array(0), sk.seed)
    expect(toHex(sig)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    )
  })

  it('publicKeyFromBytes: bytes or hex, copied and frozen; keyId option validated', () => {
    const raw = Buffer.from(RFC_PUBLIC, 'hex')
    const pk = api.publicKeyFromBytes(raw)
    expect(pk).toEqual(api.publicKeyFromBytes(RFC_PUBLIC))
    expect(pk.algorithm).toBe('ed25519')
    raw[0] = 0 // the key holds its own copy
    expect(toHex(pk.bytes)).toBe(RFC_PUBLIC)
    expect(Object.isFrozen(pk)).toBe(true)
    expect(api.publicKeyFromBytes(RFC_PUBLIC, { keyId: FIXTURE_KEY_ID }).keyId).toBe(FIXTURE_KEY_ID)
  })

  it('wrong key lengths, bad hex and bad key ids are E_ARGUMENT with the field named', async () => {
    expect(await thrown(() => api.publicKeyFromBytes(new Uint8Array(31)))).toMatchObject({ code: 'E_ARGUMENT', details: { field: 'publicKey' } })
    expect(await thrown(() => api.publicKeyFromBytes(RFC_PUBLIC.slice(2)))).toMatchObject({ code: 'E_ARGUMENT', details: { field: 'publicKey' } })
    expect(await thrown(() => api.publicKeyFromBytes(`${RFC_PUBLIC.slice(2)}zz`))).toMatchObject({ code: 'E_ARGUMENT' })
    expect(await thrown(() => api.publicKeyFromBytes(RFC_PUBLIC, { keyId: FIXTURE_KEY_ID.toLowerCase() }))).toMatchObject({ code: 'E_ARGUMENT', details: { field: 'keyId' } })
    expect(await thrown(() => api.secretKeyFromSeed(new Uint8Array(33)))).toMatchObject({ code: 'E_ARGUMENT', details: { field: 'seed' } })
    expect(await thrown(() => api.keyIdOf(new Uint8Array(8)))).toMatchObject({ code: 'E_ARGUMENT' })
  })

  it('generateKeyPair: fresh keys whose id is keyIdOf(public key), usable for signing', async () => {
    const a = await api.generateKeyPair()
    const b = await api.generateKeyPair()
    expect(toHex(a.secretKey.seed)).not.toBe(toHex(b.secretKey.seed))
    expect(a.publicKey).toBe(a.secretKey.publicKey)
    expect(a.publicKey.keyId).toBe(expectedKeyId(toHex(a.publicKey.bytes)))
    const derived = await api.secretKeyFromSeed(a.secretKey.seed)
    expect(toHex(derived.publicKey.bytes)).toBe(toHex(a.publicKey.bytes))
    const minisig = await api.signFile(new Uint8Array([1, 2, 3]), a.secretKey)
    expect(await api.verifyFile(new Uint8Array([1, 2, 3]), minisig, a.publicKey)).toMatchObject({ valid: true })
  })

  it('keys made by `minisign -G -W` parse, keep minisign’s key id, and sign files minisign verifies', async () => {
    const pubPath = join(dir, `g${fileNo}.pub`)
    const keyPath = join(dir, `g${fileNo++}.key`)
    const out = new TextDecoder().decode(runTool('minisign', ['-G', '-W', '-p', pubPath, '-s', keyPath]))
    const pk = parseMinisignPublicKey(readFileSync(pubPath))
    const sk = await api.parseMinisignSecretKey(readFileSync(keyPath, 'utf8'))
    // minisign prints the key's base64 line (-P form) and names the id in the .pub comment
    // (with %llX: no leading zeros), which is exactly what formatMinisignPublicKey writes.
    expect(out).toContain(`-P ${readFileSync(pubPath, 'utf8').split('\n')[1]}`)
    expect(readFileSync(pubPath, 'utf8')).toBe(formatMinisignPublicKey(pk))
    expect(sk.keyId).toBe(pk.keyId)
    expect(toHex(sk.publicKey.bytes)).toBe(toHex(pk.bytes))
    const data = noblePrimitives.randomBytes(3000)
    const minisig = await api.signFile(data, sk, { trustedComment: 'signed with a minisign-generated key' })
    const verified = runTool('minisign', ['-V', '-Q', '-p', pubPath, '-m', temp(data), '-x', temp(minisig)])
    expect(new TextDecoder().decode(verified).trim()).toBe('signed with a minisign-generated key')
  })

  // The second key's id has leading zeros, which minisign's %llX comment drops (a real failure once).
  it.each([undefined, '000A1B2C3D4E5F60'])('our secret key file signs with `minisign -S`; `minisign -R` recreates our public key file (key id %s)', async (keyId) => {
    const generated = await api.generateKeyPair()
    const secretKey = keyId ? await api.secretKeyFromSeed(generated.secretKey.seed, { keyId }) : generated.secretKey
    const publicKey = secretKey.publicKey
    const keyPath = temp(formatMinisignSecretKey(secretKey))
    const data = noblePrimitives.randomBytes(4000)
    const file = temp(data)
    runTool('minisign', ['-S', '-s', keyPath, '-m', file, '-x', `${file}.minisig`, '-t', 'minisign used our key'])
    const minisig = readFileSync(`${file}.minisig`, 'utf8')
    expect(await api.verifyFile(data, minisig, publicKey)).toMatchObject({ valid: true, keyId: publicKey.keyId, trustedComment: 'minisign used our key' })
    const pubPath = join(dir, `r${fileNo++}.pub`)
    runTool('minisign', ['-R', '-s', keyPath, '-p', pubPath])
    expect(readFileSync(pubPath, 'utf8')).toBe(formatMinisignPublicKey(publicKey))
  })
})

describe('minisign public key files', () => {
  it('the fixture: whole file, bare base64 line, CRLF, bytes; formatting gives the file back', () => {
    const pk = parseMinisignPublicKey(PUB_TEXT)
    expect(pk.keyId).toBe(FIXTURE_KEY_ID)
    expect(pk.bytes.length).toBe(32)
    expect(parseMinisignPublicKey(PUB_TEXT.split('\n')[1]!)).toEqual(pk)
    expect(parseMinisignPublicKey(`  ${PUB_TEXT.split('\n')[1]!}  \n`)).toEqual(pk)
    expect(parseMinisignPublicKey(PUB_TEXT.replace(/\n/g, '\r\n'))).toEqual(pk)
    expect(parseMinisignPublicKey(new TextEncoder().encode(`${PUB_TEXT}\n\n`))).toEqual(pk)
    expect(formatMinisignPublicKey(pk)).toBe(PUB_TEXT)
  })

  it('malformed files: typed errors naming field and line', async () => {
    const line = PUB_TEXT.split('\n')[1]!
    expect(await thrown(() => parseMinisignPublicKey(''))).toMatchObject({ code: 'E_FORMAT', details: { line: 1 } })
    expect(await thrown(() => parseMinisignPublicKey(`${PUB_TEXT}more\n`))).toMatchObject({ code: 'E_FORMAT', details: { line: 3 } })
    expect(await thrown(() => parseMinisignPublicKey(`untrusted comment: x\n${line.slice(0, 40)}`))).toMatchObject({ code: 'E_FORMAT', details: { field: 'publicKey', line: 2 } })
    expect(await thrown(() => parseMinisignPublicKey(line.slice(0, -4)))).toMatchObject({ code: 'E_FORMAT', details: { line: 1 } })
    expect(await thrown(() => parseMinisignPublicKey(`${line.slice(0, -1)}*`))).toMatchObject({ code: 'E_FORMAT' })
    expect(await thrown(() => parseMinisignPublicKey('untrusted comment: only a comment'))).toMatchObject({ code: 'E_FORMAT' })
    const wrongAlg = editKeyLine(PUB_TEXT, (b) => b.set([0x45, 0x44], 0)) // 'ED' is a signature algorithm, not a key's
    expect(await thrown(() => parseMinisignPublicKey(wrongAlg))).toMatchObject({ code: 'E_UNSUPPORTED', details: { field: 'signatureAlgorithm', line: 2 } })
    expect(await thrown(() => parseMinisignPublicKey(`untrusted comment: ${'x'.repeat(3000)}\n${line}`))).toMatchObject({ code: 'E_FORMAT', details: { line: 1 } })
    expect(await thrown(() => parseMinisignPublicKey(`${'\n'.repeat(5000)}${line}`))).toMatchObject({ code: 'E_FORMAT' })
    expect(await thrown(() => parseMinisignPublicKey(42 as never))).toMatchObject({ code: 'E_ARGUMENT' })
    expect(await thrown(() => formatMinisignPublicKey(parseMinisignPublicKey(PUB_TEXT), { comment: 'a\nb' }))).toMatchObject({ code: 'E_ARGUMENT' })
  })
})

describe('minisign secret key files (unencrypted)', () => {
  const api = nodeIndex

  it('the fixture (minisign -G -W, all-zero checksum as 0.11 writes) parses to the fixture public key', async () => {
    const sk = await api.parseMinisignSecretKey(KEY_TEXT)
    const pk = parseMinisignPublicKey(PUB_TEXT)
    expect(sk.keyId).toBe(FIXTURE_KEY_ID)
    expect(sk.publicKey).toEqual(pk)
    expect(await api.parseMinisignSecretKey(KEY_TEXT.replace(/\n/g, '\r\n'))).toEqual(sk)
    expect(await api.parseMinisignSecretKey(new TextEncoder().encode(KEY_TEXT))).toEqual(sk)
    expect(await api.parseMinisignSecretKey(KEY_TEXT, { password: 'ignored for unencrypted keys, as by minisign' })).toEqual(sk)
    // our format writes the real checksum; it round-trips
    const ours = formatMinisignSecretKey(sk)
    expect(tryBase64Decode(ours.split('\n')[1]!)!.subarray(126).some((b) => b !== 0)).toBe(true)
    expect(await api.parseMinisignSecretKey(ours)).toEqual(sk)
  })

  it('malformed or damaged files: E_FORMAT, E_UNSUPPORTED, E_KEY with field and line', async () => {
    const line = KEY_TEXT.split('\n')[1]!
    const ours = formatMinisignSecretKey(await api.parseMinisignSecretKey(KEY_TEXT))
    const cases: [string, string, Record<string, unknown>][] = [
      ['', 'E_FORMAT', { line: 1 }],
      [`untrusted comment: x\n${line.slice(0, 100)}`, 'E_FORMAT', { field: 'secretKey', line: 2 }],
      [`untrusted comment: x\n${line.slice(0, -4)}`, 'E_FORMAT', { field: 'secretKey', line: 2 }],
      [`untrusted comment: x\n${line}\nextra`, 'E_FORMAT', { line: 3 }],
      [`untrusted comment: ${'c'.repeat(3000)}\n${line}`, 'E_FORMAT', { line: 1 }],
      [editKeyLine(KEY_TEXT, (b) => b.set([0x45, 0x44], 0)), 'E_UNSUPPORTED', { field: 'signatureAlgorithm', line: 2 }],
      [editKeyLine(KEY_TEXT, (b) => b.set([0x41, 0x32], 2)), 'E_UNSUPPORTED', { field: 'kdfAlgorithm', line: 2 }],
      [editKeyLine(KEY_TEXT, (b) => b.set([0x42, 0x33], 4)), 'E_UNSUPPORTED', { field: 'checksumAlgorithm', line: 2 }],
      // a real checksum that no longer matches: damaged
      [editKeyLine(ours, (b) => (b[130]! ^= 1)), 'E_KEY', { field: 'checksum', line: 2 }],
      [editKeyLine(ours, (b) => (b[70]! ^= 1)), 'E_KEY', { field: 'checksum', line: 2 }],
      // minisign's zero checksum: damage to the seed still shows, as a public key mismatch
      [editKeyLine(KEY_TEXT, (b) => (b[70]! ^= 1)), 'E_KEY', { field: 'publicKey', line: 2 }],
    ]
    for (const [text, code, details] of cases) {
      const e = await thrown(() => api.parseMinisignSecretKey(text))
      expect(e, text.slice(0, 60)).toMatchObject({ code, details })
    }
    expect(await thrown(() => api.parseMinisignSecretKey(KEY_TEXT, { password: 42 as never }))).toMatchObject({ code: 'E_ARGUMENT' })
  })

  it('the fixture key signs with us; minisign verifies (node and noble give identical bytes)', async () => {
    const sk = await nodeIndex.parseMinisignSecretKey(KEY_TEXT)
    const data = noblePrimitives.randomBytes(2000)
    const a = await createCryptoApi(nodePrimitives).signFile(data, sk, { trustedComment: 'fixture key' })
    const b = await createCryptoApi(noblePrimitives).signFile(data, sk, { trustedComment: 'fixture key' })
    expect(a).toBe(b)
    const verified = runTool('minisign', ['-V', '-Q', '-p', temp(PUB_TEXT), '-m', temp(data), '-x', temp(a)])
    expect(new TextDecoder().decode(verified).trim()).toBe('fixture key')
  })
})

describe('scrypt parameters from libsodium limits', () => {
  it("minisign's (the sensitive preset) and the interactive preset", () => {
    expect(scryptParamsFromLimits(2 ** 25, 2 ** 30)).toEqual({ logN: 20, r: 8, p: 1, dkLen: 104 })
    expect(scryptParamsFromLimits(524288, 16777216)).toEqual({ logN: 14, r: 8, p: 1, dkLen: 104 })
  })

  it('above the caps: E_LIMIT naming the field, before any work', async () => {
    expect(await thrown(() => scryptParamsFromLimits(2 ** 25 + 1, 2 ** 30))).toMatchObject({ code: 'E_LIMIT', details: { field: 'kdfOpslimit' } })
    expect(await thrown(() => scryptParamsFromLimits(2 ** 25, 2 ** 30 + 1))).toMatchObject({ code: 'E_LIMIT', details: { field: 'kdfMemlimit' } })
    expect(await thrown(() => scryptParamsFromLimits(2 ** 64, 0))).toMatchObject({ code: 'E_LIMIT' })
  })
})
