/**
 * Turning what a fetch function returned (bytes, a stream, a response) into bytes, counting
 * them as they arrive and refusing more than a bound.
 */
import { raceAbort } from './abort.js'
import { InstallError } from './errors.js'
import type { FetchResult, ResponseLike } from './types.js'

/**
 * A failed transfer that is not the caller's own error: an HTTP status, a result of the wrong
 * type. The `cause` of an `E_FETCH` error then; `status` is set for an HTTP status.
 */
export class TransferError extends Error {
  override readonly name = 'TransferError'
  readonly retryable: boolean
  readonly status: number | undefined

  constructor(message: string, retryable: boolean, status?: number) {
    super(message)
    this.retryable = retryable
    this.status = status
  }
}

/** What {@link readBody} needs to know. */
export interface BodyContext {
  readonly signal: AbortSignal
  readonly maxBytes: number
  /** `name@version`, for errors. */
  readonly id: string
  readonly attempt: number
  /** Called for every chunk, with its size, before the next is read. */
  readonly onChunk: (bytes: number, totalBytes: number | undefined) => void
}

const RETRYABLE_STATUS = new Set([408, 425, 429])

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === 'function'
}

function isResponseLike(value: unknown): value is ResponseLike {
  const r = value as ResponseLike | null
  return typeof r === 'object' && r !== null && typeof r.ok === 'boolean' && typeof r.status === 'number'
}

function tooLarge(ctx: BodyContext, size: number | string): InstallError {
  return new InstallError('E_TOO_LARGE', `${ctx.id} is larger than maxBytes (${ctx.maxBytes}): ${size} bytes`, { package: ctx.id, attempts: ctx.attempt })
}

function whole(bytes: Uint8Array, ctx: BodyContext): Uint8Array {
  if (bytes.length > ctx.maxBytes) throw tooLarge(ctx, bytes.length)
  if (bytes.length > 0) ctx.onChunk(bytes.length, bytes.length)
  return bytes
}

/** `content-length` when it is the size of the body as read (no content-encoding). */
function declaredLength(response: ResponseLike): number | undefined {
  const headers = response.headers
  if (!headers) return undefined
  const encoding = headers.get('content-encoding')
  if (encoding && encoding.toLowerCase() !== 'identity') return undefined
  const length = headers.get('content-length')
  if (length === null || !/^\d+$/.test(length.trim())) return undefined
  return Number(length.trim())
}

async function readStream(stream: ReadableStream<Uint8Array>, totalBytes: number | undefined, ctx: BodyContext): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let received = 0
  try {
    for (;;) {
      const { done, value } = await raceAbort(reader.read(), ctx.signal)
      if (done) break
      if (!(value instanceof Uint8Array)) throw new TransferError(`${ctx.id}: the stream yielded something other than a Uint8Array`, false)
      received += value.length
      if (received > ctx.maxBytes) throw tooLarge(ctx, `more than ${ctx.maxBytes}`)
      if (value.length === 0) continue
      chunks.push(value)
      ctx.onChunk(value.length, totalBytes)
    }
  } catch (error) {
    reader.cancel(error).catch(() => {})
    throw error
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(received)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * Reads what a fetch function resolved to into one `Uint8Array`. Responses with `ok: false`
 * become a {@link TransferError} (retryable for 408, 425, 429 and 5xx); more than `maxBytes`
 * is `E_TOO_LARGE`, detected from `content-length` before reading when possible.
 */
export async function readBody(result: FetchResult, ctx: BodyContext): Promise<Uint8Array> {
  if (result instanceof Uint8Array) return whole(result, ctx)
  if (result instanceof ArrayBuffer) return whole(new Uint8Array(result), ctx)
  if (isReadableStream(result)) return readStream(result, undefined, ctx)
  if (isResponseLike(result)) {
    if (!result.ok) {
      result.body?.cancel().catch(() => {})
      const status = result.status
      const retryable = RETRYABLE_STATUS.has(status) || (status >= 500 && status <= 599)
      throw new TransferError(`${ctx.id}: HTTP ${status}${result.statusText ? ` ${result.statusText}` : ''}`, retryable, status)
    }
    const totalBytes = declaredLength(result)
    if (totalBytes !== undefined && totalBytes > ctx.maxBytes) {
      result.body?.cancel().catch(() => {})
      throw tooLarge(ctx, totalBytes)
    }
    if (result.body) return readStream(result.body, totalBytes, ctx)
    return whole(new Uint8Array(await raceAbort(result.arrayBuffer(), ctx.signal)), ctx)
  }
  throw new TransferError(`${ctx.id}: fetch resolved to ${result === null ? 'null' : typeof result}, not bytes, a stream or a response`, false)
}
