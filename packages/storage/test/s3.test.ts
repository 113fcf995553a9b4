import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { s3Backend, StorageError, type S3BackendOptions, type StorageBackend } from '@torshpkg/storage'
import { startS3Server, type S3TestServer } from '../../../scripts/s3-server'
import { EMPTY_SHA256, sha256Hex, SigV4Signer } from '../src/s3/sigv4'
import { decodeEntities, parseError, parseInitiateMultipartUpload, parseListObjectsV2, parseXml } from '../src/s3/xml'
import { chunked, conformance, expectCode, expectSameBytes, pattern } from './conformance'

// One real S3 server for the whole file: Ceph's radosgw over a one-node cluster in a temp dir
// (scripts/s3-server.ts; ~9 s to bootstrap). Each backend below gets a bucket of its own.
let server: S3TestServer
const MiB = 1024 * 1024

beforeAll(async () => {
  server = await startS3Server()
}, 120_000)

afterAll(async () => {
  await server?.stop()
}, 60_000)

/** A raw signed request (what the backend does not offer: buckets, multipart listings). */
async function raw(method: string, path: string, query: [string, string][] = [], body?: Uint8Array<ArrayBuffer>): Promise<{ status: number; text: string }> {
  const signer = new SigV4Signer({ accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey })
  const url = new URL(server.endpoint)
  const s = await signer.sign({ method, host: url.host, path, query, payloadHash: body ? sha256Hex(body) : EMPTY_SHA256, region: server.region })
  const res = await fetch(`${url.origin}${s.pathAndQuery}`, { method, headers: s.headers, ...(body ? { body } : {}) })
  return { status: res.status, text: await res.text() }
}

let buckets = 0
/** A new, empty bucket (signed PUT Bucket). */
async function freshBucket(): Promise<string> {
  const name = `t${Date.now().toString(36)}-${++buckets}`
  const res = await raw('PUT', `/${name}`)
  if (res.status !== 200) throw new Error(`PUT bucket ${name}: ${res.status} ${res.text}`)
  return name
}

const backendFor = (bucket: string, extra: Partial<S3BackendOptions> = {}): StorageBackend =>
  s3Backend({ endpoint: server.endpoint, region: server.region, bucket, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, ...extra })

