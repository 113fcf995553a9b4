/**
 * Debian's docker-registry (CNCF distribution 2.8) on 127.0.0.1 for the tests: a temp
 * filesystem root, delete enabled, a fixed HTTP secret (so upload sessions survive a
 * restart), optional Basic auth (htpasswd, bcrypt cost 5: the registry checks bcrypt on every
 * request). Readiness: GET /v2/ answers 200 (401 with auth). Fails naming the missing program
 * when docker-registry or htpasswd is not installed (npm test installs them as root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REGISTRY_BIN = process.env.DOCKER_REGISTRY_PATH ?? '/usr/bin/docker-registry'

export interface RegistryServer {
  /** http://127.0.0.1:<port> */
  readonly url: string
  /** 127.0.0.1:<port> (for skopeo's docker:// references). */
  readonly host: string
  readonly rootDir: string
  readonly pid: number
  /** SIGKILL (a crash); `restart` brings it back on the same port and root. */
  kill(): Promise<void>
  restart(): Promise<void>
  /** Stops the registry and removes its directory. */
  stop(): Promise<void>
  log(): string
}

export interface RegistryServerOptions {
  /** Users for Basic auth (none: anonymous). */
  readonly basic?: Readonly<Record<string, string>>
  /** Bearer token auth, trusting this token server (see {@link startTokenServer}). */
  readonly token?: TokenServer
}

// WHATWG fetch refuses these ports ("bad port"): never pick one.
const BAD_PORTS = new Set([1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080])

async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const s = createServer()
      s.on('error', fail)
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => done(p))
      })
    })
    if (!BAD_PORTS.has(port)) return port
  }
}

export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  if (!existsSync(REGISTRY_BIN)) throw new Error(`docker-registry is not installed (${REGISTRY_BIN}): apt-get install docker-registry (npm test does it when run as root)`)
  const work = mkdtempSync(join(tmpdir(), 'torshpkg-registry-'))
  const rootDir = join(work, 'root')
  mkdirSync(rootDir)
  const port = await freePort()
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(rootDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: torshpkg-test-secret',
  ]
  if (options.basic !== undefined) {
    const htpasswd = join(work, 'htpasswd')
    let entries: string
    try {
      entries = Object.entries(options.basic)
        .map(([u, p]) => execFileSync('htpasswd', ['-Bbn', '-C', '5', u, p], { encoding: 'utf8' }).trim())
        .join('\n')
    } catch (e) {
      throw new Error(`htpasswd (apache2-utils) is needed for the Basic-auth registry: ${e instanceof Error ? e.message : String(e)}`)
    }
    writeFileSync(htpasswd, `${entries}\n`)
    lines.push('auth:', '  htpasswd:', '    realm: torshpkg-test', `    path: ${JSON.stringify(htpasswd)}`)
  }
  if (options.token !== undefined) {
    const t = options.token
    lines.push('auth:', '  token:', `    realm: ${JSON.stringify(t.realm)}`, `    service: ${JSON.stringify(t.service)}`, `    issuer: ${JSON.stringify(t.issuer)}`, `    rootcertbundle: ${JSON.stringify(t.certPath)}`)
  }
  const config = join(work, 'config.yml')
  writeFileSync(config, `${lines.join('\n')}\n`)
  const url = `http://127.0.0.1:${port}`
  let log = ''
  let child: ChildProcess
  let exited: Promise<void>

  const launch = async () => {
    child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] })
    const keep = (b: Buffer) => {
      log = (log + b.toString()).slice(-(1 << 16))
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    let gone = false
    exited = new Promise((done) => child.once('exit', () => ((gone = true), done())))
    const started = Date.now()
    for (;;) {
      if (gone) throw new Error(`docker-registry exited while starting:\n${log}`)
      try {
        const r = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) })
        await r.arrayBuffer()
        if (r.status === 200 || r.status === 401) return
      } catch {
        // not listening yet
      }
      if (Date.now() - started > 15_000) {
        child.kill('SIGKILL')
        throw new Error(`docker-registry not ready after 15 s:\n${log}`)
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  await launch()
  return {
    url,
    host: `127.0.0.1:${port}`,
    rootDir,
    get pid() {
      return child.pid!
    },
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
    async restart() {
      await launch()
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(t)
      }
      rmSync(work, { recursive: true, force: true })
    },
    log: () => log,
  }
}

