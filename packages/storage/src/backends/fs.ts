import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readdir, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { createHasher, toHex } from '@torshpkg/crypto'
import { checkBody, isStream, pageLimit, rangeWithin, streamOf } from '../bytes.js'
import { checkDigest, checkSha256 } from '../digest.js'
import { StorageError, throwIfAborted } from '../errors.js'
import { checkKey, checkPrefix, compareKeys } from '../keys.js'
import type { DeleteOptions, GetOptions, ListOptions, ListPage, ObjectInfo, PutBody, PutOptions, RequestOptions } from '../types.js'
import { FS_WORK_DIR, type FsBackend, type FsBackendOptions } from './fs-types.js'

export { FS_WORK_DIR }
export type { FsBackend, FsBackendOptions, FsSweepResult } from './fs-types.js'

const CHUNK = 1 << 20
const READ_ALL_CHUNK = 64 << 20

/**
 * Objects as files under `root`, one file per key at the key's path (so the tree is what you
 * would expect to find there). Writes are atomic and durable: the bytes go to a temporary file
 * in `root/.torshpkg-work`, are fsynced, and are renamed into place; a writer killed at any
 * point leaves either the old object or the new one (and a temp file `sweep` removes). Writes
 * and deletes of a key hold a lock file created with O_EXCL, so conditional writes are exact
 * across processes. Keys that would escape the root are refused by `checkKey`. A key cannot
 * be both an object and a "directory" of others (`a` and `a/b`): that write is `E_CONFLICT`.
 * Node only.
 *
 * @example
 * ```ts
 * import { fsBackend } from '@torshpkg/storage'
 * const disk = fsBackend('/var/lib/models')
 * await disk.put('bert/1.0.0.torshpkg', bytes, { ifNoneMatch: '*' })
 * ```
 */
