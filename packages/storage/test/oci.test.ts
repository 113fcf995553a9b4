import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAll, memoryBackend, ociBackend, OCI_OBJECT_ARTIFACT_TYPE, StorageError, StorageManager, type StorageBackend } from '@torshpkg/storage'
import { startRegistry, type RegistryServer } from '../../../scripts/registry-server'
import { chunked, conformance, expectCode, expectSameBytes, pattern } from './conformance'

// One real registry for the file (Debian's docker-registry, CNCF distribution 2.8); every
// backend below gets a repository of its own.
let reg: RegistryServer
let repos = 0
const fresh = (extra: Record<string, unknown> = {}): StorageBackend => ociBackend({ url: reg.url, repository: `objects/r${++repos}`, ...extra })
const run = promisify(execFile)
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const text = (s: string) => new TextEncoder().encode(s)
/** The tag ociBackend gives a key that fits one (as docs/registry.md describes it). */
const tagOfKey = (key: string) => `k_${Buffer.from(key).toString('base64url')}`

beforeAll(async () => {
  reg = await startRegistry()
}, 60_000)

afterAll(async () => {
  await reg?.stop()
})

conformance('oci (docker-registry)', {
  make: async () => ({ backend: fresh() }),
  keyAndChildren: true,
  // Past the 1000-item page; every put is three or four registry requests.
  manyKeys: 1500,
})

