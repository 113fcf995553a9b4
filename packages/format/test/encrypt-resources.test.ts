import { beforeAll, describe, expect, it, vi } from 'vitest'
import { createDecipheriv, createHash, hkdfSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CryptoError, generateAgeIdentity, primitives } from '@torshpkg/crypto'
import { createPool } from '@torshpkg/compress'
import { createPackage, openPackage, type CreatePackageOptions } from '@torshpkg/format'
import { rejects } from './helpers/errors'
import { parseIndex, setU32 } from './helpers/index-parser'
import { layoutOf, reseal, withManifest } from './helpers/layout'
import { bytesOf, rng, sameBytes } from '../../../scripts/test-data'
import { runTool } from '../../../scripts/test-tools'

// Selective encryption (format 1.1, docs/format.md "Encryption"): chosen resources encrypted
// chunk by chunk; manifest, index and the other resources readable by anyone.

const CHUNK = 64 * 1024
const manifest = { name: 'secret-model', version: '1.0.0' }
const r = rng(2024)
const fc1 = r.weights(3 * (CHUNK / 4) + 1000) // 4 chunks, the last partial
const fc2 = r.weights(CHUNK / 4) // exactly one chunk
const config = JSON.stringify({ hidden: 64, layers: 2 })
let alice: { identity: string; recipient: string }
let bob: { identity: string; recipient: string }

beforeAll(async () => {
  alice = await generateAgeIdentity()
  bob = await generateAgeIdentity()
})

/** A package with two encrypted tensors, an encrypted duplicate of one, and a plain config. */
async function build(options: CreatePackageOptions = {}, extra?: (w: ReturnType<typeof createPackage>) => Promise<unknown>) {
  const w = createPackage('memory', manifest, { chunkSize: CHUNK, compression: 'none', encryption: { recipients: [alice.recipient] }, ...options })
  await w.add('config.json', config, { type: 'config', encrypt: false })
  await w.add('fc1.weight', fc1, { tensor: { dtype: 'float32', shape: [fc1.length] } })
  await w.add('fc2.weight', fc2, { tensor: { dtype: 'float32', shape: [fc2.length] }, encrypt: true })
  await w.add('fc1.copy', fc1) // identical to fc1: deduplicated onto fc1's encrypted blocks
  await extra?.(w)
  return (await w.finish()).bytes!
}

const chunkHash = (bytes: Uint8Array, at: number) => bytes.subarray(at + 20, at + 52)
/** Write `hash` into every chunk record of the block at `offset` (deduplicated records share it). */
function setBlockHash(bytes: Uint8Array, offset: number, hash: Uint8Array) {
  for (const c of parseIndex(bytes).chunks) if (c.offset === offset) bytes.set(hash, c.at + 20)
}
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest())

