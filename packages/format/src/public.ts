// Exports shared by both builds; index.ts and index.node.ts add the environment-bound functions.
export { PackageError, isPackageError, type PackageErrorCode } from './errors.js'
export { Package, type Tensor } from './reader/package.js'
export { PackageWriter, type PackageTarget } from './writer/package-writer.js'
export type { PackageSink } from './writer/sink.js'
export type { PackageData } from './writer/pieces.js'
export type { PackageSource, OpenPackageOptions, PackageMetadata } from './reader/open.js'
export type { RandomAccessSource } from './reader/source.js'
export type { HttpSourceOptions } from './reader/http-source.js'
export type { VerifyOptions, VerifyReport, VerifyIssue, Region } from './reader/verify.js'
export type { SignatureRecord } from './layout/signatures.js'
export { appendSignatures, type NewSignatureRecord, type AppendExpectation, type AppendToFileOptions } from './signing/append.js'
export type { Preamble } from './layout/preamble.js'
export type { Footer } from './layout/footer.js'
export type { IndexTable, ResourceRecord, ChunkRecord } from './layout/index-table.js'
export type { AddOptions, CreatePackageOptions, PackageEntry, PackageSummary, WriteProgress } from './types.js'
export type { CompressionOption } from './chunk-codec.js'
export type { PackageEncryptionOptions, DecryptionOptions } from './encryption/options.js'
export type { ChunkEncryptionAlgorithm } from './encryption/chunk-cipher.js'
export { RESOURCE_TYPES, type ResourceType } from './layout/ids.js'
export { DEFAULT_LIMITS, type PackageLimits } from './limits.js'
export {
  validateManifest,
  canonicalJson,
  manifestSchema,
  type Manifest,
  type ManifestInput,
  type ManifestIssue,
  type ManifestEncryption,
  type PackageRef,
} from './manifest.js'
export { normalizePath, type BadPathReason } from './paths.js'
export { DTYPE_SIZES, tensorView, type DType, type TensorInfo, type TensorArray } from './tensor.js'
export {
  DEFAULT_ALIGNMENT,
  DEFAULT_CHUNK_SIZE,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  MAGIC,
} from './layout/constants.js'
