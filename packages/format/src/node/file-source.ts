import { open } from 'node:fs/promises'
import { resolve } from 'node:path'
import { checkedSource, type ByteSource } from '../reader/source.js'
import { appendToFile } from './append-file.js'

/**
 * Opens a package file for positional reads: only the bytes asked for are ever read. The
 * source can also append signature records to the file in place (`Package#addSignatures`),
 * refusing if the path no longer holds the file, at the size and with the footer, it had.
 */
export async function openFileSource(path: string): Promise<ByteSource> {
  const target = resolve(path)
  const handle = await open(target, 'r')
  try {
    const { size, dev, ino } = await handle.stat()
    const source = checkedSource(
      'file',
      size,
      async (offset, length) => {
        const out = new Uint8Array(length)
        let done = 0
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done)
          if (bytesRead === 0) throw new Error(`unexpected end of file at ${offset + done} (the file shrank?)`)
          done += bytesRead
        }
        return out
      },
      () => handle.close(),
    )
    return {
      ...source,
      async appendSignatures(records, expected) {
        await appendToFile(target, records, { ...expected, size, dev, ino })
        return openFileSource(target)
      },
    }
  } catch (e) {
    await handle.close()
    throw e
  }
}
