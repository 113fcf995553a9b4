/**
 * `@torshpkg/storage`: where model packages live. Backends behind one small interface
 * (`StorageBackend`), held to the same behaviour by one conformance suite.
 * @packageDocumentation
 */
export * from './public.js'
export { fsBackend, FS_WORK_DIR, type FsBackend, type FsBackendOptions, type FsSweepResult } from './backends/fs.browser.js'