/** A token server for the distribution token auth spec (what Docker Hub and GHCR run). */
export interface TokenServer {
  readonly realm: string
  readonly service: string
  readonly issuer: string
  /** The signing key's self-signed certificate: the registry's `rootcertbundle`. */
  readonly certPath: string
  /** Every token request: the account (or undefined: anonymous) and the scopes asked for. */
  readonly requests: { account: string | undefined; scopes: string[]; granted: boolean }[]
  close(): Promise<void>
}

/**
 * A token server on 127.0.0.1 issuing ES256 JWTs as CNCF distribution 2.8 accepts them (tested
 * one requirement at a time against the real binary): header `kid` = the libtrust key ID of
 * the signing key (SHA-256 of the DER public key, first 30 bytes, base32, groups of 4 joined by
 * ":"), whose self-signed certificate is the registry's rootcertbundle; claims `iss`, `aud`
 * (a string, the service), numeric `exp`, and `access` = [{ type, name, actions }]; the
 * signature as raw r||s. Users (Basic credentials on the token request) get every action they
 * ask for; anonymous requests and wrong passwords get 401. Needs `openssl` for the certificate.
 */
export async function startTokenServer(users: Readonly<Record<string, string>>): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'torshpkg-token-'))
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=torshpkg-test-token-signer'], { stdio: 'ignore' })
  } catch (e) {
    throw new Error(`openssl is needed to make the token server's certificate: ${e instanceof Error ? e.message : String(e)}`)
  }
  const key = createPrivateKey(readFileSync(keyPath))
  const kid = libtrustKeyId(createPublicKey(key).export({ type: 'spki', format: 'der' }))
  const service = 'torshpkg-test-registry'
  const issuer = 'torshpkg-test-token-issuer'
  const requests: TokenServer['requests'] = []
  const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url')
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean)
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')
    const [user, pass] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(/:(.*)/s) : []
    const ok = user !== undefined && users[user] === pass
    requests.push({ account: user, scopes, granted: ok })
    if (!ok) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="torshpkg-test-token"' })
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
      return
    }
    const access = scopes.map((s) => {
      const [type, ...rest] = s.split(':')
      const actions = rest.pop()!.split(',')
      return { type, name: rest.join(':'), actions }
    })
    const now = Math.floor(Date.now() / 1000)
    const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }))
    const claims = b64url(JSON.stringify({ iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: createHash('sha256').update(`${now}${Math.random()}`).digest('hex'), access }))
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ token: `${header}.${claims}.${b64url(signature)}`, expires_in: 300 }))
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const port = (server.address() as { port: number }).port
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          rmSync(dir, { recursive: true, force: true })
          done()
        })
        server.closeAllConnections()
      }),
  }
}

/** libtrust's key ID: base32 of the first 240 bits of SHA-256(DER public key), in groups of 4. */
function libtrustKeyId(spkiDer: Buffer): string {
  const h = createHash('sha256').update(spkiDer).digest().subarray(0, 30)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of h) {
    value = ((value << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return out.match(/.{4}/g)!.join(':')
}

/**
 * Writes an OCI image layout at `path` holding `data` as a torshpkg package artifact under
 * `tag` (what skopeo pushes from, in the tests and benches), with our media types. Returns the
 * manifest's digest.
 */
export function writePackageLayout(path: string, options: { data: Uint8Array; config: object; tag: string; annotations?: Record<string, string> }): string {
  const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
  const config = new TextEncoder().encode(JSON.stringify(options.config))
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.torshpkg.package.v1',
      config: { mediaType: 'application/vnd.torshpkg.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.torshpkg.package.v1.torshpkg', digest: sha(options.data), size: options.data.length }],
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    }),
  )
  mkdirSync(join(path, 'blobs', 'sha256'), { recursive: true })
  for (const b of [options.data, config, manifest]) writeFileSync(join(path, 'blobs', 'sha256', sha(b).slice(7)), b)
  writeFileSync(join(path, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(
    join(path, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': options.tag } }] }),
  )
  return sha(manifest)
}
