import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * The external programs tests drive (installed by `npm test` through scripts/tools.mjs).
 * A missing one fails the test with what to install: tests never skip their real tools.
 */
const HINTS: Record<string, string> = {
  gzip: 'apt-get install gzip',
  lz4: 'apt-get install lz4',
  zstd: 'apt-get install zstd',
  xz: 'apt-get install xz-utils',
  xxhsum: 'apt-get install xxhash',
  minisign: 'apt-get install minisign',
  age: 'apt-get install age',
  'age-keygen': 'apt-get install age',
}

export function requireTool(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  const path = found.stdout.trim()
  if (found.status !== 0 || !path || !existsSync(path)) {
    throw new Error(`this test needs the \`${name}\` program, which is not installed (${HINTS[name] ?? 'install it'}; \`npm test\` installs it when run as root)`)
  }
  return path
}

/** Run `tool args` with `input` on stdin; returns stdout. Throws with stderr on failure. */
export function runTool(tool: string, args: string[], input?: Uint8Array): Uint8Array {
  const out = execFileSync(requireTool(tool), args, { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] })
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}