export function fsBackend(root: string, options: FsBackendOptions = {}): FsBackend {
  if (typeof root !== 'string' || root === '') throw new StorageError('E_ARGUMENT', 'fsBackend: root must be a directory path')
  const maxPage = options.maxPageSize === undefined ? 1000 : pageLimit(options.maxPageSize, Number.MAX_SAFE_INTEGER)
  const staleLockMs = options.staleLockMs ?? 30_000
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000
  const sync = options.noSync !== true
  const work = join(root, FS_WORK_DIR)
  const locks = join(work, 'locks')
  let ready: Promise<void> | undefined
  const prepare = () => (ready ??= mkdir(locks, { recursive: true }).then(() => undefined))

  const pathOf = (key: string): string => {
    checkKey(key)
    if (key === FS_WORK_DIR || key.startsWith(`${FS_WORK_DIR}/`)) {
      throw new StorageError('E_INVALID_KEY', `invalid key ${JSON.stringify(key)}: "${FS_WORK_DIR}" is the fs backend's work directory`, { key })
    }
    return join(root, ...key.split('/'))
  }

  /** The object's info, or undefined (no file, or a directory). */
  const info = async (key: string, path: string): Promise<ObjectInfo | undefined> => {
    try {
      const s = await stat(path, { bigint: true })
      if (!s.isFile()) return undefined
      return { key, size: Number(s.size), etag: etagOf(s.ino, s.size, s.mtimeNs), modified: Number(s.mtimeMs) }
    } catch (e) {
      if (isCode(e, 'ENOENT', 'ENOTDIR')) return undefined
      throw failed(e, key)
    }
  }

  /** Opens the object for reading, checking `ifMatch` against the open file. */
  const openObject = async (key: string, options: GetOptions): Promise<{ fh: FileHandle; size: number }> => {
    const path = pathOf(key)
    throwIfAborted(options.signal, key)
    let fh: FileHandle
    try {
      fh = await open(path, 'r')
    } catch (e) {
      if (isCode(e, 'ENOENT', 'ENOTDIR', 'EISDIR')) throw new StorageError('E_NOT_FOUND', `no object ${JSON.stringify(key)}`, { key })
      throw failed(e, key)
    }
    try {
      const s = await fh.stat({ bigint: true })
      if (!s.isFile()) throw new StorageError('E_NOT_FOUND', `no object ${JSON.stringify(key)}`, { key })
      const etag = etagOf(s.ino, s.size, s.mtimeNs)
      if (options.ifMatch !== undefined && options.ifMatch !== etag) throw new StorageError('E_CONFLICT', `${key}: ETag is ${etag}, not ${options.ifMatch}`, { key })
      return { fh, size: Number(s.size) }
    } catch (e) {
      await fh.close()
      throw e
    }
  }

  /** Runs `fn` holding the lock of `key` (a file created with O_EXCL; stale ones are broken). */
  const withLock = async <T>(key: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> => {
    await prepare()
    const lock = join(locks, toHex(createHasher('sha256').update(key).digest()))
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal, key)
      try {
        const fh = await open(lock, 'wx')
        await fh.writeFile(`${process.pid} ${Date.now()}\n`)
        await fh.close()
        break
      } catch (e) {
        if (!isCode(e, 'EEXIST')) throw failed(e, key)
      }
      const stale = await staleLock(lock, staleLockMs)
      if (stale !== undefined) {
        await breakLock(lock, stale)
        continue
      }
      if (Date.now() - started > lockTimeoutMs) throw new StorageError('E_UNAVAILABLE', `${key}: another writer has held it for over ${lockTimeoutMs} ms`, { key })
      await sleep(Math.min(50, 1 + attempt) * (0.5 + Math.random()))
    }
    try {
      return await fn()
    } finally {
      await unlink(lock).catch(() => {})
    }
  }

  /** Writes `body` to a new temp file (fsynced), hashing it when asked; returns its path. */
  const writeTemp = async (key: string, body: PutBody, options: PutOptions): Promise<string> => {
    await prepare()
    const temp = join(work, `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}.tmp`)
    const hasher = options.sha256 === undefined ? undefined : createHasher('sha256')
    const fh = await open(temp, 'wx').catch((e: unknown) => {
      throw failed(e, key)
    })
    try {
      if (isStream(body)) {
        const reader = body.getReader()
        try {
          for (;;) {
            throwIfAborted(options.signal, key)
            const { done, value } = await reader.read()
            if (done) break
            hasher?.update(value)
            await writeFully(fh, value)
          }
        } catch (e) {
          await reader.cancel(e).catch(() => {})
          throw e
        } finally {
          reader.releaseLock()
        }
      } else {
        hasher?.update(body)
        await writeFully(fh, body)
      }
      if (hasher !== undefined) checkDigest(options.sha256!, toHex(hasher.digest()), key)
      if (sync) await fh.sync()
      await fh.close()
      return temp
    } catch (e) {
      await fh.close().catch(() => {})
      await unlink(temp).catch(() => {})
      throw e instanceof StorageError ? e : failed(e, key)
    }
  }

  /** Renames `temp` to `path`, making parent directories (again, if a delete removed them meanwhile). */
  const place = async (key: string, temp: string, path: string): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(parentOf(path), { recursive: true })
        await rename(temp, path)
        break
      } catch (e) {
        if (isCode(e, 'ENOENT') && attempt < 3) continue
        if (isCode(e, 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOTEMPTY')) {
          throw new StorageError('E_CONFLICT', `${key}: a key on its path is an object, or the key is a prefix of others (the fs backend cannot hold both "a" and "a/b")`, { key, cause: e })
        }
        throw failed(e, key)
      }
    }
    if (sync) await syncDir(parentOf(path))
  }

  const backend: FsBackend = {
    name: 'fs',
    writable: true,
    root,
    async has(key: string, options: RequestOptions = {}) {
      throwIfAborted(options.signal, key)
      return (await info(key, pathOf(key))) !== undefined
    },
    async stat(key: string, options: RequestOptions = {}) {
      throwIfAborted(options.signal, key)
      return info(key, pathOf(key))
    },
    async get(key: string, options: GetOptions = {}) {
      const { fh, size } = await openObject(key, options)
      try {
        const [start, end] = rangeWithin(options.range, size, key)
        const out = new Uint8Array(end - start)
        let at = 0
        while (at < out.length) {
          throwIfAborted(options.signal, key)
          // Big reads: each is a trip through libuv's thread pool (1 MiB reads ran at a sixth of `cat`).
          const { bytesRead } = await fh.read(out, at, Math.min(READ_ALL_CHUNK, out.length - at), start + at)
          if (bytesRead === 0) throw new StorageError('E_UNAVAILABLE', `${key}: the file ended at ${start + at} while being read`, { key })
          at += bytesRead
        }
        return out
      } finally {
        await fh.close()
      }
    },
    async getStream(key: string, options: GetOptions = {}) {
      const { fh, size } = await openObject(key, options)
      let start: number
      let end: number
      try {
        ;[start, end] = rangeWithin(options.range, size, key)
      } catch (e) {
        await fh.close()
        throw e
      }
      if (start === end) {
        await fh.close()
        return streamOf(new Uint8Array(0))
      }
      let at = start
      let closed = false
      const close = async () => {
        if (closed) return
        closed = true
        await fh.close()
      }
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              const buf = new Uint8Array(Math.min(CHUNK, end - at))
              const { bytesRead } = await fh.read(buf, 0, buf.length, at)
              if (bytesRead === 0) throw new StorageError('E_UNAVAILABLE', `${key}: the file ended at ${at} while being read`, { key })
              at += bytesRead
              controller.enqueue(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead))
              if (at >= end) {
                await close()
                controller.close()
              }
            } catch (e) {
              await close().catch(() => {})
              controller.error(e instanceof StorageError ? e : failed(e, key))
            }
          },
          async cancel() {
            await close()
          },
        },
        { highWaterMark: 0 },
      )
    },
    async put(key: string, body: PutBody, options: PutOptions = {}) {
      const path = pathOf(key)
      checkBody(body, key)
      if (options.sha256 !== undefined) checkSha256(options.sha256, key)
      throwIfAborted(options.signal, key)
      const temp = await writeTemp(key, body, options)
      try {
        return await withLock(key, options.signal, async () => {
          // Conditions are checked under the lock, at the moment of the rename.
          if (options.ifNoneMatch === '*' || options.ifMatch !== undefined) {
            const current = await info(key, path)
            if (options.ifNoneMatch === '*' && current !== undefined) throw new StorageError('E_CONFLICT', `${key} exists (ifNoneMatch: '*')`, { key })
            if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
              throw new StorageError('E_CONFLICT', current === undefined ? `${key} does not exist (ifMatch)` : `${key}: ETag is ${current.etag}, not ${options.ifMatch}`, { key })
            }
          }
          await place(key, temp, path)
          const written = await info(key, path)
          if (written === undefined) throw new StorageError('E_UNAVAILABLE', `${key} vanished right after it was written`, { key })
          return options.contentType === undefined ? written : { ...written, contentType: options.contentType }
        })
      } finally {
        await unlink(temp).catch(() => {}) // (gone after a successful rename)
      }
    },
    async delete(key: string, options: DeleteOptions = {}) {
      const path = pathOf(key)
      throwIfAborted(options.signal, key)
      return withLock(key, options.signal, async () => {
        const current = await info(key, path)
        if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
          throw new StorageError('E_CONFLICT', current === undefined ? `${key} does not exist (ifMatch)` : `${key}: ETag is ${current.etag}, not ${options.ifMatch}`, { key })
        }
        if (current === undefined) return false
        try {
          await unlink(path)
        } catch (e) {
          if (isCode(e, 'ENOENT')) return false
          throw failed(e, key)
        }
        // Empty directories up to the root go too (a concurrent put into one re-makes it).
        for (let dir = parentOf(path); dir.length > root.length && dir.startsWith(root); dir = parentOf(dir)) {
          try {
            await rmdir(dir)
          } catch {
            break
          }
        }
        return true
      })
    },
    async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
      checkPrefix(prefix)
      throwIfAborted(options.signal)
      const limit = pageLimit(options.limit, maxPage)
      const cursor = options.cursor
      const items: ObjectInfo[] = []
      let more = false
      // Start in the deepest directory the prefix names; its last segment filters names there.
      const slash = prefix.lastIndexOf('/')
      const baseKey = slash < 0 ? '' : prefix.slice(0, slash + 1)
      const walk = async (dirKey: string): Promise<boolean> => {
        let entries: { name: string; dir: boolean }[]
        try {
          const dirents = await readdir(dirKey === '' ? root : join(root, ...dirKey.slice(0, -1).split('/')), { withFileTypes: true })
          entries = dirents.filter((d) => d.isFile() || d.isDirectory()).map((d) => ({ name: d.name, dir: d.isDirectory() }))
        } catch (e) {
          if (isCode(e, 'ENOENT', 'ENOTDIR')) return true
          throw failed(e, dirKey)
        }
        // Sorting "name/" for directories gives whole keys in S3's order ("a-c" before "a/b").
        entries.sort((a, b) => compareKeys(a.dir ? `${a.name}/` : a.name, b.dir ? `${b.name}/` : b.name))
        for (const e of entries) {
          throwIfAborted(options.signal)
          const key = `${dirKey}${e.name}`
          if (dirKey === '' && e.name === FS_WORK_DIR) continue
          if (e.dir) {
            const sub = `${key}/`
            // Skip subtrees outside the prefix, or wholly at or before the cursor.
            if (!sub.startsWith(prefix) && !prefix.startsWith(sub)) continue
            if (cursor !== undefined && compareKeys(sub, cursor) < 0 && !cursor.startsWith(sub)) continue
            if (!(await walk(sub))) return false
            continue
          }
          if (!key.startsWith(prefix)) continue
          if (cursor !== undefined && compareKeys(key, cursor) <= 0) continue
          if (!isValidKey(key)) continue // a file put there by other means
          if (items.length === limit) {
            more = true
            return false
          }
          const i = await info(key, join(root, ...key.split('/')))
          if (i !== undefined) items.push(i)
        }
        return true
      }
      await walk(baseKey)
      return more ? { items, cursor: items[items.length - 1]!.key } : { items }
    },
    async sweep(olderThanMs = 3_600_000) {
      await prepare()
      let tempFiles = 0
      let lockCount = 0
      const now = Date.now()
      for (const name of await readdir(work)) {
        if (!name.endsWith('.tmp')) continue
        const path = join(work, name)
        const s = await stat(path).catch(() => undefined)
        if (s !== undefined && now - s.mtimeMs > olderThanMs && (await unlink(path).then(() => true, () => false))) tempFiles++
      }
      for (const name of await readdir(locks)) {
        const path = join(locks, name)
        const stale = await staleLock(path, staleLockMs)
        if (stale !== undefined && (await breakLock(path, stale))) lockCount++
      }
      return { tempFiles, locks: lockCount }
    },
  }
  return backend
}

