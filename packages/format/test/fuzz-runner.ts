/**
 * The fuzz loop, run as its own process by fuzz.test.ts so that even a synchronous infinite
 * loop in the reader is caught (the parent kills it when progress stops) and reported with its
 * iteration. Prints one JSON line per event: {"progress": i}, then {"done": tally} or {"failed": ...}.
 *
 *   node --import tsx test/fuzz-runner.ts <seed> <iterations>
 */
import { generateAgeIdentity } from '@torshpkg/crypto'
import { createPackage, openPackage, PackageError } from '../src/index.node.js'
import { layoutOf, reseal } from './helpers/layout.js'
import { rng } from '../../../scripts/test-data.js'

const SEED = Number(process.argv[2])
const ITERATIONS = Number(process.argv[3])
const contents = new Map<string, Uint8Array>()
const bases: Uint8Array[] = []
let identity = ''
const emit = (event: object) => process.stdout.write(JSON.stringify(event) + '\n')

async function setup() {

  const r = rng(SEED)
  for (const [i, compression] of (['none', 'deflate', 'auto'] as const).entries()) {
    const w = createPackage('memory', { name: `fuzz-${i}`, version: '1.0.0', tags: ['a'], dependencies: { dep: '^1.0.0' } }, { chunkSize: 4096, compression })
    const files: [string, Uint8Array][] = [
      ['config.json', new TextEncoder().encode(JSON.stringify({ n: i, pad: 'abc'.repeat(800) }))],
      ['w/weights.bin', new Uint8Array(r.weights(2100).buffer)],
      ['tok/vocab.txt', new TextEncoder().encode('hello world\n'.repeat(50))],
      ['empty', new Uint8Array(0)],
    ]
    for (const [path, data] of files) {
      contents.set(`${i}:${path}`, data)
      await w.add(path, data, path.startsWith('w/') ? { tensor: { dtype: 'float32', shape: [2100] } } : {})
    }
    bases.push((await w.finish()).bytes!)
  }
  // A fourth base with encrypted resources (format 1.1): every mutant is opened with its key,
  // so mutations reach the decryption path too.
  const age = await generateAgeIdentity()
  identity = age.identity
  const w = createPackage('memory', { name: 'fuzz-enc', version: '1.0.0' }, { chunkSize: 4096, encryption: { recipients: [age.recipient] } })
  const files: [string, Uint8Array][] = [
    ['config.json', new TextEncoder().encode(JSON.stringify({ pad: 'xyz'.repeat(700) }))],
    ['w/weights.bin', new Uint8Array(r.weights(2100).buffer)],
    ['tok/vocab.txt', new TextEncoder().encode('hello world\n'.repeat(50))],
  ]
  for (const [path, data] of files) {
    contents.set(`${bases.length}:${path}`, data)
    await w.add(path, data, path.startsWith('w/') ? { tensor: { dtype: 'float32', shape: [2100] } } : { encrypt: path !== 'config.json' })
  }
  bases.push((await w.finish()).bytes!)
}

type Outcome = 'rejected' | 'reported' | 'clean'

async function exercise(bytes: Uint8Array, base: number, strict: boolean): Promise<Outcome> {
  let pkg
  try {
    pkg = await openPackage(bytes, { identity })
  } catch (e) {
    if (e instanceof PackageError) return 'rejected'
    throw e
  }
  for (const entry of pkg.entries()) {
    for (const op of ['read', 'range', 'stream'] as const) {
      try {
        let got: Uint8Array
        if (op === 'read') got = await pkg.read(entry.path)
        else if (op === 'range') got = await pkg.readRange(entry.path, Math.floor(entry.size / 3), Math.floor(entry.size / 3))
        else {
          const parts: Uint8Array[] = []
          const reader = pkg.stream(entry.path).getReader()
          for (;;) {
            const { done, value } = await reader.read()
            if (done) break
            parts.push(value)
          }
          got = new Uint8Array(Buffer.concat(parts))
        }
        const whole = contents.get(`${base}:${entry.path}`)
        const third = Math.floor(entry.size / 3)
        const expected = op === 'range' ? whole?.subarray(third, 2 * third) : whole
        if (strict && expected && !Buffer.from(got).equals(Buffer.from(expected))) {
          throw new Error(`wrong data for ${entry.path} via ${op}`)
        }
      } catch (e) {
        if (!(e instanceof PackageError)) throw e
      }
    }
  }
  try {
    await pkg.readTensor('w/weights.bin')
  } catch (e) {
    if (!(e instanceof PackageError)) throw e
  }
  const report = await pkg.verify()
  return report.ok ? 'clean' : 'reported'
}

