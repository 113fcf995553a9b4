/**
 * The conformance suite every backend runs (one call per backend's test file): the same
 * behaviour, the same error codes. No test framework beyond vitest's describe/it/expect.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAll, StorageError, type StorageBackend, type StorageErrorCode } from '@torshpkg/storage'
import { pattern } from './pattern'

export { pattern }

export interface ConformanceTarget {
  /** A fresh, empty backend (and how to dispose of it). */
  make(): Promise<{ backend: StorageBackend; dispose?: () => Promise<void> }>
  /** Can the backend hold both "a" and "a/b"? (fs cannot: the second is E_CONFLICT.) */
  readonly keyAndChildren: boolean
  /** Keys to put in the pagination test (default 2500: past S3's 1000-per-page). */
  readonly manyKeys?: number
}

export async function expectCode(p: Promise<unknown>, code: StorageErrorCode): Promise<StorageError> {
  let error: unknown
  try {
    await p
  } catch (e) {
    error = e
  }
  expect(error, `expected ${code}`).toBeInstanceOf(StorageError)
  expect((error as StorageError).code, (error as Error).message).toBe(code)
  return error as StorageError
}

const bytes = (...xs: number[]) => new Uint8Array(xs)
const text = (s: string) => new TextEncoder().encode(s)
/** A stream of `data` in pieces of the given sizes (cycled). */
export function chunked(data: Uint8Array, sizes: number[] = [1, 7, 4096, 65537]): ReadableStream<Uint8Array> {
  let at = 0
  let k = 0
  return new ReadableStream({
    pull(c) {
      if (at >= data.length) return c.close()
      const n = sizes[k++ % sizes.length]!
      c.enqueue(data.slice(at, at + n))
      at += n
    },
  })
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const p of stream as unknown as AsyncIterable<Uint8Array>) parts.push(p)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Byte equality for large arrays (vitest's toEqual walks them element by element: seconds per megabyte). */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length)
  expect(Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.length), Buffer.from(expected.buffer, expected.byteOffset, expected.length))).toBe(0)
}

