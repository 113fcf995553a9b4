import { PackageError } from '../errors.js'

/** Everything `add()` accepts as resource content. */
export type PackageData =
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | string
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>

const encoder = new TextEncoder()

/** Content whose size is known before reading it, as bytes where that is free. */
export function sizedInput(data: PackageData): { size: number; bytes?: Uint8Array; blob?: Blob } | undefined {
  if (data instanceof Uint8Array) return { size: data.length, bytes: data }
  if (ArrayBuffer.isView(data)) return { size: data.byteLength, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
  if (data instanceof ArrayBuffer) return { size: data.byteLength, bytes: new Uint8Array(data) }
  if (typeof data === 'string') {
    const bytes = encoder.encode(data)
    return { size: bytes.length, bytes }
  }
  if (typeof Blob !== 'undefined' && data instanceof Blob) return { size: data.size, blob: data }
  return undefined
}

/**
 * Cut `data` into pieces of exactly `chunkSize` bytes (the last may be shorter). In-memory
 * input is sliced without copying; streamed input is gathered into fresh chunk buffers, one
 * allocation per chunk.
 */
export async function* pieces(
  data: PackageData,
  chunkSize: number,
  sized = sizedInput(data),
): AsyncGenerator<Uint8Array> {
  if (sized?.bytes) {
    for (let at = 0; at < sized.bytes.length; at += chunkSize) yield sized.bytes.subarray(at, at + chunkSize)
    return
  }
  const parts = sized?.blob ? readStream(sized.blob.stream()) : streamOf(data)
  let buffer: Uint8Array | undefined
  let fill = 0
  for await (const part of parts) {
    let p = asBytes(part)
    while (p.length > 0) {
      if (fill === 0 && p.length >= chunkSize) {
        yield p.subarray(0, chunkSize)
        p = p.subarray(chunkSize)
        continue
      }
      buffer ??= new Uint8Array(chunkSize)
      const n = Math.min(chunkSize - fill, p.length)
      buffer.set(p.subarray(0, n), fill)
      fill += n
      p = p.subarray(n)
      if (fill === chunkSize) {
        yield buffer
        buffer = undefined
        fill = 0
      }
    }
  }
  if (fill > 0) yield buffer!.subarray(0, fill)
}

function streamOf(data: PackageData): AsyncIterable<unknown> | Iterable<unknown> {
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return readStream(data)
  const d = data as unknown as Record<symbol, unknown>
  if (d && (typeof d[Symbol.asyncIterator] === 'function' || typeof d[Symbol.iterator] === 'function')) {
    return data as AsyncIterable<unknown>
  }
  throw new PackageError(
    'E_ARGUMENT',
    'resource data must be a Uint8Array, ArrayBuffer, string, Blob, ReadableStream or (async) iterable of Uint8Array',
    { field: 'data' },
  )
}

// Through getReader(), not async iteration: Safari's ReadableStream is not async-iterable.
async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

function asBytes(part: unknown): Uint8Array {
  if (part instanceof Uint8Array) return part
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength)
  if (part instanceof ArrayBuffer) return new Uint8Array(part)
  throw new PackageError('E_ARGUMENT', `resource stream yielded ${typeof part === 'string' ? 'a string' : typeof part}; expected Uint8Array pieces`, { field: 'data' })
}

/** Whether `data` is a kind of value `pieces()` accepts (checked before any byte is written). */
export function isPackageData(data: unknown): data is PackageData {
  if (sizedInput(data as PackageData)) return true
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return true
  const d = data as Record<symbol, unknown> | null
  return !!d && typeof d === 'object' && (typeof d[Symbol.asyncIterator] === 'function' || typeof d[Symbol.iterator] === 'function')
}
