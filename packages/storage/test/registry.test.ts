import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPackage, openPackage } from '@torshpkg/format'
import { PackageCache, RegistryClient, registryMediaTypes as MT } from '@torshpkg/storage'
import { startRegistry, startTokenServer, writePackageLayout, type RegistryServer, type TokenServer } from '../../../scripts/registry-server'
import { expectCode, expectSameBytes, pattern } from './conformance'

const run = promisify(execFile)
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** A fetch that counts response body bytes (to prove what lazy reads cost). */
function countingFetch() {
  const counter = { bytes: 0, requests: 0, sent: 0 }
  const f: typeof fetch = async (input, init) => {
    counter.requests++
    const sent = init?.body
    if (sent instanceof Uint8Array) counter.sent += sent.length
    else if (sent instanceof ReadableStream) {
      init = {
        ...init,
        body: sent.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, c) {
              counter.sent += chunk.length
              c.enqueue(chunk)
            },
          }),
        ),
      }
    }
    const res = await fetch(input, init)
    if (res.body === null) return res
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          counter.bytes += chunk.length
          c.enqueue(chunk)
        },
      }),
    )
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers })
  }
  return { fetch: f, counter }
}

describe('RegistryClient against a real registry (CNCF distribution 2.8, Debian docker-registry)', () => {
  let reg: RegistryServer
  let client: RegistryClient
  let work: string
  beforeAll(async () => {
    reg = await startRegistry()
    client = new RegistryClient({ url: reg.url, namespace: 'models' })
    work = await mkdtemp(join(tmpdir(), 'torshpkg-reg-'))
  })
  afterAll(async () => {
    await reg?.stop()
    await rm(work, { recursive: true, force: true })
  })

  it('publish, download, metadata and versions; a second publish of a version is E_CONFLICT', async () => {
    const v1 = pattern(300_000, 1)
    const info = await client.publish('bert', '1.0.0', v1, { description: 'BERT base, uncased', manifest: { format: 'torshpkg', tensors: 12 } })
    expect(info).toMatchObject({ name: 'bert', version: '1.0.0', repository: 'models/bert', digest: sha(v1), size: v1.length })
    await client.publish('bert', '1.10.0', pattern(1000, 2))
    await client.publish('bert', '1.2.0-rc.1+build.7', pattern(1000, 3))
    await client.publish('bert', '1.2.0', pattern(1000, 4))
    expectSameBytes(await client.download('bert', '1.0.0'), v1)
    expectSameBytes(await client.download('bert', info.manifestDigest), v1)
    const meta = await client.getMetadata('bert', '1.0.0')
    expect(meta).toMatchObject({ version: '1.0.0', digest: sha(v1), size: v1.length, description: 'BERT base, uncased', manifest: { format: 'torshpkg', tensors: 12 } })
    expect(meta.manifestDigest).toBe(info.manifestDigest)
    expect(await client.listVersions('bert')).toEqual(['1.0.0', '1.2.0-rc.1+build.7', '1.2.0', '1.10.0'])
    await expectCode(client.publish('bert', '1.0.0', pattern(10, 9)), 'E_CONFLICT')
    await expectCode(client.download('bert', '9.9.9'), 'E_NOT_FOUND')
    await expectCode(client.download('nobody', '1.0.0'), 'E_NOT_FOUND')
    await expectCode(client.publish('Bad..Name', '1.0.0', pattern(1)), 'E_ARGUMENT')
  })

  it('the manifest is what docs/registry.md describes, and skopeo reads it back byte for byte', async () => {
    const data = pattern(50_000, 5)
    const info = await client.publish('@acme/tokenizer', '2.0.0', data, { description: 'WordPiece tokenizer' })
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/models/acme/tokenizer:2.0.0`])
    expect(sha(new TextEncoder().encode(raw.stdout))).toBe(info.manifestDigest)
    const manifest = JSON.parse(raw.stdout)
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: MT.OCI_MANIFEST,
      artifactType: MT.PACKAGE_ARTIFACT_TYPE,
      config: { mediaType: MT.PACKAGE_CONFIG_MEDIA_TYPE },
      layers: [{ mediaType: MT.PACKAGE_LAYER_MEDIA_TYPE, digest: sha(data), size: data.length }],
      annotations: { 'dev.torshpkg.package.name': '@acme/tokenizer', 'org.opencontainers.image.version': '2.0.0', 'org.opencontainers.image.description': 'WordPiece tokenizer' },
    })
    // skopeo copies the artifact out (dir: layout): the package blob is our bytes.
    const out = join(work, 'skopeo-dir')
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/models/acme/tokenizer:2.0.0`, `dir:${out}`])
    const files = await readdir(out)
    const blobFile = files.find((f) => f === sha(data).slice(7))
    expect(blobFile).toBeDefined()
    expectSameBytes(await readFile(join(out, blobFile!)), data)
    expect(sha(await readFile(join(out, 'manifest.json')))).toBe(info.manifestDigest)
  })

  it('docs/registry.md shows exactly the manifest publish writes', async () => {
    const doc = await readFile(new URL('../../../docs/registry.md', import.meta.url), 'utf8')
    const block = /<!-- registry-manifest:begin -->\s*```json\n([\s\S]*?)```\s*<!-- registry-manifest:end -->/.exec(doc)
    expect(block, 'the manifest block of docs/registry.md').not.toBeNull()
    const acme = new RegistryClient({ url: reg.url, namespace: 'acme' })
    await acme.publish('@acme/bert-base', '1.0.0+build.7', new TextEncoder().encode('TORSHPKG example package bytes\n'), {
      description: 'BERT base, uncased',
      created: '2026-11-21T00:00:00.000Z',
      manifest: { name: '@acme/bert-base', version: '1.0.0+build.7' },
    })
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/acme/acme/bert-base:1.0.0_build.7`])
    expect(`${JSON.stringify(JSON.parse(raw.stdout), null, 2)}\n`).toBe(block![1])
  })

  it('what skopeo pushes, we download', async () => {
    // An OCI layout made by hand with our media types, pushed by skopeo.
    const layout = join(work, 'oci-layout')
    const data = pattern(70_000, 6)
    const manifestDigest = writePackageLayout(layout, {
      data,
      config: { name: 'pushed', version: '3.1.4', description: 'pushed by skopeo', manifest: null },
      tag: '3.1.4',
      annotations: { 'org.opencontainers.image.version': '3.1.4' },
    })
    await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:3.1.4`, `docker://${reg.host}/models/pushed:3.1.4`])
    expectSameBytes(await client.download('pushed', '3.1.4'), data)
    expect(await client.getMetadata('pushed', '3.1.4')).toMatchObject({ version: '3.1.4', description: 'pushed by skopeo', manifestDigest })
  })

  it('chunked uploads (small chunks), HEAD skips existing blobs, cross-repository mount', async () => {
    const { fetch: counting, counter } = countingFetch()
    const chunky = new RegistryClient({ url: reg.url, namespace: 'models', monolithicLimit: 100_000, chunkSize: 64 * 1024, fetch: counting })
    const data = pattern(1_000_003, 7)
    const progress: number[] = []
    await chunky.publish('chunked', '1.0.0', data, { onProgress: (sent: number) => progress.push(sent) })
    expect(progress.length).toBeGreaterThan(10)
    expect(progress[progress.length - 1]).toBe(data.length)
    expectSameBytes(await client.download('chunked', '1.0.0'), data)
    // The same bytes again under another version: no upload (HEAD says the blob is there).
    const requestsBefore = counter.requests
    await chunky.publish('chunked', '1.0.1', data)
    expect(counter.requests - requestsBefore).toBeLessThan(10)
    // A larger blob uploads while it is hashed; published again, the upload stops once the
    // hash is known and HEAD finds the blob (only the first chunks go out).
    const large = pattern(8 << 20, 9)
    await chunky.publish('chunked', '2.0.0', large)
    expectSameBytes(await client.download('chunked', '2.0.0'), large)
    const sentBefore = counter.sent
    const info = await chunky.publish('chunked', '2.0.1', large, { onProgress: (sent: number) => progress.push(sent) })
    expect(counter.sent - sentBefore).toBeLessThan(large.length / 2)
    expect(progress[progress.length - 1]).toBe(large.length)
    expect(info.digest).toBe(`sha256:${createHash('sha256').update(large).digest('hex')}`)
    expectSameBytes(await client.download('chunked', '2.0.1'), large)
    // Into another repository: mounted from the first, not uploaded.
    await chunky.publish('chunked-copy', '1.0.0', data, { mountFrom: 'chunked' })
    expectSameBytes(await client.download('chunked-copy', '1.0.0'), data)
  })

  it('a remote package opens lazily: openPackage over Range reads reads only what it needs', async () => {
    const big = pattern(4 << 20, 8)
    const small = new TextEncoder().encode('{"hidden": 768}')
    const writer = createPackage('memory', { name: 'lazy', version: '1.0.0' })
    await writer.add('weights/big.bin', big)
    await writer.add('config.json', small, { type: 'config' })
    const bytes = (await writer.finish()).bytes!
    await client.publish('lazy', '1.0.0', bytes)
    const { fetch: counting, counter } = countingFetch()
    const remote = new RegistryClient({ url: reg.url, namespace: 'models', fetch: counting })
    const source = await remote.openBlob('lazy', '1.0.0')
    const pkg = await openPackage(source)
    expect(new TextDecoder().decode(await pkg.read('config.json'))).toBe('{"hidden": 768}')
    expect(counter.bytes).toBeLessThan(bytes.length / 10)
    await pkg.close()
  })

  it('yank is recorded and reversible: exact versions still download, listings can skip them', async () => {
    await client.publish('yanky', '1.0.0', pattern(100, 1))
    await client.publish('yanky', '1.1.0', pattern(100, 2))
    await client.yank('yanky', '1.1.0', { reason: 'bad weights' })
    expect(await client.listVersions('yanky', { includeYanked: false })).toEqual(['1.0.0'])
    expect(await client.listVersions('yanky')).toEqual(['1.0.0', '1.1.0'])
    expect((await client.getMetadata('yanky', '1.1.0')).yanked).toMatchObject({ reason: 'bad weights' })
    expect((await client.download('yanky', '1.1.0')).length).toBe(100)
    await client.unyank('yanky', '1.1.0')
    expect(await client.listVersions('yanky', { includeYanked: false })).toEqual(['1.0.0', '1.1.0'])
    expect((await client.getMetadata('yanky', '1.1.0')).yanked).toBeUndefined()
    await expectCode(client.yank('yanky', '7.0.0'), 'E_NOT_FOUND')
  })

  it('delete removes a version; search finds packages by name and description', async () => {
    await client.publish('deleteme', '1.0.0', pattern(100, 1))
    expect(await client.delete('deleteme', '1.0.0')).toBe(true)
    await expectCode(client.download('deleteme', '1.0.0'), 'E_NOT_FOUND')
    expect(await client.delete('deleteme', '1.0.0')).toBe(false)
    const hits = await client.search('wordpiece')
    expect(hits).toEqual([{ name: '@acme/tokenizer', version: '2.0.0', description: 'WordPiece tokenizer' }])
    expect((await client.search('bert')).map((h: { name: string }) => h.name)).toEqual(['bert'])
    // Two repositories per page: the catalog's Link pages are followed to the same answers.
    const catalogPages: string[] = []
    const paging = new RegistryClient({
      url: reg.url,
      namespace: 'models',
      pageSize: 2,
      fetch: (input, init) => {
        const url = String(input)
        if (url.includes('/v2/_catalog')) catalogPages.push(url)
        return fetch(input, init)
      },
    })
    const all = await paging.search('', { limit: 1000 })
    expect(all).toEqual(await client.search('', { limit: 1000 }))
    expect(all.length).toBeGreaterThan(6)
    expect(catalogPages.length, catalogPages.join(' ')).toBeGreaterThan(3)
    expect(catalogPages.slice(1).every((u) => u.includes('last=')), catalogPages.join(' ')).toBe(true)
    expect(await paging.search('wordpiece')).toEqual(hits)
  })

  it('signatures as referrers: attached, listed through the fallback tag, read back', async () => {
    await client.publish('signed', '1.0.0', pattern(100, 1))
    const sig = new TextEncoder().encode('untrusted comment: signature\nRWQ...')
    const d = await client.attach('signed', '1.0.0', { artifactType: 'application/vnd.torshpkg.signature.v1', data: sig, annotations: { 'dev.torshpkg.key': 'k1' } })
    await client.attach('signed', '1.0.0', { artifactType: 'application/spdx+json', data: new TextEncoder().encode('{}') })
    const all = await client.referrers('signed', '1.0.0')
    expect(all.map((r: { artifactType?: string }) => r.artifactType).sort()).toEqual(['application/spdx+json', 'application/vnd.torshpkg.signature.v1'])
    const sigs = await client.referrers('signed', '1.0.0', { artifactType: 'application/vnd.torshpkg.signature.v1' })
    expect(sigs.map((r: { digest: string }) => r.digest)).toEqual([d])
    expect(await client.referrerData('signed', d)).toEqual(sig)
    // The fallback tag does not show up as a version.
    expect(await client.listVersions('signed')).toEqual(['1.0.0'])
  })

  it('downloads go through a shared package cache', async () => {
    const cache = new PackageCache({ maxBytes: 10 << 20 })
    const { fetch: counting, counter } = countingFetch()
    const cached = new RegistryClient({ url: reg.url, namespace: 'models', cache, fetch: counting })
    const data = pattern(2 << 20, 9)
    await client.publish('cached', '1.0.0', data)
    await cached.download('cached', '1.0.0')
    const after = counter.bytes
    expectSameBytes(await cached.download('cached', '1.0.0'), data)
    expect(counter.bytes - after).toBeLessThan(10_000) // the manifest only
    expect(cache.stats()).toMatchObject({ hits: 1 })
  })

  it('the registry killed mid-upload and restarted: the publish fails cleanly or completes; nothing half-visible', async () => {
    const chunky = new RegistryClient({ url: reg.url, namespace: 'models', monolithicLimit: 10_000, chunkSize: 256 * 1024 })
    const data = pattern(8 << 20, 10)
    let killed = false
    let restarted: Promise<void> = Promise.resolve()
    const publishing = chunky.publish('crashy', '1.0.0', data, {
      onProgress: (sent: number) => {
        if (!killed && sent > 2 << 20) {
          killed = true
          restarted = reg.kill().then(() => new Promise((r) => setTimeout(r, 300))).then(() => reg.restart())
        }
      },
    })
    const outcome = await publishing.then(
      () => 'published',
      (e: unknown) => (e as { code?: string }).code,
    )
    await restarted
    expect(killed).toBe(true)
    expect(['published', 'E_UNAVAILABLE']).toContain(outcome)
    if (outcome === 'published') expectSameBytes(await client.download('crashy', '1.0.0'), data)
    else await expectCode(client.download('crashy', '1.0.0'), 'E_NOT_FOUND')
    // Either way the registry works, and a new publish succeeds.
    await client.publish('crashy', '1.0.1', data)
    expectSameBytes(await client.download('crashy', '1.0.1'), data)
  }, 60_000)
})

