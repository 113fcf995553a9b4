import { concatBytes } from '@torshpkg/crypto'
import { StorageError, throwIfAborted } from './errors.js'

/** A caller's body cut into parts of a fixed size, read as they are asked for. */
export interface PartSource {
  /** The next part (`undefined` at the end). */
  next(signal: AbortSignal | undefined): Promise<Uint8Array | undefined>
  /** Stops reading (the body stream is cancelled). */
  cancel(reason: unknown): Promise<void>
}

/**
 * The parts of a body: `partSize` bytes each (the last one shorter, none for an empty body),
 * each a fresh buffer (a part can be held while the next is read). `head` is what was read
 * already, `reader` the rest (none: `head` is the whole body). Multipart S3 uploads and
 * chunked registry uploads cut streams this way.
 */
export function partsOf(head: Uint8Array[], reader: ReadableStreamDefaultReader<Uint8Array> | undefined, partSize: number, key: string): PartSource {
  const pending = head.filter((c) => c.length > 0)
  let ended = reader === undefined
  return {
    async next(signal) {
      const take: Uint8Array[] = []
      let have = 0
      while (have < partSize) {
        if (pending.length === 0) {
          if (ended) break
          throwIfAborted(signal, key)
          const r = await readBody(reader!, key)
          if (r === undefined) {
            ended = true
            break
          }
          if (r.length > 0) pending.push(r)
          continue
        }
        const c = pending[0]!
        const want = partSize - have
        if (c.length <= want) {
          take.push(c)
          have += c.length
          pending.shift()
        } else {
          take.push(c.subarray(0, want))
          pending[0] = c.subarray(want)
          have += want
        }
      }
      return have === 0 ? undefined : concatBytes(take)
    },
    async cancel(reason) {
      pending.length = 0
      if (!ended) {
        ended = true
        await reader!.cancel(reason).catch(() => {})
      }
    },
  }
}

/**
 * One chunk of the caller's body stream (`undefined` at its end): its failure is
 * `E_UNAVAILABLE`, a chunk that is not a Uint8Array `E_ARGUMENT`.
 */
export async function readBody(reader: ReadableStreamDefaultReader<Uint8Array>, key: string): Promise<Uint8Array | undefined> {
  let r: ReadableStreamReadResult<Uint8Array>
  try {
    r = await reader.read()
  } catch (e) {
    if (e instanceof StorageError) throw e
    throw new StorageError('E_UNAVAILABLE', `${key}: reading the body stream failed: ${describe(e)}`, { key, cause: e })
  }
  if (r.done) return undefined
  if (!(r.value instanceof Uint8Array)) throw new StorageError('E_ARGUMENT', `put: the body stream must yield Uint8Arrays`, { key })
  return r.value
}

/** An error's message, with its cause's code or message (what fetch's "fetch failed" hides). */
export function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause
  const message = e instanceof Error ? e.message : String(e)
  return cause?.code ? `${message} (${cause.code})` : cause?.message ? `${message} (${cause.message})` : message
}
