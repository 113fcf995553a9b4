/**
 * External programs the tests drive for real, and how to get them. When one is missing and
 * we are root on Debian/Ubuntu, it is installed with apt-get; otherwise we stop and name it.
 * A test never passes by skipping the tool it needs.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

const TOOLS = {
  chromium: {
    why: 'the browser tests of the browser builds',
    /** The binary to use, or undefined. Exported to the tests as CHROMIUM_PATH. */
    locate: () => (process.env.CHROMIUM_PATH ? (existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined) : CHROMIUM_CANDIDATES.find(existsSync)),
    env: 'CHROMIUM_PATH',
    apt: ['chromium'],
    hint:
      'on Debian: apt-get install chromium; elsewhere install Chromium or Chrome and set CHROMIUM_PATH to its binary ' +
      '(on Ubuntu the apt package is a snap wrapper: prefer Google Chrome or a Chromium build and CHROMIUM_PATH)',
  },
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0

/** Make sure every tool in `names` is present, installing with apt-get as root; exit 1 naming what is missing otherwise. */
export function ensureTools(names) {
  const missing = () => names.filter((n) => !TOOLS[n].locate())
  if (missing().length > 0) {
    const isRoot = process.getuid?.() === 0
    if (isRoot && has('apt-get')) {
      const packages = missing().flatMap((n) => TOOLS[n].apt)
      console.log(`Installing what the tests need with apt-get: ${packages.join(' ')}`)
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
      const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
      if (update.status === 0) spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env })
    }
    const still = missing()
    if (still.length > 0) {
      console.error('\nThe test suite needs these programs, which are not installed:')
      for (const n of still) console.error(`  - ${n}, for ${TOOLS[n].why}. Install: ${TOOLS[n].hint}`)
      console.error(isRoot ? '\napt-get could not install them (see above).' : '\nRun `npm test` as root to have them installed with apt-get, or install them yourself.')
      process.exit(1)
    }
  }
  for (const n of names) process.env[TOOLS[n].env] = TOOLS[n].locate()
}
