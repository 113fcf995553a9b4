// Exports shared by both builds; index.node.ts adds the Node-only backends.
export { StorageError, isStorageError, type StorageErrorCode } from './errors.js'
export type {
  StorageBackend,
  ObjectInfo,
  ByteRange,
  RequestOptions,
  GetOptions,
  PutOptions,
  DeleteOptions,
  ListOptions,
  ListPage,
  PutBody,
} from './types.js'
export { checkKey, compareKeys, MAX_KEY_BYTES } from './keys.js'
export { listAll } from './list-all.js'
export { memoryBackend, type MemoryBackendOptions } from './backends/memory.js'
export { StorageManager, type StorageManagerOptions, type StorageStats } from './manager/storage-manager.js'
export { backoffDelay, type RetryOptions } from './manager/backoff.js'
export type { LatencySummary } from './manager/latency.js'
export { ContentStore, type ContentStoreOptions, type BlobInfo, type RefInfo, type GcOptions, type GcResult } from './content/content-store.js'
export { PackageCache, type PackageCacheOptions, type PackageCacheStats } from './content/package-cache.js'
export { isDigest, type Digest } from './content/digest.js'
export { httpBackend, type HttpBackendOptions } from './backends/http.js'
export { RegistryClient, type RegistryClientOptions, type PackageVersionInfo, type PublishOptions, type OciDescriptor } from './registry/client.js'
export type { RegistryAuth } from './registry/transport.js'
export { parseChallenges, type Challenge } from './registry/challenge.js'
export * as registryMediaTypes from './registry/media-types.js'
export { s3Backend, type S3BackendOptions } from './backends/s3.js'
export { ociBackend, OCI_OBJECT_ARTIFACT_TYPE, type OciBackendOptions } from './backends/oci.js'
