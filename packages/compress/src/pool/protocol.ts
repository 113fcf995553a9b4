import { copyBytes } from '../bytes.js'
import { CompressError, type CompressErrorCode } from '../errors.js'
import type { CodecName, CompressOptions, DecompressOptions } from '../types.js'

/** A job for a pool worker. */
export type Job =
  | { id: number; op: 'compress'; data: Uint8Array; options: CompressOptions }
  | { id: number; op: 'decompress'; data: Uint8Array; options: DecompressOptions & { codec: CodecName } }

/** A worker's answer. */
export type Reply = { id: number; ok: true; data: Uint8Array } | { id: number; ok: false; error: { code?: CompressErrorCode; message: string } }

/** Run one job with the API of the worker's build and make the reply (errors become data). */
export async function runJob(
  job: Job,
  api: {
    compress(data: Uint8Array, options: CompressOptions): Promise<Uint8Array>
    decompress(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array>
  },
): Promise<Reply> {
  try {
    const data = job.op === 'compress' ? await api.compress(job.data, job.options) : await api.decompress(job.data, job.options)
    // Transfer only a buffer the result owns outright: codecs may return views into larger
    // buffers (Node's pooled Buffers among them), which must not be detached.
    return { id: job.id, ok: true, data: ownsBuffer(data) ? data : copyBytes(data) }
  } catch (e) {
    const code = e instanceof CompressError ? e.code : undefined
    return { id: job.id, ok: false, error: { code, message: (e as Error)?.message ?? String(e) } }
  }
}

function ownsBuffer(data: Uint8Array): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer)
}

/** Rebuild the error a worker reported. */
export function replyError(reply: Extract<Reply, { ok: false }>): Error {
  return reply.error.code ? new CompressError(reply.error.code, reply.error.message) : new Error(reply.error.message)
}

/** A private copy of `data` in its own buffer, which can be transferred without detaching the caller's. */
export function transferable(data: Uint8Array): Uint8Array {
  return copyBytes(data)
}
