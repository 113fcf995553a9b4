// Entry point of a Node pool worker: run jobs with the Node build, reply transferring the result.
import { parentPort } from 'node:worker_threads'
import { compress, decompress } from '../index.node.js'
import { runJob, type Job } from './protocol.js'

parentPort!.on('message', async (job: Job) => {
  const reply = await runJob(job, { compress, decompress })
  parentPort!.postMessage(reply, reply.ok ? [reply.data.buffer as ArrayBuffer] : [])
})
