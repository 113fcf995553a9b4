import { concatBytes } from './byte-queue.js'
import { copyBytes, toBytes } from './bytes.js'
import { detectCodec } from './detect.js'
import { CompressError } from './errors.js'
import { isShuffleWidth, shuffle, unshuffle } from './filters/shuffle.js'
import {
  DEFAULT_MAX_OUTPUT_SIZE,
  type BytesLike,
  type Codec,
  type CodecInfo,
  type CodecName,
  type CompressOptions,
  type DecompressOptions,
  type StreamCoder,
} from './types.js'

/** Every name in {@link CodecName}, so lookups can tell "unknown" from "not in this build". */
export const CODEC_NAMES: readonly CodecName[] = ['none', 'deflate', 'gzip', 'zlib', 'lz4', 'zstd', 'xz', 'lzma']

const UNAVAILABLE: CodecInfo = Object.freeze({ canCompress: false, canDecompress: false, streaming: false })

/** A streaming transform: use with `readable.pipeThrough(pair)`. */
export type ByteStreamPair = ReadableWritablePair<Uint8Array, Uint8Array>

/** Input for the iterable variants. */
export type ByteSource = AsyncIterable<BytesLike> | Iterable<BytesLike>

/** The public functions, bound to one build's set of codec implementations. */
export interface CompressApi {
  /** What each codec can do in this runtime. */
  codecs: Readonly<Record<CodecName, CodecInfo>>
  /** Compress `data` in one call. */
  compressSync(data: BytesLike, options: CompressOptions): Uint8Array
  /** Decompress `data` in one call (not for xz, whose decoder is asynchronous). */
  decompressSync(data: BytesLike, options?: DecompressOptions): Uint8Array
  /** Compress `data`. */
  compress(data: BytesLike, options: CompressOptions): Promise<Uint8Array>
  /** Decompress `data`, never producing more than `maxOutputSize` bytes. */
  decompress(data: BytesLike, options?: DecompressOptions): Promise<Uint8Array>
  /** A compressing transform stream: `readable.pipeThrough(compressStream({ codec: 'gzip' }))`. */
  compressStream(options: CompressOptions): ByteStreamPair
  /** A decompressing transform stream, bounded by `maxOutputSize` (its codec must be named). */
  decompressStream(options: DecompressOptions & { codec: CodecName }): ByteStreamPair
  /** Compress an (async) iterable of pieces, yielding compressed pieces. */
  compressIterable(source: ByteSource, options: CompressOptions): AsyncIterable<Uint8Array>
  /** Decompress an (async) iterable of pieces, yielding decompressed pieces. */
  decompressIterable(source: ByteSource, options: DecompressOptions & { codec: CodecName }): AsyncIterable<Uint8Array>
}

