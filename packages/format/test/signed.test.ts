import { createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { mkdtemp, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createCryptoApi,
  formatMinisignPublicKey,
  formatMinisignSecretKey,
  Keyring,
  parseMinisignSecretKey,
  noblePrimitives,
  primitives as nodePrimitives,
  publicKeyFromBytes,
  signPackage,
  verifyAttestations,
  verifyPackage,
  type Primitives,
} from '@torshpkg/crypto'
import { appendSignatures, appendSignaturesToFile, createPackage, openPackage, PackageError, type Package } from '@torshpkg/format'
import { rng } from '../../../scripts/test-data'
import { startFileServer, type TestServer } from '../../../scripts/test-server'
import { layoutOf, packageDigestOf } from './helpers/layout'

/** A fresh key pair from `p`'s CSPRNG, through the public key API. */
const keyPair = (p: Primitives) => createCryptoApi(p).generateKeyPair()

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const text = (s: string) => new TextEncoder().encode(s)

/** A small package with raw, compressed and padded chunks. */
async function makePackage(seed = 1, sink: 'memory' | string = 'memory', size = 6000): Promise<Uint8Array> {
  const r = rng(seed)
  const w = createPackage(sink, { name: 'signed', version: '1.0.0' }, { chunkSize: 4096 })
  await w.add('config.json', JSON.stringify({ layers: 4, seed }), { type: 'config' })
  await w.add('w.bin', r.bytes(size), { compression: 'none' })
  await w.add('notes.txt', 'x'.repeat(300) + seed, { compression: 'deflate' })
  const { bytes } = await w.finish()
  return bytes ?? new Uint8Array(await readFile(sink))
}

/** The package with its signature block removed and the footer rewritten (from docs/format.md). */
function stripSignatures(bytes: Uint8Array): Uint8Array {
  const l = layoutOf(bytes)
  const out = new Uint8Array(l.signaturesOffset + 96)
  out.set(bytes.subarray(0, l.signaturesOffset))
  const footer = bytes.slice(l.footerOffset)
  footer.fill(0, 32, 64) // block digest: zeros for an empty block
  new DataView(footer.buffer).setUint32(80, 0, true) // signaturesLength
  out.set(footer, l.signaturesOffset)
  return out
}

/** The package (unsigned) with `block` as its signature block, footer rewritten by hand (docs/format.md). */
function withSignatureBlock(bytes: Uint8Array, block: Uint8Array): Uint8Array {
  const unsigned = stripSignatures(bytes)
  const out = new Uint8Array(unsigned.length + block.length)
  out.set(unsigned.subarray(0, unsigned.length - 96))
  out.set(block, unsigned.length - 96)
  const footer = unsigned.slice(unsigned.length - 96)
  footer.set(createHash('sha256').update(block).digest(), 32)
  new DataView(footer.buffer).setUint32(80, block.length, true)
  out.set(footer, out.length - 96)
  return out
}

async function readAll(pkg: Package): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const e of pkg.entries()) out.set(e.path, sha(await pkg.read(e.path)))
  return out
}

