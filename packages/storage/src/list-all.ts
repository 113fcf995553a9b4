import type { ListOptions, ObjectInfo, StorageBackend } from './types.js'

/**
 * Every object under `prefix`, page after page (however many there are: no 1000-key ceiling).
 *
 * @example
 * ```ts
 * for await (const o of listAll(backend, 'models/')) console.log(o.key, o.size)
 * ```
 */
export async function* listAll(backend: StorageBackend, prefix = '', options: Omit<ListOptions, 'cursor'> = {}): AsyncGenerator<ObjectInfo> {
  let cursor: string | undefined
  do {
    const page = await backend.list(prefix, cursor === undefined ? options : { ...options, cursor })
    yield* page.items
    cursor = page.cursor
  } while (cursor !== undefined)
}
