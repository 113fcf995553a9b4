import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Helpers for the dist tests: run a snippet in a fresh Node process from a package's folder,
 * so the package resolves itself through its own `exports` map exactly as a user's code would.
 */
export function runNode(packageDir: string, code: string, options: { type: 'module' | 'commonjs'; conditions?: string[] }): string {
  for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.node.js', 'dist/index.node.cjs', 'dist/index.d.ts']) {
    if (!existsSync(join(packageDir, f))) throw new Error(`${join(packageDir, f)} is missing: run \`pnpm build\` first (npm test does)`)
  }
  const args = [...(options.conditions ?? []).map((c) => `--conditions=${c}`), `--input-type=${options.type}`, '-e', code]
  return execFileSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}
