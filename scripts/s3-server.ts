/**
 * A real S3 server for tests: Ceph's RADOS Gateway (radosgw 16.2, Debian bookworm) over a
 * throw-away one-node Ceph cluster (1 mon + 1 bluestore OSD on a sparse file + radosgw), all of
 * it in one directory and on loopback. radosgw verifies SigV4 signatures and payload hashes,
 * does conditional writes, ranges, ListObjectsV2 and multipart uploads: what an S3 client
 * must be tested against, which a fake (s3rver) is not.
 *
 * Needs, once, as root: `apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw`
 * (`npm test` does it through scripts/tools.mjs). Missing programs are an error naming them:
 * the tests never skip.
 *
 * @example
 * ```ts
 * const s3 = await startS3Server()           // ~9 s: bootstrap + warm-up
 * // s3.endpoint, s3.accessKeyId, s3.secretAccessKey, s3.region
 * await s3.kill('rgw')                       // crash radosgw (SIGKILL)
 * await s3.restart()                         // same data, same endpoint (~3 s)
 * await s3.stop()                            // every daemon gone, the temp dir removed
 * ```
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createHash, createHmac, randomUUID } from 'node:crypto'
import { accessSync, constants, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'

export interface S3ServerOptions {
  /** Where the cluster lives (kept by `stop()`); default: a new temp dir, removed by `stop()`. */
  readonly dataDir?: string
  /** radosgw's port on 127.0.0.1; default: a free one. */
  readonly port?: number
  /** radosgw's smallest multipart part (S3's rule: 5 MiB); smaller makes multipart tests cheap. */
  readonly minPartSize?: number
  readonly accessKeyId?: string
  readonly secretAccessKey?: string
  /** How long radosgw may take to answer a signed request (default 120 s). */
  readonly readyTimeoutMs?: number
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void
}

export type CephDaemon = 'mon' | 'osd' | 'rgw'

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`, path-style. */
  readonly endpoint: string
  readonly region: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly dataDir: string
  /** Process ids of the running daemons. */
  pids(): Partial<Record<CephDaemon, number>>
  /** Sends `signal` (default SIGKILL: a crash) to one daemon and waits until it has exited. */
  kill(daemon: CephDaemon, signal?: NodeJS.Signals): Promise<void>
  /** Stops what still runs and starts the cluster again on the same data and port. */
  restart(): Promise<void>
  /** Stops every daemon (SIGTERM, SIGKILL after 15 s); removes the data dir if it was ours. */
  stop(): Promise<void>
}

/** The programs the cluster needs, all from the Debian packages ceph-mon, ceph-osd and radosgw. */
const PROGRAMS = ['monmaptool', 'ceph-mon', 'ceph-osd', 'ceph', 'radosgw', 'radosgw-admin']
const INSTALL_HINT = 'apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw (npm test installs them when run as root)'

// Every process spawned, so that none outlives this one if it exits mid-way (a daemon left
// behind would hold its ports and its data dir). Node has no parent-death signal: a SIGKILLed
// test process still orphans them.
const live = new Set<ChildProcess>()
let exitHook = false
function track(p: ChildProcess): void {
  live.add(p)
  p.once('exit', () => live.delete(p))
  if (!exitHook) {
    exitHook = true
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL')
    })
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    try {
      accessSync(join(dir, cmd), constants.X_OK)
      return true
    } catch {
      // not in this directory
    }
  }
  return false
}

/** Runs a helper program (tracked, with a timeout); resolves to its stdout. */
function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((res, rej) => {
    const p = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${cmd} ${args.join(' ')}: ${err.message}${stderr ? `\n${String(stderr).trim()}` : ''}`))
      else res(String(stdout).trim())
    })
    track(p)
  })
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.unref()
    s.on('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => res(port))
    })
  })
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', (e: NodeJS.ErrnoException) => rej(new Error(`port 127.0.0.1:${port} is not free (${e.code})`)))
    s.listen(port, '127.0.0.1', () => s.close(() => res()))
  })
}

