import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ageEncrypt, ageEncryptStream, generateAgeIdentity } from '@torshpkg/crypto'
import { createPackage, openPackage, PackageError, type RandomAccessSource } from '@torshpkg/format'
import { rejects } from './helpers/errors'
import { layoutOf } from './helpers/layout'
import { rng, sameBytes } from '../../../scripts/test-data'
import { runTool } from '../../../scripts/test-tools'
import { startFileServer, type TestServer } from '../../../scripts/test-server'

// Packages encrypted whole with age (docs/format.md, "A package encrypted whole"): opened
// lazily through age's 64 KiB STREAM chunks, from any source.

const AGE_CHUNK = 64 * 1024
const AGE_SEALED = AGE_CHUNK + 16
const manifest = { name: 'sealed-model', version: '3.1.0' }
const r = rng(77)
// ~3 MiB in several resources; the small one sits in the middle of the file.
const contents = new Map<string, Uint8Array>([
  ['config.json', new TextEncoder().encode(JSON.stringify({ d: 768, heads: 12 }))],
  ['layer0.bin', r.bytes(700_000)],
  ['layer1.bin', r.bytes(700_000)],
  ['notes.txt', new TextEncoder().encode('the small resource in the middle\n'.repeat(30))],
  ['layer2.bin', r.bytes(700_000)],
  ['layer3.bin', r.bytes(700_000)],
  ['tokenizer.json', new TextEncoder().encode(JSON.stringify({ vocab: Array.from({ length: 20000 }, (_, i) => `t${i}`) }))],
])
let plain: Uint8Array
let alice: { identity: string; recipient: string }
let mallory: { identity: string; recipient: string }
let dir: string
let keyFile: string

