import { inlinePool, withFallback, workerPool, type CodecPool, type PoolOptions, type WorkerHandle } from './pool.js'
import type { Job, Reply } from './protocol.js'

/**
 * A pool of module Web Workers, one per core by default, running dist/pool-worker.js (a
 * self-contained bundle, so it loads from any static host and bundlers that follow
 * `new URL(..., import.meta.url)` copy it). Where workers cannot be created or do not start
 * (no Worker, a CSP that forbids them, a bundle without the worker file) the pool runs jobs
 * inline, with the same results.
 */
export function createBrowserPool(
  options: PoolOptions,
  inline: Parameters<typeof inlinePool>[0],
): CodecPool {
  const size = Math.max(1, options.size ?? (globalThis.navigator?.hardwareConcurrency || 2))
  if (typeof Worker === 'undefined') return inlinePool(inline)
  let url: URL
  try {
    url = options.workerUrl ? new URL(options.workerUrl, globalThis.location?.href) : new URL('./pool-worker.js', import.meta.url)
    // Constructing one now surfaces a CSP or loading failure before any job depends on it.
    new Worker(url, { type: 'module' }).terminate()
  } catch {
    return inlinePool(inline)
  }
  return withFallback(
    workerPool(size, () => webWorker(url)),
    inlinePool(inline),
  )
}

function webWorker(url: URL): WorkerHandle {
  const worker = new Worker(url, { type: 'module' })
  return {
    post: (job: Job, transfer) => worker.postMessage(job, transfer),
    onReply: (listener: (reply: Reply) => void) => worker.addEventListener('message', (e) => listener(e.data as Reply)),
    onError: (listener) => worker.addEventListener('error', (e) => listener(new Error(`pool worker failed: ${e.message}`))),
    setBusy: () => {},
    terminate: async () => worker.terminate(),
  }
}