/** Build the API over `implementations` (the browser build and the Node build differ only here). */
export function createCompressApi(implementations: readonly Codec[]): CompressApi {
  const byName = new Map<CodecName, Codec>(implementations.map((c) => [c.name, c]))
  const codecs = Object.freeze(
    Object.fromEntries(
      CODEC_NAMES.map((name) => {
        const c = byName.get(name)
        const info: CodecInfo = c
          ? Object.freeze({ canCompress: c.canCompress, canDecompress: c.canDecompress, streaming: c.streaming })
          : UNAVAILABLE
        return [name, info]
      }),
    ) as Record<CodecName, CodecInfo>,
  )

  function lookup(name: unknown, direction: 'compress' | 'decompress'): Codec {
    if (typeof name !== 'string' || !(CODEC_NAMES as readonly string[]).includes(name)) {
      throw new CompressError('E_UNKNOWN_CODEC', `unknown codec ${JSON.stringify(name)}; known: ${CODEC_NAMES.join(', ')}`)
    }
    const codec = byName.get(name as CodecName)
    const able = direction === 'compress' ? codec?.canCompress : codec?.canDecompress
    if (!codec || !able) {
      const why =
        direction === 'compress' && (name === 'xz' || name === 'lzma')
          ? `${name} is read-only here (no ${name} encoder is available)`
          : direction === 'compress' && name === 'zstd'
            ? 'zstd compression needs node:zlib zstd (Node >= 22.15); decoding works everywhere'
            : `codec '${name}' cannot ${direction} in this build`
      throw new CompressError('E_CODEC_UNAVAILABLE', why)
    }
    return codec
  }

  function levelOf(codec: Codec, level: CompressOptions['level']): number {
    const levels = codec.levels
    if (level === undefined) return levels?.default ?? 0
    if (typeof level === 'string') {
      const preset = levels?.presets[level]
      if (preset === undefined) throw new CompressError('E_ARGUMENT', `${codec.name}: unknown preset ${JSON.stringify(level)} (fast, balanced or max)`)
      return preset
    }
    if (levels && (!Number.isInteger(level) || level < levels.min || level > levels.max)) {
      throw new CompressError('E_ARGUMENT', `${codec.name}: level must be an integer from ${levels.min} to ${levels.max} or a preset, got ${level}`)
    }
    return level
  }

  function shuffleOf(width: unknown): 2 | 4 | 8 | undefined {
    if (width === undefined) return undefined
    if (!isShuffleWidth(width)) throw new CompressError('E_ARGUMENT', `shuffle must be 2, 4 or 8 (the element width in bytes), got ${JSON.stringify(width)}`)
    return width
  }

  function maxOf(options: DecompressOptions): { max: number; expected: number | undefined } {
    const max = options.maxOutputSize ?? DEFAULT_MAX_OUTPUT_SIZE
    if (!Number.isSafeInteger(max) || max < 0) throw new CompressError('E_ARGUMENT', `maxOutputSize must be a non-negative integer, got ${max}`)
    const expected = options.expectedSize
    if (expected !== undefined) {
      if (!Number.isSafeInteger(expected) || expected < 0) throw new CompressError('E_ARGUMENT', `expectedSize must be a non-negative integer, got ${expected}`)
      if (expected > max) throw new CompressError('E_LIMIT', `expectedSize ${expected} exceeds maxOutputSize ${max}`)
    }
    return { max, expected }
  }

  function compressSync(data: BytesLike, options: CompressOptions): Uint8Array {
    const codec = lookup(options?.codec, 'compress')
    const level = levelOf(codec, options.level)
    const width = shuffleOf(options.shuffle)
    const input = width ? shuffle(toBytes(data), width) : toBytes(data)
    if (!codec.compressSync) throw new CompressError('E_CODEC_UNAVAILABLE', `${codec.name}: no one-shot encoder in this build`)
    return codec.compressSync(input, level)
  }

  /** Check decode options and pick the codec (named, or detected from the magic bytes). */
  function prepare(data: BytesLike, options: DecompressOptions) {
    const bytes = toBytes(data)
    const { max, expected } = maxOf(options)
    const width = shuffleOf(options.shuffle)
    const name = options.codec ?? detectCodec(bytes)
    if (name === undefined) {
      throw new CompressError('E_UNKNOWN_CODEC', 'no codec given and none recognised from the magic bytes (raw deflate must be named)')
    }
    return { bytes, max, expected, width, codec: lookup(name, 'decompress') }
  }

  /** Size checks and the un-shuffle, common to both decode paths. */
  function finish(out: Uint8Array, name: string, expected: number | undefined, width: 2 | 4 | 8 | undefined): Uint8Array {
    if (expected !== undefined && out.length !== expected) {
      throw new CompressError('E_SIZE_MISMATCH', `${name}: decoded ${out.length} bytes, expected ${expected}`)
    }
    return width ? unshuffle(out, width) : out
  }

  /** With an expected size, running past it is a size mismatch rather than a limit. */
  function sizeError(e: unknown, name: string, expected: number | undefined): unknown {
    if (expected !== undefined && e instanceof CompressError && e.code === 'E_LIMIT') {
      return new CompressError('E_SIZE_MISMATCH', `${name}: output exceeds the expected ${expected} bytes`, { cause: e })
    }
    return e
  }

  function decompressSync(data: BytesLike, options: DecompressOptions = {}): Uint8Array {
    const { bytes, max, expected, width, codec } = prepare(data, options)
    if (!codec.decompressSync) throw new CompressError('E_CODEC_UNAVAILABLE', `${codec.name}: decoding is asynchronous only; use decompress()`)
    let out: Uint8Array
    try {
      out = codec.decompressSync(bytes, expected ?? max, expected)
    } catch (e) {
      throw sizeError(typed(e, codec.name), codec.name, expected)
    }
    return finish(out, codec.name, expected, width)
  }

  async function decompress(data: BytesLike, options: DecompressOptions = {}): Promise<Uint8Array> {
    const { bytes, max, expected, width, codec } = prepare(data, options)
    if (codec.decompressSync) return decompressSync(bytes, { ...options, codec: codec.name })
    let out: Uint8Array
    try {
      out = await codec.decompressAsync!(bytes, expected ?? max)
    } catch (e) {
      throw sizeError(typed(e, codec.name), codec.name, expected)
    }
    return finish(out, codec.name, expected, width)
  }

  function compressStream(options: CompressOptions): ByteStreamPair {
    const codec = lookup(options?.codec, 'compress')
    const level = levelOf(codec, options.level)
    if (options.shuffle !== undefined) throw new CompressError('E_ARGUMENT', 'shuffle needs the whole input at once: use compress(), not a stream')
    if (codec.createEncoder) return coderStream(codec.createEncoder(level))
    if (codec.createEncoderStream) return codec.createEncoderStream(level)
    throw new CompressError('E_CODEC_UNAVAILABLE', `${codec.name}: no streaming encoder in this build`)
  }

  function decompressStream(options: DecompressOptions & { codec: CodecName }): ByteStreamPair {
    const codec = lookup(options?.codec, 'decompress')
    const { max } = maxOf(options)
    if (options.shuffle !== undefined) throw new CompressError('E_ARGUMENT', 'shuffle needs the whole output at once: use decompress(), not a stream')
    if (codec.createDecoder) return coderStream(codec.createDecoder(max))
    if (codec.createDecoderStream) {
      const inner = codec.createDecoderStream(max)
      return { writable: inner.writable, readable: inner.readable.pipeThrough(limitStream(codec.name, max)) }
    }
    // One-shot codecs (lzma): gather the input and decode at the end.
    return coderStream(wholeInputDecoder(codec, max))
  }

  return {
    codecs,
    compressSync,
    decompressSync,
    compress: async (data, options) => compressSync(data, options),
    decompress,
    compressStream,
    decompressStream,
    compressIterable: (source, options) => iterate(compressStream(options), source),
    decompressIterable: (source, options) => iterate(decompressStream(options), source),
  }
}