describe.each([
  ['noble', noblePrimitives],
  ['node', nodePrimitives],
] as [string, Primitives][])('signed packages (%s primitives)', (_, p) => {
  const api = createCryptoApi(p)

  it('signing bytes appends a record and a footer; reopened, the package verifies and reads the same', async () => {
    const original = await makePackage()
    const { publicKey, secretKey } = await keyPair(p)
    const originalCopy = original.slice()
    const pkg = await openPackage(original)
    const unsigned = await openPackage(original)
    const digest = pkg.digest
    const signed = await api.signPackage(pkg, secretKey, { created: '2026-02-03T04:05:06Z', comment: 'v1' })
    // The Package itself now reads the signed package (returned too, for chaining).
    expect(signed).toBe(pkg)
    expect(pkg.digest).toBe(digest)
    expect(pkg.signatures.map((s) => s.kind)).toEqual([1])
    // Only the tail grew: every byte before the old footer is unchanged.
    const bytes = await signed.bytes()
    expect(bytes.length).toBe(original.length + 8 + signed.signatures[0]!.payload.length)
    expect(sha(bytes.subarray(0, original.length - 96))).toBe(sha(original.subarray(0, original.length - 96)))
    expect(Buffer.from(original).equals(Buffer.from(originalCopy))).toBe(true) // the caller's bytes are not touched
    expect(pkg.size).toBe(bytes.length)
    expect(await unsigned.read('config.json')).toEqual(await signed.read('config.json'))

    const keyring = new Keyring().add(publicKey, { name: 'release key' })
    const reopened = await openPackage(bytes.slice())
    expect(reopened.digest).toBe(pkg.digest)
    const result = await api.verifyPackage(reopened, keyring)
    expect(result).toEqual({
      valid: true,
      digest: pkg.digest,
      signatures: [{ valid: true, index: 0, keyId: publicKey.keyId, signer: 'release key', created: new Date('2026-02-03T04:05:06Z'), comment: 'v1' }],
    })
    expect((await reopened.verify()).ok).toBe(true)
    expect(await readAll(reopened)).toEqual(await readAll(unsigned))
  })

  it('several signers are all listed; attestations ride along as kind 2', async () => {
    const alice = await keyPair(p)
    const bob = await keyPair(p)
    let pkg = await openPackage(await makePackage(2))
    pkg = await api.signPackage(pkg, alice.secretKey)
    pkg = await api.attestPackage(pkg, { predicateType: 'https://slsa.dev/provenance/v1', predicate: { builder: 'ci' } }, bob.secretKey)
    pkg = await api.signPackage(pkg, bob.secretKey)
    const reopened = await openPackage(await pkg.bytes())
    expect(reopened.signatures.map((s) => s.kind)).toEqual([1, 2, 1])
    const keyring = new Keyring().add(alice.publicKey, { name: 'alice' }).add(bob.publicKey, { name: 'bob' })
    const r = await api.verifyPackage(reopened, keyring, { requireAll: true })
    expect(r.valid).toBe(true)
    expect(r.signatures.map((s) => [s.index, s.signer])).toEqual([
      [0, 'alice'],
      [2, 'bob'],
    ])
    const a = await api.verifyAttestations(reopened, keyring)
    expect(a.attestations).toMatchObject([{ valid: true, signer: 'bob', statement: { subject: [{ name: 'signed@1.0.0', digest: { sha256: reopened.digest.slice(7) } }] } }])
  })

  it('untrusted and expired keys are rejected with their reasons', async () => {
    const alice = await keyPair(p)
    const signed = await openPackage(await (await api.signPackage(await openPackage(await makePackage(3)), alice.secretKey, { created: '2026-01-01T00:00:00Z' })).bytes())
    const stranger = await keyPair(p)
    expect(await api.verifyPackage(signed, new Keyring().add(stranger.publicKey, { name: 'stranger' }))).toMatchObject({
      valid: false,
      reason: 'no-valid-signature',
      signatures: [{ valid: false, keyId: alice.publicKey.keyId, reason: 'untrusted-key' }],
    })
    const expiring = new Keyring().add(alice.publicKey, { name: 'alice', expires: '2026-06-01T00:00:00Z' })
    expect((await api.verifyPackage(signed, expiring, { now: new Date('2026-05-31T00:00:00Z') })).valid).toBe(true)
    expect(await api.verifyPackage(signed, expiring, { now: new Date('2026-06-01T00:00:00Z') })).toMatchObject({
      valid: false,
      signatures: [{ valid: false, reason: 'expired-key', signer: 'alice' }],
    })
  })
})

