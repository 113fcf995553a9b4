import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { backoffDelay, fsBackend, memoryBackend, StorageError, StorageManager, type StorageBackend } from '@torshpkg/storage'
import { chunked, conformance, expectCode, pattern } from './conformance'

// The manager is a backend: the whole suite holds through it, cache on.
conformance('manager over memory, cached', {
  make: async () => ({ backend: new StorageManager(memoryBackend(), { cache: { maxBytes: 8 << 20 } }) }),
  keyAndChildren: true,
})
conformance('manager over fs, cached with revalidation', {
  async make() {
    const root = await mkdtemp(join(tmpdir(), 'torshpkg-mgr-'))
    return { backend: new StorageManager(fsBackend(root), { cache: { maxBytes: 8 << 20, revalidate: true } }), dispose: () => rm(root, { recursive: true, force: true }) }
  },
  keyAndChildren: false,
  manyKeys: 1200,
})

/** A real backend behind a fault injector: the first `failures` calls of `ops` fail or hang. */
function faulty(inner: StorageBackend, plan: { failures: number; mode: 'unavailable' | 'hang' | 'hang-ignoring-signal' | 'not-found'; ops?: string[] }) {
  let left = plan.failures
  const calls: string[] = []
  const wrap =
    (op: keyof StorageBackend) =>
    async (...args: unknown[]): Promise<unknown> => {
      calls.push(op)
      if ((plan.ops === undefined || plan.ops.includes(op)) && left > 0) {
        left--
        const signal = (args[args.length - 1] as { signal?: AbortSignal } | undefined)?.signal
        if (plan.mode === 'unavailable') throw new StorageError('E_UNAVAILABLE', 'injected: 503')
        if (plan.mode === 'not-found') throw new StorageError('E_NOT_FOUND', 'injected')
        await new Promise((_, fail) => {
          if (plan.mode === 'hang') signal?.addEventListener('abort', () => fail(new StorageError('E_ABORTED', 'aborted')))
        })
      }
      return (inner[op] as (...a: unknown[]) => Promise<unknown>)(...args)
    }
  const b = { name: 'faulty', writable: true } as StorageBackend
  for (const op of ['has', 'stat', 'get', 'getStream', 'put', 'delete', 'list'] as const) (b as unknown as Record<string, unknown>)[op] = wrap(op)
  return { backend: b, calls }
}