describe('selective encryption', () => {
  it('without a key: manifest, index, config and verify() work; encrypted resources say E_KEY_REQUIRED', async () => {
    const bytes = await build()
    const pkg = await openPackage(bytes)
    expect(pkg.formatVersion).toBe('1.1')
    expect(pkg.manifest.name).toBe('secret-model')
    expect(pkg.manifest.encryption?.algorithm).toBe('aes-256-gcm')
    expect(pkg.entries().map((e) => [e.path, e.encrypted ?? false])).toEqual([
      ['config.json', false],
      ['fc1.weight', true],
      ['fc2.weight', true],
      ['fc1.copy', true],
    ])
    expect(pkg.entry('fc1.weight')).toMatchObject({ size: fc1.byteLength, chunks: 4, codecs: ['none'], encrypted: true, tensor: { dtype: 'float32' } })
    expect(JSON.parse(new TextDecoder().decode(await pkg.read('config.json')))).toEqual({ hidden: 64, layers: 2 })
    const e = await rejects(pkg.readTensor('fc1.weight'), 'E_KEY_REQUIRED', /"fc1.weight" is encrypted/)
    expect(e.details.path).toBe('fc1.weight')
    await rejects(pkg.readRange('fc2.weight', 10, 10), 'E_KEY_REQUIRED')
    await rejects(pkg.stream('fc1.copy').getReader().read(), 'E_KEY_REQUIRED')
    // Every stored byte is still hashed and checked without the key.
    const report = await pkg.verify()
    expect(report).toMatchObject({ ok: true, checkedBytes: bytes.length, chunks: { total: 10, unique: 6, corrupt: 0 } })
  })

  it('with the identity, every tensor equals its input, for both AEADs; verify() also decrypts', async () => {
    for (const algorithm of ['aes-256-gcm', 'chacha20-poly1305'] as const) {
      const bytes = await build({ encryption: { recipients: [bob.recipient, alice.recipient], algorithm } })
      const pkg = await openPackage(bytes, { identity: alice.identity })
      expect(pkg.manifest.encryption?.algorithm).toBe(algorithm)
      sameBytes((await pkg.readTensor('fc1.weight')).data, fc1)
      sameBytes((await pkg.readTensor('fc2.weight')).data, fc2)
      sameBytes(await pkg.read('fc1.copy'), bytesOf(fc1))
      sameBytes(await pkg.readRange('fc1.weight', CHUNK - 5, 10), bytesOf(fc1).subarray(CHUNK - 5, CHUNK + 5))
      sameBytes(new Uint8Array(await new Response(pkg.stream('fc1.weight')).arrayBuffer()), bytesOf(fc1))
      expect(await pkg.read('config.json')).toEqual(new TextEncoder().encode(config))
      expect((await pkg.verify()).ok).toBe(true)
      // Either recipient opens it (an identity file's text, as age-keygen writes it, works too).
      const asBob = await openPackage(bytes, { identity: `# created: today\n# public key: ${bob.recipient}\n${bob.identity}\n` })
      sameBytes((await asBob.readTensor('fc2.weight')).data, fc2)
    }
  })

  it('a passphrase works like an identity; a wrong key or passphrase is E_DECRYPT at open', async () => {
    const w = createPackage('memory', manifest, { chunkSize: CHUNK, encryption: { passphrase: 'correct horse battery staple', algorithm: 'chacha20-poly1305' } })
    await w.add('w.bin', fc2)
    const bytes = (await w.finish()).bytes!
    const pkg = await openPackage(bytes, { passphrase: 'correct horse battery staple' })
    sameBytes(await pkg.read('w.bin'), bytesOf(fc2))
    await rejects(openPackage(bytes, { passphrase: 'wrong horse' }), 'E_DECRYPT', /content key/)
    await rejects(openPackage(bytes, { identity: alice.identity }), 'E_DECRYPT')
    await rejects(openPackage(await build(), { identity: bob.identity }), 'E_DECRYPT', /cannot be unwrapped/)
    await rejects(openPackage(await build(), { passphrase: 'x' }), 'E_DECRYPT')
    await rejects(openPackage(await build(), { identity: 'AGE-SECRET-KEY-1NOTAKEY' }), 'E_ARGUMENT')
  })

  it('follows the spec: `age -d` unwraps the key, and node:crypto decrypts each block with the documented key, nonce and AAD', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'torshpkg-enc-'))
    try {
      const keyFile = join(dir, 'key.txt')
      await writeFile(keyFile, alice.identity + '\n')
      for (const algorithm of ['aes-256-gcm', 'chacha20-poly1305'] as const) {
        const bytes = await build({ encryption: { recipients: [alice.recipient], algorithm } })
        const l = layoutOf(bytes)
        const stored = JSON.parse(new TextDecoder().decode(bytes.subarray(l.tailOffset, l.tailOffset + l.manifestLength)))
        expect(Object.keys(stored.encryption).sort()).toEqual(['algorithm', 'wrappedKey'])
        // The real age CLI opens the wrapped key: a 32-byte content key.
        const contentKey = runTool('age', ['-d', '-i', keyFile], new Uint8Array(Buffer.from(stored.encryption.wrappedKey, 'base64')))
        expect(contentKey.length).toBe(32)
        const blockKey = Buffer.from(hkdfSync('sha256', contentKey, Buffer.alloc(0), `torshpkg 1.1 chunk key ${algorithm}`, 32))
        const index = parseIndex(bytes)
        const inputs = [new TextEncoder().encode(config), bytesOf(fc1), bytesOf(fc2), bytesOf(fc1)]
        const nonces = new Set<string>()
        let decrypted = 0
        for (const [i, res] of index.resources.entries()) {
          expect(!!(bytes[res.flagsAt]! & 2)).toBe(i > 0) // resource flag bit 1
          const first = index.resources.slice(0, i).reduce((n, x) => n + Math.ceil(Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(x.sizeAt, true)) / CHUNK), 0)
          const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(res.chunkCountAt, true)
          for (let k = 0; k < count; k++) {
            const c = index.chunks[first + k]!
            const block = bytes.subarray(c.offset, c.offset + c.storedLength)
            expect(chunkHash(bytes, c.at)).toEqual(sha256(block)) // the hash is over the ciphertext
            const raw = inputs[i]!.subarray(k * CHUNK, k * CHUNK + c.rawLength)
            if (i === 0) {
              expect(c.codec).toBe(0)
              expect(block).toEqual(raw)
              continue
            }
            expect(c.codec).toBe(0x80) // encrypted, codec `none` inside
            expect(c.storedLength).toBe(c.rawLength + 16)
            const nonce = Buffer.alloc(12)
            nonce.writeBigUInt64LE(BigInt(c.offset), 4)
            const aad = Buffer.alloc(24)
            aad.write('TPKBLOCK', 0, 'ascii')
            aad.writeBigUInt64LE(BigInt(c.offset), 8)
            aad.writeUInt32LE(c.rawLength, 16)
            aad.set(bytes.subarray(c.at + 16, c.at + 19), 20) // codec, filter, filter parameter; then 0
            const d =
              algorithm === 'aes-256-gcm'
                ? createDecipheriv('aes-256-gcm', blockKey, nonce)
                : createDecipheriv('chacha20-poly1305', blockKey, nonce, { authTagLength: 16 })
            d.setAAD(aad)
            d.setAuthTag(block.subarray(block.length - 16))
            const plain = Buffer.concat([d.update(block.subarray(0, block.length - 16)), d.final()])
            expect(plain.equals(raw)).toBe(true)
            decrypted++
            nonces.add(nonce.toString('hex'))
          }
        }
        expect(decrypted).toBe(9)
        // Nonces: one per unique block (fc1.copy shares fc1's four blocks, and their one encryption).
        const encryptedBlocks = new Set(index.chunks.filter((c) => c.codec & 0x80).map((c) => c.offset))
        expect(encryptedBlocks.size).toBe(5)
        expect(nonces.size).toBe(5)
        expect(index.chunks.slice(6, 10).map((c) => c.offset)).toEqual(index.chunks.slice(1, 5).map((c) => c.offset))
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('stored layout: a fresh key per package (same input, different ciphertext); encrypted blocks unaligned, plain ones still zero-copy', async () => {
    const a = await build()
    const b = await build()
    expect(a.length).toBe(b.length)
    const ia = parseIndex(a)
    const ib = parseIndex(b)
    for (let k = 1; k < ia.chunks.length; k++) {
      const ca = ia.chunks[k]!
      expect(ca.offset).toBe(ib.chunks[k]!.offset)
      expect(Buffer.from(a.subarray(ca.offset, ca.offset + ca.storedLength)).equals(Buffer.from(b.subarray(ca.offset, ca.offset + ca.storedLength)))).toBe(false)
      expect(chunkHash(a, ca.at)).not.toEqual(chunkHash(b, ib.chunks[k]!.at))
    }
    // The plain config is aligned (zero-copy); encrypted blocks follow each other with no padding.
    expect(ia.chunks[0]!.offset % 64).toBe(0)
    for (let k = 2; k <= 5; k++) expect(ia.chunks[k]!.offset).toBe(ia.chunks[k - 1]!.offset + ia.chunks[k - 1]!.storedLength)
    const pkg = await openPackage(a)
    const view = await pkg.read('config.json')
    expect(view.buffer).toBe(a.buffer)
  })

  it('a flipped ciphertext byte is a chunk hash mismatch; with the hash patched too, E_DECRYPT, never garbage', async () => {
    const bytes = await build()
    const c = parseIndex(bytes).chunks[2]! // fc1, chunk 1
    const flipped = bytes.slice()
    flipped[c.offset + 100]! ^= 1
    const pkg = await openPackage(flipped, { identity: alice.identity })
    await rejects(pkg.read('fc1.weight'), 'E_CORRUPT_CHUNK', /chunk 1 of "fc1.weight".*does not match its hash/)
    sameBytes((await pkg.readTensor('fc2.weight')).data, fc2)
    const report = await (await openPackage(flipped)).verify()
    expect(report.ok).toBe(false)
    expect(report.issues).toEqual([expect.objectContaining({ code: 'E_CORRUPT_CHUNK', offset: c.offset, paths: ['fc1.weight', 'fc1.copy'] })])

    // A forger who also rewrites the hash (and the digest) still cannot make it decrypt.
    const forged = flipped.slice()
    setBlockHash(forged, c.offset, sha256(forged.subarray(c.offset, c.offset + c.storedLength)))
    const resealed = reseal(forged)
    const keyless = await openPackage(resealed)
    expect((await keyless.verify()).ok).toBe(true) // hashes are consistent: only the key can tell
    const keyed = await openPackage(resealed, { identity: alice.identity })
    await rejects(keyed.read('fc1.weight'), 'E_DECRYPT', /chunk 1 of "fc1.weight".*does not decrypt/)
    await rejects(keyed.readRange('fc1.weight', CHUNK + 1, 1), 'E_DECRYPT')
    sameBytes(await keyed.readRange('fc1.weight', 0, 100), bytesOf(fc1).subarray(0, 100)) // other chunks fine
    const keyedReport = await keyed.verify()
    expect(keyedReport.ok).toBe(false)
    expect(keyedReport.chunks.corrupt).toBe(1)
    expect(keyedReport.issues).toEqual([expect.objectContaining({ code: 'E_DECRYPT', offset: c.offset })])
  })

  it('blocks swapped with their hashes, or a record that changes how a block decodes, fail the AAD', async () => {
    const bytes = await build()
    const [, c0, c1] = parseIndex(bytes).chunks as [unknown, { at: number; offset: number; storedLength: number }, { at: number; offset: number; storedLength: number }]
    expect(c0.storedLength).toBe(c1.storedLength)
    const swapped = bytes.slice()
    swapped.set(bytes.subarray(c1.offset, c1.offset + c1.storedLength), c0.offset)
    swapped.set(bytes.subarray(c0.offset, c0.offset + c0.storedLength), c1.offset)
    setBlockHash(swapped, c0.offset, chunkHash(bytes, c1.at).slice())
    setBlockHash(swapped, c1.offset, chunkHash(bytes, c0.at).slice())
    const pkg = await openPackage(reseal(swapped), { identity: alice.identity })
    expect((await (await openPackage(reseal(swapped))).verify()).ok).toBe(true)
    await rejects(pkg.readRange('fc1.weight', 0, 4), 'E_DECRYPT', /chunk 0/)
    await rejects(pkg.readRange('fc1.weight', CHUNK, 4), 'E_DECRYPT', /chunk 1/)

    // Shuffled, compressed, encrypted: relabelling the shuffle width is caught by the AAD too.
    const w = createPackage('memory', manifest, { chunkSize: CHUNK, encryption: { recipients: [alice.recipient] } })
    await w.add('t.f32', fc1, { compression: { codec: 'deflate', shuffle: 4 } })
    const packed = (await w.finish()).bytes!
    const c = parseIndex(packed).chunks[0]!
    expect(c.codec).toBe(0x81) // encrypted deflate
    expect(packed[c.at + 18]).toBe(4)
    const relabelled = packed.slice()
    relabelled[c.at + 18] = 2
    await rejects((await openPackage(reseal(relabelled), { identity: alice.identity })).read('t.f32'), 'E_DECRYPT')
    sameBytes(await (await openPackage(packed, { identity: alice.identity })).read('t.f32'), bytesOf(fc1))
  })

  it('compression and encryption together round trip, with any codec, on a worker pool too', async () => {
    const text = new TextEncoder().encode(JSON.stringify({ vocab: Array.from({ length: 20000 }, (_, i) => `token${i % 500}`) }))
    const bf16 = new Uint16Array(fc1.length)
    for (let i = 0; i < fc1.length; i++) bf16[i] = new Uint32Array(fc1.buffer, i * 4, 1)[0]! >>> 16
    const pool = createPool({ size: 2 })
    try {
      for (const compression of ['auto', 'deflate', 'lz4', 'gzip'] as const) {
        const w = createPackage('memory', manifest, { chunkSize: CHUNK, compression, pool, encryption: { recipients: [alice.recipient] } })
        await w.add('vocab.json', text, { type: 'tokenizer' })
        await w.add('w.bf16', bf16, { tensor: { dtype: 'bfloat16', shape: [bf16.length] } })
        await w.add('empty', new Uint8Array(0))
        const bytes = (await w.finish()).bytes!
        const pkg = await openPackage(bytes, { identity: alice.identity })
        const vocab = pkg.entry('vocab.json')!
        expect(vocab.codecs).toEqual([compression === 'auto' ? 'deflate' : compression])
        expect(vocab.storedSize).toBeLessThan(vocab.size / 2)
        expect(vocab.encrypted).toBe(true)
        sameBytes(await pkg.read('vocab.json'), text)
        sameBytes((await pkg.readTensor('w.bf16')).data, bf16)
        expect(await pkg.read('empty')).toEqual(new Uint8Array(0))
        await rejects((await openPackage(bytes)).read('empty'), 'E_KEY_REQUIRED')
        expect((await pkg.verify()).ok).toBe(true)
      }
    } finally {
      await pool.close()
    }
  })

  it('a package streamed to a WritableStream, from streamed content, reads back', async () => {
    const parts: Uint8Array[] = []
    const w = createPackage(new WritableStream({ write: (c) => void parts.push(c.slice()) }), manifest, {
      chunkSize: CHUNK,
      encryption: { recipients: [alice.recipient], resources: (path) => path.startsWith('secret/') },
    })
    const source = bytesOf(fc1)
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < source.length; at += 10_000) controller.enqueue(source.slice(at, at + 10_000))
        controller.close()
      },
    })
    await w.add('secret/fc1.weight', streamed)
    await w.add('public/readme.md', '# hello')
    await w.finish()
    const bytes = new Uint8Array(Buffer.concat(parts))
    expect(new DataView(bytes.buffer).getBigUint64(24, true)).toBe(0n) // no tail locator: a non-seekable sink
    const pkg = await openPackage(bytes, { identity: alice.identity })
    expect(pkg.entries().map((e) => e.encrypted ?? false)).toEqual([true, false])
    sameBytes(await pkg.read('secret/fc1.weight'), source)
    expect(new TextDecoder().decode(await (await openPackage(bytes)).read('public/readme.md'))).toBe('# hello')
  })

  it('a package written without encryption is 1.0, exactly as before', async () => {
    const w = createPackage('memory', manifest, { chunkSize: CHUNK })
    await w.add('fc2.weight', fc2)
    const bytes = (await w.finish()).bytes!
    const pkg = await openPackage(bytes, { identity: alice.identity }) // a key it does not need is ignored
    expect(pkg.formatVersion).toBe('1.0')
    expect(pkg.manifest.encryption).toBeUndefined()
    expect(pkg.entries()[0]!.encrypted).toBeUndefined()
  })

  it('refuses inconsistent encryption metadata', async () => {
    const bytes = await build()
    const index = parseIndex(bytes)
    // A resource whose flag says plain but whose chunks are encrypted (and the reverse).
    const unflagged = bytes.slice()
    unflagged[index.resources[1]!.flagsAt]! &= ~2
    await rejects(openPackage(reseal(unflagged)), 'E_CORRUPT_INDEX', /is encrypted but its resource is not marked/)
    const flagged = bytes.slice()
    flagged[index.resources[0]!.flagsAt]! |= 2
    await rejects(openPackage(reseal(flagged)), 'E_CORRUPT_INDEX', /is not encrypted but its resource is marked/)
    // An encrypted block of raw content must be exactly raw + 16 bytes.
    const short = bytes.slice()
    setU32(short, index.chunks[1]!.at + 8, index.chunks[1]!.storedLength - 1)
    await rejects(openPackage(reseal(short)), 'E_CORRUPT_INDEX', /raw \+ 16/)
    // Encrypted resources without the manifest's wrapped key.
    const l = layoutOf(bytes)
    const stored = JSON.parse(new TextDecoder().decode(bytes.subarray(l.tailOffset, l.tailOffset + l.manifestLength)))
    const { encryption, ...rest } = stored
    const e = await rejects(openPackage(withManifest(bytes, JSON.stringify(rest))), 'E_MANIFEST', /encryption: is required/)
    expect(e.details.issues).toEqual([expect.objectContaining({ field: 'encryption' })])
    await rejects(openPackage(withManifest(bytes, JSON.stringify({ ...stored, encryption: { ...encryption, wrappedKey: 'not base64!' } }))), 'E_MANIFEST', /wrappedKey/)
    await rejects(openPackage(withManifest(bytes, JSON.stringify({ ...stored, encryption: { ...encryption, algorithm: 'rot13' } }))), 'E_MANIFEST', /algorithm/)
    await rejects(openPackage(withManifest(bytes, JSON.stringify({ ...stored, encryption: { ...encryption, extra: 1 } }))), 'E_MANIFEST', /extra/)
    // The same bits in a 1.0 file mean nothing and are refused.
    const old = bytes.slice()
    new DataView(old.buffer).setUint16(10, 0, true)
    await rejects(openPackage(reseal(old)), 'E_CORRUPT_INDEX')
    // Another algorithm in the (digest-covered) manifest derives another key: E_DECRYPT, not garbage.
    const other = withManifest(bytes, JSON.stringify({ ...stored, encryption: { ...encryption, algorithm: 'chacha20-poly1305' } }))
    await rejects((await openPackage(other, { identity: alice.identity })).read('fc2.weight'), 'E_DECRYPT')
  })

  it('a runtime that cannot run the cipher fails reads with a PackageError (E_UNSUPPORTED), not a CryptoError', async () => {
    const bytes = await build()
    const pkg = await openPackage(bytes, { identity: alice.identity })
    const unsupported = new CryptoError('E_UNSUPPORTED_ALGORITHM', 'aes-256-gcm is not available in this runtime')
    const spy = vi.spyOn(primitives.aead, 'decrypt').mockRejectedValue(unsupported)
    try {
      const e = await rejects(pkg.read('fc2.weight'), 'E_UNSUPPORTED', /cannot be decrypted/)
      expect(e.cause).toBe(unsupported)
    } finally {
      spy.mockRestore()
    }
    sameBytes((await pkg.readTensor('fc2.weight')).data, fc2)
  })

  it('writer arguments are checked before anything is written', async () => {
    const make = (encryption: unknown) => () => createPackage('memory', manifest, { encryption } as CreatePackageOptions)
    expect(make({ recipients: [alice.recipient], passphrase: 'x' })).toThrow(/recipients or a passphrase/)
    expect(make({})).toThrow(/recipients or a passphrase/)
    expect(make({ recipients: [] })).toThrow(/non-empty array/)
    expect(make({ passphrase: '' })).toThrow(/non-empty string/)
    expect(make({ recipients: [alice.recipient], algorithm: 'aes-128-cbc' })).toThrow(/algorithm must be one of/)
    expect(make({ recipients: [alice.recipient], resources: 'some' })).toThrow(/resources must be/)
    expect(() => createPackage('memory', { ...manifest, encryption: {} } as never)).toThrow(expect.objectContaining({ code: 'E_MANIFEST' }))
    // encrypt: true without encryption is refused, and the writer stays usable.
    const plain = createPackage('memory', manifest)
    await rejects(plain.add('a', 'x', { encrypt: true }), 'E_ARGUMENT', /create the package with \{ encryption/)
    await plain.add('a', 'x')
    expect((await plain.finish()).size).toBeGreaterThan(0)
    // A recipient that is not one fails the first add(), before any byte reaches the sink.
    let written = 0
    const bad = createPackage({ write: (b: Uint8Array) => void (written += b.length) }, manifest, { encryption: { recipients: ['age1notarecipient'] } })
    await rejects(bad.add('a', 'x'), 'E_ARGUMENT', /wrapping the package key/)
    expect(written).toBe(0)
  })
})
