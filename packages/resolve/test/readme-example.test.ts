import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))

// The README shows the output of examples/resolve as printed by a real run: keep it true.
// After changing the example: UPDATE_README=1 npx vitest run --project resolve readme-example
it('README "A real run" is what examples/resolve prints', () => {
  const readme = readFileSync(`${root}packages/resolve/README.md`, 'utf8')
  const start = readme.indexOf('```text\n', readme.indexOf('## A real run')) + '```text\n'.length
  const shown = readme.slice(start, readme.indexOf('\n```', start))
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: `${root}examples/resolve`, encoding: 'utf8' })
  expect(run.stderr.replace(/^npm warn.*\n/gm, '')).toBe('')
  expect(run.status).toBe(0)
  const printed = run.stdout.trimEnd()
  if (process.env.UPDATE_README === '1' && printed !== shown) {
    writeFileSync(`${root}packages/resolve/README.md`, readme.slice(0, start) + printed + readme.slice(start + shown.length))
    return
  }
  expect(printed).toBe(shown)
})
