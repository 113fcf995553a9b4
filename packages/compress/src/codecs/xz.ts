import * as xzDecompress from 'xz-decompress'
import { concatBytes } from '../byte-queue.js'
import { CompressError } from '../errors.js'
import type { Codec } from '../types.js'

// xz-decompress is a CommonJS (webpack) bundle with no `exports` map and an __esModule flag:
// Node's ESM loader puts its exports on `default`, CJS interop puts them on the namespace.
type XzModule = { XzReadableStream: new (input: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array> }
const xzModule = xzDecompress as unknown as Partial<XzModule> & { default?: XzModule }
const XzReadableStream = (xzModule.XzReadableStream ?? xzModule.default!.XzReadableStream)

/** Largest LZMA2 dictionary accepted (xz -9 uses 64 MiB). */
export const MAX_DICTIONARY = 128 * 1024 * 1024
const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]
const corrupt = (why: string) => new CompressError('E_CORRUPT', `xz: ${why}`)

/**
 * Check what the first block header of an .xz stream asks for before the decoder allocates
 * it: the WebAssembly decoder sizes its dictionary from the header (up to 1.5 GiB).
 */
export function checkXzHeader(data: Uint8Array, max: number): void {
  if (data.length < 12 || MAGIC.some((b, i) => data[i] !== b)) throw corrupt('not an .xz stream (bad magic bytes)')
  // Stream flags: XZ Embedded verifies none, CRC32 and CRC64 (what xz writes by default), not SHA-256.
  const check = data[7]! & 0x0f
  if (data[6] !== 0 || (data[7]! & 0xf0) !== 0) throw corrupt('invalid stream flags')
  if (check !== 0 && check !== 1 && check !== 4) {
    throw new CompressError('E_CODEC_UNAVAILABLE', `xz: streams with ${check === 10 ? 'SHA-256' : `check type ${check}`} integrity checks are not supported (use --check=crc64, the default)`)
  }
  if (data.length < 13) return // too short to hold a block: the decoder will say so
  const headerSize = (data[12]! + 1) * 4
  if (data[12] === 0 || data.length < 12 + headerSize) return // the index (an empty stream), or truncated
  let at = 14
  const flags = data[13]!
  const varint = () => {
    let value = 0
    for (let shift = 0; shift < 63; shift += 7) {
      const b = data[at++]
      if (b === undefined) throw corrupt('block header ends inside a number')
      value += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return value
    }
    throw corrupt('overlong number in a block header')
  }
  if (flags & 0x40) varint() // compressed size
  if (flags & 0x80) {
    const uncompressed = varint()
    if (uncompressed > max) throw new CompressError('E_LIMIT', `xz: block of ${uncompressed} bytes exceeds maxOutputSize ${max}`)
  }
  for (let f = 0; f <= (flags & 3); f++) {
    const id = varint()
    const propsSize = varint()
    if (id === 0x21 && propsSize === 1) {
      const bits = data[at]! & 0x3f
      const dictionary = bits === 40 ? 0xffffffff : (2 | (bits & 1)) * 2 ** ((bits >> 1) + 11)
      if (dictionary > MAX_DICTIONARY) throw new CompressError('E_LIMIT', `xz: dictionary of ${dictionary} bytes exceeds the ${MAX_DICTIONARY}-byte limit`)
    }
    at += propsSize
  }
}

/**
 * Holds back the start of a stream until the stream header and first block header can be
 * checked (as the one-shot path does), then passes everything through.
 */
function headerGate(max: number): TransformStream<Uint8Array, Uint8Array> {
  let head: Uint8Array | undefined = new Uint8Array(0)
  const release = (controller: TransformStreamDefaultController<Uint8Array>) => {
    checkXzHeader(head!, max)
    if (head!.length) controller.enqueue(head!)
    head = undefined
  }
  return new TransformStream({
    transform(chunk, controller) {
      if (!head) return controller.enqueue(chunk)
      head = concatBytes([head, chunk])
      // 12-byte stream header, then a block header of at most 1024 bytes.
      if (head.length >= 13 && (head[12] === 0 || head.length >= 12 + (head[12]! + 1) * 4)) release(controller)
      else if (head.length > 12 + 1024) release(controller)
    },
    flush(controller) {
      if (head) release(controller)
    },
  })
}

/** The decoder's output, with its plain Errors turned into CompressErrors. */
function typedErrors(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      } catch (e) {
        throw e instanceof CompressError ? e : corrupt(`malformed or truncated stream (${(e as Error)?.message ?? e})`)
      }
    },
    cancel: (reason) => reader.cancel(reason),
  })
}

/** Read a decoded stream to the end, refusing output past `max`. */
async function drain(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const reader = stream.getReader()
  const parts: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > max) throw new CompressError('E_LIMIT', `xz: output exceeds maxOutputSize ${max}`)
      parts.push(value)
    }
  } catch (e) {
    // Cancelling matters: xz-decompress runs one decoder at a time behind a lock it releases on cancel.
    await reader.cancel().catch(() => {})
    if (e instanceof CompressError) throw e
    throw corrupt(`malformed or truncated stream (${(e as Error)?.message ?? e})`)
  }
  return concatBytes(parts, total)
}

/**
 * xz: decoding only, through xz-decompress (XZ Embedded compiled to WebAssembly), which is
 * asynchronous. There is no synchronous xz decoder and no xz encoder: use the async API.
 */
export const xz: Codec = {
  name: 'xz',
  canCompress: false,
  canDecompress: true,
  streaming: true,
  async decompressAsync(data, maxOutputSize) {
    checkXzHeader(data, maxOutputSize)
    const input = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(data)
        controller.close()
      },
    })
    return drain(new XzReadableStream(input), maxOutputSize)
  },
  createDecoderStream(maxOutputSize = Number.MAX_SAFE_INTEGER) {
    const gate = headerGate(maxOutputSize)
    return { writable: gate.writable, readable: typedErrors(new XzReadableStream(gate.readable)) }
  },
}
