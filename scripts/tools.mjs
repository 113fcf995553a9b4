/**
 * External programs the tests drive for real, and how to get them. When one is missing it is
 * installed: Debian packages with apt-get (when root), Node 22 from the npm registry. When that
 * is impossible we stop and name what is missing. A test never passes by skipping its tool.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']
// Node 22.15+ has zstd in node:zlib; the zstd-writing path is tested under it.
const NODE22_VERSION = '22.23.3'
const NODE22_DIR = join(root, '.cache', 'node22')
const NODE22_BIN = join(NODE22_DIR, 'package', 'bin', 'node')

/** A command on PATH, found the way the tests look for it. */
const onPath = (cmd) => {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined
}

/** A Debian package providing a command the tests run. */
const cli = (command, aptPackage, why) => ({
  why,
  locate: () => onPath(command),
  apt: [aptPackage],
  hint: `apt-get install ${aptPackage} (or your platform's package providing \`${command}\`)`,
})

const TOOLS = {
  chromium: {
    why: 'the browser tests of the browser builds',
    locate: () => (process.env.CHROMIUM_PATH ? (existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined) : CHROMIUM_CANDIDATES.find(existsSync)),
    env: 'CHROMIUM_PATH',
    apt: ['chromium'],
    hint:
      'on Debian: apt-get install chromium; elsewhere install Chromium or Chrome and set CHROMIUM_PATH to its binary ' +
      '(on Ubuntu the apt package is a snap wrapper: prefer Google Chrome or a Chromium build and CHROMIUM_PATH)',
  },
  gzip: cli('gzip', 'gzip', 'gzip interoperability tests'),
  lz4: cli('lz4', 'lz4', 'LZ4 frame interoperability tests'),
  zstd: cli('zstd', 'zstd', 'Zstandard interoperability tests'),
  xz: cli('xz', 'xz-utils', 'xz and .lzma interoperability tests'),
  xxhsum: cli('xxhsum', 'xxhash', 'checking our xxHash against the reference'),
  minisign: cli('minisign', 'minisign', 'minisign signature interoperability tests (both directions)'),
  age: cli('age', 'age', 'age encryption interoperability tests (both directions)'),
  radosgw: {
    why: 'the s3 backend tests (a real S3 server: radosgw over a one-node Ceph cluster, scripts/s3-server.ts)',
    // The cluster needs the mon and OSD daemons as well as radosgw itself.
    locate: () => (onPath('ceph-mon') && onPath('ceph-osd') ? onPath('radosgw') : undefined),
    apt: ['ceph-mon', 'ceph-osd', 'radosgw'],
    hint: 'apt-get install --no-install-recommends ceph-mon ceph-osd radosgw (Debian bookworm ships Ceph 16.2)',
  },
  'docker-registry': cli('docker-registry', 'docker-registry', 'the OCI registry the RegistryClient tests publish to (CNCF distribution 2.8)'),
  skopeo: cli('skopeo', 'skopeo', 'cross-checking what the RegistryClient publishes and downloads with an independent OCI client'),
  htpasswd: cli('htpasswd', 'apache2-utils', 'the Basic-auth registry of the RegistryClient tests (bcrypt htpasswd file)'),
  openssl: cli('openssl', 'openssl', "the certificate of the RegistryClient tests' token server (Bearer auth)"),
  node22: {
    why: 'testing zstd compression, which needs node:zlib zstd (Node >= 22.15)',
    locate: () => (process.env.NODE22_PATH && existsSync(process.env.NODE22_PATH) ? process.env.NODE22_PATH : existsSync(NODE22_BIN) ? NODE22_BIN : undefined),
    env: 'NODE22_PATH',
    // The official Node binaries are on the npm registry as node-<platform>-<arch>.
    install() {
      const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}@${NODE22_VERSION}`
      console.log(`Fetching ${pkg} from the npm registry into .cache/node22 ...`)
      mkdirSync(NODE22_DIR, { recursive: true })
      const pack = spawnSync('npm', ['pack', pkg, '--silent'], { cwd: NODE22_DIR, encoding: 'utf8' })
      const tgz = pack.stdout.trim().split('\n').pop()
      if (pack.status !== 0 || !tgz) return false
      const ok = spawnSync('tar', ['xzf', tgz], { cwd: NODE22_DIR, stdio: 'inherit' }).status === 0
      rmSync(join(NODE22_DIR, tgz), { force: true })
      return ok
    },
    hint: `install Node >= 22.15 and set NODE22_PATH to its binary (npm test fetches node-${process.platform}-${process.arch}@${NODE22_VERSION} itself when it can)`,
  },
}

const has = (cmd) => onPath(cmd) !== undefined

/** Make sure every tool in `names` is present, installing what we can; exit 1 naming what is missing otherwise. */
export function ensureTools(names) {
  const missing = () => names.filter((n) => !TOOLS[n].locate())
  for (const n of missing()) TOOLS[n].install?.()
  const aptNeeded = missing().filter((n) => TOOLS[n].apt)
  const isRoot = process.getuid?.() === 0
  if (aptNeeded.length > 0 && isRoot && has('apt-get')) {
    const packages = aptNeeded.flatMap((n) => TOOLS[n].apt)
    console.log(`Installing what the tests need with apt-get: ${packages.join(' ')}`)
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
    if (update.status === 0) spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env })
  }
  const still = missing()
  if (still.length > 0) {
    console.error('\nThe test suite needs these programs, which are not installed:')
    for (const n of still) console.error(`  - ${n}, for ${TOOLS[n].why}. Install: ${TOOLS[n].hint}`)
    console.error(isRoot ? '\nThey could not be installed automatically (see above).' : '\nRun `npm test` as root to have Debian packages installed with apt-get, or install them yourself.')
    process.exit(1)
  }
  for (const n of names) if (TOOLS[n].env) process.env[TOOLS[n].env] = TOOLS[n].locate()
}