// A tiny SigV4 signer of its own (node:crypto), for the readiness probe and the warm-up: this
// script must not depend on the code it is used to test.
function signedFetch(endpoint: string, ak: string, sk: string, method: string, path: string, query = '', body = ''): Promise<Response> {
  const u = new URL(endpoint + path + (query ? `?${query}` : ''))
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '')
  const day = amzDate.slice(0, 8)
  const payload = createHash('sha256').update(body).digest('hex')
  const signed = 'host;x-amz-content-sha256;x-amz-date'
  const canonical = [method, u.pathname, query, `host:${u.host}\nx-amz-content-sha256:${payload}\nx-amz-date:${amzDate}\n`, signed, payload].join('\n')
  const scope = `${day}/us-east-1/s3/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n')
  let k = createHmac('sha256', `AWS4${sk}`).update(day).digest()
  for (const p of ['us-east-1', 's3', 'aws4_request']) k = createHmac('sha256', k).update(p).digest()
  const sig = createHmac('sha256', k).update(toSign).digest('hex')
  return fetch(u, {
    method,
    ...(body ? { body } : {}),
    signal: AbortSignal.timeout(10_000),
    headers: { 'x-amz-date': amzDate, 'x-amz-content-sha256': payload, authorization: `AWS4-HMAC-SHA256 Credential=${ak}/${scope}, SignedHeaders=${signed}, Signature=${sig}` },
  })
}

interface State {
  fsid: string
  osdUuid: string
  monPort: number
  blockSize: number
  accessKeyId: string
  secretAccessKey: string
}

function cephConf(dir: string, st: State, rgwPort: number, minPartSize: number): string {
  return `[global]