/** Keys of the multipart uploads still open in `bucket` (ListMultipartUploads). */
async function openUploads(bucket: string): Promise<string[]> {
  const res = await raw('GET', `/${bucket}`, [['uploads', '']])
  expect(res.status).toBe(200)
  return [...res.text.matchAll(/<Upload>[\s\S]*?<Key>([^<]*)<\/Key>/g)].map((m) => decodeEntities(m[1]!))
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

conformance('s3 (radosgw)', {
  make: async () => ({ backend: backendFor(await freshBucket()) }),
  keyAndChildren: true,
})

describe('s3 backend against radosgw', () => {
  // radosgw keeps S3's 5 MiB minimum part size; 5 MiB parts above a 5 MiB threshold.
  const multipart = { multipartThreshold: 5 * MiB, partSize: 5 * MiB }
  const big = pattern(12 * MiB + 123, 9) // three parts: 5 + 5 + 2 MiB

  it('multipart above the threshold: streamed or from bytes, read back identical; its ETag works for ifMatch', async () => {
    const bucket = await freshBucket()
    const b = backendFor(bucket, multipart)
    const seen: string[] = []
    const counting = backendFor(bucket, { ...multipart, fetch: (input, init) => (seen.push(`${init?.method} ${String(input).replace(/^[^?]*/, '')}`), fetch(input, init)) })
    const info = await counting.put('models/big.bin', chunked(big, [65536, 1, 1 << 20]), { contentType: 'application/x-test' })
    expect(seen.filter((s) => s.startsWith('PUT ?partNumber=')).length).toBe(3)
    expect(seen.some((s) => s.startsWith('POST ?uploads='))).toBe(true)
    expect(info.size).toBe(big.length)
    expect(info.etag).toMatch(/^"[0-9a-f]{32}-3"$/)
    const st = (await b.stat('models/big.bin'))!
    expect(st.etag).toBe(info.etag)
    expect(st.size).toBe(big.length)
    expect(st.contentType).toBe('application/x-test')
    expectSameBytes(await b.get('models/big.bin'), big)
    expect(sha256(await b.get('models/big.bin', { range: { offset: 5 * MiB - 10, length: 20 } }))).toBe(sha256(big.subarray(5 * MiB - 10, 5 * MiB + 10)))
    // From bytes, with a digest, create-only.
    const fromBytes = await b.put('models/bytes.bin', big, { sha256: sha256(big), ifNoneMatch: '*' })
    expectSameBytes(await b.get('models/bytes.bin'), big)
    // Compare-and-swap over a multipart object, by multipart and by a single PUT.
    await expectCode(b.put('models/bytes.bin', big, { ifNoneMatch: '*' }), 'E_CONFLICT')
    await expectCode(b.put('models/bytes.bin', big.subarray(1), { ifMatch: '"0123456789abcdef0123456789abcdef-3"' }), 'E_CONFLICT')
    const swapped = await b.put('models/bytes.bin', big.subarray(1), { ifMatch: fromBytes.etag })
    expect(swapped.etag).not.toBe(fromBytes.etag)
    await b.put('models/bytes.bin', new Uint8Array([1]), { ifMatch: swapped.etag })
    expect(await b.get('models/bytes.bin')).toEqual(new Uint8Array([1]))
    // Every refused or finished upload was completed or aborted: none is left open.
    expect(await openUploads(bucket)).toEqual([])
  })

  it('a wrong secret is E_AUTH for every operation', async () => {
    const bucket = await freshBucket()
    await backendFor(bucket).put('k', new Uint8Array([1]))
    const bad = backendFor(bucket, { secretAccessKey: 'not-the-secret' })
    const e = await expectCode(bad.get('k'), 'E_AUTH')
    expect(e.status).toBe(403)
    expect(e.message).toContain('SignatureDoesNotMatch')
    await expectCode(bad.stat('k'), 'E_AUTH')
    await expectCode(bad.put('k', new Uint8Array([2])), 'E_AUTH')
    await expectCode(bad.list(''), 'E_AUTH')
    await expectCode(bad.delete('k'), 'E_AUTH')
    await expectCode(backendFor(bucket, { accessKeyId: 'NOSUCHKEY' }).get('k'), 'E_AUTH')
    expect(await backendFor(bucket).get('k')).toEqual(new Uint8Array([1]))
  })

  it('sha256 mismatch: E_INTEGRITY on the single-PUT path (refused by the server) and the multipart path; nothing visible', async () => {
    const bucket = await freshBucket()
    const b = backendFor(bucket, multipart)
    const small = pattern(1000, 5)
    const wrong = sha256(small).replace(/^./, (c) => (c === '0' ? '1' : '0'))
    // radosgw itself refuses: the expected digest is the request's x-amz-content-sha256.
    const single = await expectCode(b.put('small', small, { sha256: wrong }), 'E_INTEGRITY')
    expect(single.status).toBe(400)
    expect(single.message).toContain('XAmzContentSHA256Mismatch')
    await expectCode(b.put('big', big, { sha256: sha256(small) }), 'E_INTEGRITY')
    await expectCode(b.put('big', chunked(big), { sha256: sha256(small) }), 'E_INTEGRITY')
    expect(await b.has('small')).toBe(false)
    expect(await b.has('big')).toBe(false)
    expect(await openUploads(bucket)).toEqual([]) // aborted, not left half-written
    // The old version stays on both paths.
    await b.put('small', small)
    await b.put('big', big)
    await expectCode(b.put('small', pattern(1000, 6), { sha256: wrong }), 'E_INTEGRITY')
    await expectCode(b.put('big', pattern(11 * MiB, 2), { sha256: wrong }), 'E_INTEGRITY')
    expect(await b.get('small')).toEqual(small)
    expectSameBytes(await b.get('big'), big)
  })

  it('multipart conditions: ifNoneMatch and ifMatch are checked before completing, the upload aborted when they fail', async () => {
    const bucket = await freshBucket()
    const b = backendFor(bucket, multipart)
    await b.put('x', new Uint8Array([1]))
    await expectCode(b.put('x', big, { ifNoneMatch: '*' }), 'E_CONFLICT')
    await expectCode(b.put('missing', big, { ifMatch: '"abc"' }), 'E_CONFLICT')
    expect(await b.get('x')).toEqual(new Uint8Array([1]))
    expect(await b.has('missing')).toBe(false)
    expect(await openUploads(bucket)).toEqual([])
  })

  it('an aborted multipart put is E_ABORTED and leaves nothing behind', async () => {
    const bucket = await freshBucket()
    const ctl = new AbortController()
    let parts = 0
    const b = backendFor(bucket, {
      ...multipart,
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        if (String(input).includes('partNumber=') && ++parts === 2) ctl.abort()
        return res
      },
    })
    await expectCode(b.put('aborted', chunked(big), { signal: ctl.signal }), 'E_ABORTED')
    expect(await b.has('aborted')).toBe(false)
    expect(await openUploads(bucket)).toEqual([])
  })

  it('server errors: a missing bucket is E_NOT_FOUND, a dead endpoint E_UNAVAILABLE, a bad option E_ARGUMENT', async () => {
    await expectCode(backendFor('no-such-bucket-here').put('k', new Uint8Array(1)), 'E_NOT_FOUND')
    await expectCode(backendFor('no-such-bucket-here').list(''), 'E_NOT_FOUND')
    await expectCode(s3Backend({ endpoint: 'http://127.0.0.1:1', bucket: 'abc', accessKeyId: 'a', secretAccessKey: 'b' }).get('k'), 'E_UNAVAILABLE')
    expect(() => s3Backend({ endpoint: 'not a url', bucket: 'abc', accessKeyId: 'a', secretAccessKey: 'b' })).toThrow(StorageError)
    expect(() => backendFor('Bad_Bucket')).toThrow(/bucket/)
    expect(() => backendFor('abc', { partSize: 0 })).toThrow(/partSize/)
  })

  it('radosgw SIGKILLed mid-multipart: E_UNAVAILABLE, nothing visible; after a restart a new put succeeds', async () => {
    const bucket = await freshBucket()
    const b = backendFor(bucket, multipart)
    await b.put('before', new Uint8Array([7]))
    let killed: Promise<void> | undefined
    const dying = backendFor(bucket, {
      ...multipart,
      // Part 1 is stored; radosgw dies while part 2 is being sent.
      fetch: async (input, init) => {
        if (String(input).includes('partNumber=2')) {
          const res = fetch(input, init)
          res.catch(() => {}) // (returned below; fails while the kill is awaited)
          killed = server.kill('rgw', 'SIGKILL')
          await killed
          return res
        }
        return fetch(input, init)
      },
    })
    const t0 = Date.now()
    await expectCode(dying.put('crash.bin', chunked(big, [1 << 20])), 'E_UNAVAILABLE')
    expect(Date.now() - t0).toBeLessThan(20_000) // a clean failure, not a hang
    expect(killed).toBeDefined()
    expect(server.pids().rgw).toBeUndefined()
    await server.restart()
    expect(await b.has('crash.bin')).toBe(false)
    expect(await b.get('before')).toEqual(new Uint8Array([7]))
    expect((await b.list('')).items.map((o) => o.key)).toEqual(['before'])
    // The abort could not reach the dead server: the upload is left open, but invisible (a
    // bucket lifecycle rule, AbortIncompleteMultipartUpload, removes such leftovers). A new put works.
    expect(await openUploads(bucket)).toEqual(['crash.bin'])
    const info = await b.put('crash.bin', chunked(big), { ifNoneMatch: '*', sha256: sha256(big) })
    expect(info.size).toBe(big.length)
    expectSameBytes(await b.get('crash.bin'), big)
  }, 60_000)
  it('keys with spaces, reserved and non-ASCII characters are signed, stored and listed as written', async () => {
    const b = backendFor(await freshBucket())
    const keys = ["a b/c+d=e&f'g(h)*i!$,;:@~", 'ü/ключ/\u{1F600}.bin', '100%/x?y#z', 'tilde~/dot.a/-_']
    for (const [i, key] of keys.entries()) await b.put(key, new Uint8Array([i]))
    for (const [i, key] of keys.entries()) {
      expect(await b.get(key)).toEqual(new Uint8Array([i]))
      expect((await b.stat(key))?.size).toBe(1)
    }
    expect((await b.list('')).items.map((o) => o.key)).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))))
    expect((await b.list('a b/')).items.map((o) => o.key)).toEqual([keys[0]])
    expect(await b.delete(keys[2]!)).toBe(true)
    expect(await b.has(keys[2]!)).toBe(false)
  })
})

