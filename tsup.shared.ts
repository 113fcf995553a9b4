import { rmSync } from 'node:fs'
import { defineConfig } from 'tsup'

/**
 * Every package builds the same way: two builds of one API, each as ESM and CJS.
 * - `src/index.ts` -> dist/index.{js,cjs,d.ts,d.cts}: browser-safe, imports nothing from node:
 * - `src/index.node.ts` -> dist/index.node.{js,cjs}: Node's native fast paths (same types)
 * dist/ is cleared once here, because the two builds run concurrently.
 */
export function packageBuild() {
  rmSync('dist', { recursive: true, force: true })
  const common = {
    format: ['esm', 'cjs'] as ('esm' | 'cjs')[],
    target: 'es2022',
    sourcemap: true,
    splitting: false,
    treeshake: true,
    clean: false,
  }
  return defineConfig([
    { ...common, entry: { index: 'src/index.ts' }, platform: 'browser', dts: true },
    { ...common, entry: { 'index.node': 'src/index.node.ts' }, platform: 'node', dts: false },
  ])
}
