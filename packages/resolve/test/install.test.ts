import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  InstallError,
  installPackages,
  planInstall,
  type FetchResult,
  type InstallOptions,
  type InstallPlan,
  type InstallProgressEvent,
  type PlannedPackage,
} from '@torshpkg/resolve'
import { rng } from './helpers'
import { lockfileOf, randomBytes, randomGraph, sri } from './install-helpers'

/** A plan whose packages have random contents with sha512 integrity. */
function corpus(deps: Record<string, string[]>, seed = 1, maxSize = 4000) {
  const r = rng(seed)
  const files = new Map<string, Uint8Array>()
  for (const [i, name] of Object.keys(deps).entries()) files.set(name, randomBytes(Math.floor(r() * maxSize), seed * 100_000 + i))
  const extra = Object.fromEntries([...files].map(([name, bytes]) => [name, { integrity: sri(bytes), source: `mem:${name}` }]))
  return { plan: planInstall(lockfileOf(deps, extra)), files }
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/** Waits `n` macrotasks: lets anything pending run (a bounded wait, not a timing assertion). */
async function settle(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await macrotask()
}

/** A stream of `bytes` in chunks whose sizes come from `r`; errors after `failAfter` bytes if set. */
function streamOf(bytes: Uint8Array, r: () => number, failAfter?: number): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await macrotask()
      if (failAfter !== undefined && offset >= failAfter) {
        controller.error(new Error('connection reset'))
        return
      }
      if (offset >= bytes.length) {
        controller.close()
        return
      }
      const n = 1 + Math.floor(r() * 700)
      controller.enqueue(bytes.slice(offset, offset + n))
      offset += n
    },
  })
}

