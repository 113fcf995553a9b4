/**
 * External programs the tests drive for real, and how to get them. When one is missing and
 * we are root on Debian/Ubuntu, it is installed with apt-get; otherwise we stop and name it.
 * A test never passes by skipping the tool it needs.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const TOOLS = {
  chromium: {
    why: 'browser tests of the browser builds',
    found: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
    apt: ['chromium'],
    hint: 'apt-get install chromium (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary',
  },
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0

export function ensureTools(names) {
  const missing = names.filter((n) => !TOOLS[n].found())
  if (missing.length === 0) return
  const isRoot = process.getuid?.() === 0
  if (isRoot && has('apt-get')) {
    const packages = missing.flatMap((n) => TOOLS[n].apt)
    console.log(`Installing test dependencies with apt-get: ${packages.join(' ')}`)
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
    const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env })
    if (install && install.status === 0 && missing.every((n) => TOOLS[n].found())) return
  }
  console.error('\nThe test suite needs these programs, which are not installed:')
  for (const n of missing) console.error(`  - ${n}: for ${TOOLS[n].why}. Install: ${TOOLS[n].hint}`)
  console.error(isRoot ? '\napt-get could not install them (see above).' : '\nRun `npm test` as root to have them installed with apt-get.')
  process.exit(1)
}
