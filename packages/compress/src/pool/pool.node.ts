import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { inlinePool, withFallback, workerPool, type CodecPool, type PoolOptions, type WorkerHandle } from './pool.js'
import type { Job, Reply } from './protocol.js'

/**
 * A pool of `worker_threads`, one per core by default. Idle workers are unref'd, so an idle
 * pool never keeps the process alive; `close()` stops them. If the workers cannot run at all
 * (a bundler dropped the worker script), jobs run inline and `parallel` turns false.
 */
export function createNodePool(options: PoolOptions, inline: Parameters<typeof inlinePool>[0]): CodecPool {
  const size = Math.max(1, options.size ?? availableParallelism())
  // The worker script sits next to this module in dist/ unless a bundler moved it.
  const url = options.workerUrl ? new URL(options.workerUrl) : new URL('./pool-worker.node.js', import.meta.url)
  return withFallback(
    workerPool(size, () => nodeWorker(url)),
    inlinePool(inline),
  )
}

// Workers inherit the parent's Node flags, except those that only make sense for the main
// entry point (`node --input-type=module -e ...` would make every worker fail to start).
const MAIN_ONLY = /^(--input-type|--eval|-e|--print|-p)(=|$)/
function workerExecArgv(): string[] {
  const out: string[] = []
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!
    if (MAIN_ONLY.test(arg)) {
      if (!arg.includes('=') && !arg.startsWith('--input-type')) i++ // skip the code that follows -e/-p
      continue
    }
    out.push(arg)
  }
  return out
}

function nodeWorker(url: URL): WorkerHandle {
  const worker = new Worker(url, { execArgv: workerExecArgv() })
  worker.unref()
  return {
    post: (job: Job, transfer) => worker.postMessage(job, transfer),
    onReply: (listener: (reply: Reply) => void) => void worker.on('message', listener),
    onError: (listener) => {
      worker.on('error', listener)
      worker.on('exit', (code) => {
        if (code !== 0) listener(new Error(`pool worker exited with code ${code}`))
      })
    },
    setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
    terminate: async () => {
      await worker.terminate()
    },
  }
}