describe('signed packages', () => {
  let alice: Awaited<ReturnType<typeof keyPair>>
  let keyring: Keyring
  beforeAll(async () => {
    alice = await keyPair(nodePrimitives)
    keyring = new Keyring().add(alice.publicKey, { name: 'alice' })
  })

  it('stripping the signature block leaves a valid package that is not signed', async () => {
    const signed = await (await signPackage(await openPackage(await makePackage(4)), alice.secretKey)).bytes()
    const stripped = stripSignatures(signed)
    const pkg = await openPackage(stripped)
    expect(pkg.signatures).toHaveLength(0)
    expect((await pkg.verify()).ok).toBe(true)
    expect(await verifyPackage(pkg, keyring)).toEqual({ valid: false, digest: pkg.digest, signatures: [], reason: 'no-signatures' })
  })

  it('a signature record copied onto another package is a digest mismatch', async () => {
    const a = await signPackage(await openPackage(await makePackage(5)), alice.secretKey)
    const other = await makePackage(6)
    const grafted = await openPackage(appendSignatures(other, a.signatures))
    expect(grafted.digest).not.toBe(a.digest)
    expect(await verifyPackage(grafted, keyring)).toMatchObject({ valid: false, signatures: [{ valid: false, reason: 'digest-mismatch', signer: 'alice' }] })
  })

  it('every flipped byte of a small signed package is caught, and no read returns wrong data', async () => {
    const original = await makePackage(7, 'memory', 1000)
    const signed = await (await signPackage(await openPackage(original), alice.secretKey)).bytes()
    const reference = await readAll(await openPackage(signed))
    const l = layoutOf(signed)
    const outcomes = { rejected: 0, unsigned: 0, reported: 0, unreadable: 0 }
    let flips = 0
    for (let i = 0; i < signed.length; i++) {
      // Every byte inverted; the signature block and footer also get every single-bit flip.
      const masks = i >= l.signaturesOffset ? [0xff, 1, 2, 4, 8, 16, 32, 64, 128] : [0xff]
      for (const mask of masks) {
        flips++
        const copy = signed.slice()
        copy[i]! ^= mask
        const where = `byte ${i} ^ 0x${mask.toString(16)}`
        let pkg: Package
        try {
          pkg = await openPackage(copy)
        } catch (e) {
          expect(e, where).toBeInstanceOf(PackageError)
          outcomes.rejected++
          continue
        }
        if (!(await verifyPackage(pkg, keyring)).valid) {
          outcomes.unsigned++
          continue
        }
        const report = await pkg.verify()
        let unreadable = false
        for (const [path, digest] of reference) {
          try {
            // A read that succeeds must return exactly the signed data.
            expect(sha(await pkg.read(path)), `${where}: ${path}`).toBe(digest)
          } catch (e) {
            if (!(e instanceof PackageError)) throw e
            unreadable = true
          }
        }
        if (!report.ok) outcomes.reported++
        else if (unreadable) outcomes.unreadable++
        else expect.fail(`${where} (${regionOf(i, l)}) left the package opening, signed, verified and readable`)
      }
    }
    console.info(`tamper: ${signed.length} bytes, ${flips} flips:`, outcomes)
    expect(outcomes.rejected + outcomes.unsigned + outcomes.reported + outcomes.unreadable).toBe(flips)
    // Metadata, signature block and footer flips fail at open; data and padding flips are
    // reported by verify(). (A signature flip cannot reach verifyPackage: the block digest
    // in the footer catches it first.)
    expect(outcomes.rejected).toBeGreaterThan(l.size - l.tailOffset)
    expect(outcomes.reported).toBeGreaterThan(500)
  }, 120_000)

  it('refuses to sign Blob, custom and HTTP sources (E_READ_ONLY)', async () => {
    const bytes = await makePackage(8)
    const dir = await mkdtemp(join(tmpdir(), 'torshpkg-signed-http-'))
    await writeFile(join(dir, 'p.torshpkg'), bytes)
    const server: TestServer = await startFileServer(dir)
    try {
      const sources = [new Blob([new Uint8Array(bytes)]), { size: bytes.length, read: (o: number, n: number) => bytes.subarray(o, o + n) }, `${server.url}/p.torshpkg`]
      for (const source of sources) {
        const pkg = await openPackage(source)
        const error = await signPackage(pkg, alice.secretKey).catch((e) => e)
        expect(error).toBeInstanceOf(PackageError)
        expect(error.code).toBe('E_READ_ONLY')
        // bytes() still hands out the package, which can be signed as bytes.
        const signed = await signPackage(await openPackage(await pkg.bytes()), alice.secretKey)
        expect((await verifyPackage(signed, keyring)).valid).toBe(true)
      }
    } finally {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('appendSignatures checks what it appends to and never touches the caller’s bytes', async () => {
    const signed = await (await signPackage(await openPackage(await makePackage(9)), alice.secretKey)).bytes()
    const before = sha(signed)
    const record = { kind: 1, payload: text('x') }
    const grown = appendSignatures(signed, [record])
    expect(sha(signed)).toBe(before)
    expect((await openPackage(grown)).signatures.map((s) => s.kind)).toEqual([1, 1])

    const l = layoutOf(signed)
    const damaged = signed.slice()
    damaged[l.signaturesOffset + 20]! ^= 1
    expect(() => appendSignatures(damaged, [record])).toThrow(expect.objectContaining({ code: 'E_DIGEST_MISMATCH' }))
    expect(() => appendSignatures(signed.subarray(0, signed.length - 1), [record])).toThrow(expect.objectContaining({ code: 'E_TRUNCATED' }))
    expect(() => appendSignatures(text('definitely not a package, but long enough to have a footer '.repeat(4)), [record])).toThrow(
      expect.objectContaining({ code: 'E_BAD_MAGIC' }),
    )
    expect(() => appendSignatures(signed, [])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    expect(() => appendSignatures(signed, [{ kind: 0, payload: text('x') }])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
    expect(() => appendSignatures(signed, [{ kind: 1, payload: new Uint8Array(16 * 1024 * 1024) }])).toThrow(expect.objectContaining({ code: 'E_LIMIT' }))
    // A package whose metadata is corrupt stays corrupt: the digest is carried over, not recomputed.
    const corrupt = signed.slice()
    corrupt[l.tailOffset + 3]! ^= 1
    await expect(openPackage(appendSignatures(corrupt, [record]))).rejects.toMatchObject({ code: 'E_DIGEST_MISMATCH' })
  })

  it('follows docs/format.md: a verifier and a signer written from the text agree with the library', async () => {
    const utf8 = (s: string) => Buffer.from(s, 'utf8')
    const pae = (type: string, body: Uint8Array) =>
      Buffer.concat([utf8(`DSSEv1 ${utf8(type).length} `), utf8(type), utf8(` ${body.length} `), body])
    const record = (kind: number, payload: Uint8Array) => {
      const head = Buffer.alloc(8)
      head.writeUInt16LE(kind, 0)
      head.writeUInt32LE(payload.length, 4)
      return Buffer.concat([head, payload])
    }
    const unsigned = await makePackage(19)
    const digest = `sha256:${Buffer.from(packageDigestOf(unsigned)).toString('hex')}`

    // Verifying what the library signed, by hand: block, record, envelope, PAE, Ed25519, body.
    const signed = await (await signPackage(await openPackage(unsigned), alice.secretKey, { created: '2026-03-01T10:00:00Z' })).bytes()
    const l = layoutOf(signed)
    const block = Buffer.from(signed.subarray(l.signaturesOffset, l.footerOffset))
    expect([block.readUInt16LE(0), block.readUInt16LE(2), block.readUInt32LE(4) + 8]).toEqual([1, 0, block.length])
    const envelope = JSON.parse(block.subarray(8).toString('utf8'))
    expect(envelope.payloadType).toBe('application/vnd.torshpkg.signature.v1+json')
    const body = Buffer.from(envelope.payload, 'base64')
    const spki = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), alice.publicKey.bytes]), format: 'der', type: 'spki' })
    expect(envelope.signatures).toHaveLength(1)
    expect(envelope.signatures[0].keyid).toBe(alice.publicKey.keyId)
    expect(nodeVerify(null, pae(envelope.payloadType, body), spki, Buffer.from(envelope.signatures[0].sig, 'base64'))).toBe(true)
    expect(body.toString()).toBe(`{"created":"2026-03-01T10:00:00.000Z","digest":"${digest}","keyId":"${alice.publicKey.keyId}"}`)

    // Signing by hand (node:crypto, a hand-made footer) is accepted by the library: a kind-1
    // record with no fractional seconds, and a kind-2 statement naming the digest in upper case.
    const hand = generateKeyPairSync('ed25519')
    const raw = hand.publicKey.export({ format: 'der', type: 'spki' }).subarray(12)
    const keyId = '0123456789ABCDEF'
    const envelopeFor = (type: string, json: string) => {
      const b = utf8(json)
      const sig = nodeSign(null, pae(type, b), hand.privateKey)
      return utf8(JSON.stringify({ payloadType: type, payload: b.toString('base64'), signatures: [{ keyid: keyId, sig: sig.toString('base64') }] }))
    }
    const kind1 = envelopeFor('application/vnd.torshpkg.signature.v1+json', JSON.stringify({ created: '2026-05-01T00:00:00Z', digest, keyId }))
    const statement = { _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: digest.slice(7).toUpperCase() } }], predicateType: 'https://example.com/p' }
    const kind2 = envelopeFor('application/vnd.in-toto+json', JSON.stringify(statement))
    const byHand = await openPackage(withSignatureBlock(unsigned, Buffer.concat([record(1, kind1), record(2, kind2)])))
    const trusted = new Keyring().add(publicKeyFromBytes(raw, { keyId }), { name: 'by hand' })
    expect(await verifyPackage(byHand, trusted)).toMatchObject({ valid: true, signatures: [{ valid: true, signer: 'by hand', created: new Date('2026-05-01T00:00:00Z') }] })
    expect(await verifyAttestations(byHand, trusted)).toMatchObject({ valid: true, attestations: [{ valid: true, index: 1, signer: 'by hand' }] })
  })

  it('the number of signature records is bounded, reading and appending (empty records cost memory, not bytes)', async () => {
    const bytes = await makePackage(17)
    // 4,097 empty records: 32 KiB of block, far under the 16 MiB byte limit.
    const block = new Uint8Array(4097 * 8)
    for (let i = 0; i < 4097; i++) block[i * 8] = 9 // kind 9, reserved 0, length 0
    const crowded = withSignatureBlock(bytes, block)
    await expect(openPackage(crowded)).rejects.toMatchObject({ code: 'E_LIMIT', details: { what: 'signature records', limit: 4096 } })
    expect((await openPackage(crowded, { limits: { maxSignatureRecords: 5000 } })).signatures).toHaveLength(4097)
    // At the limit a package opens, and one more record is refused rather than written.
    const full = withSignatureBlock(bytes, block.subarray(0, 4096 * 8))
    expect((await openPackage(full)).signatures).toHaveLength(4096)
    expect(() => appendSignatures(full, [{ kind: 1, payload: text('x') }])).toThrow(expect.objectContaining({ code: 'E_LIMIT' }))
    expect(() => appendSignatures(bytes, Array.from({ length: 4097 }, () => ({ kind: 9, payload: new Uint8Array(0) })))).toThrow(expect.objectContaining({ code: 'E_LIMIT' }))
  })

  it('verification reads no package bytes: a 64 MiB package costs what a 1 KiB one does', async () => {
    const big = rng(10).bytes(64 * 1024 * 1024)
    const measure = async (data: Uint8Array, chunkSize: number) => {
      const w = createPackage('memory', { name: 'sized', version: '1.0.0' }, { chunkSize })
      await w.add('weights.bin', data, { compression: 'none' })
      const signed = await (await signPackage(await openPackage((await w.finish()).bytes!), alice.secretKey)).bytes()
      let bytesRead = 0
      let reads = 0
      const source = {
        size: signed.length,
        read(offset: number, length: number) {
          bytesRead += length
          reads++
          return signed.subarray(offset, offset + length)
        },
      }
      const started = performance.now()
      const pkg = await openPackage(source)
      const afterOpen = bytesRead
      const result = await verifyPackage(pkg, keyring)
      const ms = performance.now() - started
      expect(result.valid).toBe(true)
      expect(bytesRead - afterOpen).toBe(0) // verifyPackage itself reads nothing
      const l = layoutOf(signed)
      return { size: signed.length, bytesRead, reads, metadata: 64 + l.size - l.tailOffset, ms }
    }
    const small = await measure(big.subarray(0, 1024), 64 * 1024 * 1024)
    const large = await measure(big, 64 * 1024 * 1024)
    // One chunk each, so the tails are the same size: exactly the same bytes are read.
    expect(large.size - small.size).toBe(64 * 1024 * 1024 - 1024)
    expect(large.bytesRead).toBe(small.bytesRead)
    expect(large.reads).toBe(small.reads)
    // At the default 1 MiB chunk size the index grows by a chunk record per MiB: still only metadata.
    const chunked = await measure(big, 1024 * 1024)
    expect(chunked.bytesRead).toBe(chunked.metadata)
    expect(chunked.bytesRead).toBeLessThan(16 * 1024)
    console.info('open + verifyPackage:', { small, large, chunked })
  }, 120_000)
})