function mutate(r: ReturnType<typeof rng>, base: Uint8Array): { bytes: Uint8Array; resealed: boolean } {
  const b = base.slice()
  const l = layoutOf(base)
  const kind = r.int(8)
  const anywhere = () => r.int(b.length)
  const inMeta = () => l.tailOffset + r.int(l.manifestLength + l.indexLength)
  const values = [0, 1, 0x7f, 0xff, 0xffff, 0xffffffff, 4096, 4097, b.length, l.tailOffset]
  switch (kind) {
    case 0: // flip a few bits anywhere
      for (let n = 1 + r.int(8); n > 0; n--) b[anywhere()]! ^= 1 << r.int(8)
      return { bytes: b, resealed: false }
    case 1: { // overwrite a span with random bytes
      const at = anywhere()
      b.set(r.bytes(Math.min(1 + r.int(64), b.length - at)), at)
      return { bytes: b, resealed: false }
    }
    case 2: // truncate or extend
      return { bytes: r.int(2) ? b.subarray(0, anywhere()) : new Uint8Array(Buffer.concat([b, r.bytes(1 + r.int(200))])), resealed: false }
    case 3: { // insert bytes in the middle
      const at = anywhere()
      return { bytes: new Uint8Array(Buffer.concat([b.subarray(0, at), r.bytes(1 + r.int(16)), b.subarray(at)])), resealed: false }
    }
    case 4: // flip bits in manifest or index, then reseal
      for (let n = 1 + r.int(4); n > 0; n--) b[inMeta()]! ^= 1 << r.int(8)
      return { bytes: reseal(b), resealed: true }
    case 5: { // write an interesting integer over a field in the index, then reseal
      const at = Math.min(inMeta(), b.length - 96 - 4)
      const v = new DataView(b.buffer)
      const value = values[r.int(values.length)]!
      if (r.int(2)) v.setUint32(at, value, true)
      else v.setBigUint64(Math.min(at, b.length - 96 - 8), BigInt(value) * BigInt(1 + r.int(3)), true)
      return { bytes: reseal(b), resealed: true }
    }
    case 6: { // random bytes over a span of the index, then reseal
      const at = inMeta()
      b.set(r.bytes(Math.min(1 + r.int(32), b.length - 96 - at)), at)
      return { bytes: reseal(b), resealed: true }
    }
    default: { // corrupt a data byte and a metadata byte together, then reseal
      b[64 + r.int(l.tailOffset - 64)]! ^= 1 << r.int(8)
      b[inMeta()]! ^= 1 << r.int(8)
      return { bytes: reseal(b), resealed: true }
    }
  }
}

/** Where a mutant differs from its base, for failure messages. */
function describeChange(base: Uint8Array, mutant: Uint8Array): string {
  const diffs: string[] = []
  for (let i = 0; i < Math.min(base.length, mutant.length) && diffs.length < 8; i++) {
    if (base[i] !== mutant[i]) diffs.push(`@${i}: ${base[i]}->${mutant[i]}`)
  }
  return `length ${base.length}->${mutant.length}; ${diffs.join(', ') || 'no byte differs in the common prefix'}`
}


async function main() {
  await setup()
  const r = rng(SEED)
  const tally: Record<Outcome, number> & { unchanged: number } = { rejected: 0, reported: 0, clean: 0, unchanged: 0 }
  for (let i = 0; i < ITERATIONS; i++) {
    if (i % 50 === 0) emit({ progress: i })
    const which = r.int(bases.length)
    const { bytes, resealed } = mutate(r, bases[which]!)
    // Two flips of one bit cancel out; an unchanged package is rightly clean, so skip it.
    if (!resealed && Buffer.from(bytes).equals(Buffer.from(bases[which]!))) {
      tally.unchanged++
      continue
    }
    let outcome: Outcome
    try {
      outcome = await exercise(bytes, which, !resealed)
    } catch (e) {
      emit({ failed: `iteration ${i} (seed ${SEED}, resealed ${resealed}): ${(e as Error)?.stack ?? e}` })
      process.exit(1)
    }
    tally[outcome]++
    // A plain mutation of a valid package is never silently accepted (appending bytes moves the footer).
    if (!resealed && outcome === 'clean') {
      emit({ failed: `iteration ${i}: a plain mutation was accepted as clean: ${describeChange(bases[which]!, bytes)}` })
      process.exit(1)
    }
  }
  emit({ done: tally })
}

main().catch((e) => {
  emit({ failed: String(e?.stack ?? e) })
  process.exit(1)
})
