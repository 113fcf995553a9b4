#!/usr/bin/env node
/**
 * The README's commands, runnable on a fresh machine that has only Node 20 and npm:
 *
 *   npm run demo    install, build, run examples/quickstart
 *   npm test        install, build, install the test servers/CLIs, lint, run every test
 *   npm run bench   install, build, run benches/ and print ratios against their peers
 *
 * pnpm is used if a 9.x is on PATH, otherwise fetched with `npx -y pnpm@9` (corepack is not
 * relied on: its registry signature check fails on some machines).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureTools } from './tools.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const PNPM_VERSION = '9.15.9'
const task = process.argv[2]

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options })
  if (r.error) throw r.error
  if (r.status !== 0) process.exit(r.status ?? 1)
}

function pnpm() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8' })
  if (r.status === 0 && r.stdout.trim().startsWith('9.')) return ['pnpm', []]
  return ['npx', ['-y', `pnpm@${PNPM_VERSION}`]]
}

const [pm, pmArgs] = pnpm()
const withPnpm = (...args) => run(pm, [...pmArgs, ...args])
const bin = (name) => join(root, 'node_modules', '.bin', name)

const tasks = {
  demo() {
    run(process.execPath, ['--import', 'tsx', 'examples/quickstart/main.ts'])
  },
  test() {
    run(process.execPath, ['scripts/lint.mjs'])
    run(bin('vitest'), ['run'])
  },
  bench() {
    // Every bench, or the ones named: npm run bench -- compress --quick
    const args = process.argv.slice(3)
    const named = args.filter((a) => !a.startsWith('-'))
    const all = readdirSync(join(root, 'benches'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
    let missed = false
    for (const name of named.length ? named : all) {
      console.log(`\n=== benches/${name} ===`)
      // --expose-gc: a bench may collect between its phases, so that one side's garbage is not
      // collected while the other is timed.
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `benches/${name}/bench.ts`, ...args.filter((a) => a.startsWith('-'))], { cwd: root, stdio: 'inherit' })
      missed ||= r.status !== 0
    }
    if (missed) {
      console.error('\nsome bench goals were missed (see the goal tables above)')
      process.exit(1)
    }
  },
}

if (!tasks[task]) {
  console.error(`usage: node scripts/run.mjs <${Object.keys(tasks).join('|')}>`)
  process.exit(2)
}
// Checked first, so a missing program is named before minutes of installing and building.
if (task === 'test') ensureTools(['chromium', 'gzip', 'lz4', 'zstd', 'xz', 'xxhsum', 'minisign', 'age', 'node22', 'docker-registry', 'skopeo', 'htpasswd', 'openssl', 'radosgw'])
withPnpm('install', '--frozen-lockfile', '--prefer-offline')
withPnpm('-r', '--filter', './packages/*', 'build')
if (!existsSync(bin('vitest'))) throw new Error('dependencies did not install (node_modules/.bin/vitest is missing)')
tasks[task]()
