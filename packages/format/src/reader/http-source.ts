import { concatBytes } from '@torshpkg/crypto'
import { PackageError } from '../errors.js'
import { checkedSource, type ByteSource } from './source.js'

/** Options for opening a package over HTTP(S). */
export interface HttpSourceOptions {
  /** A fetch implementation (default: the global `fetch`). */
  fetch?: typeof globalThis.fetch
  /**
   * Extra request headers, e.g. `Authorization`. Non-safelisted headers cost a CORS preflight.
   * Cross-origin servers must send `Access-Control-Expose-Headers: Content-Range, ETag` (without
   * ETag, a file replaced by one of the same size is caught by the chunk hashes instead).
   */
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Bytes requested by the first request (default 64 KiB). */
  headBytes?: number
  /** Largest body accepted from a server that ignores `Range` and sends the whole file (default 16 MiB). */
  maxFullDownload?: number
}

const DEFAULT_HEAD = 64 * 1024
const DEFAULT_FULL = 16 * 1024 * 1024

/**
 * Open `url` for ranged reads. The first request is `Range: bytes=0-(head-1)`: an explicit
 * range is CORS-safelisted, whereas a suffix range (`bytes=-N`) would cost a preflight. Its
 * `Content-Range` gives the file size, and its body is kept to answer reads near the start.
 * Every later response must be a 206 for exactly the bytes asked, from the same file (size
 * and ETag unchanged), or the read fails with a typed error.
 */
export async function openHttpSource(url: string, options: HttpSourceOptions = {}): Promise<ByteSource> {
  const fetchFn = options.fetch ?? globalThis.fetch
  if (typeof fetchFn !== 'function') throw new PackageError('E_ARGUMENT', 'no fetch implementation available for an HTTP source')
  const headBytes = options.headBytes ?? DEFAULT_HEAD
  const maxFull = options.maxFullDownload ?? DEFAULT_FULL
  for (const [name, value] of [['headBytes', headBytes], ['maxFullDownload', maxFull]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new PackageError('E_ARGUMENT', `${name} must be a positive integer, got ${value}`, { field: name })
  }
  const shown = redact(url)

  let etag: string | null = null
  let size = -1

  async function request(start: number, end: number, first: boolean) {
    let res: Response
    try {
      res = await fetchFn(url, {
        headers: { ...options.headers, Range: `bytes=${start}-${end}` },
        signal: options.signal,
      })
    } catch (e) {
      if (options.signal?.aborted) throw new PackageError('E_ABORTED', `request to ${shown} aborted`, { url: shown }, { cause: e })
      throw new PackageError('E_SOURCE', `request to ${shown} failed: ${(e as Error)?.message ?? e}`, { url: shown }, { cause: e })
    }
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('content-range'))
      if (!range) {
        await res.body?.cancel()
        throw new PackageError(
          'E_SOURCE',
          `${shown} answered 206 without a readable Content-Range (a cross-origin server must send Access-Control-Expose-Headers: Content-Range)`,
          { url: shown },
        )
      }
      const total = range.total
      const expectedEnd = first ? Math.min(end, total - 1) : end
      if (range.start !== start || range.end !== expectedEnd) {
        await res.body?.cancel()
        throw new PackageError('E_SOURCE', `${shown} sent bytes ${range.start}-${range.end} for a request of ${start}-${end}`, { url: shown })
      }
      checkSame(res, total)
      return { total, body: await readBody(res, range.end - range.start + 1, shown, options.signal) }
    }
    if (res.status === 200 && first) {
      // The server ignored Range: accept the whole file only if it is small.
      const declared = res.headers.get('content-length')
      const length = declared === null ? undefined : Number(declared)
      const tooBig = () =>
        new PackageError('E_SOURCE', `${shown} does not support Range requests and the file is too large to download whole (limit ${maxFull} bytes)`, { url: shown, status: 200 })
      if (length !== undefined && (!Number.isSafeInteger(length) || length > maxFull)) {
        await res.body?.cancel()
        throw tooBig()
      }
      // Without a Content-Length, read up to the limit and refuse anything longer.
      const body = await readBody(res, length ?? maxFull, shown, options.signal, length === undefined ? tooBig : undefined)
      checkSame(res, body.length)
      return { total: body.length, body }
    }
    if (res.status === 416 && first) {
      // Only an empty file makes "bytes=0-N" unsatisfiable.
      await res.body?.cancel()
      const total = parseUnsatisfiedRange(res.headers.get('content-range'))
      return { total: total ?? 0, body: new Uint8Array(0) }
    }
    await res.body?.cancel()
    throw new PackageError('E_SOURCE', `${shown} answered HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`, { url: shown, status: res.status })
  }

  function checkSame(res: Response, total: number) {
    const tag = res.headers.get('etag')
    if (size === -1) {
      size = total
      etag = tag
      return
    }
    if (total !== size || (etag !== null && tag !== null && tag !== etag)) {
      throw new PackageError('E_SOURCE_CHANGED', `${shown} changed while it was being read (size or ETag differ)`, { url: shown })
    }
  }

  const first = await request(0, headBytes - 1, true)
  const head = first.body
  return checkedSource(
    'http',
    first.total,
    async (offset, length) => {
      const end = offset + length
      if (end <= head.length) return head.subarray(offset, end)
      if (offset < head.length) {
        // Starts inside the cached head: fetch only the rest.
        const rest = (await request(head.length, end - 1, false)).body
        const out = new Uint8Array(length)
        out.set(head.subarray(offset))
        out.set(rest, head.length - offset)
        return out
      }
      return (await request(offset, end - 1, false)).body
    },
    () => {},
    headBytes,
  )
}