describe('oci backend against a real registry', () => {
  it('says its conditional writes hold within the process (registries have no compare-and-swap on tags)', () => {
    expect(fresh().conditionalWrites).toBe('process')
    expect(new StorageManager(fresh()).conditionalWrites).toBe('process')
    expect(new StorageManager(memoryBackend()).conditionalWrites).toBe('atomic')
  })

  it('an object is an OCI artifact skopeo reads: the tag spells the key, the layer is the bytes', async () => {
    const b = fresh()
    const repo = `objects/r${repos}`
    const data = pattern(50_000, 3)
    const info = await b.put('models/bert/weights.bin', data, { contentType: 'application/x-torshpkg' })
    const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/${repo}:${tagOfKey('models/bert/weights.bin')}`])
    expect(sha(new TextEncoder().encode(stdout))).toBe(info.etag)
    const manifest = JSON.parse(stdout) as { artifactType: string; layers: { mediaType: string; digest: string; size: number }[]; annotations: Record<string, string> }
    expect(manifest.artifactType).toBe(OCI_OBJECT_ARTIFACT_TYPE)
    expect(manifest.layers).toEqual([{ mediaType: 'application/x-torshpkg', digest: sha(data), size: data.length }])
    expect(manifest.annotations['org.torshpkg.key']).toBe('models/bert/weights.bin')
    expect((await b.stat('models/bert/weights.bin'))?.contentType).toBe('application/x-torshpkg')
  })

  it('keys too long to spell in a tag are hashed, and still listed, read and deleted by key', async () => {
    const b = fresh()
    const long = `deep/${'x'.repeat(200)}/\u00e9\u{1F600}/end`
    const short = 'deep/a'
    await b.put(long, text('long'))
    await b.put(short, text('short'))
    await b.put(`${long}2`, text('long2'))
    expect(new TextDecoder().decode(await b.get(long))).toBe('long')
    const listed: string[] = []
    for await (const o of listAll(b, 'deep/')) listed.push(o.key)
    expect(listed).toEqual([short, long, `${long}2`])
    const page = await b.list('deep/', { limit: 2 })
    expect(page.items.map((o) => o.key)).toEqual([short, long])
    expect((await b.list('deep/', { limit: 2, cursor: page.cursor! })).items.map((o) => o.key)).toEqual([`${long}2`])
    expect(await b.delete(long)).toBe(true)
    expect(await b.has(long)).toBe(false)
    expect(await b.has(`${long}2`)).toBe(true)
  })

  it('the same bytes under two keys are one blob; deleting one key leaves the other', async () => {
    const b = fresh()
    const data = pattern(10_000, 4)
    const one = await b.put('one', data)
    const two = await b.put('two', data)
    expect(one.etag).not.toBe(two.etag)
    expect(await b.delete('one')).toBe(true)
    expectSameBytes(await b.get('two'), data)
  })

  it('streamed puts go up in chunks and are hashed on the way; a wrong sha256 leaves nothing behind', async () => {
    const b = fresh({ chunkSize: 256 * 1024 })
    const data = pattern(3 * 1024 * 1024 + 5, 5)
    const info = await b.put('streamed', chunked(data, [100_000, 3]), { sha256: createHash('sha256').update(data).digest('hex') })
    expect(info.size).toBe(data.length)
    expectSameBytes(await b.get('streamed'), data)
    await expectCode(b.put('streamed', chunked(pattern(1000, 6)), { sha256: '0'.repeat(64) }), 'E_INTEGRITY')
    expectSameBytes(await b.get('streamed'), data)
  })

  it('whole reads are checked against the layer digest: a blob changed on the registry disk is E_INTEGRITY', async () => {
    const b = fresh()
    const data = pattern(20_000, 7)
    await b.put('tampered', data)
    const hex = sha(data).slice('sha256:'.length)
    const file = join(reg.rootDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data')
    const stored = await readFile(file)
    stored[1000] = stored[1000]! ^ 1
    await writeFile(file, stored)
    await expectCode(b.get('tampered'), 'E_INTEGRITY')
    const stream = await b.getStream('tampered')
    await expect(new Response(stream).arrayBuffer()).rejects.toMatchObject({ code: 'E_INTEGRITY' })
    // A range cannot be checked against the digest, only for its length.
    expect((await b.get('tampered', { range: { offset: 999, length: 3 } })).length).toBe(3)
  })

  it('two backend objects (two writers): a stale ifMatch from the other is E_CONFLICT', async () => {
    const a = fresh()
    const other = ociBackend({ url: reg.url, repository: `objects/r${repos}` })
    const v1 = await a.put('shared', text('1'))
    await other.put('shared', text('2'), { ifMatch: v1.etag })
    await expectCode(a.put('shared', text('3'), { ifMatch: v1.etag }), 'E_CONFLICT')
    await expectCode(a.delete('shared', { ifMatch: v1.etag }), 'E_CONFLICT')
    expect(new TextDecoder().decode(await a.get('shared'))).toBe('2')
  })

  it('twelve writers (separate backend objects) putting the same bytes at once all succeed', async () => {
    // Distribution 2.8 links a blob into the repository a moment after its HEAD says yes: a
    // writer that skipped its upload can see its manifest refused ("manifest blob unknown")
    // and must upload again and retry (without that, 7 to 16 of 240 such puts failed here).
    const repository = `objects/r${++repos}`
    for (let round = 0; round < 10; round++) {
      const data = text(`same bytes ${round}`)
      await Promise.all(Array.from({ length: 12 }, (_, i) => ociBackend({ url: reg.url, repository }).put(`w${i}`, data)))
      const reader = ociBackend({ url: reg.url, repository })
      for (let i = 0; i < 12; i++) expect(new TextDecoder().decode(await reader.get(`w${i}`))).toBe(`same bytes ${round}`)
    }
  })

  it('the registry killed mid-put and restarted: the key holds the old bytes or the new, never a mix', async () => {
    const b = fresh({ monolithicLimit: 10_000, chunkSize: 256 * 1024 })
    const old = pattern(1000, 8)
    await b.put('crashy', old)
    const data = pattern(8 << 20, 9)
    let killed = false
    let restarted: Promise<void> = Promise.resolve()
    // Kill once the upload is under way (a stream that notices its own progress).
    let sent = 0
    const body = chunked(data, [512 * 1024]).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          sent += chunk.length
          if (!killed && sent > 2 << 20) {
            killed = true
            restarted = reg.kill().then(() => new Promise((r) => setTimeout(r, 300))).then(() => reg.restart())
          }
          c.enqueue(chunk)
        },
      }),
    )
    const outcome = await b.put('crashy', body).then(
      () => 'written',
      (e: unknown) => (e instanceof StorageError ? e.code : String(e)),
    )
    await restarted
    expect(killed).toBe(true)
    expect(['written', 'E_UNAVAILABLE']).toContain(outcome)
    expectSameBytes(await b.get('crashy'), outcome === 'written' ? data : old)
    // The registry works again, and so does the key.
    await b.put('crashy', data)
    expectSameBytes(await b.get('crashy'), data)
  }, 60_000)

  it('bad options are E_ARGUMENT', () => {
    expect(() => ociBackend({ url: 'not a url', repository: 'x' })).toThrow(StorageError)
    expect(() => ociBackend({ url: reg.url, repository: 'Upper/Case' })).toThrow(/not an OCI repository name/)
    expect(() => ociBackend({ url: reg.url, repository: 'x', chunkSize: 0 })).toThrow(/chunkSize/)
  })
})

describe('oci backend with Basic auth', () => {
  let secured: RegistryServer
  beforeAll(async () => {
    secured = await startRegistry({ basic: { alice: 'wonderland' } })
  })
  afterAll(async () => {
    await secured?.stop()
  })

  it('answers the challenge; wrong credentials are E_AUTH', async () => {
    const ok = ociBackend({ url: secured.url, repository: 'private/objects', auth: { username: 'alice', password: 'wonderland' } })
    await ok.put('a', text('x'))
    expect(new TextDecoder().decode(await ok.get('a'))).toBe('x')
    expect((await ok.list('')).items.map((o) => o.key)).toEqual(['a'])
    const wrong = ociBackend({ url: secured.url, repository: 'private/objects', auth: { username: 'alice', password: 'nope' } })
    await expectCode(wrong.get('a'), 'E_AUTH')
    await expectCode(wrong.put('b', text('y')), 'E_AUTH')
  })
})
