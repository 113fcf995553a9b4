/** Every codec name this package knows about, whether or not this build can run it. */
export type CodecName = 'none' | 'deflate' | 'gzip' | 'zlib' | 'lz4' | 'zstd' | 'xz' | 'lzma'

/** What a codec can do in the current runtime. */
export interface CodecInfo {
  readonly canCompress: boolean
  readonly canDecompress: boolean
  /** Whether a streaming (chunk-by-chunk) API exists for it (none yet: one-shot only). */
  readonly streaming: boolean
}

/** A push-based encoder or decoder: feed input pieces, get the output they complete. */
export interface StreamCoder {
  /** Process `chunk`; `final` marks the end of input. Returns output produced so far (maybe none). */
  push(chunk: Uint8Array, final: boolean): Uint8Array[]
}

/** Named compression presets, mapped to each codec's levels. */
export type Preset = 'fast' | 'balanced' | 'max'

/** A codec's levels: the accepted range, the default, and what each preset means. */
export interface Levels {
  readonly min: number
  readonly max: number
  readonly default: number
  readonly presets: Readonly<Record<Preset, number>>
}

/**
 * One codec implementation. Each lives in its own file under `codecs/`; the API in `api.ts`
 * only dispatches, checks arguments and bounds output.
 */
export interface Codec extends CodecInfo {
  readonly name: CodecName
  /** Levels accepted by `compressSync`, inclusive, the default, and the presets. */
  readonly levels?: Levels
  compressSync?(data: Uint8Array, level: number): Uint8Array
  /**
   * Decode `data`. Must throw `CompressError('E_LIMIT')` rather than produce more than
   * `maxOutputSize` bytes, and `E_CORRUPT` for malformed input. When `expectedSize` is given
   * the implementation may allocate exactly that much up front.
   */
  decompressSync?(data: Uint8Array, maxOutputSize: number, expectedSize?: number): Uint8Array
  /** Asynchronous decoding, for codecs that have no synchronous decoder (xz runs in WebAssembly). */
  decompressAsync?(data: Uint8Array, maxOutputSize: number): Promise<Uint8Array>
  /** A streaming encoder at `level`. */
  createEncoder?(level: number): StreamCoder
  /** A streaming decoder that fails with `E_LIMIT` rather than produce more than `maxOutputSize` bytes. */
  createDecoder?(maxOutputSize: number): StreamCoder
  /** A streaming decoder as a readable/writable pair, for codecs whose decoder is itself a stream. */
  createDecoderStream?(maxOutputSize: number): ReadableWritablePair<Uint8Array, Uint8Array>
  /** A streaming encoder as a readable/writable pair, for codecs whose encoder is itself a stream. */
  createEncoderStream?(level: number): ReadableWritablePair<Uint8Array, Uint8Array>
}

/** Options for {@link compress} and {@link compressSync}. */
export interface CompressOptions {
  codec: CodecName
  /**
   * A codec-specific level (deflate, gzip, zlib: 0 to 9, default 6; zstd: 1 to 19, default 3)
   * or a preset: `'fast'`, `'balanced'` or `'max'`.
   */
  level?: number | Preset
  /**
   * Byte-shuffle the input first, grouping byte k of every `shuffle`-byte element: 2 for
   * float16/bfloat16, 4 for float32, 8 for float64. The output does not record it; pass the
   * same `shuffle` to `decompress`. Not available for streams (it needs the whole input).
   */
  shuffle?: ShuffleWidth
}

/** Options for {@link decompress} and {@link decompressSync}. */
export interface DecompressOptions {
  /** Detected from the magic bytes when omitted (raw deflate has none and must be named). */
  codec?: CodecName
  /**
   * Hard ceiling on output bytes; decoding stops with `E_LIMIT` before exceeding it.
   * Defaults to {@link DEFAULT_MAX_OUTPUT_SIZE}.
   */
  maxOutputSize?: number
  /**
   * The exact decoded size when the caller knows it (a container's chunk table does).
   * Output of any other size is `E_SIZE_MISMATCH`, and the decoder allocates once.
   */
  expectedSize?: number
  /** Undo a byte shuffle applied at compression (see {@link CompressOptions.shuffle}). */
  shuffle?: ShuffleWidth
}

import type { ShuffleWidth } from './filters/shuffle.js'

/** Input accepted wherever bytes are expected. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView

/** 256 MiB: the output ceiling used when a caller gives none. */
export const DEFAULT_MAX_OUTPUT_SIZE = 256 * 1024 * 1024
