/** Maxima a reader enforces before allocating anything sized by the file. */
export interface PackageLimits {
  /** Largest manifest accepted (bytes). Default 16 MiB. */
  maxManifestBytes: number
  /** Largest index accepted (bytes). Default 256 MiB (about 4 million chunks). */
  maxIndexBytes: number
  /** Largest signature block accepted (bytes). Default 16 MiB. */
  maxSignatureBytes: number
  /**
   * Most records in the signature block. Default 4,096. A record header is 8 bytes, so the
   * byte limit alone would let 2 million empty records through, each an object in memory.
   */
  maxSignatureRecords: number
  /** Most resources accepted. Default 1,000,000. */
  maxResources: number
  /** Most chunks accepted. Default 4,000,000 (4 TiB at 1 MiB chunks). */
  maxChunks: number
  /** Largest chunk size accepted (bytes), which bounds every decompression. Default 64 MiB. */
  maxChunkSize: number
  /**
   * Largest buffer one `read()`, `readRange()` or `readTensor()` may allocate. Default 1 GiB.
   * Deduplicated and compressed chunks let a small file describe a huge resource, so this
   * bounds what a hostile package can make you allocate. Zero-copy views of an in-memory
   * package allocate nothing and are not limited; `stream()` holds one chunk at a time.
   */
  maxReadBytes: number
}

/**
 * The limits readers apply unless `openPackage(source, { limits })` overrides some.
 *
 * @example
 * ```ts
 * await openPackage(untrustedBytes, { limits: { ...DEFAULT_LIMITS, maxReadBytes: 64 << 20 } })
 * ```
 */
export const DEFAULT_LIMITS: Readonly<PackageLimits> = Object.freeze({
  maxManifestBytes: 16 * 1024 * 1024,
  maxIndexBytes: 256 * 1024 * 1024,
  maxSignatureBytes: 16 * 1024 * 1024,
  maxSignatureRecords: 4096,
  maxResources: 1_000_000,
  maxChunks: 4_000_000,
  maxChunkSize: 64 * 1024 * 1024,
  maxReadBytes: 1024 * 1024 * 1024,
})
