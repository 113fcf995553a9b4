/**
 * benches/storage, each against a named peer measured in the same run:
 *
 * 1. Registry: `RegistryClient.publish` and `download` of a 512 MiB package (64 MiB in quick
 *    mode) to Debian's docker-registry (distribution 2.8) on loopback, against `skopeo copy`
 *    of the same bytes as an OCI artifact (push from an OCI layout, pull to one). Every
 *    measurement gets a fresh registry (so neither side finds the blob there already) and
 *    skopeo's blob-info cache is cleared (so it cannot mount). Ours, then skopeo, three times;
 *    medians. Goal: at least as fast as skopeo both ways. Our download includes checking the
 *    digest; skopeo checks it too.
 * 2. Caches: a hit in `PackageCache` (verified: SHA-256 of the entry) and in `StorageManager`'s
 *    LRU (a copy), for 1 MiB objects, against a plain `Map` lookup plus a copy.
 * 3. fs backend: `put` (temp file, fsync, rename) and `get` of the package, against `cp` of
 *    the same file (no reflink) followed by `sync` of the copy, and `cat` to /dev/null.
 *
 *   npm run bench -- storage [--quick]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { fsBackend, memoryBackend, PackageCache, RegistryClient, StorageManager } from '@torshpkg/storage'
import { startRegistry, writePackageLayout } from '../../scripts/registry-server'
import { crashed, normalWeights, report, type Goal } from '../lib'

const quick = process.argv.includes('--quick')
const MiB = 1024 * 1024
const SIZE = (quick ? 64 : 512) * MiB
const ROUNDS = 3
const dir = mkdtempSync(join(tmpdir(), 'torshpkg-bench-storage-'))
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
const mbps = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`
const time = async (fn: () => Promise<unknown> | unknown) => {
  const t = performance.now()
  await fn()
  return performance.now() - t
}
const clearSkopeoCache = () => rmSync('/var/lib/containers/cache', { recursive: true, force: true })

async function registryBench(data: Uint8Array) {
  const layout = join(dir, 'layout')
  writePackageLayout(layout, { data, config: { name: 'bench', version: '1.0.0', manifest: null }, tag: '1.0.0' })
  const ours = { publish: [] as number[], download: [] as number[] }
  const skopeo = { publish: [] as number[], download: [] as number[] }
  for (let round = 0; round < ROUNDS; round++) {
    // Ours: publish, then download, on a fresh registry.
    {
      const reg = await startRegistry()
      try {
        const client = new RegistryClient({ url: reg.url, chunkSize: 64 * MiB })
        ours.publish.push(await time(() => client.publish('bench', '1.0.0', data)))
        let got: Uint8Array | undefined
        ours.download.push(await time(async () => (got = await client.download('bench', '1.0.0'))))
        if (got!.length !== data.length) throw new Error('download: wrong size')
      } finally {
        await reg.stop()
      }
    }
    // skopeo: push the same artifact from the OCI layout, then pull it into another layout.
    {
      const reg = await startRegistry()
      try {
        clearSkopeoCache()
        skopeo.publish.push(await time(() => execFileSync('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:1.0.0`, `docker://${reg.host}/bench:1.0.0`], { stdio: 'ignore' })))
        clearSkopeoCache()
        const out = join(dir, `pulled-${round}`)
        skopeo.download.push(await time(() => execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/bench:1.0.0`, `oci:${out}:1.0.0`], { stdio: 'ignore' })))
        rmSync(out, { recursive: true, force: true })
      } finally {
        await reg.stop()
      }
    }
  }
  return { ours: { publish: median(ours.publish), download: median(ours.download) }, skopeo: { publish: median(skopeo.publish), download: median(skopeo.download) } }
}

async function cacheBench() {
  const blobs = Array.from({ length: 32 }, (_, i) => new Uint8Array(normalWeights(MiB).buffer).map((x) => x ^ i))
  const digests = blobs.map(sha)
  const cache = new PackageCache({ maxBytes: 64 * MiB })
  for (let i = 0; i < blobs.length; i++) await cache.put(digests[i]!, blobs[i]!)
  const manager = new StorageManager(memoryBackend(), { cache: { maxBytes: 64 * MiB, maxObjectBytes: 2 * MiB } })
  for (let i = 0; i < blobs.length; i++) await manager.put(`k${i}`, blobs[i]!)
  const map = new Map(blobs.map((b, i) => [i, b]))
  const n = quick ? 200 : 2000
  const per = async (fn: (i: number) => Promise<unknown> | unknown) => {
    for (let i = 0; i < 50; i++) await fn(i % blobs.length) // warm-up
    return (await time(async () => {
      for (let i = 0; i < n; i++) await fn(i % blobs.length)
    })) / n
  }
  return {
    packageCache: await per((i) => cache.get(digests[i]!)),
    manager: await per((i) => manager.get(`k${i}`)),
    mapCopy: await per((i) => map.get(i)!.slice()),
  }
}

async function fsBench(data: Uint8Array) {
  const src = join(dir, 'src.torshpkg')
  writeFileSync(src, data)
  const store = fsBackend(join(dir, 'fs'))
  const put: number[] = []
  const get: number[] = []
  const cp: number[] = []
  const cat: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    put.push(await time(() => store.put(`p${round}.torshpkg`, data)))
    get.push(await time(() => store.get(`p${round}.torshpkg`)))
    const dst = join(dir, `cp-${round}`)
    // --reflink=never: a reflink copy moves no data (btrfs, xfs), which is not what put does.
    cp.push(await time(() => execFileSync('sh', ['-c', `cp --reflink=never "${src}" "${dst}" && sync "${dst}"`])))
    cat.push(await time(() => execFileSync('sh', ['-c', `cat "${dst}" > /dev/null`])))
  }
  return { put: median(put), get: median(get), cp: median(cp), cat: median(cat) }
}

try {
  console.log(`\nStorage: ${SIZE / MiB} MiB package, ${ROUNDS} rounds each${quick ? ' (quick)' : ''}`)
  const data = new Uint8Array(normalWeights(SIZE).buffer)
  const r = await registryBench(data)
  const c = await cacheBench()
  const f = await fsBench(data)
  const rows = [
    { bench: `registry publish ${SIZE / MiB} MiB`, ours: `${r.ours.publish.toFixed(0)} ms (${mbps(SIZE, r.ours.publish)})`, peer: `skopeo copy: ${r.skopeo.publish.toFixed(0)} ms (${mbps(SIZE, r.skopeo.publish)})`, 'peer / ours': `${(r.skopeo.publish / r.ours.publish).toFixed(2)}x` },
    { bench: `registry download ${SIZE / MiB} MiB`, ours: `${r.ours.download.toFixed(0)} ms (${mbps(SIZE, r.ours.download)})`, peer: `skopeo copy: ${r.skopeo.download.toFixed(0)} ms (${mbps(SIZE, r.skopeo.download)})`, 'peer / ours': `${(r.skopeo.download / r.ours.download).toFixed(2)}x` },
    { bench: 'PackageCache hit, 1 MiB (verified)', ours: `${(c.packageCache * 1000).toFixed(0)} us`, peer: `Map get + copy: ${(c.mapCopy * 1000).toFixed(0)} us`, 'peer / ours': `${(c.mapCopy / c.packageCache).toFixed(2)}x` },
    { bench: 'StorageManager cache hit, 1 MiB', ours: `${(c.manager * 1000).toFixed(0)} us`, peer: `Map get + copy: ${(c.mapCopy * 1000).toFixed(0)} us`, 'peer / ours': `${(c.mapCopy / c.manager).toFixed(2)}x` },
    { bench: `fs put ${SIZE / MiB} MiB (fsync)`, ours: mbps(SIZE, f.put), peer: `cp + sync: ${mbps(SIZE, f.cp)}`, 'peer / ours': `${(f.cp / f.put).toFixed(2)}x` },
    { bench: `fs get ${SIZE / MiB} MiB`, ours: mbps(SIZE, f.get), peer: `cat > /dev/null: ${mbps(SIZE, f.cat)}`, 'peer / ours': `${(f.cat / f.get).toFixed(2)}x` },
  ]
  const goals: Goal[] = [
    { goal: `publish ${SIZE / MiB} MiB at least as fast as skopeo copy`, value: `${(r.skopeo.publish / r.ours.publish).toFixed(2)}x`, met: r.ours.publish <= r.skopeo.publish },
    { goal: `download ${SIZE / MiB} MiB at least as fast as skopeo copy`, value: `${(r.skopeo.download / r.ours.download).toFixed(2)}x`, met: r.ours.download <= r.skopeo.download },
  ]
  report(rows, goals, dir, (d) => rmSync(d, { recursive: true, force: true }))
} catch (e) {
  crashed(e, dir, (d) => rmSync(d, { recursive: true, force: true }))
}
