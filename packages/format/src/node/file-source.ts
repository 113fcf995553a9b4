import { open } from 'node:fs/promises'
import { checkedSource, type ByteSource } from '../reader/source.js'

/** Opens a package file for positional reads: only the bytes asked for are ever read. */
export async function openFileSource(path: string): Promise<ByteSource> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    return checkedSource(
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
  } catch (e) {
    await handle.close()
    throw e
  }
}
