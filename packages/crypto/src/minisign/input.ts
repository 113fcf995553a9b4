import { concatBytes, copyBytes, toBytes, type BytesLike } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { describe } from './lines.js'

/**
 * What can be signed or verified: bytes in memory, or a stream of chunks for files too large
 * to hold (an async iterable such as a Node `fs.createReadStream`, or a WHATWG
 * `ReadableStream` such as `(await fetch(url)).body` or `file.stream()`). Strings are refused:
 * which bytes a string stands for (UTF-8? with a BOM? CRLF?) is the caller's decision.
 */
export type SignInput = BytesLike | AsyncIterable<BytesLike> | ReadableStream<BytesLike>

type Classified = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'stream'; chunks: () => AsyncIterable<Uint8Array> }

/**
 * Sort `input` into bytes or a chunk source, or `E_ARGUMENT`. Nothing is read yet, so a
 * signature that fails to parse never consumes the caller's stream.
 *
 * @example
 * ```ts
 * classifyInput(createReadStream('model.bin')).kind // 'stream'
 * ```
 */
export function classifyInput(input: unknown, field = 'data'): Classified {
  if (typeof input === 'string') {
    throw new CryptoError('E_ARGUMENT', `${field}: strings are not signed; pass bytes (e.g. new TextEncoder().encode(text)) or a stream`, { details: { field } })
  }
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return { kind: 'bytes', bytes: toBytes(input as BytesLike) }
  if (typeof input === 'object' && input !== null) {
    // getReader first: browsers' ReadableStream is not async-iterable everywhere (Safari).
    if (typeof (input as ReadableStream).getReader === 'function') return { kind: 'stream', chunks: () => readerChunks(input as ReadableStream<unknown>, field) }
    if (typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return { kind: 'stream', chunks: () => iterableChunks(input as AsyncIterable<unknown>, field) }
  }
  throw new CryptoError('E_ARGUMENT', `${field}: expected a Uint8Array, ArrayBuffer, ReadableStream or AsyncIterable of bytes, got ${describe(input)}`, { details: { field } })
}

function chunkBytes(chunk: unknown, index: number, field: string): Uint8Array {
  if (chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk)) return toBytes(chunk as BytesLike)
  throw new CryptoError('E_ARGUMENT', `${field}: chunk ${index} of the stream is a ${describe(chunk)}, not bytes (a stream opened with an encoding?)`, {
    details: { field, chunk: index },
  })
}

async function* iterableChunks(source: AsyncIterable<unknown>, field: string): AsyncGenerator<Uint8Array> {
  let i = 0
  for await (const chunk of source) yield chunkBytes(chunk, i++, field)
}

async function* readerChunks(stream: ReadableStream<unknown>, field: string): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  let done = false
  try {
    for (let i = 0; ; i++) {
      const next = await reader.read()
      if (next.done) {
        done = true
        return
      }
      yield chunkBytes(next.value, i, field)
    }
  } finally {
    // Stopped early (a limit, an error): cancel, as for-await does for async iterables.
    if (!done) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

/**
 * BLAKE2b-512 of the input: minisign's prehash. Streams are hashed chunk by chunk, so memory
 * stays constant whatever the size.
 *
 * @example
 * ```ts
 * await prehash(noblePrimitives, classifyInput(bytes)) // Uint8Array(64)
 * ```
 */
export async function prehash(p: Primitives, input: Classified): Promise<Uint8Array> {
  if (input.kind === 'bytes') return p.hash('blake2b512', input.bytes)
  const hasher = p.createHasher('blake2b512')
  for await (const chunk of input.chunks()) hasher.update(chunk)
  return hasher.digest()
}

/**
 * The whole input in one buffer (legacy 'Ed' signatures sign the message itself), or
 * `undefined` once a stream passes `maxBytes`, at which point it stops reading.
 *
 * @example
 * ```ts
 * await collect(classifyInput(stream), 1 << 28) // Uint8Array, or undefined if larger
 * ```
 */
export async function collect(input: Classified, maxBytes: number): Promise<Uint8Array | undefined> {
  if (input.kind === 'bytes') return input.bytes
  const parts: Uint8Array[] = []
  let total = 0
  for await (const chunk of input.chunks()) {
    total += chunk.length
    if (total > maxBytes) return undefined
    parts.push(copyBytes(chunk)) // a source may reuse its buffer for the next chunk
  }
  return concatBytes(parts)
}
