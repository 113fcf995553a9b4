import { defineProject } from 'vitest/config'
import { sourceAliases } from '../../vitest.shared'

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: 'storage',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
