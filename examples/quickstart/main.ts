/**
 * Quickstart: pack a small generated model into a .torshpkg, open it from disk and over a
 * local HTTP server, read one tensor as a Float32Array, verify both, and print what happened.
 *
 *   npm run demo            (from the repository root)
 */
import { mkdir } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import send from 'send'
import { createPackage, openPackage, type Package } from '@torshpkg/format'

const here = dirname(fileURLToPath(import.meta.url))
const outDir = join(here, 'out')
const file = join(outDir, 'tiny-mlp.torshpkg')

// A small MLP: 4 layers of 512x512 float32 weights plus biases, a config, a tokenizer, code.
const LAYERS = 4
const WIDTH = 512

function weights(seed: number, n: number): Float32Array {
  // Deterministic "trained-looking" weights: normal(0, 0.02) via Box-Muller on a tiny PRNG.
  let s = seed >>> 0
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand()) * 0.02
  return out
}

async function pack(): Promise<{ ms: number; digest: string; size: number }> {
  await mkdir(outDir, { recursive: true })
  const start = performance.now()
  const w = createPackage(file, {
    name: 'tiny-mlp',
    version: '1.0.0',
    description: 'A 4-layer MLP generated for the torshpkg quickstart',
    license: 'MIT',
    tags: ['example', 'mlp'],
    created: new Date().toISOString(),
    dependencies: { 'tiny-tokenizer': '^1.0.0' },
    lineage: { derivedFrom: 'mlp-base@0.9.0' },
    metadata: { framework: 'torshpkg-quickstart', parameters: LAYERS * (WIDTH * WIDTH + WIDTH) },
  })
  const config = { architecture: 'mlp', layers: LAYERS, width: WIDTH, activation: 'gelu', dtype: 'float32' }
  await w.add('config.json', JSON.stringify(config, null, 2), { type: 'config' })
  const vocab = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`tok${i}`, i]))
  await w.add('tokenizer.json', JSON.stringify({ model: { type: 'WordLevel', vocab } }), { type: 'tokenizer' })
  await w.add('model.py', MODEL_CODE, { type: 'code' })
  for (let l = 0; l < LAYERS; l++) {
    await w.add(`layers.${l}.weight`, weights(l + 1, WIDTH * WIDTH), { tensor: { dtype: 'float32', shape: [WIDTH, WIDTH] } })
    await w.add(`layers.${l}.bias`, new Float32Array(WIDTH), { tensor: { dtype: 'float32', shape: [WIDTH] } })
  }
  const summary = await w.finish()
  return { ms: performance.now() - start, digest: summary.digest, size: summary.size }
}

/** Serve outDir with Range support, counting requests and body bytes. */
async function serve() {
  const stats = { requests: 0, bytes: 0 }
  const server = createServer((req, res) => {
    stats.requests++
    const write = res.write.bind(res) as (c: Uint8Array, ...r: unknown[]) => boolean
    res.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
      stats.bytes += chunk.length
      return write(chunk, ...rest)
    }) as typeof res.write
    send(req, new URL(req.url ?? '/', 'http://x').pathname, { root: outDir }).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny-mlp.torshpkg`
  return { url, stats, close: () => new Promise<void>((r) => server.close(() => r())) }
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`

async function inspect(label: string, pkg: Package, measure?: () => { requests: number; bytes: number }) {
  const opened = measure?.()
  const t0 = performance.now()
  const tensor = await pkg.readTensor('layers.2.weight')
  const readMs = performance.now() - t0
  const afterRead = measure?.()
  const expected = weights(3, WIDTH * WIDTH)
  const matches = tensor.data instanceof Float32Array && tensor.data.every((v, i) => v === expected[i])
  const report = await pkg.verify()
  return {
    source: label,
    open: opened ? `${opened.requests} requests, ${kib(opened.bytes)}` : 'preamble + tail',
    'read layers.2.weight': `${tensor.shape.join('x')} Float32Array in ${readMs.toFixed(1)} ms${afterRead && opened ? ` (+${kib(afterRead.bytes - opened.bytes)})` : ''}`,
    'values match': matches,
    verify: report.ok ? `ok (${report.chunks.unique} chunks, ${kib(report.checkedBytes)})` : `FAILED: ${report.issues[0]?.message}`,
  }
}

async function main() {
  const packed = await pack()
  console.log(`\nPacked ${relative(process.cwd(), file)}: ${kib(packed.size)} in ${packed.ms.toFixed(0)} ms`)
  console.log(`digest ${packed.digest}\n`)

  const local = await openPackage(file)
  console.log(`Manifest: ${local.manifest.name}@${local.manifest.version} (${local.manifest.description})`)
  console.table(
    local.entries().map((e) => ({
      path: e.path,
      type: e.type,
      size: kib(e.size),
      stored: kib(e.storedSize),
      codec: e.codecs.join('+'),
      tensor: e.tensor ? `${e.tensor.dtype}[${e.tensor.shape.join(',')}]` : '',
    })),
  )

  const server = await serve()
  const remote = await openPackage(server.url)
  const rows = [
    await inspect('disk', local),
    await inspect(`http ${new URL(server.url).host}`, remote, () => ({ ...server.stats })),
  ]
  console.table(rows)
  await local.close()
  await remote.close()
  await server.close()
  const ok = rows.every((r) => r['values match'] && r.verify.startsWith('ok')) && remote.digest === packed.digest
  console.log(ok ? '\nAll good: same digest from disk and HTTP, tensor values match, every byte verified.' : '\nSomething is wrong (see above).')
  if (!ok) process.exit(1)
}

const MODEL_CODE = `import json
import numpy as np


def gelu(x):
    return 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


class TinyMLP:
    def __init__(self, tensors, config):
        self.layers = [(tensors[f"layers.{i}.weight"], tensors[f"layers.{i}.bias"]) for i in range(config["layers"])]

    def __call__(self, x):
        for w, b in self.layers:
            x = gelu(x @ w.T + b)
        return x
`

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
