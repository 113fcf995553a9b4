/** What a backend knows about a stored object. */
export interface ObjectInfo {
  readonly key: string
  /** Bytes. */
  readonly size: number
  /**
   * Opaque version tag, changed by every write of the key: pass it as `ifMatch` to replace
   * exactly this version (compare-and-swap).
   */
  readonly etag: string
  /** Last write, milliseconds since the epoch (where the backend keeps it). */
  readonly modified?: number
  readonly contentType?: string
}

/** A byte range: `length` bytes from `offset` (to the end when `length` is left out). */
export interface ByteRange {
  readonly offset: number
  readonly length?: number
}

export interface RequestOptions {
  /** Cancels the operation (`E_ABORTED`). */
  readonly signal?: AbortSignal
}

export interface GetOptions extends RequestOptions {
  /** Only these bytes; a range starting past the end is `E_ARGUMENT`, one running past it is cut at the end. */
  readonly range?: ByteRange
  /** Only if the object's ETag is this one, else `E_CONFLICT` (reading a version you listed). */
  readonly ifMatch?: string
}

export interface PutOptions extends RequestOptions {
  /** `'*'`: create only; `E_CONFLICT` when the key exists. */
  readonly ifNoneMatch?: '*'
  /** Replace only this version (an ETag from `stat`/`put`/`list`); `E_CONFLICT` otherwise, and when the key is gone. */
  readonly ifMatch?: string
  readonly contentType?: string
  /**
   * Expected SHA-256 of the bytes (hex): the backend checks it before the object becomes
   * visible and refuses with `E_INTEGRITY` (nothing is written) when they differ.
   */
  readonly sha256?: string
}

export interface DeleteOptions extends RequestOptions {
  /** Delete only this version; `E_CONFLICT` when the object changed. */
  readonly ifMatch?: string
}

export interface ListOptions extends RequestOptions {
  /** Continue after this page (the `cursor` of the previous one). */
  readonly cursor?: string
  /** Most items per page (default and maximum are the backend's: 1000 for most). */
  readonly limit?: number
}

/** One page of a listing, keys in ascending order (UTF-8 byte order, as S3 sorts). */
export interface ListPage {
  readonly items: ObjectInfo[]
  /** Present when there is more: pass it as `cursor` for the next page. */
  readonly cursor?: string
}

/** Bytes to store: whole, or a stream (written as it arrives, never buffered whole). */
export type PutBody = Uint8Array | ReadableStream<Uint8Array>

/**
 * The interface every backend implements (one file per backend under `backends/`); the
 * shared conformance suite (test/conformance.ts) holds each of them to the same behaviour.
 * Keys are `/`-separated paths (see `checkKey`); errors are `StorageError`s with stable codes.
 */
export interface StorageBackend {
  /** Which backend this is (`memory`, `fs`, `http`, `s3`, `oci`, or a wrapper's name). */
  readonly name: string
  /** Whether writes are possible (`http` is read-only). */
  readonly writable: boolean
  /**
   * How far conditional writes (`ifMatch`, `ifNoneMatch`) hold. `'atomic'` (also when absent):
   * the store checks and writes in one step, exact between processes and machines. `'process'`:
   * exact between callers of this backend object only; writers elsewhere can race the check
   * (`oci`: registries have no conditional tag writes).
   */
  readonly conditionalWrites?: 'atomic' | 'process'
  has(key: string, options?: RequestOptions): Promise<boolean>
  /** The object's size, ETag and time; `undefined` when there is none. */
  stat(key: string, options?: RequestOptions): Promise<ObjectInfo | undefined>
  /** The bytes (or a range of them); `E_NOT_FOUND` when there is no object. */
  get(key: string, options?: GetOptions): Promise<Uint8Array>
  /** The bytes as a stream (or a range of them); `E_NOT_FOUND` when there is no object. */
  getStream(key: string, options?: GetOptions): Promise<ReadableStream<Uint8Array>>
  /** Writes the object atomically: readers see the old bytes or the new ones, never a mix. */
  put(key: string, body: PutBody, options?: PutOptions): Promise<ObjectInfo>
  /** Removes the object; resolves to whether there was one. */
  delete(key: string, options?: DeleteOptions): Promise<boolean>
  /** One page of the objects whose keys start with `prefix` ('' for all). */
  list(prefix: string, options?: ListOptions): Promise<ListPage>
  /** Releases what the backend holds open (connections, file handles). */
  close?(): Promise<void>
}
