import type { StorageBackend } from '../types.js'

/** Directory under the root for files being written and key locks; never a key. */
export const FS_WORK_DIR = '.torshpkg-work'

/** Options of {@link fsBackend}. */
export interface FsBackendOptions {
  /** Most items per `list` page (default 1000). */
  readonly maxPageSize?: number
  /** A lock left by a writer older than this is broken (default 30 s; a live writer holds one for milliseconds). */
  readonly staleLockMs?: number
  /** How long a write waits for a key held by another writer before `E_UNAVAILABLE` (default 10 s). */
  readonly lockTimeoutMs?: number
  /** Skip fsync (tests of throughput only: a crash can then lose acknowledged writes). Default false. */
  readonly noSync?: boolean
}

/** What `fsBackend(...).sweep()` removed. */
export interface FsSweepResult {
  /** Files of writers that died before finishing (never visible as objects). */
  readonly tempFiles: number
  /** Locks of writers that died holding them. */
  readonly locks: number
}

/** The fs backend adds {@link FsBackend.sweep} to the interface. */
export interface FsBackend extends StorageBackend {
  readonly root: string
  /** Removes what crashed writers left in the work directory (files older than `olderThanMs`, default 1 h). */
  sweep(olderThanMs?: number): Promise<FsSweepResult>
}