const sha256 = async (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

export function conformance(name: string, target: ConformanceTarget): void {
  describe(`${name}: StorageBackend conformance`, () => {
    let b: StorageBackend
    let dispose: (() => Promise<void>) | undefined
    let n = 0
    // Each test works under its own prefix of one backend (cheaper than a backend per test).
    const k = (key: string) => `t${n}/${key}`
    beforeAll(async () => {
      ;({ backend: b, dispose } = await target.make())
    })
    afterAll(async () => {
      await b.close?.()
      await dispose?.()
    })
    const test = (title: string, fn: () => Promise<void>) =>
      it(title, async () => {
        n++
        await fn()
      })

    test('put, get, stat, has: bytes round-trip, sizes and ETags', async () => {
      const all = new Uint8Array(256).map((_, i) => i)
      const info = await b.put(k('a/all.bin'), all)
      expect(info.key).toBe(k('a/all.bin'))
      expect(info.size).toBe(256)
      expect(typeof info.etag).toBe('string')
      expect(await b.get(k('a/all.bin'))).toEqual(all)
      const st = await b.stat(k('a/all.bin'))
      expect(st?.size).toBe(256)
      expect(st?.etag).toBe(info.etag)
      expect(await b.has(k('a/all.bin'))).toBe(true)
      // An empty object is an object.
      await b.put(k('empty'), new Uint8Array(0))
      expect(await b.get(k('empty'))).toEqual(new Uint8Array(0))
      expect((await b.stat(k('empty')))?.size).toBe(0)
      // Overwrite: new bytes, new ETag.
      const again = await b.put(k('a/all.bin'), bytes(9, 8, 7))
      expect(again.etag).not.toBe(info.etag)
      expect(await b.get(k('a/all.bin'))).toEqual(bytes(9, 8, 7))
    })

    test('the caller may reuse its buffers: what is stored and returned is a copy', async () => {
      const data = bytes(1, 2, 3)
      await b.put(k('copy'), data)
      data[0] = 99
      const out = await b.get(k('copy'))
      expect(out).toEqual(bytes(1, 2, 3))
      out[1] = 77
      expect(await b.get(k('copy'))).toEqual(bytes(1, 2, 3))
    })

    test('missing objects: E_NOT_FOUND for get and getStream, undefined for stat, false for has and delete', async () => {
      await expectCode(b.get(k('nope')), 'E_NOT_FOUND')
      await expectCode(b.getStream(k('nope')), 'E_NOT_FOUND')
      expect(await b.stat(k('nope'))).toBeUndefined()
      expect(await b.has(k('nope'))).toBe(false)
      expect(await b.delete(k('nope'))).toBe(false)
      // A "directory" of other keys is not an object.
      await b.put(k('dir/x'), bytes(1))
      expect(await b.has(k('dir'))).toBe(false)
      await expectCode(b.get(k('dir')), 'E_NOT_FOUND')
    })

    test('ranges: offset and length, to the end, cut at the end, past the end', async () => {
      const data = pattern(1000)
      await b.put(k('r'), data)
      expect(await b.get(k('r'), { range: { offset: 10, length: 5 } })).toEqual(data.slice(10, 15))
      expect(await b.get(k('r'), { range: { offset: 990 } })).toEqual(data.slice(990))
      expect(await b.get(k('r'), { range: { offset: 995, length: 100 } })).toEqual(data.slice(995))
      expect(await b.get(k('r'), { range: { offset: 0, length: 0 } })).toEqual(new Uint8Array(0))
      expect(await drain(await b.getStream(k('r'), { range: { offset: 100, length: 300 } }))).toEqual(data.slice(100, 400))
      await expectCode(b.get(k('r'), { range: { offset: 1001 } }), 'E_ARGUMENT')
      await expectCode(b.get(k('r'), { range: { offset: 1000, length: 1 } }), 'E_ARGUMENT')
      await expectCode(b.get(k('r'), { range: { offset: -1 } }), 'E_ARGUMENT')
      await expectCode(b.get(k('r'), { range: { offset: 1.5 } }), 'E_ARGUMENT')
    })

    test('streams in and out: a multi-megabyte object written from odd-sized pieces', async () => {
      const data = pattern(3 * 1024 * 1024 + 17, 7)
      const info = await b.put(k('big'), chunked(data))
      expect(info.size).toBe(data.length)
      expectSameBytes(await drain(await b.getStream(k('big'))), data)
      expect(await sha256(await b.get(k('big')))).toBe(await sha256(data))
      // A reader that stops early releases the object (no error, nothing left open).
      const reader = (await b.getStream(k('big'))).getReader()
      await reader.read()
      await reader.cancel()
    })

    test("ifNoneMatch: '*' creates once; the second write is E_CONFLICT and changes nothing", async () => {
      await b.put(k('once'), bytes(1), { ifNoneMatch: '*' })
      await expectCode(b.put(k('once'), bytes(2), { ifNoneMatch: '*' }), 'E_CONFLICT')
      expect(await b.get(k('once'))).toEqual(bytes(1))
    })

    test('ifMatch: replaces exactly the version named; stale or missing is E_CONFLICT', async () => {
      const v1 = await b.put(k('cas'), bytes(1))
      const v2 = await b.put(k('cas'), bytes(2), { ifMatch: v1.etag })
      await expectCode(b.put(k('cas'), bytes(3), { ifMatch: v1.etag }), 'E_CONFLICT')
      expect(await b.get(k('cas'))).toEqual(bytes(2))
      await expectCode(b.put(k('cas-missing'), bytes(1), { ifMatch: v2.etag }), 'E_CONFLICT')
      expect(await b.has(k('cas-missing'))).toBe(false)
      // Reads and deletes take ifMatch too.
      expect(await b.get(k('cas'), { ifMatch: v2.etag })).toEqual(bytes(2))
      await expectCode(b.get(k('cas'), { ifMatch: v1.etag }), 'E_CONFLICT')
      await expectCode(b.delete(k('cas'), { ifMatch: v1.etag }), 'E_CONFLICT')
      expect(await b.delete(k('cas'), { ifMatch: v2.etag })).toBe(true)
      expect(await b.has(k('cas'))).toBe(false)
    })

    test('compare-and-swap under contention: 12 concurrent incrementers lose no update', async () => {
      await b.put(k('counter'), text('0'))
      const increment = async () => {
        for (;;) {
          const st = (await b.stat(k('counter')))!
          const value = Number(new TextDecoder().decode(await b.get(k('counter'), { ifMatch: st.etag }).catch(() => text('x'))))
          if (Number.isNaN(value)) continue // changed between stat and get
          try {
            await b.put(k('counter'), text(String(value + 1)), { ifMatch: st.etag })
            return
          } catch (e) {
            if (!(e instanceof StorageError && e.code === 'E_CONFLICT')) throw e
          }
        }
      }
      await Promise.all(Array.from({ length: 12 }, increment))
      expect(new TextDecoder().decode(await b.get(k('counter')))).toBe('12')
    })

    test('sha256: the right digest writes, a wrong one is E_INTEGRITY and writes nothing', async () => {
      const data = pattern(70_000, 3)
      const digest = await sha256(data)
      await b.put(k('verified'), chunked(data), { sha256: digest })
      expectSameBytes(await b.get(k('verified')), data)
      const wrong = digest.replace(/^./, (c) => (c === '0' ? '1' : '0'))
      await expectCode(b.put(k('unverified'), data, { sha256: wrong }), 'E_INTEGRITY')
      await expectCode(b.put(k('unverified'), chunked(data), { sha256: wrong }), 'E_INTEGRITY')
      expect(await b.has(k('unverified'))).toBe(false)
      await expectCode(b.put(k('verified'), bytes(1), { sha256: wrong }), 'E_INTEGRITY')
      expectSameBytes(await b.get(k('verified')), data) // the old version stays
      await expectCode(b.put(k('x'), bytes(1), { sha256: 'abc' }), 'E_ARGUMENT')
    })

    test('list: prefix, S3 order (UTF-8 bytes: "a-c" before "a/b", BMP before astral), ETags and sizes', async () => {
      const keys = ['a/b', 'a-c', 'a/b2/c', 'b', 'a/\u{1F600}', 'a/\uFF01', 'a0']
      for (const key of keys) await b.put(k(key), text(key))
      const listed = []
      for await (const o of listAll(b, k(''))) listed.push(o.key.slice(k('').length))
      expect(listed).toEqual(['a-c', 'a/b', 'a/b2/c', 'a/\uFF01', 'a/\u{1F600}', 'a0', 'b'])
      const under = (await b.list(k('a/'))).items
      expect(under.map((o) => o.key.slice(k('').length))).toEqual(['a/b', 'a/b2/c', 'a/\uFF01', 'a/\u{1F600}'])
      expect(under[0]!.size).toBe(3)
      expect(under[0]!.etag).toBe((await b.stat(k('a/b')))!.etag)
      // A prefix that is not a whole segment.
      expect((await b.list(k('a/b'))).items.map((o) => o.key.slice(k('').length))).toEqual(['a/b', 'a/b2/c'])
      expect((await b.list(k('zzz'))).items).toEqual([])
    })

    test('list pages through thousands of keys: no ceiling, no repeats, cursor order', async () => {
      const count = target.manyKeys ?? 2500
      const want: string[] = []
      const pad = (i: number) => String(i).padStart(5, '0')
      // Spread over "directories" so that tree-shaped backends page across them.
      for (let i = 0; i < count; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, (_, j) => {
            const key = k(`many/${pad(i + j).slice(0, 2)}/${pad(i + j)}`)
            want.push(key)
            return b.put(key, bytes((i + j) & 0xff))
          }),
        )
      }
      want.sort()
      const first = await b.list(k('many/'))
      expect(first.items.length).toBeLessThanOrEqual(1000)
      expect(first.cursor).toBeDefined()
      const got: string[] = []
      for await (const o of listAll(b, k('many/'))) got.push(o.key)
      expect(got).toEqual(want)
      // Small pages, explicit cursors.
      const paged: string[] = []
      let cursor: string | undefined
      let pages = 0
      do {
        const page = await b.list(k('many/0'), cursor === undefined ? { limit: 333 } : { limit: 333, cursor })
        expect(page.items.length).toBeLessThanOrEqual(333)
        paged.push(...page.items.map((o) => o.key))
        cursor = page.cursor
        pages++
      } while (cursor !== undefined)
      expect(paged).toEqual(want.filter((x) => x.startsWith(k('many/0'))))
      expect(pages).toBe(Math.max(1, Math.ceil(paged.length / 333)))
      await expectCode(b.list(k('many/'), { limit: 0 }), 'E_ARGUMENT')
    })

    test('a key and keys under it', async () => {
      await b.put(k('node'), bytes(1))
      if (target.keyAndChildren) {
        await b.put(k('node/child'), bytes(2))
        expect(await b.get(k('node'))).toEqual(bytes(1))
        expect(await b.get(k('node/child'))).toEqual(bytes(2))
      } else {
        await expectCode(b.put(k('node/child'), bytes(2)), 'E_CONFLICT')
        expect(await b.get(k('node'))).toEqual(bytes(1))
      }
    })

    test('delete removes, and the key can be written again', async () => {
      await b.put(k('d/x'), bytes(1))
      expect(await b.delete(k('d/x'))).toBe(true)
      expect(await b.has(k('d/x'))).toBe(false)
      expect(await b.delete(k('d/x'))).toBe(false)
      await b.put(k('d/x'), bytes(2), { ifNoneMatch: '*' })
      expect(await b.get(k('d/x'))).toEqual(bytes(2))
    })

    test('invalid keys are E_INVALID_KEY for every operation', async () => {
      const bad = ['', '/abs', 'a//b', 'a/', './a', 'a/../b', '..', 'a\\b', 'nul\u0000', 'tab\tkey', 'x'.repeat(1025), '\uD800lone']
      for (const key of bad) {
        await expectCode(b.put(key, bytes(1)), 'E_INVALID_KEY')
        await expectCode(b.get(key), 'E_INVALID_KEY')
        await expectCode(b.stat(key), 'E_INVALID_KEY')
        await expectCode(b.has(key), 'E_INVALID_KEY')
        await expectCode(b.delete(key), 'E_INVALID_KEY')
      }
      await expectCode(b.list('/abs'), 'E_INVALID_KEY')
      await expectCode(b.put(k('ok'), 'not bytes' as unknown as Uint8Array), 'E_ARGUMENT')
    })

    test('an aborted signal is E_ABORTED', async () => {
      const ctl = new AbortController()
      ctl.abort()
      await b.put(k('ab'), bytes(1))
      await expectCode(b.get(k('ab'), { signal: ctl.signal }), 'E_ABORTED')
      await expectCode(b.put(k('ab2'), bytes(1), { signal: ctl.signal }), 'E_ABORTED')
      expect(await b.has(k('ab2'))).toBe(false)
    })
  })
}