describe('signing package files in place (Node)', () => {
  let dir: string
  let alice: Awaited<ReturnType<typeof keyPair>>
  let bob: Awaited<ReturnType<typeof keyPair>>
  let keyring: Keyring
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'torshpkg-signed-'))
    alice = await keyPair(nodePrimitives)
    bob = await keyPair(nodePrimitives)
    keyring = new Keyring().add(alice.publicKey, { name: 'alice' }).add(bob.publicKey, { name: 'bob' })
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('appends to the file: the data region is unchanged and the file only grew at its tail', async () => {
    const file = join(dir, 'inplace.torshpkg')
    const original = await makePackage(11, file, 200_000)
    const l = layoutOf(original)
    const inode = (await stat(file)).ino

    const pkg = await openPackage(file)
    const signed = await signPackage(pkg, alice.secretKey)
    expect(signed).toBe(pkg) // the Package now reads the signed file
    expect(await pkg.read('config.json')).toBeInstanceOf(Uint8Array)
    const after = new Uint8Array(await readFile(file))
    expect((await stat(file)).ino).toBe(inode) // the same file, not a rewritten copy
    expect(after.length).toBeGreaterThan(original.length)
    expect(sha(after.subarray(64, l.tailOffset))).toBe(sha(original.subarray(64, l.tailOffset))) // data region
    expect(sha(after.subarray(0, original.length - 96))).toBe(sha(original.subarray(0, original.length - 96))) // everything before the old footer
    expect(signed.size).toBe(after.length)
    expect((await verifyPackage(signed, keyring)).valid).toBe(true)
    expect(Buffer.from(await signed.bytes()).equals(Buffer.from(after))).toBe(true)

    // A second signature on the same file, then a fresh open sees both and a clean file.
    const twice = await signPackage(signed, bob.secretKey)
    await twice.close()
    const reopened = await openPackage(file)
    expect((await reopened.verify()).ok).toBe(true)
    expect((await verifyPackage(reopened, keyring, { requireAll: true })).signatures.map((s) => s.signer)).toEqual(['alice', 'bob'])
    expect(sha(new Uint8Array(await readFile(file)).subarray(0, original.length - 96))).toBe(sha(original.subarray(0, original.length - 96)))
    await reopened.close()
    await signed.close()
  })

  it('refuses when the file changed since it was opened, and leaves it as it found it', async () => {
    const file = join(dir, 'changed.torshpkg')
    const cases: [string, () => Promise<void>][] = [
      // Someone else signed it meanwhile (size and block digest change).
      ['appended', async () => void (await appendSignaturesToFile(file, [{ kind: 1, payload: text('other') }]))],
      // Rewritten in place with another package of the same size (same inode, new footer).
      [
        'rewritten',
        async () => {
          const other = await makePackage(13)
          expect(other.length).toBe((await stat(file)).size) // so only the footer digests tell
          await writeFile(file, other)
        },
      ],
      // Replaced by another file of the same size and content (new inode).
      [
        'replaced',
        async () => {
          const copy = await readFile(file)
          await writeFile(`${file}.new`, copy)
          await rename(`${file}.new`, file)
        },
      ],
    ]
    for (const [how, change] of cases) {
      await writeFile(file, await makePackage(12))
      const pkg = await openPackage(file)
      await change()
      const before = sha(new Uint8Array(await readFile(file)))
      const error = await signPackage(pkg, alice.secretKey).catch((e) => e)
      expect(error, how).toBeInstanceOf(PackageError)
      expect(error.code, how).toBe('E_SOURCE_CHANGED')
      expect(sha(new Uint8Array(await readFile(file))), how).toBe(before)
      await pkg.close()
    }
  })

  it('a write that fails half way (disk full) is undone: the old footer is back and the file as it was', async () => {
    const file = join(dir, 'full-disk.torshpkg')
    await writeFile(file, await makePackage(18))
    const before = new Uint8Array(await readFile(file))
    const probe = await open(file, 'r')
    const proto = Object.getPrototypeOf(probe) as FileHandle
    await probe.close()
    const write = proto.write
    // The first write lands half its bytes (over the old footer), the next finds the disk full.
    let calls = 0
    const spy = vi.spyOn(proto, 'write').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
      calls++
      if (calls === 1) {
        const [buffer, offset, length, position] = args as [Uint8Array, number, number, number]
        return (write as (...a: unknown[]) => Promise<unknown>).call(this, buffer, offset, Math.floor(length / 2), position)
      }
      if (calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      return (write as (...a: unknown[]) => Promise<unknown>).apply(this, args)
    } as never)
    try {
      const pkg = await openPackage(file)
      const error = await signPackage(pkg, alice.secretKey).catch((e) => e)
      expect(error).toBeInstanceOf(PackageError)
      expect(error).toMatchObject({ code: 'E_SOURCE', details: { restored: true } })
      expect(error.message).toMatch(/ENOSPC/)
      await pkg.close()
    } finally {
      spy.mockRestore()
    }
    expect(calls).toBeGreaterThanOrEqual(3) // the half write, the failure, the restore
    expect(sha(new Uint8Array(await readFile(file)))).toBe(sha(before))
    const again = await openPackage(file)
    try {
      expect((await again.verify()).ok).toBe(true)
      expect((await verifyPackage(await signPackage(again, alice.secretKey), keyring)).valid).toBe(true)
    } finally {
      await again.close() // also closes the source signPackage reopened the file with
    }
  })

  it('appendSignaturesToFile checks the digest it is given', async () => {
    const file = join(dir, 'public.torshpkg')
    await writeFile(file, await makePackage(14))
    const pkg = await openPackage(file)
    const digest = pkg.digest
    await pkg.close()
    const other = await openPackage(await makePackage(15))
    await expect(appendSignaturesToFile(file, [{ kind: 1, payload: text('x') }], { digest: other.digest })).rejects.toMatchObject({ code: 'E_SOURCE_CHANGED' })
    const { size } = await appendSignaturesToFile(file, [{ kind: 7, payload: text('x') }], { digest })
    expect((await stat(file)).size).toBe(size)
    const reopened = await openPackage(file)
    expect(reopened.signatures).toEqual([{ kind: 7, payload: text('x') }])
    await reopened.close()
  })

  it('bytes() of a file package is bounded by maxReadBytes', async () => {
    const file = join(dir, 'bounded.torshpkg')
    const bytes = await makePackage(16)
    await writeFile(file, bytes)
    const pkg = await openPackage(file, { limits: { maxReadBytes: 1024 } })
    await expect(pkg.bytes()).rejects.toMatchObject({ code: 'E_LIMIT' })
    await pkg.close()
    const ok = await openPackage(file)
    expect(Buffer.from(await ok.bytes()).equals(Buffer.from(bytes))).toBe(true)
    await ok.close()
  })
})

