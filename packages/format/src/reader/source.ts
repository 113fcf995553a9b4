import { PackageError } from '../errors.js'
import { FOOTER_SIZE } from '../layout/constants.js'
import { appendSignatures, type AppendExpectation, type NewSignatureRecord } from '../signing/append.js'

/**
 * Anything that can hand out byte ranges of a file of known size: implement this to open
 * packages from storage the library does not know (IndexedDB, a cloud SDK, a zip entry).
 *
 * @example
 * ```ts
 * const source = { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) }
 * const pkg = await openPackage(source)
 * ```
 */
export interface RandomAccessSource {
  /** Total bytes. */
  readonly size: number
  /** Exactly `length` bytes starting at `offset` (the caller keeps within `size`). */
  read(offset: number, length: number): Promise<Uint8Array> | Uint8Array
  close?(): Promise<void> | void
}

/** A source after adaptation: bounds-checked, with its kind and read-ahead hint. */
export interface ByteSource {
  readonly size: number
  readonly kind: 'memory' | 'blob' | 'file' | 'http' | 'custom'
  /**
   * Base number of bytes worth fetching from the end when the tail's position is unknown:
   * an HTTP request should fetch a generous tail (the reader adds an estimate of the index),
   * a file read needs only the footer.
   */
  readonly tailHint: number
  read(offset: number, length: number): Promise<Uint8Array>
  close(): Promise<void>
  /**
   * Present where the bytes behind the source can take new signature records: bytes the
   * caller passed to `openPackage` (the result is a new buffer) and, in Node, a file opened
   * by path (appended in place). Resolves to a source over the signed package. Absent for
   * Blobs, HTTP, custom sources and derived sources (a decrypted age stream): those are
   * read-only.
   */
  appendSignatures?(records: readonly NewSignatureRecord[], expected: AppendExpectation): Promise<ByteSource>
}

/** Wraps raw reads with the checks every source needs: in bounds, exact length, typed errors. */
export function checkedSource(
  kind: ByteSource['kind'],
  size: number,
  readRaw: (offset: number, length: number) => Promise<Uint8Array> | Uint8Array,
  close: () => Promise<void> | void = () => {},
  tailHint = FOOTER_SIZE,
): ByteSource {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new PackageError('E_ARGUMENT', `source size must be a non-negative integer, got ${size}`)
  }
  let closed = false
  return {
    size,
    kind,
    tailHint,
    async read(offset, length) {
      if (closed) throw new PackageError('E_CLOSED', 'the package is closed')
      if (offset < 0 || length < 0 || offset + length > size) {
        throw new PackageError('E_TRUNCATED', `read of ${length} bytes at ${offset} runs past the end of the ${size}-byte file`, { offset, length, size })
      }
      if (length === 0) return new Uint8Array(0)
      let bytes: Uint8Array
      try {
        bytes = await readRaw(offset, length)
      } catch (e) {
        if (e instanceof PackageError) throw e
        throw new PackageError('E_SOURCE', `reading ${length} bytes at ${offset} failed: ${(e as Error)?.message ?? e}`, { offset, length }, { cause: e })
      }
      if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
        throw new PackageError('E_SOURCE', `the source returned ${bytes instanceof Uint8Array ? bytes.length + ' bytes' : typeof bytes} for a ${length}-byte read at ${offset}`, { offset, length })
      }
      return bytes
    },
    async close() {
      if (closed) return
      closed = true
      await close()
    },
  }
}

/** An in-memory package: reads are zero-copy views. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return checkedSource('memory', bytes.length, (o, l) => bytes.subarray(o, o + l))
}

/**
 * Bytes the caller handed to `openPackage`: like {@link bytesSource}, and signature records
 * can be appended, giving a source over a new buffer (the caller's bytes are not modified).
 */
export function appendableBytesSource(bytes: Uint8Array): ByteSource {
  return {
    ...bytesSource(bytes),
    async appendSignatures(records, expected) {
      return appendableBytesSource(appendSignatures(bytes, records, expected))
    },
  }
}

/** A Blob or File: reads slice and load only the bytes asked for. */
export function blobSource(blob: Blob): ByteSource {
  return checkedSource('blob', blob.size, async (o, l) => new Uint8Array(await blob.slice(o, o + l).arrayBuffer()))
}

/** A caller's `{ size, read }` object. */
export function customSource(source: RandomAccessSource): ByteSource {
  if (typeof source.read !== 'function') throw new PackageError('E_ARGUMENT', 'a custom source needs a read(offset, length) method')
  return checkedSource('custom', source.size, (o, l) => source.read(o, l), () => source.close?.())
}
