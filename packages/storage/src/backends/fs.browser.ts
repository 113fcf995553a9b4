import { StorageError } from '../errors.js'
import { FS_WORK_DIR, type FsBackend, type FsBackendOptions } from './fs-types.js'

export { FS_WORK_DIR }
export type { FsBackend, FsBackendOptions, FsSweepResult } from './fs-types.js'

/**
 * The filesystem backend: objects as files under `root` (see the Node build's documentation:
 * atomic, durable writes; exact conditional writes across processes). Browsers have no
 * filesystem: here it throws `E_UNSUPPORTED`. Use `memoryBackend`, `httpBackend` or an
 * object store there.
 */
export function fsBackend(root: string, options?: FsBackendOptions): FsBackend {
  void root
  void options
  throw new StorageError('E_UNSUPPORTED', 'fsBackend needs Node (this is the browser build of @torshpkg/storage)')
}