/** A gate: a promise resolved from outside. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

const noSleep = { sleep: async () => {}, backoff: { baseMs: 10 } } satisfies Partial<InstallOptions>

describe('installPackages: order and concurrency', () => {
  it('installs every package once with the right bytes, each after its dependencies', async () => {
    const deps = randomGraph(300, 4, 4, 60)
    const { plan, files } = corpus(deps, 4)
    expect(plan.cycles.length).toBeGreaterThan(0)
    const levelOf = new Map(plan.levels.flatMap((level, l) => level.map((p) => [p.name, l] as const)))
    const stored = new Map<string, Uint8Array>()
    const violations: string[] = []
    const r = rng(8)
    const summary = await installPackages(plan, {
      concurrency: 6,
      fetch: async (pkg) => {
        for (const d of pkg.dependencies) {
          if (levelOf.get(d)! < levelOf.get(pkg.name)! && !stored.has(d)) violations.push(`${pkg.name} started before ${d}`)
        }
        for (let i = Math.floor(r() * 3); i > 0; i--) await macrotask()
        return files.get(pkg.name)!.slice()
      },
      store: async (pkg, bytes) => {
        expect(stored.has(pkg.name)).toBe(false)
        await macrotask()
        stored.set(pkg.name, bytes)
      },
    })
    expect(violations).toEqual([])
    expect(stored.size).toBe(300)
    for (const [name, bytes] of files) expect(stored.get(name)).toEqual(bytes)
    expect(summary.installed.map((p) => p.name).sort()).toEqual([...files.keys()].sort())
    expect(summary.bytes).toBe([...files.values()].reduce((s, b) => s + b.length, 0))
    expect(summary.retries).toBe(0)
  })

  it('never has more than `concurrency` packages in progress, and uses them all', async () => {
    const deps = randomGraph(200, 9, 2)
    for (let i = 0; i < 40; i++) deps[`wide-${i}`] = []
    const { plan, files } = corpus(deps, 9)
    for (const concurrency of [1, 3, 8]) {
      let inProgress = 0
      let most = 0
      await installPackages(plan, {
        concurrency,
        fetch: async (pkg) => {
          inProgress++
          most = Math.max(most, inProgress)
          await macrotask()
          return files.get(pkg.name)!
        },
        store: async () => {
          await macrotask()
          inProgress--
        },
      })
      expect(most).toBe(concurrency)
    }
  })

  it('starts a package once its own dependencies are in, without waiting for its level', async () => {
    // Level 0: slow, fast. Level 1: next (depends on fast only).
    const { plan, files } = corpus({ slow: [], fast: [], next: ['fast'] })
    const slowGate = gate()
    const started: string[] = []
    const done = installPackages(plan, {
      fetch: async (pkg) => {
        started.push(pkg.name)
        if (pkg.name === 'slow') await slowGate.promise
        return files.get(pkg.name)!
      },
    })
    await settle()
    expect(started).toEqual(['fast', 'slow', 'next'])
    slowGate.open()
    const summary = await done
    expect(summary.installed.map((p) => p.name)).toEqual(['fast', 'next', 'slow'])
  })

  it('installs the members of a cycle, then what depends on the cycle', async () => {
    const { plan, files } = corpus({ a: ['b'], b: ['a', 'base'], base: [], top: ['a'] })
    expect(plan.cycles).toEqual([['a', 'b']])
    const order: string[] = []
    await installPackages(plan, {
      concurrency: 1,
      fetch: async (pkg) => files.get(pkg.name)!,
      store: async (pkg) => void order.push(pkg.name),
    })
    expect(order).toEqual(['base', 'a', 'b', 'top'])
  })

  it('resolves an empty plan at once', async () => {
    const summary = await installPackages({ levels: [], order: [], cycles: [] }, { fetch: async () => new Uint8Array() })
    expect(summary).toMatchObject({ installed: [], bytes: 0, bytesReceived: 0, retries: 0 })
  })
})

describe('installPackages: retries', () => {
  it('retries transient failures with exponentially growing delays', async () => {
    const { plan, files } = corpus({ flaky: [] })
    const delays: number[] = []
    let calls = 0
    const events: InstallProgressEvent[] = []
    const summary = await installPackages(plan, {
      retries: 4,
      backoff: { baseMs: 100, factor: 2, maxMs: 500, jitter: 'none' },
      sleep: async (ms) => void delays.push(ms),
      onProgress: (e) => events.push(e),
      fetch: async (pkg) => {
        if (++calls <= 4) throw new Error(`transient ${calls}`)
        return files.get(pkg.name)!
      },
    })
    expect(delays).toEqual([100, 200, 400, 500])
    expect(summary.retries).toBe(4)
    expect(summary.installed).toEqual([{ name: 'flaky', version: '1.0.0', bytes: files.get('flaky')!.length, attempts: 5 }])
    const retries = events.filter((e) => e.type === 'retry')
    expect(retries.map((e) => [e.attempt, e.delayMs, (e.error as Error).message])).toEqual([
      [1, 100, 'transient 1'],
      [2, 200, 'transient 2'],
      [3, 400, 'transient 3'],
      [4, 500, 'transient 4'],
    ])
    expect(events.filter((e) => e.type === 'start').map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5])
  })

  it('draws jittered delays within the exponential ceilings', async () => {
    const { plan } = corpus({ down: [] })
    const delays: number[] = []
    const r = rng(21)
    const draws: number[] = []
    const error = await installPackages(plan, {
      retries: 10,
      backoff: { baseMs: 50, factor: 2, maxMs: 10_000 },
      random: () => {
        const x = r()
        draws.push(x)
        return x
      },
      sleep: async (ms) => void delays.push(ms),
      fetch: async () => {
        throw new Error('down')
      },
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'E_FETCH', attempts: 11 })
    expect(delays.length).toBe(10)
    delays.forEach((d, i) => {
      const ceiling = Math.min(10_000, 50 * 2 ** i)
      expect(d).toBe(Math.floor(draws[i]! * ceiling))
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThan(ceiling)
    })
  })

  it('gives up with E_FETCH after the retries, chaining the last failure, and stops the rest', async () => {
    const { plan, files } = corpus({ bad: [], ok1: ['bad'], ok2: ['bad'] })
    const fetched: string[] = []
    const errors: Error[] = []
    const error = (await installPackages(plan, {
      ...noSleep,
      fetch: async (pkg) => {
        fetched.push(pkg.name)
        if (pkg.name !== 'bad') return files.get(pkg.name)!
        const e = new Error(`refused #${errors.length + 1}`)
        errors.push(e)
        throw e
      },
    }).catch((e: unknown) => e)) as InstallError
    expect(error).toBeInstanceOf(InstallError)
    expect(error).toMatchObject({ code: 'E_FETCH', package: 'bad@1.0.0', attempts: 4 })
    expect(error.cause).toBe(errors[3])
    expect(fetched).toEqual(['bad', 'bad', 'bad', 'bad'])
    await settle()
    expect(fetched.length).toBe(4)
  })

  it('does not retry errors marked retryable: false, nor HTTP statuses a retry cannot fix', async () => {
    const { plan } = corpus({ p: [] })
    let calls = 0
    const fatal = Object.assign(new Error('forbidden by policy'), { retryable: false })
    await expect(installPackages(plan, { ...noSleep, fetch: async () => (calls++, Promise.reject(fatal)) })).rejects.toMatchObject({ code: 'E_FETCH', attempts: 1, cause: fatal })
    expect(calls).toBe(1)

    for (const [status, attempts] of [[404, 1], [403, 1], [503, 4], [429, 4], [408, 4]] as const) {
      calls = 0
      const error = (await installPackages(plan, {
        ...noSleep,
        fetch: async () => (calls++, new Response('nope', { status })),
      }).catch((e: unknown) => e)) as InstallError
      expect(error).toMatchObject({ code: 'E_FETCH', attempts })
      expect((error.cause as { status: number }).status).toBe(status)
      expect(calls).toBe(attempts)
    }
  })

  it('retries a server error and then succeeds', async () => {
    const { plan, files } = corpus({ p: [] })
    let calls = 0
    const summary = await installPackages(plan, {
      ...noSleep,
      fetch: async (pkg) => (++calls === 1 ? new Response(null, { status: 502 }) : new Response(files.get(pkg.name)! as Uint8Array<ArrayBuffer>)),
    })
    expect(summary.installed[0]!.attempts).toBe(2)
  })
})

describe('installPackages: integrity', () => {
  it('installs bytes that match sha256 or sha512 integrity', async () => {
    const bytes = randomBytes(50_000, 77)
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const plan = planInstall(lockfileOf({ model: [] }, { model: { integrity: sri(bytes, algorithm) } }))
      const summary = await installPackages(plan, { fetch: async () => bytes })
      expect(summary.bytes).toBe(50_000)
    }
  })

  it('fetches a corrupted package once more, then fails with E_INTEGRITY', async () => {
    const bytes = randomBytes(5000, 78)
    const corrupt = bytes.slice()
    corrupt[100]! ^= 1
    const plan = planInstall(lockfileOf({ model: [] }, { model: { integrity: sri(bytes, 'sha256') } }))

    let calls = 0
    const healed = await installPackages(plan, { ...noSleep, fetch: async () => (++calls === 1 ? corrupt : bytes) })
    expect(calls).toBe(2)
    expect(healed.retries).toBe(1)

    calls = 0
    const stored: string[] = []
    const error = (await installPackages(plan, {
      ...noSleep,
      fetch: async () => (calls++, corrupt),
      store: async (pkg) => void stored.push(pkg.name),
    }).catch((e: unknown) => e)) as InstallError
    expect(error).toMatchObject({ code: 'E_INTEGRITY', package: 'model@1.0.0', attempts: 2 })
    expect(error.message).toContain(sri(corrupt, 'sha256'))
    expect(calls).toBe(2)
    expect(stored).toEqual([])

    calls = 0
    await expect(installPackages(plan, { ...noSleep, integrityRetries: 0, fetch: async () => (calls++, corrupt) })).rejects.toMatchObject({ code: 'E_INTEGRITY', attempts: 1 })
    expect(calls).toBe(1)
  })

  it('refuses packages without usable integrity before fetching anything, unless allowed', async () => {
    const bytes = randomBytes(100, 1)
    const plan = planInstall(lockfileOf({ a: [], b: [] }, { a: { integrity: sri(bytes) } }))
    let calls = 0
    const fetch = async () => (calls++, bytes)
    await expect(installPackages(plan, { fetch })).rejects.toMatchObject({ code: 'E_INTEGRITY_MISSING', package: 'b@1.0.0' })
    expect(calls).toBe(0)
    const summary = await installPackages(plan, { fetch, allowMissingIntegrity: true })
    expect(summary.installed.length).toBe(2)

    const md5 = planInstall(lockfileOf({ a: [] }, { a: { integrity: 'md5-1B2M2Y8AsgTpgAmY7PhCfg==' } }))
    await expect(installPackages(md5, { fetch, allowMissingIntegrity: true })).rejects.toMatchObject({ code: 'E_INTEGRITY_UNSUPPORTED' })
    expect(calls).toBe(2)
  })
})

describe('installPackages: cancellation', () => {
  it('stops on abort: in-flight fetches get the signal, nothing starts after, E_ABORTED', async () => {
    const { plan, files } = corpus(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pkg-${i}`, []])))
    const controller = new AbortController()
    const signals: AbortSignal[] = []
    const events: InstallProgressEvent[] = []
    let storesAfterAbort = 0
    let fetchesAfterAbort = 0
    const reason = new Error('user pressed ctrl-c')
    const promise = installPackages(plan, {
      concurrency: 3,
      signal: controller.signal,
      onProgress: (e) => events.push(e),
      fetch: (pkg, { signal }) => {
        if (controller.signal.aborted) fetchesAfterAbort++
        signals.push(signal)
        // The first two answer at once; every later one waits until it is aborted, so which
        // fetches are in flight at the abort (the 3rd, 4th and 5th) does not depend on timing.
        if (signals.length <= 2) return Promise.resolve(files.get(pkg.name)!)
        if (signals.length === 5) queueMicrotask(() => controller.abort(reason))
        // Honours the signal, like globalThis.fetch does.
        return new Promise<FetchResult>((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason))
        })
      },
      store: async () => {
        if (controller.signal.aborted) storesAfterAbort++
      },
    })
    const error = (await promise.catch((e: unknown) => e)) as InstallError
    expect(error).toBeInstanceOf(InstallError)
    expect(error.code).toBe('E_ABORTED')
    expect(error.cause).toBe(reason)
    const eventsAtRejection = events.length
    const fetchesAtRejection = signals.length
    await settle()
    expect(signals.length).toBe(fetchesAtRejection)
    expect(signals.length).toBe(5)
    expect(fetchesAfterAbort).toBe(0)
    expect(storesAfterAbort).toBe(0)
    expect(events.length).toBe(eventsAtRejection)
    // The fetches in flight at the abort were told.
    expect(signals.slice(2).map((s) => s.aborted)).toEqual([true, true, true])
  })

  it('rejects promptly even when the fetch ignores the signal and never settles', async () => {
    const { plan } = corpus({ a: [], b: [] })
    const controller = new AbortController()
    let calls = 0
    const promise = installPackages(plan, {
      signal: controller.signal,
      fetch: () => {
        if (++calls === 2) setTimeout(() => controller.abort(), 0)
        return new Promise<FetchResult>(() => {})
      },
    })
    await expect(promise).rejects.toMatchObject({ code: 'E_ABORTED' })
    expect(calls).toBe(2)
  })

  it('interrupts a backoff wait', async () => {
    const { plan } = corpus({ a: [] })
    const controller = new AbortController()
    const promise = installPackages(plan, {
      signal: controller.signal,
      backoff: { baseMs: 3_600_000, jitter: 'none' }, // an hour: the default timer must be cut short
      onProgress: (e) => {
        if (e.type === 'retry') setTimeout(() => controller.abort(), 0)
      },
      fetch: async () => {
        throw new Error('flaky')
      },
    })
    await expect(promise).rejects.toMatchObject({ code: 'E_ABORTED' })

    // Same with an injected sleep that ignores the signal entirely.
    const controller2 = new AbortController()
    const promise2 = installPackages(plan, {
      signal: controller2.signal,
      sleep: () => new Promise(() => {}),
      onProgress: (e) => {
        if (e.type === 'retry') setTimeout(() => controller2.abort(), 0)
      },
      fetch: async () => {
        throw new Error('flaky')
      },
    })
    await expect(promise2).rejects.toMatchObject({ code: 'E_ABORTED' })
  })

  it('fetches nothing when the signal is already aborted', async () => {
    const { plan } = corpus({ a: [] })
    let calls = 0
    await expect(installPackages(plan, { signal: AbortSignal.abort(), fetch: async () => (calls++, new Uint8Array()) })).rejects.toMatchObject({ code: 'E_ABORTED' })
    expect(calls).toBe(0)
  })
})

describe('installPackages: progress and streams', () => {
  it('reports bytes as they arrive; totals add up across packages and retries', async () => {
    const deps = randomGraph(60, 31, 3)
    const { plan, files } = corpus(deps, 31, 6000)
    const r = rng(5)
    const failedOnce = new Set<string>()
    const events: InstallProgressEvent[] = []
    const summary = await installPackages(plan, {
      ...noSleep,
      concurrency: 4,
      onProgress: (e) => events.push(e),
      fetch: async (pkg) => {
        const bytes = files.get(pkg.name)!
        // Every fifth package: the first attempt breaks off half way through.
        if (bytes.length > 10 && [...pkg.name].reduce((s, c) => s + c.charCodeAt(0), 0) % 5 === 0 && !failedOnce.has(pkg.name)) {
          failedOnce.add(pkg.name)
          return streamOf(bytes, r, bytes.length >> 1)
        }
        return streamOf(bytes, r)
      },
    })
    expect(failedOnce.size).toBeGreaterThan(3)
    expect(summary.retries).toBe(failedOnce.size)

    let sum = 0
    let done = 0
    const received = new Map<string, number>()
    for (const e of events) {
      expect(e.packagesTotal).toBe(60)
      if (e.type === 'start') received.set(e.name, 0)
      if (e.type === 'bytes') {
        sum += e.bytes
        expect(e.bytes).toBeGreaterThan(0)
        received.set(e.name, received.get(e.name)! + e.bytes)
        expect(e.received).toBe(received.get(e.name))
      }
      if (e.type === 'done') {
        done++
        expect(e.bytes).toBe(files.get(e.name)!.length)
        expect(received.get(e.name)).toBe(e.bytes)
      }
      expect(e.bytesDone).toBe(sum)
      expect(e.packagesDone).toBe(done)
    }
    expect(done).toBe(60)
    const total = [...files.values()].reduce((s, b) => s + b.length, 0)
    expect(summary.bytes).toBe(total)
    expect(summary.bytesReceived).toBe(sum)
    expect(sum).toBeGreaterThan(total) // the broken-off halves were counted too
  })

  it('refuses more than maxBytes, from a stream or from content-length, without retrying', async () => {
    const bytes = randomBytes(3000, 2)
    const plan = planInstall(lockfileOf({ big: [] }, { big: { integrity: sri(bytes) } }))
    let calls = 0
    await expect(installPackages(plan, { maxBytes: 2000, fetch: async () => (calls++, streamOf(bytes, rng(1))) })).rejects.toMatchObject({ code: 'E_TOO_LARGE', attempts: 1 })
    expect(calls).toBe(1)

    let pulled = 0
    const body = new ReadableStream<Uint8Array>({ pull: (c) => (pulled++, c.enqueue(bytes)) }, { highWaterMark: 0 })
    const response = new Response(body, { headers: { 'content-length': '3000' } })
    await expect(installPackages(plan, { maxBytes: 2000, fetch: async () => response })).rejects.toMatchObject({ code: 'E_TOO_LARGE' })
    expect(pulled).toBe(0)

    expect((await installPackages(plan, { maxBytes: 3000, fetch: async () => bytes })).bytes).toBe(3000)
  })

  it('wraps a failing store in E_STORE and an odd fetch result in E_FETCH', async () => {
    const { plan, files } = corpus({ a: [] })
    const disk = new Error('ENOSPC')
    await expect(installPackages(plan, { fetch: async () => files.get('a')!, store: async () => Promise.reject(disk) })).rejects.toMatchObject({ code: 'E_STORE', cause: disk, package: 'a@1.0.0' })
    await expect(installPackages(plan, { ...noSleep, fetch: async () => 'text' as unknown as Uint8Array })).rejects.toMatchObject({ code: 'E_FETCH', attempts: 1 })
  })

  it('stops with the error an onProgress callback throws', async () => {
    const { plan, files } = corpus({ a: [], b: ['a'] })
    const oops = new Error('ui crashed')
    let fetches = 0
    await expect(
      installPackages(plan, {
        fetch: async (pkg) => (fetches++, files.get(pkg.name)!),
        onProgress: (e) => {
          if (e.type === 'done') throw oops
        },
      }),
    ).rejects.toBe(oops)
    expect(fetches).toBe(1)
  })
})

describe('installPackages: plan and option checks', () => {
  const pkg = (name: string, dependencies: string[] = []): PlannedPackage => ({ name, version: '1.0.0', dependencies, integrity: sri(new Uint8Array()) })
  const plan = (levels: PlannedPackage[][], cycles: string[][] = []): InstallPlan => ({ levels, order: levels.flat(), cycles })
  const fetch = async () => new Uint8Array()

  it('rejects plans that break the ordering rules', async () => {
    await expect(installPackages(plan([[pkg('a', ['b'])], [pkg('b')]]), { fetch })).rejects.toMatchObject({ code: 'E_INVALID_PLAN', package: 'a@1.0.0' })
    await expect(installPackages(plan([[pkg('a', ['b']), pkg('b')]]), { fetch })).rejects.toMatchObject({ code: 'E_INVALID_PLAN' })
    await expect(installPackages(plan([[pkg('a', ['zzz'])]]), { fetch })).rejects.toMatchObject({ code: 'E_INVALID_PLAN' })
    await expect(installPackages(plan([[pkg('a')], [pkg('a')]]), { fetch })).rejects.toMatchObject({ code: 'E_INVALID_PLAN' })
    // The same-level dependency is fine inside a reported cycle.
    const ok = await installPackages(plan([[pkg('a', ['b']), pkg('b', ['a'])]], [['a', 'b']]), { fetch })
    expect(ok.installed.length).toBe(2)
  })

  it('rejects out-of-range options', async () => {
    const p = plan([[pkg('a')]])
    for (const bad of [{ concurrency: 0 }, { concurrency: 1.5 }, { retries: -1 }, { maxBytes: -5 }, { backoff: { factor: 0 } }]) {
      await expect(installPackages(p, { fetch, ...bad })).rejects.toMatchObject({ code: 'E_INVALID_OPTIONS' })
    }
    await expect(installPackages(p, {} as InstallOptions)).rejects.toMatchObject({ code: 'E_INVALID_OPTIONS' })
  })
})

describe('installPackages over real HTTP', () => {
  let server: Server
  let base: string
  const files = new Map<string, Uint8Array>([
    ['alpha', randomBytes(200_000, 101)],
    ['beta', randomBytes(64 * 1024 + 3, 102)],
    ['gamma', randomBytes(1, 103)],
    ['delta', randomBytes(90_000, 104)],
  ])
  const hits = new Map<string, number>()

  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = decodeURIComponent(req.url!.replace(/^\/pkg\//, ''))
      const n = (hits.get(name) ?? 0) + 1
      hits.set(name, n)
      const bytes = files.get(name)
      if (!bytes) return void res.writeHead(404).end()
      if (name === 'delta' && n === 1) return void res.writeHead(503, 'Busy').end()
      if (name === 'beta') {
        // Chunked, no content-length.
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        for (let i = 0; i < bytes.length; i += 10_000) res.write(bytes.subarray(i, i + 10_000))
        return void res.end()
      }
      res.writeHead(200, { 'content-length': String(bytes.length) }).end(bytes)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('fetches with globalThis.fetch, verifies, retries a 503 and reports sizes', async () => {
    const deps = { alpha: [], beta: ['alpha'], gamma: ['alpha'], delta: ['beta', 'gamma'] }
    const extra = Object.fromEntries([...files].map(([name, bytes]) => [name, { integrity: sri(bytes, name === 'gamma' ? 'sha256' : 'sha512'), source: `${base}/pkg/${name}` }]))
    const plan = planInstall(lockfileOf(deps, extra))
    const stored = new Map<string, Uint8Array>()
    const events: InstallProgressEvent[] = []
    const summary = await installPackages(plan, {
      ...noSleep,
      fetch: (pkg, { signal }) => globalThis.fetch(pkg.source!, { signal }),
      store: async (pkg, bytes) => void stored.set(pkg.name, bytes),
      onProgress: (e) => events.push(e),
    })
    for (const [name, bytes] of files) expect(stored.get(name)).toEqual(bytes)
    expect(hits.get('delta')).toBe(2)
    expect(summary.retries).toBe(1)
    const bytesEvents = events.filter((e) => e.type === 'bytes')
    expect(bytesEvents.filter((e) => e.name === 'alpha').every((e) => e.totalBytes === 200_000)).toBe(true)
    expect(bytesEvents.filter((e) => e.name === 'beta').every((e) => e.totalBytes === undefined)).toBe(true)
    expect(bytesEvents.reduce((s, e) => s + e.bytes, 0)).toBe(summary.bytesReceived)
    expect(summary.bytes).toBe([...files.values()].reduce((s, b) => s + b.length, 0))
  })

  it('fails with E_FETCH on a 404 without retrying', async () => {
    const plan = planInstall(lockfileOf({ missing: [] }, { missing: { integrity: sri(new Uint8Array()), source: `${base}/pkg/missing` } }))
    hits.delete('missing')
    await expect(installPackages(plan, { ...noSleep, fetch: (pkg, { signal }) => globalThis.fetch(pkg.source!, { signal }) })).rejects.toMatchObject({ code: 'E_FETCH', attempts: 1 })
    expect(hits.get('missing')).toBe(1)
  })
})
