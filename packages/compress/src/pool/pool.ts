import type { CodecName, CompressOptions, DecompressOptions } from '../types.js'
import { replyError, transferable, type Job, type Reply } from './protocol.js'

/**
 * Runs compression and decompression jobs on worker threads (Node) or Web Workers (browsers),
 * one job per worker at a time. Jobs are independent (the container's chunks are), results
 * come back in whatever order they finish, and the bytes are exactly what the same call on
 * the calling thread would return.
 *
 * @example
 * ```ts
 * const pool = createPool()               // one worker per core
 * const parts = await Promise.all(chunks.map((c) => pool.compress(c, { codec: 'deflate' })))
 * await pool.close()
 * ```
 */
export interface CodecPool {
  /** Number of workers (1 when running inline). */
  readonly size: number
  /** Whether jobs run on other threads (false where workers are unavailable). */
  readonly parallel: boolean
  compress(data: Uint8Array, options: CompressOptions): Promise<Uint8Array>
  decompress(data: Uint8Array, options: DecompressOptions & { codec: CodecName }): Promise<Uint8Array>
  /** Finish running jobs, stop the workers; later jobs fail. Idempotent. */
  close(): Promise<void>
}

/** Options for {@link createPool}. */
export interface PoolOptions {
  /** Number of workers; default: the number of cores. */
  size?: number
  /**
   * Where the worker script is, if a bundler moved it: `pool-worker.js` (browsers) or
   * `pool-worker.node.js` (Node) from this package's dist/. Default: next to this module.
   */
  workerUrl?: URL | string
}

/** The minimal worker surface both runtimes provide. */
export interface WorkerHandle {
  post(job: Job, transfer: ArrayBuffer[]): void
  onReply(listener: (reply: Reply) => void): void
  onError(listener: (error: Error) => void): void
  /** Whether the worker may keep the process alive (Node's ref/unref). */
  setBusy(busy: boolean): void
  terminate(): Promise<void>
}

/** A worker failed to run (did not start, crashed, exited): a problem of the pool, not of the job's data. */
export class WorkerFailure extends Error {
  override readonly name = 'WorkerFailure'
}

interface Pending {
  job: Job
  resolve(data: Uint8Array): void
  reject(error: Error): void
}

/** The scheduler shared by both runtimes: a queue, idle workers, and replies matched by id. */
export function workerPool(size: number, spawn: () => WorkerHandle): CodecPool {
  const workers: { handle: WorkerHandle; current: Pending | undefined }[] = []
  const queue: Pending[] = []
  let nextId = 1
  let closed = false

  function start(): (typeof workers)[number] {
    const slot = { handle: spawn(), current: undefined as Pending | undefined }
    slot.handle.onReply((reply) => {
      const job = slot.current
      slot.current = undefined
      if (job && job.job.id === reply.id) {
        if (reply.ok) job.resolve(reply.data)
        else job.reject(replyError(reply))
      }
      dispatch()
    })
    let dead = false
    slot.handle.onError((error) => {
      // Node reports a crash as 'error' and then 'exit': act once. The worker's job fails and
      // the worker is replaced on the next dispatch.
      if (dead) return
      dead = true
      slot.current?.reject(new WorkerFailure(`pool worker failed: ${error.message}`, { cause: error }))
      slot.current = undefined
      workers.splice(workers.indexOf(slot), 1)
      void slot.handle.terminate()
      dispatch()
    })
    workers.push(slot)
    return slot
  }

  function dispatch(): void {
    while (queue.length > 0) {
      let slot = workers.find((w) => !w.current)
      if (!slot && workers.length < size) slot = start()
      if (!slot) break
      const next = queue.shift()!
      slot.current = next
      slot.handle.setBusy(true)
      slot.handle.post(next.job, [next.job.data.buffer as ArrayBuffer])
    }
    for (const w of workers) if (!w.current) w.handle.setBusy(false)
  }

  function submit(job: Omit<Job, 'id' | 'data'> & { data: Uint8Array }): Promise<Uint8Array> {
    if (closed) return Promise.reject(new Error('the pool is closed'))
    return new Promise((resolve, reject) => {
      queue.push({ job: { ...job, id: nextId++, data: transferable(job.data) } as Job, resolve, reject })
      dispatch()
    })
  }

  return {
    size,
    parallel: true,
    compress: (data, options) => submit({ op: 'compress', data, options }),
    decompress: (data, options) => submit({ op: 'decompress', data, options }),
    async close() {
      if (closed) return
      closed = true
      // Let queued and running jobs finish, then stop every worker.
      while (queue.length > 0 || workers.some((w) => w.current)) await new Promise((r) => setTimeout(r, 5))
      await Promise.all(workers.splice(0).map((w) => w.handle.terminate()))
    },
  }
}

/** Runs jobs on the calling thread: the fallback where workers are unavailable. */
export function inlinePool(api: {
  compress(data: Uint8Array, options: CompressOptions): Promise<Uint8Array>
  decompress(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array>
}): CodecPool {
  let closed = false
  const guard = () => {
    if (closed) throw new Error('the pool is closed')
  }
  return {
    size: 1,
    parallel: false,
    compress: async (data, options) => (guard(), api.compress(data, options)),
    decompress: async (data, options) => (guard(), api.decompress(data, options)),
    async close() {
      closed = true
    },
  }
}

/**
 * A worker pool that falls back to running inline for good if its workers fail to work at all
 * (a worker script a bundler did not ship, a CSP that blocks it). Only a {@link WorkerFailure}
 * triggers it: a job whose data makes the codec fail, however it fails, fails as it would
 * inline, and is never re-run on the calling thread.
 */
export function withFallback(primary: CodecPool, inline: CodecPool): CodecPool {
  let broken = false
  const run = async (job: (pool: CodecPool) => Promise<Uint8Array>) => {
    if (broken) return job(inline)
    try {
      return await job(primary)
    } catch (e) {
      if (!(e instanceof WorkerFailure)) throw e
      broken = true
      void primary.close()
      return job(inline)
    }
  }
  return {
    get size() {
      return broken ? 1 : primary.size
    },
    get parallel() {
      return !broken
    },
    compress: (data, options) => run((p) => p.compress(data, options)),
    decompress: (data, options) => run((p) => p.decompress(data, options)),
    close: async () => {
      await Promise.all([primary.close(), inline.close()])
    },
  }
}