function etagOf(ino: bigint, size: bigint, mtimeNs: bigint): string {
  // A new file (new inode) for every write, so the ETag changes even within one mtime tick.
  return `"${ino.toString(36)}-${size.toString(36)}-${mtimeNs.toString(36)}"`
}

function parentOf(path: string): string {
  const i = path.lastIndexOf(sep)
  return i <= 0 ? path : path.slice(0, i)
}

async function writeFully(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let at = 0
  while (at < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, at, bytes.length - at)
    at += bytesWritten
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined)
  if (fh === undefined) return
  try {
    await fh.sync()
  } catch {
    // (Some filesystems refuse fsync on directories; the rename itself is still atomic.)
  } finally {
    await fh.close()
  }
}

/**
 * Removes the lock at `path` if it still holds `stale` (its content when found stale). It is
 * renamed away first, so that of two writers breaking the same lock only one removes it, and
 * a fresh lock taken meanwhile by a third is put back rather than deleted.
 */
async function breakLock(path: string, stale: string): Promise<boolean> {
  const away = `${path}.${randomBytes(6).toString('hex')}.broken`
  try {
    await rename(path, away)
  } catch {
    return false // someone else broke it
  }
  const text = await readText(away)
  if (text === stale) {
    await unlink(away).catch(() => {})
    return true
  }
  await link(away, path).catch(() => {}) // a live lock: back where it was
  await unlink(away).catch(() => {})
  return false
}