describe('RegistryClient auth against a real registry', () => {
  let reg: RegistryServer
  beforeAll(async () => {
    reg = await startRegistry({ basic: { alice: 'wonderland' } })
  })
  afterAll(async () => {
    await reg?.stop()
  })

  it('Basic auth: the challenge is answered; wrong or missing credentials are E_AUTH', async () => {
    const ok = new RegistryClient({ url: reg.url, auth: { username: 'alice', password: 'wonderland' } })
    await ok.publish('private', '1.0.0', pattern(1000, 1))
    expect((await ok.download('private', '1.0.0')).length).toBe(1000)
    await expectCode(new RegistryClient({ url: reg.url, auth: { username: 'alice', password: 'nope' } }).download('private', '1.0.0'), 'E_AUTH')
    await expectCode(new RegistryClient({ url: reg.url }).download('private', '1.0.0'), 'E_AUTH')
    // skopeo with the same credentials sees what we published.
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', 'alice:wonderland', `docker://${reg.host}/private:1.0.0`])
    expect(JSON.parse(raw.stdout).artifactType).toBe(MT.PACKAGE_ARTIFACT_TYPE)
  })
})

describe('RegistryClient Bearer token auth against a real registry and token server', () => {
  let tokens: TokenServer
  let reg: RegistryServer
  beforeAll(async () => {
    tokens = await startTokenServer({ bob: 'builder' })
    reg = await startRegistry({ token: tokens })
  })
  afterAll(async () => {
    await reg?.stop()
    await tokens?.close()
  })

  it('the 401 challenge leads to a token for the scope; tokens are reused; a mount asks for both repositories', async () => {
    const client = new RegistryClient({ url: reg.url, namespace: 'team', auth: { username: 'bob', password: 'builder' } })
    const data = pattern(200_000, 3)
    await client.publish('vision', '1.0.0', data)
    expectSameBytes(await client.download('vision', '1.0.0'), data)
    const asked = tokens.requests.filter((r) => r.granted).map((r) => r.scopes.join(' '))
    expect(asked).toContain('repository:team/vision:pull,push')
    expect(asked).toContain('repository:team/vision:pull')
    const before = tokens.requests.length
    expectSameBytes(await client.download('vision', '1.0.0'), data)
    expect(tokens.requests.length).toBe(before) // cached
    await client.publish('vision-copy', '1.0.0', data, { mountFrom: 'vision' })
    expect(tokens.requests.some((r) => r.scopes.includes('repository:team/vision-copy:pull,push') && r.scopes.includes('repository:team/vision:pull'))).toBe(true)
    expectSameBytes(await client.download('vision-copy', '1.0.0'), data)
    // skopeo, with the same credentials, through the same token server.
    const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', 'bob:builder', `docker://${reg.host}/team/vision:1.0.0`])
    expect(JSON.parse(raw.stdout).layers[0].digest).toBe(sha(data))
  })

  it('a wrong password or no credentials: E_AUTH', async () => {
    await expectCode(new RegistryClient({ url: reg.url, namespace: 'team', auth: { username: 'bob', password: 'nope' } }).download('vision', '1.0.0'), 'E_AUTH')
    await expectCode(new RegistryClient({ url: reg.url, namespace: 'team' }).download('vision', '1.0.0'), 'E_AUTH')
  })
})