/**
 * Decoders throw CompressErrors; anything else escaping one is still reported as one, so bad
 * input never surfaces as a bare RangeError: a failed allocation is a limit, the rest corrupt.
 */
function typed(e: unknown, name: string): unknown {
  if (e instanceof CompressError) return e
  const message = (e as Error)?.message ?? String(e)
  if (e instanceof RangeError && /allocat|array length|buffer/i.test(message)) {
    return new CompressError('E_LIMIT', `${name}: the output is too large to allocate (${message})`, { cause: e })
  }
  return new CompressError('E_CORRUPT', `${name}: the decoder failed on this input (${message})`, { cause: e })
}

/** A TransformStream over a push-based coder. */
function coderStream(coder: StreamCoder): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      for (const out of coder.push(toBytes(chunk), false)) controller.enqueue(out)
    },
    flush(controller) {
      for (const out of coder.push(new Uint8Array(0), true)) controller.enqueue(out)
    },
  })
}

/** Errors the stream with E_LIMIT once more than `max` bytes have passed. */
function limitStream(name: string, max: number): TransformStream<Uint8Array, Uint8Array> {
  let total = 0
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      total += chunk.length
      if (total > max) throw new CompressError('E_LIMIT', `${name}: output exceeds maxOutputSize ${max}`)
      controller.enqueue(chunk)
    },
  })
}

/**
 * For codecs with only a one-shot decoder: collect the input, decode at the end. The input is
 * capped too: no LZ-family stream is more than ~1/64 larger than its output (incompressible
 * data is stored with a small overhead), so anything bigger cannot fit the output limit.
 */
function wholeInputDecoder(codec: Codec, max: number): StreamCoder {
  const parts: Uint8Array[] = []
  let size = 0
  const cap = max + Math.ceil(max / 64) + (64 << 10)
  return {
    push(chunk, final) {
      size += chunk.length
      if (size > cap) throw new CompressError('E_LIMIT', `${codec.name}: input too large to decode within maxOutputSize ${max}`)
      parts.push(copyBytes(chunk))
      return final ? [codec.decompressSync!(concatBytes(parts, size), max)] : []
    },
  }
}

/** Pump `source` into `pair.writable` while yielding from `pair.readable`. */
async function* iterate(pair: ByteStreamPair, source: AsyncIterable<BytesLike> | Iterable<BytesLike>): AsyncGenerator<Uint8Array> {
  const writer = pair.writable.getWriter()
  // An error from the source is the caller's own: it is rethrown as it came, not as the
  // decoder's reaction to the stream being aborted.
  let sourceError: { error: unknown } | undefined
  const pump = (async () => {
    try {
      for await (const piece of source as AsyncIterable<BytesLike>) await writer.write(toBytes(piece))
      await writer.close()
    } catch (e) {
      sourceError ??= { error: e }
      await writer.abort(e).catch(() => {})
    }
  })()
  const reader = pair.readable.getReader()
  try {
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>
      try {
        step = await reader.read()
      } catch (e) {
        await pump
        throw sourceError && !(sourceError.error instanceof CompressError) ? sourceError.error : e
      }
      if (step.done) break
      yield step.value
    }
    await pump
    if (sourceError) throw sourceError.error
  } finally {
    await reader.cancel().catch(() => {})
  }
}
