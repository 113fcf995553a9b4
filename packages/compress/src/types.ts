/** Every codec name this package knows about, whether or not this build can run it. */
export type CodecName = 'none' | 'deflate' | 'gzip' | 'zlib' | 'lz4' | 'zstd' | 'xz' | 'lzma'

/** What a codec can do in the current runtime. */
export interface CodecInfo {
  readonly canCompress: boolean
  readonly canDecompress: boolean
  /** Whether a streaming (chunk-by-chunk) API exists for it (none yet: one-shot only). */
  readonly streaming: boolean
}

/**
 * One codec implementation. Each lives in its own file under `codecs/`; the API in `api.ts`
 * only dispatches, checks arguments and bounds output.
 */
export interface Codec extends CodecInfo {
  readonly name: CodecName
  /** Levels accepted by `compressSync`, inclusive, and the default. */
  readonly levels?: { readonly min: number; readonly max: number; readonly default: number }
  compressSync?(data: Uint8Array, level: number): Uint8Array
  /**
   * Decode `data`. Must throw `CompressError('E_LIMIT')` rather than produce more than
   * `maxOutputSize` bytes, and `E_CORRUPT` for malformed input. When `expectedSize` is given
   * the implementation may allocate exactly that much up front.
   */
  decompressSync?(data: Uint8Array, maxOutputSize: number, expectedSize?: number): Uint8Array
}

/** Options for {@link compress} and {@link compressSync}. */
export interface CompressOptions {
  codec: CodecName
  /** Codec-specific level; deflate takes 0 (store) to 9 (smallest), default 6. */
  level?: number
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
}

/** Input accepted wherever bytes are expected. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView

/** 256 MiB: the output ceiling used when a caller gives none. */
export const DEFAULT_MAX_OUTPUT_SIZE = 256 * 1024 * 1024
