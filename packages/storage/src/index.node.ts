// Node build: the same API as index.ts (whose types and docs it shares), with the backends
// that need Node (the filesystem) real instead of browser stubs. Keep the export list
// identical to index.ts (dist.test.ts checks).
export * from './public.js'
export { fsBackend, FS_WORK_DIR, type FsBackend, type FsBackendOptions, type FsSweepResult } from './backends/fs.js'
export { RegistryClient } from './registry/client.node.js'
export { ociBackend } from './backends/oci.node.js'