describe('StorageManager', () => {
  it('retries E_UNAVAILABLE with backoff until it succeeds, and counts it', async () => {
    const inner = memoryBackend()
    await inner.put('k', pattern(10))
    const f = faulty(inner, { failures: 3, mode: 'unavailable' })
    const m = new StorageManager(f.backend, { retry: { retries: 4, baseDelayMs: 1 } })
    expect(await m.get('k')).toEqual(pattern(10))
    expect(f.calls.filter((c) => c === 'get')).toHaveLength(4)
    const s = m.stats()
    expect(s.retries).toBe(3)
    expect(s.errors).toBe(0)
    expect(s.latency.get.count).toBe(1)
  })

  it('gives up after its retries with the last error; other errors are not retried', async () => {
    const inner = memoryBackend()
    await inner.put('k', pattern(10))
    const m = new StorageManager(faulty(inner, { failures: 10, mode: 'unavailable' }).backend, { retry: { retries: 2, baseDelayMs: 1 } })
    await expectCode(m.get('k'), 'E_UNAVAILABLE')
    expect(m.stats()).toMatchObject({ retries: 2, errors: 1 })
    const f = faulty(inner, { failures: 1, mode: 'not-found' })
    const m2 = new StorageManager(f.backend, { retry: { retries: 3, baseDelayMs: 1 } })
    await expectCode(m2.get('k'), 'E_NOT_FOUND')
    expect(f.calls).toEqual(['get'])
  })

  it('does not retry a put whose body is a stream (it cannot be replayed)', async () => {
    const f = faulty(memoryBackend(), { failures: 1, mode: 'unavailable', ops: ['put'] })
    const m = new StorageManager(f.backend, { retry: { retries: 3, baseDelayMs: 1 } })
    await expectCode(m.put('s', chunked(pattern(5))), 'E_UNAVAILABLE')
    expect(f.calls).toEqual(['put'])
    await m.put('b', pattern(5)) // bytes: retried... (the one injected failure is spent)
  })

  it('times out an attempt that hangs (E_TIMEOUT), retries it, and succeeds', async () => {
    const inner = memoryBackend()
    await inner.put('k', pattern(10))
    for (const mode of ['hang', 'hang-ignoring-signal'] as const) {
      const m = new StorageManager(faulty(inner, { failures: 1, mode }).backend, { timeoutMs: 50, retry: { retries: 1, baseDelayMs: 1 } })
      const started = Date.now()
      expect(await m.get('k')).toEqual(pattern(10))
      expect(Date.now() - started).toBeGreaterThanOrEqual(45)
      expect(m.stats()).toMatchObject({ timeouts: 1, retries: 1 })
      const m2 = new StorageManager(faulty(inner, { failures: 5, mode }).backend, { timeoutMs: 30, retry: { retries: 1, baseDelayMs: 1 } })
      await expectCode(m2.get('k'), 'E_TIMEOUT')
    }
  })

  it("the caller's signal aborts a wait (E_ABORTED), also during backoff", async () => {
    const inner = memoryBackend()
    await inner.put('k', pattern(10))
    const m = new StorageManager(faulty(inner, { failures: 10, mode: 'unavailable' }).backend, { retry: { retries: 5, baseDelayMs: 10_000 } })
    const ctl = new AbortController()
    setTimeout(() => ctl.abort(), 30)
    const started = Date.now()
    await expectCode(m.get('k', { signal: ctl.signal }), 'E_ABORTED')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('caches whole objects within its byte budget, least recently used out first', async () => {
    const inner = memoryBackend()
    for (const k of ['a', 'b', 'c', 'd']) await inner.put(k, pattern(100, k.charCodeAt(0)))
    const f = faulty(inner, { failures: 0, mode: 'unavailable' })
    const m = new StorageManager(f.backend, { cache: { maxBytes: 300, maxObjectBytes: 300 } })
    await m.get('a')
    await m.get('b')
    await m.get('c')
    await m.get('a') // hit: a is now the most recent
    await m.get('d') // evicts b (least recently used)
    expect(m.stats()).toMatchObject({ hits: 1, misses: 4, cachedObjects: 3, cachedBytes: 300 })
    const gets = () => f.calls.filter((c) => c === 'get').length
    const before = gets()
    expect(await m.get('a')).toEqual(pattern(100, 97))
    expect(await m.get('c', { range: { offset: 10, length: 5 } })).toEqual(pattern(100, 99).slice(10, 15))
    expect(gets()).toBe(before) // both from the cache
    await m.get('b')
    expect(gets()).toBe(before + 1)
    // Returned bytes are copies: changing them does not change the cache.
    const a = await m.get('a')
    a[0] = 0
    expect((await m.get('a'))[0]).toBe(pattern(100, 97)[0])
    // Objects over maxObjectBytes pass by; writes through the manager replace cached bytes.
    const big = new StorageManager(inner, { cache: { maxBytes: 1000, maxObjectBytes: 50 } })
    await big.get('a')
    expect(big.stats().cachedObjects).toBe(0)
    await m.put('a', pattern(100, 1))
    expect(await m.get('a')).toEqual(pattern(100, 1))
  })

  it('revalidate: a change made behind the cache is seen', async () => {
    const inner = memoryBackend()
    await inner.put('k', pattern(10, 1))
    const stale = new StorageManager(inner, { cache: { maxBytes: 1000 } })
    const fresh = new StorageManager(inner, { cache: { maxBytes: 1000, revalidate: true } })
    await stale.get('k')
    await fresh.get('k')
    await inner.put('k', pattern(10, 2)) // another writer
    expect(await stale.get('k')).toEqual(pattern(10, 1)) // as documented: served as cached
    expect(await fresh.get('k')).toEqual(pattern(10, 2))
  })

  it('stats: latency percentiles per operation', async () => {
    const m = new StorageManager(memoryBackend())
    for (let i = 0; i < 50; i++) await m.put(`k${i}`, pattern(10))
    for (let i = 0; i < 50; i++) await m.get(`k${i}`)
    const s = m.stats()
    expect(s.requests).toBe(100)
    expect(s.bytesWritten).toBe(500)
    expect(s.bytesRead).toBe(500)
    expect(s.latency.put.count).toBe(50)
    expect(s.latency.get.p50).toBeLessThanOrEqual(s.latency.get.p99)
    expect(s.latency.get.p99).toBeLessThanOrEqual(s.latency.get.max)
  })

  it('backoff: full jitter under an exponential ceiling, capped', () => {
    expect(backoffDelay(1, { baseDelayMs: 100 }, () => 0.999)).toBe(99)
    expect(backoffDelay(3, { baseDelayMs: 100 }, () => 0.999)).toBe(399)
    expect(backoffDelay(10, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.999)).toBe(999)
    expect(backoffDelay(4, {}, () => 0)).toBe(0)
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(5)))
    expect(spread.size).toBeGreaterThan(10)
  })
})