/** `bytes 0-99/1234` -> { start, end, total }; anything else (including `/*`) -> undefined. */
function parseContentRange(value: string | null) {
  const m = value ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim()) : null
  if (!m) return undefined
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return Number.isSafeInteger(total) && start <= end && end < total ? { start, end, total } : undefined
}

function parseUnsatisfiedRange(value: string | null): number | undefined {
  const m = value ? /^bytes \*\/(\d+)$/.exec(value.trim()) : null
  return m ? Number(m[1]) : undefined
}

/**
 * Read a response body of exactly `length` bytes into one buffer, refusing more or fewer.
 * With `upTo`, `length` is only a ceiling: a shorter body is fine, a longer one is `upTo()`.
 */
async function readBody(
  res: Response,
  length: number,
  shown: string,
  signal: AbortSignal | undefined,
  upTo?: () => PackageError,
): Promise<Uint8Array> {
  // A known length is read straight into its buffer; a ceiling collects pieces, then joins them.
  const exact = upTo ? undefined : new Uint8Array(length)
  const chunks: Uint8Array[] = []
  let at = 0
  if (res.body) {
    const reader = res.body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (at + value.length > length) {
          throw upTo ? upTo() : new PackageError('E_SOURCE', `${shown} sent more than the ${length} bytes it announced`, { url: shown })
        }
        if (exact) exact.set(value, at)
        else chunks.push(value)
        at += value.length
      }
    } catch (e) {
      await reader.cancel().catch(() => {})
      if (e instanceof PackageError) throw e
      if (signal?.aborted) throw new PackageError('E_ABORTED', `request to ${shown} aborted`, { url: shown }, { cause: e })
      throw new PackageError('E_SOURCE', `reading the body from ${shown} failed: ${(e as Error)?.message ?? e}`, { url: shown }, { cause: e })
    }
  }
  if (exact) {
    if (at !== length) throw new PackageError('E_SOURCE', `${shown} sent ${at} of ${length} bytes`, { url: shown })
    return exact
  }
  // One piece (the usual case) is returned as it is; crypto's concatBytes always copies.
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks)
}

/** The URL without credentials or query string, for messages. */
function redact(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    u.search = u.search ? '?…' : ''
    return u.toString()
  } catch {
    return '(invalid URL)'
  }
}
