// Node build: the same API as index.ts, with node:crypto behind every function.
import { createHashApi } from './hash/api.js'
import { nodeBackend } from './hash/node.js'

export * from './public.js'

const api = createHashApi(() => nodeBackend, nodeBackend)

export const hash = api.hash
export const hashSync = api.hashSync
export const createHasher = api.createHasher
export const sha256 = api.sha256
