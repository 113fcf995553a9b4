import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Sink } from '../writer/sink.js'

/**
 * Writes a package to `path` atomically: everything goes to a temp file in the same
 * directory, which is fsynced and renamed over `path` only when the package is complete.
 * A crash or `abort()` leaves no partial file at `path`.
 */
export async function openFileSink(path: string, options: { durable?: boolean } = {}): Promise<Sink> {
  const target = resolve(path)
  const dir = dirname(target)
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', 0o644)
  const durable = options.durable ?? true
  let position = 0
  let closed = false

  async function writeAt(bytes: Uint8Array, at: number): Promise<void> {
    let done = 0
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, at + done)
      done += bytesWritten
    }
  }

  return {
    async write(bytes) {
      await writeAt(bytes, position)
      position += bytes.length
    },
    patch: (offset, bytes) => writeAt(bytes, offset),
    async finish() {
      if (durable) await handle.sync()
      closed = true
      await handle.close()
      await rename(temp, target)
      if (durable) await syncDirectory(dir)
      return { path: target }
    },
    async abort() {
      if (!closed) {
        closed = true
        await handle.close().catch(() => {})
      }
      await unlink(temp).catch(() => {})
    },
  }
}

// Make the rename itself durable. Some platforms cannot fsync a directory; that is not an error.
async function syncDirectory(dir: string): Promise<void> {
  let h
  try {
    h = await open(dir, 'r')
    await h.sync()
  } catch {
    // EISDIR/EPERM/EINVAL on platforms without directory fsync.
  } finally {
    await h?.close().catch(() => {})
  }
}