describe('s3 backend against a misbehaving server', () => {
  type Seen = { method: string; url: URL; headers: Headers }
  /** A backend whose every request `answer` answers (the calls are recorded). */
  const stubbed = (answer: (r: Seen) => Response, extra: Partial<S3BackendOptions> = {}) => {
    const seen: Seen[] = []
    const backend = s3Backend({
      endpoint: 'http://s3.invalid',
      bucket: 'bkt',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      ...extra,
      fetch: async (input, init) => {
        const r = { method: init?.method ?? 'GET', url: new URL(String(input)), headers: new Headers(init?.headers) }
        seen.push(r)
        return answer(r)
      },
    })
    return { backend, seen }
  }
  const list = (body: string) => new Response(`<ListBucketResult>${body}</ListBucketResult>`, { status: 200 })

  it('a truncated page without keys continues by continuation token; other pages by start-after', async () => {
    const { backend, seen } = stubbed((r) =>
      r.url.searchParams.has('continuation-token')
        ? list('<IsTruncated>true</IsTruncated><Contents><Key>p/b</Key><Size>1</Size><ETag>"e"</ETag></Contents>')
        : r.url.searchParams.has('start-after')
          ? list('<IsTruncated>false</IsTruncated>')
          : list('<IsTruncated>true</IsTruncated><NextContinuationToken>t/1=</NextContinuationToken>'),
    )
    const first = await backend.list('p/', { limit: 5 })
    expect(first).toEqual({ items: [], cursor: '\u0000t/1=' })
    const second = await backend.list('p/', { cursor: first.cursor! })
    expect(second.cursor).toBe('p/b')
    expect(seen[1]!.url.searchParams.get('continuation-token')).toBe('t/1=')
    expect(await backend.list('p/', { cursor: second.cursor! })).toEqual({ items: [] })
    expect(seen[2]!.url.searchParams.get('start-after')).toBe('p/b')
    expect(seen[0]!.url.searchParams.get('max-keys')).toBe('5')
    expect(seen[0]!.url.pathname).toBe('/bkt')
  })

  it('wrong or missing Content-Range, an ignored Range, short bodies, redirects and oversized answers are refused', async () => {
    const ranged = (cr: string | undefined, status = 206, body = 'xxxxx') =>
      stubbed(() => new Response(body, { status, headers: { ...(cr ? { 'content-range': cr } : {}), 'content-length': String(body.length) } })).backend
    await expectCode(ranged('bytes 1-5/100').get('k', { range: { offset: 0, length: 5 } }), 'E_PROTOCOL')
    await expectCode(ranged(undefined).get('k', { range: { offset: 0, length: 5 } }), 'E_PROTOCOL')
    await expectCode(ranged('bytes 0-9/100').get('k', { range: { offset: 0, length: 5 } }), 'E_PROTOCOL')
    await expectCode(ranged(undefined, 200).get('k', { range: { offset: 3, length: 5 } }), 'E_PROTOCOL')
    const short = stubbed(() => new Response('abc', { status: 200, headers: { 'content-length': '10' } })).backend
    await expectCode(short.get('k'), 'E_UNAVAILABLE')
    const moved = stubbed(() => new Response(null, { status: 301, headers: { location: 'http://elsewhere/' } })).backend
    await expectCode(moved.get('k'), 'E_PROTOCOL')
    const huge = stubbed(() => new Response(`<ListBucketResult>${' '.repeat(16 * MiB)}</ListBucketResult>`, { status: 200 })).backend
    await expectCode(huge.list(''), 'E_PROTOCOL')
    const garbage = stubbed(() => list('<Contents><Key>k</Key><Size>lots</Size></Contents>')).backend
    await expectCode(garbage.list(''), 'E_PROTOCOL')
    const noLength = stubbed(() => new Response(null, { status: 200, headers: { etag: '"e"' } })).backend
    await expectCode(noLength.stat('k'), 'E_PROTOCOL')
    const slow = stubbed(() => new Response('<Error><Code>SlowDown</Code></Error>', { status: 503 })).backend
    await expectCode(slow.get('k'), 'E_UNAVAILABLE')
  })

  it('a CompleteMultipartUpload that fails inside its 200 is that error, and the upload is aborted', async () => {
    const { backend, seen } = stubbed(
      (r) =>
        r.method === 'POST' && r.url.searchParams.has('uploads')
          ? new Response('<InitiateMultipartUploadResult><UploadId>u&amp;1</UploadId></InitiateMultipartUploadResult>', { status: 200 })
          : r.method === 'PUT'
            ? new Response(null, { status: 200, headers: { etag: `"p${r.url.searchParams.get('partNumber')}"` } })
            : r.method === 'POST'
              ? new Response('<?xml version="1.0"?>\n   <Error><Code>InternalError</Code><Message>try again</Message></Error>', { status: 200 })
              : new Response(null, { status: 204 }),
      { multipartThreshold: 10, partSize: 8 },
    )
    const e = await expectCode(backend.put('k', pattern(20, 1)), 'E_UNAVAILABLE')
    expect(e.message).toContain('try again')
    expect(seen.map((r) => `${r.method} ${r.url.search}`)).toEqual([
      'POST ?uploads=',
      'PUT ?partNumber=1&uploadId=u%261',
      'PUT ?partNumber=2&uploadId=u%261',
      'PUT ?partNumber=3&uploadId=u%261',
      'POST ?uploadId=u%261',
      'DELETE ?uploadId=u%261',
    ])
  })
})

