#!/usr/bin/env node
/**
 * pnpm lint: type-check the whole workspace (sources, tests, examples, benches), then check
 * each package's build as published: publint (package.json, exports, files) and
 * @arethetypeswrong/cli (types resolve for node10, node16 CJS/ESM and bundlers).
 * Expects the packages to be built (npm test builds first).
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
let failed = false

function step(title, cmd, args) {
  console.log(`\n> ${title}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) failed = true
}

step('tsc (workspace type-check)', bin('tsc'), ['-p', 'tsconfig.check.json'])
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join('packages', name)
  step(`publint ${dir}`, bin('publint'), [dir, '--strict'])
  step(`attw ${dir}`, bin('attw'), ['--pack', dir, '--format', 'table-flipped'])
}
if (failed) {
  console.error('\nlint failed')
  process.exit(1)
}
console.log('\nlint clean')
