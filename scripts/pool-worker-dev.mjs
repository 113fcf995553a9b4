// Runs the pool worker from its TypeScript source, for tests that use the sources
// (createPool({ workerUrl }) points here; the built package uses dist/pool-worker.node.js).
import { register } from 'tsx/esm/api'

register()
await import('../packages/compress/src/pool/worker.node.ts')