describe('S3 XML reading', () => {
  it('a ListObjectsV2 page: keys entity-decoded, sizes, ETags, truncation and token', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix>
  <!-- a comment -->
  <IsTruncated>true</IsTruncated>
  <Contents><Key>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233;&#x1F600;</Key><LastModified>2026-11-21T09:46:31.527Z</LastModified>
    <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>
  <s3:Contents xmlns:s3="x"><s3:Key><![CDATA[raw <key> & more]]></s3:Key><s3:Size>12345678901</s3:Size><s3:ETag>"x-2"</s3:ETag></s3:Contents>
  <NextContinuationToken>tok/en+=</NextContinuationToken><KeyCount>2</KeyCount></ListBucketResult>`
    const page = parseListObjectsV2(xml)
    expect(page.isTruncated).toBe(true)
    expect(page.nextContinuationToken).toBe('tok/en+=')
    expect(page.items).toEqual([
      { key: `a&b <c> "d" 'e' é\u{1F600}`, size: 0, etag: '"d41d8cd98f00b204e9800998ecf8427e"', modified: Date.parse('2026-11-21T09:46:31.527Z') },
      { key: 'raw <key> & more', size: 12345678901, etag: '"x-2"' },
    ])
    expect(parseListObjectsV2('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>')).toEqual({ items: [], isTruncated: false })
  })

  it('UploadId and Error documents; unknown entities kept, bad references replaced', () => {
    expect(parseInitiateMultipartUpload('<InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId>2~abc&amp;</UploadId></InitiateMultipartUploadResult>')).toBe('2~abc&')
    expect(parseError('<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>gone</Message></Error>')).toEqual({ code: 'NoSuchKey', message: 'gone' })
    expect(parseError('<html>502 Bad Gateway</html>')).toBeUndefined()
    expect(parseError('not xml at all <')).toBeUndefined()
    expect(parseError('')).toBeUndefined()
    expect(decodeEntities('&nbsp; &#xD800; &#99999999; &#65;&#x42;')).toBe('&nbsp; \uFFFD \uFFFD AB')
  })

  it('malformed or hostile XML is E_PROTOCOL, within bounds', async () => {
    const bad = [
      '<a><b></a>',
      '<a>',
      '<a></a><b></b>',
      'text<a/>',
      '<!DOCTYPE a [<!ENTITY x "xxxxxxxx">]><a>&x;</a>',
      '<a><!-- never closed',
      '<a attr="unterminated></a>',
      '',
      `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`,
    ]
    for (const xml of bad) expect(() => parseXml(xml), xml.slice(0, 40)).toThrow(StorageError)
    expect(() => parseXml(`<r>${'<c/>'.repeat(200_001)}</r>`)).toThrow(/more than 100000 elements/)
    expect(() => parseXml('<r/>', { maxLength: 3 })).toThrow(/longer than/)
    expect(() => parseListObjectsV2('<Error><Code>x</Code></Error>')).toThrow(/ListBucketResult/)
    expect(() => parseListObjectsV2('<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>')).toThrow(/Size/)
    expect(() => parseListObjectsV2('<ListBucketResult><Contents><Key>k</Key><Size>99999999999999999</Size></Contents></ListBucketResult>')).toThrow(/Size/)
    const e = (() => {
      try {
        parseXml('<a><b></a>')
      } catch (x) {
        return x as StorageError
      }
    })()
    expect(e?.code).toBe('E_PROTOCOL')
  })
})
