import { open, type FileHandle } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fromHex } from '@torshpkg/crypto'
import { PackageError } from '../errors.js'
import { FOOTER_SIZE, PREAMBLE_SIZE } from '../layout/constants.js'
import { appendTarget, planAppend, type AppendExpectation, type AppendToFileOptions, type NewSignatureRecord } from '../signing/append.js'

/** What a package opened from this file saw: appending refuses if the file is another by now. */
export interface FileExpectation extends AppendExpectation {
  /** Device and inode of the file that was opened: a file renamed over the path is another file. */
  dev?: number
  ino?: number
}

/**
 * Append signature records to a package file in place: the records and a new footer are
 * written where the old footer starts, so the file only grows at its tail and the data region
 * is never rewritten (signing a 50 GB package writes a few KiB). The existing signature block
 * is checked against its digest first.
 *
 * Not atomic: the tail is written with one positional write and then fsynced, but a crash
 * during that write can leave the file without a valid footer. A write that fails (a full
 * disk, an I/O error) is undone: the old footer is put back and the file cut to its old size.
 * To sign with no crash window, sign a copy and rename it over the original. Another process
 * writing the file at the same time is not detected (there is no portable lock); a change
 * made before this call is.
 *
 * @example
 * ```ts
 * import { createSignatureRecord } from '@torshpkg/crypto'
 * const pkg = await openPackage('model.torshpkg')
 * const record = await createSignatureRecord(pkg, secretKey)
 * await pkg.close()
 * await appendSignaturesToFile('model.torshpkg', [record], { digest: pkg.digest })
 * ```
 */
export async function appendSignaturesToFile(path: string, records: readonly NewSignatureRecord[], options: AppendToFileOptions = {}): Promise<{ size: number }> {
  let digest: Uint8Array | undefined
  if (options.digest !== undefined) {
    if (typeof options.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(options.digest)) {
      throw new PackageError('E_ARGUMENT', 'digest must be sha256:<64 lowercase hex>', { field: 'digest' })
    }
    digest = fromHex(options.digest.slice(7))
  }
  return appendToFile(path, records, { digest }, options.durable ?? true)
}

/** The in-place append behind both the public function and `Package#addSignatures`. */
export async function appendToFile(path: string, records: readonly NewSignatureRecord[], expected: FileExpectation, durable = true): Promise<{ size: number }> {
  const target = resolve(path)
  let handle: FileHandle
  try {
    handle = await open(target, 'r+')
  } catch (e) {
    throw new PackageError('E_SOURCE', `cannot open ${JSON.stringify(path)} for writing: ${(e as Error).message}`, { path, errno: (e as { code?: string }).code }, { cause: e })
  }
  try {
    const stat = await handle.stat()
    if ((expected.dev !== undefined && stat.dev !== expected.dev) || (expected.ino !== undefined && stat.ino !== expected.ino)) {
      throw new PackageError('E_SOURCE_CHANGED', `${JSON.stringify(path)} is no longer the file that was opened (it was replaced)`, { path, what: 'inode' })
    }
    const size = stat.size
    if (expected.size !== undefined && size !== expected.size) {
      throw new PackageError('E_SOURCE_CHANGED', `the package changed since it was opened (size ${expected.size} -> ${size})`, { path, what: 'size' })
    }
    const preamble = await readAt(handle, 0, Math.min(PREAMBLE_SIZE, size))
    const footer = await readAt(handle, Math.max(0, size - FOOTER_SIZE), Math.min(FOOTER_SIZE, size))
    const where = appendTarget(size, preamble, footer, expected)
    const block = await readAt(handle, where.blockStart, where.footer.signaturesLength)
    const plan = planAppend(where, block, records)
    // One positional write at the old footer's offset: everything before it stays as it was.
    try {
      await writeAt(handle, plan.tail, plan.offset)
    } catch (e) {
      // Part of the tail may be on disk, over the old footer: the file would no longer open.
      // Put the old footer back and drop what was written past it (neither needs new space).
      const restored = await writeAt(handle, footer, plan.offset)
        .then(() => handle.truncate(size))
        .then(() => handle.sync())
        .then(
          () => true,
          () => false,
        )
      const outcome = restored ? 'the file was restored as it was' : 'restoring the old footer failed too: the file has no valid footer'
      throw new PackageError('E_SOURCE', `appending to ${JSON.stringify(path)} failed (${(e as Error).message}); ${outcome}`, { path, restored }, { cause: e })
    }
    if (durable) await handle.sync()
    return { size: plan.size }
  } catch (e) {
    if (e instanceof PackageError) throw e
    throw new PackageError('E_SOURCE', `appending to ${JSON.stringify(path)} failed: ${(e as Error).message}`, { path }, { cause: e })
  } finally {
    await handle.close().catch(() => {})
  }
}

async function writeAt(handle: FileHandle, bytes: Uint8Array, offset: number): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, offset + done)
    done += bytesWritten
  }
}

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, offset + done)
    if (bytesRead === 0) throw new PackageError('E_SOURCE_CHANGED', `the file ended at ${offset + done} while reading it (it shrank?)`, { offset })
    done += bytesRead
  }
  return out
}
