import { rmSync } from 'node:fs'
import { defineConfig } from 'tsup'

// Two builds of one API: index.ts is browser-safe (imports nothing from node:),
// index.node.ts swaps in Node's native fast paths. Both ship as ESM and CJS.
// dist/ is cleared once here, because the two builds run concurrently.
rmSync('dist', { recursive: true, force: true })

const common = {
  format: ['esm', 'cjs'] as ('esm' | 'cjs')[],
  target: 'es2022',
  sourcemap: true,
  splitting: false,
  treeshake: true,
  clean: false,
}

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, platform: 'browser', dts: true },
  { ...common, entry: { 'index.node': 'src/index.node.ts' }, platform: 'node', dts: false },
])
