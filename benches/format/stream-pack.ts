/**
 * Child process for benches/format: stream-pack N bytes of generated tensors to a file and
 * report peak RSS. Data is produced on the fly, 1 MiB at a time, so the process never holds
 * more than the writer itself does.
 */
import { randomFillSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createPackage } from '@torshpkg/format'

const [path, total] = [process.argv[2]!, Number(process.argv[3])]
const TENSOR = 4 * 1024 * 1024
const PIECE = 1024 * 1024

async function* generate(bytes: number) {
  for (let done = 0; done < bytes; done += PIECE) yield randomFillSync(new Uint8Array(PIECE))
}

const baselineRss = process.memoryUsage().rss
const start = performance.now()
const w = createPackage(path, { name: 'big', version: '1.0.0' })
for (let i = 0; i < total / TENSOR; i++) {
  await w.add(`layers.${i}.weight`, generate(TENSOR), { tensor: { dtype: 'float32', shape: [1024, 1024] } })
}
await w.finish()
const ms = performance.now() - start

// Peak RSS of this program. getrusage's maxRSS would also count the parent's pages that were
// resident between fork and exec (Linux keeps that high-water mark across exec), so read the
// kernel's per-address-space high-water mark (VmHWM) instead, where there is one.
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) * 1024
  } catch {}
  return process.resourceUsage().maxRSS * 1024
}
console.log(JSON.stringify({ baselineRss, peakRss: peakRss(), ms }))
