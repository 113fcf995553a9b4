// Node build: the same API as index.ts (whose types and docs it shares), with node:crypto
// behind every function.
import { createHashApi } from './hash/api.js'
import { nodeBackend } from './hash/node.js'

export * from './public.js'
export const { hash, hashSync, createHasher, sha256 } = createHashApi(() => nodeBackend, nodeBackend)
