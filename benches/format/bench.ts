/**
 * benches/format: the container against the things people use instead, measured in one run.
 *
 *   pnpm bench                 (from the repository root; or: npm run bench)
 *   pnpm bench -- --quick      (64 MiB and 256 MiB instead of 256 MiB and 1 GiB)
 *
 * Peers: plain `fs.writeFile` + SHA-256 of the same bytes (the floor for "write it and know
 * its hash"), and fflate's `zipSync` at level 0 (a stored zip, what many model formats are).
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { open, readFile, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { unzipSync, zipSync } from 'fflate'
import { createPackage, openPackage, type RandomAccessSource } from '@torshpkg/format'

const quick = process.argv.includes('--quick')
const MiB = 1024 * 1024
const DATA = (quick ? 64 : 256) * MiB
const BIG = (quick ? 256 : 1024) * MiB
const TENSOR = 4 * MiB
const RUNS = 3
const PACK_RUNS = 5
const dir = mkdtempSync(join(tmpdir(), 'torshpkg-bench-'))

// ---------- data: float32 "weights", normal(0, 0.02), as 4 MiB tensors in one buffer ----------
function weights(bytes: number): Float32Array {
  const out = new Float32Array(bytes / 4)
  let s = 12345
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rand())) * 0.02
    const t = 2 * Math.PI * rand()
    out[i] = r * Math.cos(t)
    out[i + 1] = r * Math.sin(t)
  }
  return out
}

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!
}

/** Flush dirty pages so one run's writeback does not slow the next (Linux/macOS `sync`). */
function flush() {
  spawnSync('sync')
}

/**
 * Median time of each function, running them in rotation `runs` times. Before each run the
 * outputs are deleted (so every run creates a new file: replacing one by rename makes ext4
 * flush the new data at once, which would time the disk, not the code) and dirty pages flushed.
 */