beforeAll(async () => {
  const w = createPackage('memory', manifest, { compression: 'none' })
  for (const [path, data] of contents) await w.add(path, data)
  plain = (await w.finish()).bytes!
  expect(plain.length).toBeGreaterThan(2.8 * 1024 * 1024)
  alice = await generateAgeIdentity()
  mallory = await generateAgeIdentity()
  dir = await mkdtemp(join(tmpdir(), 'torshpkg-age-'))
  keyFile = join(dir, 'key.txt')
  await writeFile(keyFile, `# created by the test\n# public key: ${alice.recipient}\n${alice.identity}\n`)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A `{ size, read }` source over `bytes` that records every read. */
function counting(bytes: Uint8Array) {
  const reads: [number, number][] = []
  const source: RandomAccessSource & { reads: typeof reads; total: () => number } = {
    size: bytes.length,
    read: (offset, length) => {
      reads.push([offset, length])
      return bytes.slice(offset, offset + length)
    },
    reads,
    total: () => reads.reduce((n, [, l]) => n + l, 0),
  }
  return source
}

async function expectAllResources(pkg: Awaited<ReturnType<typeof openPackage>>) {
  expect(pkg.manifest).toEqual(manifest)
  for (const [path, data] of contents) sameBytes(await pkg.read(path), data)
}

/** Where the STREAM payload of a binary age file starts: after the header line `--- <mac>\n` and the 16-byte nonce. */
function payloadStart(file: Uint8Array): number {
  const text = Buffer.from(file.subarray(0, 4096)).toString('latin1')
  const mac = text.indexOf('\n--- ')
  return text.indexOf('\n', mac + 1) + 1 + 16
}

describe('packages encrypted whole with age', () => {
  it('opens lazily: one small read fetches the header, the chunks it needs and the final chunk, not the file', async () => {
    const enc = await ageEncrypt(plain, { recipients: [alice.recipient] })
    const source = counting(enc)
    const pkg = await openPackage(source, { identity: alice.identity })
    const opened = source.total()
    const notes = contents.get('notes.txt')!
    sameBytes(await pkg.read('notes.txt'), notes)
    // Which plaintext bytes the package reader needed: preamble, tail, and notes.txt's one chunk.
    const l = layoutOf(plain)
    const entryOffset = (await openPackage(plain)).metadata.index.chunks[(await openPackage(plain)).metadata.index.resources[3]!.firstChunk]!.offset
    const needed = new Set<number>()
    const cover = (from: number, to: number) => {
      for (let i = Math.floor(from / AGE_CHUNK); i <= Math.floor((to - 1) / AGE_CHUNK); i++) needed.add(i)
    }
    cover(0, 64)
    cover(l.tailOffset, plain.length)
    cover(entryOffset, entryOffset + notes.length)
    // Every read of the file is the age header or one of those chunks.
    const start = payloadStart(enc)
    for (const [offset, length] of source.reads) {
      if (offset + length <= start) continue
      for (let i = Math.floor((Math.max(offset, start) - start) / AGE_SEALED); i <= Math.floor((offset + length - 1 - start) / AGE_SEALED); i++) {
        expect(needed.has(i), `read ${offset}+${length} touches age chunk ${i}`).toBe(true)
      }
    }
    const bound = start + needed.size * AGE_SEALED
    expect(source.total()).toBeLessThanOrEqual(bound)
    expect(source.total()).toBeLessThan(enc.length / 8)
    console.log(`age-wrapped package: ${enc.length} bytes; open read ${opened}, + notes.txt ${source.total() - opened}; ${needed.size} of ${Math.ceil(plain.length / AGE_CHUNK)} chunks`)
    await expectAllResources(pkg)
    expect((await pkg.verify()).ok).toBe(true)
  })

  it('opens what the real `age -e -r` CLI wrote, binary and armored, from a file path and a Blob', async () => {
    const enc = runTool('age', ['-e', '-r', alice.recipient], plain)
    const path = join(dir, 'model.torshpkg.age')
    await writeFile(path, enc)
    const fromFile = await openPackage(path, { identity: alice.identity })
    await expectAllResources(fromFile)
    await fromFile.close()
    await rejects(openPackage(path, { identity: mallory.identity }), 'E_DECRYPT') // and the file is closed again
    await expectAllResources(await openPackage(new Blob([new Uint8Array(enc)]), { identity: await readFile(keyFile, 'utf8') }))
    // Armor has no random access: decrypted whole, within limits.maxReadBytes.
    const armored = runTool('age', ['-e', '-a', '-r', alice.recipient], plain)
    expect(Buffer.from(armored.subarray(0, 34)).toString()).toBe('-----BEGIN AGE ENCRYPTED FILE-----')
    await expectAllResources(await openPackage(armored, { identity: alice.identity }))
    await rejects(openPackage(armored, { identity: alice.identity, limits: { maxReadBytes: 1 << 20 } }), 'E_LIMIT', /armored/)
    await rejects(openPackage(armored), 'E_KEY_REQUIRED')
  })

  it('opens over HTTP with range requests, fetching a fraction of the file', async () => {
    const enc = await ageEncrypt(plain, { recipients: [alice.recipient] })
    await writeFile(join(dir, 'remote.age'), enc)
    const server: TestServer = await startFileServer(dir)
    try {
      const pkg = await openPackage(`${server.url}/remote.age`, { identity: alice.identity })
      sameBytes(await pkg.read('config.json'), contents.get('config.json')!)
      expect(server.bytes()).toBeLessThan(enc.length / 4)
      expect(server.hits.every((h) => h.status === 206)).toBe(true)
      await expectAllResources(pkg)
    } finally {
      await server.close()
    }
  })

  it('a passphrase, a streamed writer through ageEncryptStream, and encrypted resources inside', async () => {
    const byPassphrase = await ageEncrypt(plain, { passphrase: 'open sesame' })
    await expectAllResources(await openPackage(byPassphrase, { passphrase: 'open sesame' }))
    await rejects(openPackage(byPassphrase, { passphrase: 'open says me' }), 'E_DECRYPT')

    // The writer streams into age: constant memory, nothing unencrypted touches the disk.
    const age = ageEncryptStream({ recipients: [alice.recipient] })
    const collected = new Response(age.readable).arrayBuffer()
    const w = createPackage(age.writable, manifest, { encryption: { recipients: [alice.recipient] } })
    await w.add('config.json', contents.get('config.json')!, { encrypt: false })
    await w.add('layer0.bin', contents.get('layer0.bin')!)
    await w.finish()
    const enc = new Uint8Array(await collected)
    const pkg = await openPackage(enc, { identity: alice.identity })
    expect(pkg.formatVersion).toBe('1.1')
    expect(pkg.entry('layer0.bin')!.encrypted).toBe(true)
    sameBytes(await pkg.read('layer0.bin'), contents.get('layer0.bin')!)
    expect((await pkg.verify()).ok).toBe(true)
  })

  it('no key, a wrong key, a truncated file or a changed byte: typed errors, never garbage', async () => {
    const enc = await ageEncrypt(plain, { recipients: [alice.recipient] })
    const e = await rejects(openPackage(enc), 'E_KEY_REQUIRED', /age-encrypted: pass \{ identity \} or \{ passphrase \}/)
    expect(e.details.encryption).toBe('age')
    await rejects(openPackage(enc, { identity: mallory.identity }), 'E_DECRYPT')
    await rejects(openPackage(enc, { passphrase: 'guess' }), 'E_DECRYPT')
    // Truncated mid-chunk, and exactly at a chunk boundary (where only the final-chunk flag tells).
    const start = payloadStart(enc)
    for (const size of [enc.length - 1000, start + 20 * AGE_SEALED]) {
      const cut = counting(enc.subarray(0, size))
      const t = await openPackage(cut, { identity: alice.identity }).then(
        () => undefined,
        (x: unknown) => x,
      )
      expect(t).toBeInstanceOf(PackageError)
      expect(['E_DECRYPT', 'E_TRUNCATED', 'E_CORRUPT']).toContain((t as PackageError).code)
      expect(cut.total()).toBeLessThan(4 * AGE_SEALED) // found at open, without reading the file
    }
    // A changed byte in a chunk that open does not read fails the read that needs it.
    const changed = enc.slice()
    changed[start + 30 * AGE_SEALED + 5]! ^= 0x20
    const pkg = await openPackage(changed, { identity: alice.identity })
    sameBytes(await pkg.read('config.json'), contents.get('config.json')!)
    const bad = await rejects(Promise.all([...contents.keys()].map((p) => pkg.read(p))), 'E_DECRYPT', /age-encrypted package/)
    expect(bad.details.encryption).toBe('age')
    const report = await pkg.verify()
    expect(report.ok).toBe(false)
    expect(report.issues).toEqual([expect.objectContaining({ code: 'E_DECRYPT', region: 'data', offset: 30 * AGE_CHUNK })])
  })
})