function regionOf(i: number, l: ReturnType<typeof layoutOf>): string {
  if (i < 64) return 'preamble'
  if (i < l.tailOffset) return 'data'
  if (i < l.indexOffset) return 'manifest'
  if (i < l.signaturesOffset) return 'index'
  if (i < l.footerOffset) return 'signatures'
  return 'footer'
}

describe('signing as a caller would write it', () => {
  it('a package opened from a Node Buffer (what readFile returns) leaves the Buffer untouched, signs, and reopens', async () => {
    const bytes = Buffer.from(await makePackage(7))
    const copy = Buffer.from(bytes)
    const { publicKey, secretKey } = await keyPair(nodePrimitives)
    const pkg = await openPackage(bytes)
    // The digest's copy of the preamble (locator zeroed) once zeroed the caller's Buffer itself.
    expect(bytes.equals(copy)).toBe(true)
    await signPackage(pkg, secretKey)
    expect(bytes.equals(copy)).toBe(true)
    expect((await openPackage(bytes)).digest).toBe(pkg.digest)
    const keyring = new Keyring().add(publicKey, { name: 'k' })
    expect((await verifyPackage(await openPackage(Buffer.from(await pkg.bytes())), keyring)).valid).toBe(true)
  })

  it('signPackage takes the promise parseMinisignSecretKey returns; verifyPackage takes a public key instead of a keyring', async () => {
    const { publicKey, secretKey } = await keyPair(nodePrimitives)
    const pkg = await openPackage(await makePackage(9))
    await signPackage(pkg, parseMinisignSecretKey(formatMinisignSecretKey(secretKey)))
    const result = await verifyPackage(pkg, publicKey)
    expect(result).toMatchObject({ valid: true, signatures: [{ valid: true, keyId: publicKey.keyId, signer: publicKey.keyId }] })
    expect((await verifyPackage(pkg, formatMinisignPublicKey(publicKey))).valid).toBe(true)
    expect((await verifyPackage(pkg, [])).signatures[0]).toMatchObject({ valid: false, reason: 'untrusted-key' })
  })

  it('signPackage updates the Package it is given: the return value can be ignored, and concurrent signings all land', async () => {
    const [alice, bob] = await Promise.all([keyPair(nodePrimitives), keyPair(nodePrimitives)])
    const keyring = new Keyring().add(alice.publicKey, { name: 'alice' }).add(bob.publicKey, { name: 'bob' })
    const dir = await mkdtemp(join(tmpdir(), 'torshpkg-signed-caller-'))
    try {
      const path = join(dir, 'model.torshpkg')
      await writeFile(path, await makePackage(8))
      for (const pkg of [await openPackage(await readFile(path)), await openPackage(path)]) {
        await Promise.all([signPackage(pkg, alice.secretKey), signPackage(pkg, bob.secretKey)])
        const result = await verifyPackage(pkg, keyring, { requireAll: true })
        expect(result.valid).toBe(true)
        expect(result.signatures.map((s) => s.signer).sort()).toEqual(['alice', 'bob'])
        expect(await pkg.read('config.json')).toBeInstanceOf(Uint8Array)
        await pkg.close()
      }
      // The file itself carries both signatures.
      const reopened = await openPackage(path)
      expect((await verifyPackage(reopened, keyring, { requireAll: true })).signatures).toHaveLength(2)
      await reopened.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