async function interleaved<const T extends readonly (() => Promise<unknown>)[]>(
  runs: number,
  fns: T,
  outputs: string[],
): Promise<{ [K in keyof T]: number }> {
  const times = fns.map(() => [] as number[])
  for (let r = 0; r < runs; r++) {
    for (const [i, fn] of fns.entries()) {
      for (const f of outputs) rmSync(f, { force: true })
      flush()
      const t = performance.now()
      await fn()
      times[i]!.push(performance.now() - t)
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!) as { [K in keyof T]: number }
}

const mbps = (bytes: number, ms: number) => `${((bytes / MiB) / (ms / 1000)).toFixed(0)} MiB/s`
const rows: Record<string, string>[] = []
const goals: { goal: string; value: string; met: boolean }[] = []
const row = (what: string, ms: number, bytes: number, note = '') => rows.push({ what, time: `${ms.toFixed(0)} ms`, throughput: mbps(bytes, ms), note })

async function main() {
  console.log(`Machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`)
  console.log(`Generating ${DATA / MiB} MiB of float32 weights...`)
  const all = new Uint8Array(weights(DATA).buffer)
  const tensors = Array.from({ length: DATA / TENSOR }, (_, i) => all.subarray(i * TENSOR, (i + 1) * TENSOR))
  const pkgPath = join(dir, 'weights.torshpkg')
  const plainPath = join(dir, 'weights.bin')
  const zipPath = join(dir, 'weights.zip')

  // ---------- pack ----------
  // Runs are interleaved (peer, ours, peer, ours, ...) and the page cache's dirty pages are
  // flushed before each, so writeback from one run does not throttle the next.
  const hashAndWriteRun = async () => {
    createHash('sha256').update(all).digest()
    await writeFile(plainPath, all)
  }
  const hashWriteSyncRun = async () => {
    createHash('sha256').update(all).digest()
    const fh = await open(plainPath, 'w')
    await fh.writeFile(all)
    await fh.sync()
    await fh.close()
  }
  const pack = (durable: boolean) => async () => {
    const w = createPackage(pkgPath, { name: 'bench', version: '1.0.0' }, { durable })
    for (const [i, t] of tensors.entries()) await w.add(`layers.${i}.weight`, t, { tensor: { dtype: 'float32', shape: [1024, 1024] } })
    await w.finish()
  }
  const zipRun = async () => {
    const files: Record<string, [Uint8Array, { level: 0 }]> = {}
    for (const [i, t] of tensors.entries()) files[`layers.${i}.weight`] = [t, { level: 0 }]
    await writeFile(zipPath, zipSync(files))
  }
  const [hashAndWrite, packFast, hashWriteSync, packDurable, zip] = await interleaved(PACK_RUNS, [
    hashAndWriteRun,
    pack(false),
    hashWriteSyncRun,
    pack(true),
    zipRun,
  ], [plainPath, pkgPath, zipPath])
  // Leave one of each on disk for the read measurements.
  for (const make of [hashAndWriteRun, pack(true), zipRun]) await make()
  flush()
  row('writeFile + SHA-256 (peer)', hashAndWrite, DATA, 'no fsync')
  row('torshpkg pack to file', packFast, DATA, `durable: false; ${(hashAndWrite / packFast).toFixed(2)}x the peer`)
  row('writeFile + SHA-256 + fsync (peer)', hashWriteSync, DATA, 'fsync')
  row('torshpkg pack to file (default)', packDurable, DATA, `temp file, fsync, rename; ${(hashWriteSync / packDurable).toFixed(2)}x the peer`)
  row('fflate zipSync level 0 + writeFile (peer)', zip, DATA, `torshpkg is ${(zip / packFast).toFixed(2)}x faster`)
  goals.push({ goal: 'pack >= 0.8x of hash-and-write', value: `${(hashAndWrite / packFast).toFixed(2)}x (with fsync on both: ${(hashWriteSync / packDurable).toFixed(2)}x)`, met: hashAndWrite / packFast >= 0.8 })
  goals.push({ goal: 'pack >= 2x faster than fflate zip', value: `${(zip / packFast).toFixed(2)}x`, met: zip / packFast >= 2 })

  // ---------- open + read everything, verified ----------
  const readVerified = await median(RUNS, async () => {
    const pkg = await openPackage(pkgPath)
    for (let i = 0; i < tensors.length; i++) await pkg.readTensor(`layers.${i}.weight`)
    await pkg.close()
  })
  const readHash = await median(RUNS, async () => {
    const b = await readFile(plainPath)
    createHash('sha256').update(b).digest()
  })
  const unzip = await median(RUNS, async () => {
    unzipSync(new Uint8Array(await readFile(zipPath)))
  })
  const inMemory = new Uint8Array(readFileSync(pkgPath))
  const readMemory = await median(RUNS, async () => {
    const pkg = await openPackage(inMemory)
    for (let i = 0; i < tensors.length; i++) await pkg.readTensor(`layers.${i}.weight`)
  })
  row('readFile + SHA-256 (peer)', readHash, DATA)
  row('torshpkg open + read all tensors (file)', readVerified, DATA, `every chunk verified; ${(readHash / readVerified).toFixed(2)}x the peer`)
  row('fflate unzipSync of the zip (peer)', unzip, DATA, 'reads the whole file; no CRC check')
  row('torshpkg read all tensors (in memory)', readMemory, DATA, 'zero-copy views, every chunk verified')

  // ---------- a big package: open cost and bytes touched ----------
  console.log(`Packing a ${BIG / MiB} MiB package in a child process to measure peak RSS...`)
  const bigPath = join(dir, 'big.torshpkg')
  const child = spawnSync(process.execPath, ['--import', 'tsx', new URL('./stream-pack.ts', import.meta.url).pathname, bigPath, String(BIG)], { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(child.stderr)
  const rss = JSON.parse(child.stdout.trim().split('\n').pop()!) as { baselineRss: number; peakRss: number; ms: number }
  row(`torshpkg streaming pack of ${BIG / MiB} MiB`, rss.ms, BIG, `peak RSS ${(rss.peakRss / MiB).toFixed(0)} MiB (process at rest: ${(rss.baselineRss / MiB).toFixed(0)} MiB)`)
  goals.push({ goal: `streaming pack memory independent of size`, value: `peak RSS ${(rss.peakRss / MiB).toFixed(0)} MiB for ${BIG / MiB} MiB of data`, met: rss.peakRss - rss.baselineRss < 128 * MiB })

  const counting = async (path: string) => {
    const fh = await open(path, 'r')
    const { size } = await fh.stat()
    const stats = { reads: 0, bytes: 0 }
    const source: RandomAccessSource = {
      size,
      async read(offset, length) {
        stats.reads++
        stats.bytes += length
        const b = new Uint8Array(length)
        await fh.read(b, 0, length, offset)
        return b
      },
      close: () => fh.close(),
    }
    return { source, stats }
  }
  const { source, stats } = await counting(bigPath)
  const big = await openPackage(source)
  const openBytes = stats.bytes
  const openReads = stats.reads
  await big.readTensor(`layers.${Math.floor(BIG / TENSOR / 2)}.weight`)
  const tensorBytes = stats.bytes - openBytes
  await big.close()
  const entries = big.entries().length
  const openSmall = await median(50, async () => (await openPackage(pkgPath)).close())
  const openBig = await median(50, async () => (await openPackage(bigPath)).close())
  const sizeSmall = (await (await openPackage(pkgPath)).size)
  rows.push({ what: `open ${BIG / MiB} MiB package (${entries} tensors)`, time: `${openBig.toFixed(2)} ms`, throughput: '', note: `${openReads} reads, ${(openBytes / 1024).toFixed(1)} KiB` })
  rows.push({ what: `open ${(sizeSmall / MiB).toFixed(0)} MiB package (${tensors.length} tensors)`, time: `${openSmall.toFixed(2)} ms`, throughput: '', note: '' })
  rows.push({ what: `read one 4 MiB tensor from the ${BIG / MiB} MiB package`, time: '', throughput: '', note: `${(tensorBytes / MiB).toFixed(2)} MiB read` })
  goals.push({ goal: 'open time independent of data size', value: `${openSmall.toFixed(2)} ms at ${(sizeSmall / MiB).toFixed(0)} MiB vs ${openBig.toFixed(2)} ms at ${BIG / MiB} MiB (index grows with tensor count)`, met: openBig < 5 * openSmall && openBig < 20 })
  goals.push({ goal: 'bytes read to open / to read one 4 MiB tensor', value: `${(openBytes / 1024).toFixed(1)} KiB / ${(tensorBytes / MiB).toFixed(2)} MiB`, met: openBytes < 64 * 1024 + 256 * 1024 && tensorBytes === TENSOR })

  console.log()
  console.table(rows)
  console.table(goals)
  rmSync(dir, { recursive: true, force: true })
  if (goals.some((g) => !g.met)) process.exitCode = 1
}

main().catch((e) => {
  rmSync(dir, { recursive: true, force: true })
  console.error(e)
  process.exit(1)
})
