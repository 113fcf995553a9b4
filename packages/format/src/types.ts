import type { CodecName, CodecPool } from '@torshpkg/compress'
import type { CompressionOption } from './chunk-codec.js'
import type { PackageEncryptionOptions } from './encryption/options.js'
import type { ResourceType } from './layout/ids.js'
import type { TensorInfo } from './tensor.js'

/** A resource as `entries()` and `add()` describe it. */
export interface PackageEntry {
  path: string
  type: ResourceType
  mediaType: string
  /** Bytes of content. */
  size: number
  /** Bytes its chunks occupy in the file (chunks shared with other resources count in full). */
  storedSize: number
  chunkSize: number
  /** Number of chunks. */
  chunks: number
  /** Codecs its chunks use, e.g. `['none']` or `['deflate', 'none']`. */
  codecs: CodecName[]
  /** Present for tensors; `dtype` may be one this build does not know if a newer writer made the file. */
  tensor?: { dtype: string; shape: number[] }
  /** `true` when the resource is encrypted (reading it needs the package's identity or passphrase); absent otherwise. */
  encrypted?: boolean
}

/** Options for {@link createPackage}. */
export interface CreatePackageOptions {
  /** Bytes per chunk: a multiple of `alignment`, 4 KiB to 64 MiB. Default 1 MiB. */
  chunkSize?: number
  /** Boundary for data stored uncompressed: a power of two, 64 to 4096. Default 64. */
  alignment?: number
  /** Default for every resource: `'auto'` (the default) compresses only chunks that shrink by 10% or more. */
  compression?: CompressionOption
  /** For file-path sinks: fsync the file and its directory before renaming into place. Default true. */
  durable?: boolean
  /** Aborting fails the writer and discards the output (a file sink removes its temp file). */
  signal?: AbortSignal
  /** Called after each chunk is written. */
  onProgress?: (progress: WriteProgress) => void
  /**
   * Compress chunks on these workers (`createPool()` from `@torshpkg/compress`), several at a
   * time. The package is byte-for-byte the same as without it; only faster where compression
   * is the bottleneck. The caller owns the pool and closes it.
   */
  pool?: CodecPool
  /**
   * Encrypt resources chunk by chunk for age `recipients` or a `passphrase` (format 1.1; see
   * docs/format.md, "Encryption"). The manifest, the index and unencrypted resources stay
   * readable without a key. Every resource is encrypted unless `add(..., { encrypt: false })`
   * or `encryption.resources` says otherwise.
   */
  encryption?: PackageEncryptionOptions
}

/** Progress of a writer, reported after each chunk (see `CreatePackageOptions.onProgress`). */
export interface WriteProgress {
  /** The resource being written. */
  path: string
  /** Content bytes of this resource consumed so far. */
  resourceBytes: number
  /** Bytes written to the sink so far. */
  bytesWritten: number
}

/** Options for `writer.add()`. */
export interface AddOptions {
  /** What the resource is for. Default `'weights'` when `tensor` is given, else `'other'`. */
  type?: ResourceType
  /** Default: from the file extension (`.json` -> `application/json`), else `application/octet-stream`. */
  mediaType?: string
  /** Element type and shape; the content size must equal shape x element size. */
  tensor?: { dtype: TensorInfo['dtype'] | string; shape: readonly number[] }
  /** Overrides the package default for this resource. */
  compression?: CompressionOption
  /**
   * Encrypt this resource (overrides `encryption.resources`). Needs `createPackage(..., { encryption })`.
   * Encrypted chunks are never stored aligned, so they are not zero-copy.
   */
  encrypt?: boolean
}

/** What `finish()` returns. */
export interface PackageSummary {
  /** `sha256:<hex>`: the package digest (what signatures sign). */
  digest: string
  /** Bytes in the package file. */
  size: number
  /** Number of resources. */
  resources: number
  entries: PackageEntry[]
  /** The package, for the `'memory'` sink. */
  bytes?: Uint8Array
  /** Absolute path written, for file-path sinks. */
  path?: string
}