fsid = ${st.fsid}
mon_host = v2:127.0.0.1:${st.monPort}
mon_initial_members = a
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_msgr1 = false
# cephx off: RADOS is private to the test; S3 requests are still SigV4-checked by radosgw
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# with auth none, msgr2 "secure" mode is impossible, and radosgw asks for it by default
ms_cluster_mode = crc
ms_service_mode = crc
ms_client_mode = crc
ms_mon_cluster_mode = crc
ms_mon_service_mode = crc
ms_mon_client_mode = crc
keyring = /dev/null
run_dir = ${dir}/run
admin_socket = ${dir}/run/$name.asok
pid_file = ${dir}/run/$name.pid
log_file = ${dir}/log/$name.log
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
mon_max_pg_per_osd = 1000
# the mon shuts itself down below 5 % free disk by default: never, in a test
mon_data_avail_warn = 1
mon_data_avail_crit = 0
mon_warn_on_insecure_global_id_reclaim_allowed = false
[mon]
mon_data = ${dir}/mon
# commit map changes every 50 ms, not every second (bootstrap 22 s -> 8.5 s)
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
[osd]
osd_data = ${dir}/osd/$id
osd_objectstore = bluestore
# not <osd_data>/block: mkfs makes that path a symlink itself (ELOOP)
bluestore_block_path = ${dir}/osd/$id.block
bluestore_block_size = ${st.blockSize}
bluestore_block_create = true
bluestore_cache_autotune = false
bluestore_cache_size = 67108864
osd_memory_target = 939524096
osd_max_object_name_len = 460
osd_max_object_namespace_len = 64
# each op shard re-opens the block file at boot (~0.3 s each)
osd_op_num_shards = 1
[client.rgw.a]
# after an unclean stop the osdmap still names the dead OSD instance: refetch it quickly
objecter_tick_interval = 1
objecter_timeout = 2
rgw_frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw_data = ${dir}/rgw
rgw_thread_pool_size = 64
rgw_enable_usage_log = false
# radosgw's metadata cache is kept coherent by RADOS watch/notify; the watches of a killed
# radosgw linger on the OSD (30 s), and every bucket creation meanwhile waits for them. One
# radosgw needs no coherence: no cache, no watches.
rgw_cache_enabled = false
rgw_multipart_min_part_size = ${minPartSize}
`
}

/**
 * Starts radosgw over a private one-node Ceph cluster and resolves once it answers a
 * SigV4-signed ListBuckets for the test user. A fresh data dir is bootstrapped (~9 s, with a
 * warm-up that makes radosgw create its pools now rather than in the first test); an existing
 * one is restarted with its data (~3 s).
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  const missing = PROGRAMS.filter((p) => !onPath(p))
  if (missing.length > 0) {
    throw new Error(`startS3Server: ${missing.map((p) => `\`${p}\``).join(', ')} not found on PATH; the s3 tests need Ceph's radosgw. Install: ${INSTALL_HINT}`)
  }
  const log = options.log ?? (() => {})
  const minPartSize = options.minPartSize ?? 5 * 1024 * 1024
  const ownDir = options.dataDir === undefined
  const dir = ownDir ? await mkdtemp(join(tmpdir(), 'torshpkg-s3-')) : resolve(options.dataDir!)
  const port = options.port ?? (await freePort())
  const endpoint = `http://127.0.0.1:${port}`
  const conf = join(dir, 'ceph.conf')
  const C = ['-c', conf]
  const stateFile = join(dir, 'state.json')
  const procs: Partial<Record<CephDaemon, ChildProcess & { exited?: boolean }>> = {}
  let state: State

  const daemon = (name: CephDaemon, cmd: string, args: string[]) => {
    const out = openSync(join(dir, 'log', `${name}.stdout`), 'a')
    const p: ChildProcess & { exited?: boolean } = spawn(cmd, [...args, '-f', ...C], { stdio: ['ignore', out, out] })
    closeSync(out)
    track(p)
    p.once('exit', (code, sig) => {
      p.exited = true
      log(`${name} exited (code ${code}, signal ${sig})`)
    })
    procs[name] = p
  }
  const ceph = (...a: string[]) => run('ceph', [...C, '--connect-timeout', '10', ...a])
  /** Polls `fn` until true, failing fast when a daemon dies meanwhile. */
  const waitFor = async (what: string, fn: () => Promise<boolean>, timeoutMs: number, everyMs: number) => {
    const t0 = Date.now()
    let last: unknown
    while (Date.now() - t0 < timeoutMs) {
      for (const [n, p] of Object.entries(procs)) {
        if (p?.exited) throw new Error(`startS3Server: ${n} exited (code ${p.exitCode}) while waiting for ${what}; see ${join(dir, 'log')}`)
      }
      try {
        if (await fn()) return
      } catch (e) {
        last = e
      }
      await sleep(everyMs)
    }
    throw new Error(`startS3Server: no ${what} after ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`)
  }
  const halt = async (signal: NodeJS.Signals = 'SIGTERM') => {
    for (const name of ['rgw', 'osd', 'mon'] as const) await stopOne(name, signal)
  }
  const stopOne = async (name: CephDaemon, signal: NodeJS.Signals) => {
    const p = procs[name]
    if (p === undefined || p.exited) return
    p.kill(signal)
    const t = Date.now()
    while (!p.exited && Date.now() - t < 15_000) await sleep(25)
    if (!p.exited) {
      p.kill('SIGKILL')
      while (!p.exited) await sleep(25)
    }
  }

  const boot = async () => {
    await assertPortFree(port) // else the readiness probe could be answered by another server
    for (const name of Object.keys(procs) as CephDaemon[]) delete procs[name] // all exited (halt)
    const t0 = Date.now()
    const fresh = !existsSync(stateFile)
    // No state.json: a bootstrap that never finished. Only the script's own paths are removed.
    if (fresh) for (const d of ['mon', 'osd', 'run', 'rgw', 'ceph.conf', 'monmap']) rmSync(join(dir, d), { recursive: true, force: true })
    for (const d of ['mon', 'osd/0', 'run', 'log', 'rgw']) mkdirSync(join(dir, d), { recursive: true })
    state = fresh
      ? {
          fsid: randomUUID(),
          osdUuid: randomUUID(),
          monPort: await freePort(),
          blockSize: 10 * 1024 ** 3, // sparse: ~30-100 MB really used
          accessKeyId: options.accessKeyId ?? 'TESTACCESSKEY',
          secretAccessKey: options.secretAccessKey ?? 'TESTSECRETKEY1234567890',
        }
      : (JSON.parse(readFileSync(stateFile, 'utf8')) as State)
    writeFileSync(conf, cephConf(dir, state, port, minPartSize))
    const monUp = () => waitFor('mon quorum', async () => (await ceph('mon', 'stat')).includes('quorum'), 30_000, 200)
    if (fresh) {
      log(`bootstrapping a new cluster in ${dir}`)
      await run('monmaptool', ['--create', '--fsid', state.fsid, '--addv', 'a', `[v2:127.0.0.1:${state.monPort}]`, join(dir, 'monmap')])
      await run('ceph-mon', [...C, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')])
      daemon('mon', 'ceph-mon', ['-i', 'a'])
      await monUp()
      const id = await ceph('osd', 'new', state.osdUuid)
      if (id !== '0') throw new Error(`startS3Server: unexpected osd id ${id}`)
      await run('ceph-osd', [...C, '-i', '0', '--mkfs', '--osd-uuid', state.osdUuid], 60_000)
      daemon('osd', 'ceph-osd', ['-i', '0'])
      daemon('rgw', 'radosgw', ['-n', 'client.rgw.a'])
      // talks to RADOS directly: succeeds once the OSD is up
      await waitFor(
        'radosgw user',
        async () => {
          await run('radosgw-admin', [...C, 'user', 'create', '--uid=test', '--display-name=test', `--access-key=${state.accessKeyId}`, `--secret-key=${state.secretAccessKey}`], 60_000)
          return true
        },
        90_000,
        500,
      )
      writeFileSync(stateFile, JSON.stringify(state, null, 2))
    } else {
      log(`restarting the cluster in ${dir}`)
      daemon('mon', 'ceph-mon', ['-i', 'a'])
      await monUp()
      // After a SIGKILL the map still says osd.0 is up at its old address.
      await ceph('osd', 'down', '0').catch(() => {})
      daemon('osd', 'ceph-osd', ['-i', '0'])
      daemon('rgw', 'radosgw', ['-n', 'client.rgw.a'])
    }
    // Ready = a signed ListBuckets of the test user is 200 (an anonymous one is 200 earlier,
    // before the user can be authenticated).
    await waitFor(
      `radosgw on ${endpoint}`,
      async () => {
        const res = await signedFetch(endpoint, state.accessKeyId, state.secretAccessKey, 'GET', '/')
        await res.body?.cancel()
        return res.status === 200
      },
      options.readyTimeoutMs ?? 120_000,
      250,
    )
    if (fresh) await warmUp()
    log(`radosgw ready on ${endpoint} in ${Date.now() - t0} ms`)
  }

  // radosgw creates its index, data and multipart pools on first use (2-3 s each): now, not in
  // the first test.
  const warmUp = async () => {
    const f = async (method: string, path: string, query = '', body = '') => {
      const res = await signedFetch(endpoint, state.accessKeyId, state.secretAccessKey, method, path, query, body)
      return { status: res.status, text: await res.text() }
    }
    const b = `/warmup-${Date.now()}`
    await f('PUT', b)
    await f('PUT', `${b}/o`, '', 'x')
    const created = await f('POST', `${b}/m`, 'uploads=')
    const id = /<UploadId>([^<]+)/.exec(created.text)?.[1]
    if (id) await f('DELETE', `${b}/m`, `uploadId=${encodeURIComponent(id).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`)
    await f('DELETE', `${b}/o`)
    const gone = await f('DELETE', b)
    if (gone.status !== 204) throw new Error(`startS3Server: warm-up failed: DELETE bucket ${gone.status} ${gone.text.slice(0, 300)}`)
  }

  try {
    await boot()
  } catch (e) {
    await halt('SIGKILL')
    if (ownDir) rmSync(dir, { recursive: true, force: true })
    throw e
  }
  let stopped = false
  return {
    endpoint,
    region: 'us-east-1',
    accessKeyId: state!.accessKeyId,
    secretAccessKey: state!.secretAccessKey,
    dataDir: dir,
    pids: () => Object.fromEntries(Object.entries(procs).filter(([, p]) => p && !p.exited).map(([n, p]) => [n, p!.pid!])),
    kill: (name, signal = 'SIGKILL') => stopOne(name, signal),
    async restart() {
      if (stopped) throw new Error('startS3Server: restart() after stop()')
      await halt()
      try {
        await boot()
      } catch (e) {
        await halt('SIGKILL')
        throw e
      }
    },
    async stop() {
      if (stopped) return
      stopped = true
      await halt()
      if (ownDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
