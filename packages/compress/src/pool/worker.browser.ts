// Entry point of a browser pool worker (bundled into dist/pool-worker.js with its codecs).
import { compress, decompress } from '../index.js'
import { runJob, type Job } from './protocol.js'

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<Job>) => void) | null; postMessage(m: unknown, t: ArrayBuffer[]): void }
scope.onmessage = async (e) => {
  const reply = await runJob(e.data, { compress, decompress })
  scope.postMessage(reply, reply.ok ? [reply.data.buffer as ArrayBuffer] : [])
}
