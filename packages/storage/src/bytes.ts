import { concatBytes } from '@torshpkg/crypto'
import { StorageError, throwIfAborted } from './errors.js'
import type { ByteRange, PutBody } from './types.js'

/**
 * Reads a stream to the end into one buffer; `E_LIMIT` past `maxBytes` (nothing larger is
 * ever held), `E_ABORTED` when `signal` fires.
 */
export async function readAll(stream: ReadableStream<Uint8Array>, maxBytes = Number.MAX_SAFE_INTEGER, signal?: AbortSignal): Promise<Uint8Array> {
  const reader = stream.getReader()
  const parts: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      throwIfAborted(signal)
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > maxBytes) throw new StorageError('E_LIMIT', `more than ${maxBytes} bytes`)
      parts.push(value)
    }
  } catch (e) {
    await reader.cancel(e).catch(() => {})
    throw e
  } finally {
    reader.releaseLock()
  }
  // Always a copy: a stream may hand out buffers its producer reuses.
  return concatBytes(parts)
}

/**
 * A response's body, at most `max` bytes: `E_LIMIT` past it (nothing larger is held),
 * `E_UNAVAILABLE` when the connection fails while reading.
 */
export async function responseBytes(res: Response, max: number): Promise<Uint8Array> {
  if (res.body === null) return new Uint8Array(0)
  try {
    return await readAll(res.body, max)
  } catch (e) {
    if (e instanceof StorageError) throw e
    throw new StorageError('E_UNAVAILABLE', `reading a response: ${e instanceof Error ? e.message : String(e)}`, { cause: e, status: res.status })
  }
}

/** A stream of `bytes` in pieces of at most `chunk` bytes (views, not copies). */
export function streamOf(bytes: Uint8Array, chunk = 1 << 20): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close()
        return
      }
      const end = Math.min(at + chunk, bytes.length)
      controller.enqueue(bytes.subarray(at, end))
      at = end
    },
  }, { highWaterMark: 0 })
}

/** Is `body` a stream (rather than bytes)? */
export function isStream(body: PutBody): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream).getReader === 'function'
}

/** Checks `body` is bytes or a ReadableStream: `E_ARGUMENT` otherwise. */
export function checkBody(body: PutBody, key: string): void {
  if (body instanceof Uint8Array || (typeof body === 'object' && body !== null && isStream(body))) return
  throw new StorageError('E_ARGUMENT', `put: the body must be a Uint8Array or a ReadableStream<Uint8Array>`, { key })
}

/**
 * `[start, end)` of `range` within an object of `size` bytes: a range starting past the end
 * is `E_ARGUMENT`; one running past it is cut at the end (as HTTP does).
 */
export function rangeWithin(range: ByteRange | undefined, size: number, key: string): [number, number] {
  if (range === undefined) return [0, size]
  const { offset, length } = range
  if (!Number.isSafeInteger(offset) || offset < 0) throw new StorageError('E_ARGUMENT', `range.offset must be a non-negative integer, got ${offset}`, { key })
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) throw new StorageError('E_ARGUMENT', `range.length must be a non-negative integer, got ${length}`, { key })
  if (offset > size || (offset === size && size > 0 && length !== 0)) {
    throw new StorageError('E_ARGUMENT', `range starts at ${offset}, past the end of ${size} bytes`, { key })
  }
  const end = length === undefined ? size : Math.min(size, offset + length)
  return [offset, end]
}

/** Checks a listing `limit`: a positive integer at most `max`, else `E_ARGUMENT`; `max` when absent. */
export function pageLimit(limit: number | undefined, max: number): number {
  if (limit === undefined) return max
  if (!Number.isSafeInteger(limit) || limit < 1) throw new StorageError('E_ARGUMENT', `list: limit must be a positive integer, got ${limit}`)
  return Math.min(limit, max)
}