async function readText(path: string): Promise<string | undefined> {
  try {
    const fh = await open(path, 'r')
    try {
      return await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch {
    return undefined
  }
}

/** The lock's content when it was left by a dead process or is older than `staleMs`, else undefined. */
async function staleLock(path: string, staleMs: number): Promise<string | undefined> {
  return (await lockIsStale(path, staleMs)) ? ((await readText(path)) ?? undefined) : undefined
}

/** Is the lock at `path` left by a dead process, or older than `staleMs`? */
async function lockIsStale(path: string, staleMs: number): Promise<boolean> {
  let text: string
  let mtime: number
  try {
    const fh = await open(path, 'r')
    try {
      text = await fh.readFile('utf8')
      mtime = (await fh.stat()).mtimeMs
    } finally {
      await fh.close()
    }
  } catch {
    return false // gone already (or being written): not ours to break
  }
  if (Date.now() - mtime > staleMs) return true
  const pid = Number(text.split(' ')[0])
  if (!Number.isSafeInteger(pid) || pid <= 0) return Date.now() - mtime > 1000 // half-written by its holder
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (e) {
    return isCode(e, 'ESRCH')
  }
}

function isValidKey(key: string): boolean {
  try {
    checkKey(key)
    return true
  } catch {
    return false
  }
}

function isCode(e: unknown, ...codes: string[]): boolean {
  return typeof e === 'object' && e !== null && codes.includes((e as { code?: string }).code ?? '')
}

function failed(e: unknown, key: string): StorageError {
  if (e instanceof StorageError) return e
  const code = (e as { code?: string } | null)?.code
  return new StorageError('E_UNAVAILABLE', `${key}: ${code ?? ''} ${e instanceof Error ? e.message : String(e)}`.trim(), { key, cause: e })
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))
