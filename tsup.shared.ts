import { rmSync } from 'node:fs'
import { defineConfig, type Options } from 'tsup'

/**
 * Every package builds the same way: two builds of one API, each as ESM and CJS.
 * - `src/index.ts` -> dist/index.{js,cjs,d.ts,d.cts}: browser-safe, imports nothing from node:
 * - `src/index.node.ts` -> dist/index.node.{js,cjs}: Node's native fast paths (same types)
 * `extra` adds builds a package needs (worker scripts, for instance).
 * dist/ is cleared once here, because the builds run concurrently.
 */
export function packageBuild(extra: Options[] = []) {
  rmSync('dist', { recursive: true, force: true })
  const common = {
    format: ['esm', 'cjs'] as ('esm' | 'cjs')[],
    target: 'es2022',
    sourcemap: true,
    splitting: false,
    treeshake: true,
    clean: false,
    // import.meta.url in the CJS builds (worker scripts are located relative to the module).
    shims: true,
  }
  return defineConfig([
    { ...common, entry: { index: 'src/index.ts' }, platform: 'browser', dts: true },
    { ...common, entry: { 'index.node': 'src/index.node.ts' }, platform: 'node', dts: false },
    ...extra.map((o) => ({ ...common, dts: false, ...o })),
  ])
}
