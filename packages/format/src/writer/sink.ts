import { copyBytes } from '@torshpkg/crypto'
import { PackageError } from '../errors.js'

/**
 * Where a writer sends bytes, in order. Implement this for destinations the library does not
 * know; `WritableStream`s, file paths (Node) and `'memory'` are built in.
 *
 * @example
 * ```ts
 * const parts: Uint8Array[] = []
 * const w = createPackage({ write: (b) => { parts.push(new Uint8Array(b)) } }, manifest)
 * ```
 */
export interface PackageSink {
  write(bytes: Uint8Array): Promise<void> | void
  close?(): Promise<void> | void
  abort?(reason?: unknown): Promise<void> | void
}

/** A sink after adaptation. */
export interface Sink {
  write(bytes: Uint8Array): Promise<void>
  /**
   * Overwrite bytes already written. Only seekable sinks (memory, files) have it; the writer
   * uses it to fill in the preamble's tail locator, which lets readers open in one round trip.
   */
  patch?(offset: number, bytes: Uint8Array): Promise<void>
  finish(): Promise<{ bytes?: Uint8Array; path?: string }>
  abort(reason?: unknown): Promise<void>
}

/** Collects the package in memory; `finish()` returns it as one buffer. */
export function memorySink(): Sink {
  const parts: Uint8Array[] = []
  const patches: { offset: number; bytes: Uint8Array }[] = []
  let size = 0
  return {
    async write(bytes) {
      // Copy: the caller may reuse or mutate its buffer after add() resolves.
      parts.push(copyBytes(bytes))
      size += bytes.length
    },
    async patch(offset, bytes) {
      patches.push({ offset, bytes: copyBytes(bytes) })
    },
    async finish() {
      const out = new Uint8Array(size)
      let at = 0
      for (const p of parts) {
        out.set(p, at)
        at += p.length
      }
      parts.length = 0
      for (const p of patches) out.set(p.bytes, p.offset)
      return { bytes: out }
    },
    async abort() {
      parts.length = 0
    },
  }
}

/** Writes to a WHATWG `WritableStream`, honouring its backpressure. */
export function writableStreamSink(stream: WritableStream<Uint8Array>): Sink {
  const writer = stream.getWriter()
  return {
    async write(bytes) {
      await writer.ready
      await writer.write(bytes)
    },
    async finish() {
      await writer.close()
      return {}
    },
    async abort(reason) {
      await writer.abort(reason).catch(() => {})
    },
  }
}

/** Adapts a caller's `{ write, close?, abort? }` object. */
export function customSink(sink: PackageSink): Sink {
  return {
    write: async (bytes) => {
      await sink.write(bytes)
    },
    async finish() {
      await sink.close?.()
      return {}
    },
    async abort(reason) {
      await sink.abort?.(reason)
    },
  }
}

/** Wraps sink failures as `E_SOURCE` so callers see one error type. */
export function sinkError(e: unknown, what: string): PackageError {
  if (e instanceof PackageError) return e
  return new PackageError('E_SOURCE', `${what} failed: ${(e as Error)?.message ?? e}`, {}, { cause: e })
}
