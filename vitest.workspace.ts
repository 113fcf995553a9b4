import { defineWorkspace } from 'vitest/config'

// One project per package; each has its own vitest.config.ts.
export default defineWorkspace(['packages/*/vitest.config.ts'])
