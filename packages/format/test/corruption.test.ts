import { beforeAll, describe, expect, it } from 'vitest'
import { createPackage, openPackage, PackageError, type Package } from '@torshpkg/format'
import { layoutOf } from './helpers/layout'
import { parseIndex, withSignatureBlock } from './helpers/index-parser'
import { rng } from '../../../scripts/test-data'

/**
 * A small package with every region: preamble, raw chunks with padding, a compressed chunk,
 * a deduplicated chunk, manifest, index, a signature block and the footer.
 */
let pristine: Uint8Array
const contents = new Map<string, Uint8Array>()

beforeAll(async () => {
  const r = rng(21)
  const w = createPackage('memory', { name: 'victim', version: '1.0.0', lineage: { derivedFrom: 'base@1.0.0' } }, { chunkSize: 4096 })
  const add = async (path: string, data: Uint8Array, opts = {}) => {
    contents.set(path, data)
    await w.add(path, data, opts)
  }
  await add('config.json', new TextEncoder().encode(JSON.stringify({ layers: Array.from({ length: 40 }, (_, i) => ({ id: i, act: 'gelu' })) })), { type: 'config' })
  await add('w.bin', r.bytes(4096 + 100))
  await add('tiny.txt', new TextEncoder().encode('hi'))
  await add('again.bin', contents.get('w.bin')!.slice())
  const { bytes } = await w.finish()
  pristine = await withSignatureBlock(bytes!, [{ kind: 1, payload: r.bytes(64) }])
})

/** Open, read everything, verify. Returns 'rejected' / 'reported' / 'clean'; throws on wrong data or a non-PackageError. */
async function probe(bytes: Uint8Array): Promise<'rejected' | 'reported' | 'clean'> {
  let pkg: Package
  try {
    pkg = await openPackage(bytes)
  } catch (e) {
    if (!(e instanceof PackageError)) throw e
    return 'rejected'
  }
  // Every way of reading must either fail with a PackageError or return exactly the original.
  const reads: [string, (path: string, size: number) => Promise<Uint8Array>, (b: Uint8Array) => Uint8Array][] = [
    ['read', (p) => pkg.read(p), (b) => b],
    ['readRange', (p, n) => pkg.readRange(p, n >> 2, n >> 1), (b) => b.subarray(b.length >> 2, (b.length >> 2) + (b.length >> 1))],
    ['stream', (p) => collect(pkg.stream(p)), (b) => b],
  ]
  for (const [path, expected] of contents) {
    for (const [how, readIt, slice] of reads) {
      try {
        const got = await readIt(path, expected.length)
        if (!Buffer.from(got).equals(Buffer.from(slice(expected)))) throw new Error(`wrong data returned for ${path} by ${how}`)
      } catch (e) {
        if (!(e instanceof PackageError)) throw e
      }
    }
  }
  const report = await pkg.verify()
  return report.ok ? 'clean' : 'reported'
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  const reader = stream.getReader()
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value)
  return new Uint8Array(Buffer.concat(parts))
}

describe('corruption', () => {
  it('the pristine package, with its signature block, is clean', async () => {
    expect(await probe(pristine)).toBe('clean')
    const pkg = await openPackage(pristine)
    expect(pkg.signatures).toHaveLength(1)
    expect(pkg.signatures[0]!.kind).toBe(1)
  })

  it('truncation at every length is E_TRUNCATED', async () => {
    for (let length = 0; length < pristine.length; length++) {
      const error = await openPackage(pristine.subarray(0, length)).catch((e) => e)
      expect(error, `length ${length}`).toBeInstanceOf(PackageError)
      expect(error.code, `length ${length}: ${error.message}`).toBe('E_TRUNCATED')
    }
  })

  it('a flipped bit in any byte of any region is detected, and no read ever returns wrong data', async () => {
    const l = layoutOf(pristine)
    const outcomes = { rejected: 0, reported: 0, clean: 0 }
    for (let i = 0; i < pristine.length; i++) {
      const bits = i < 64 || i >= l.footerOffset ? [0, 1, 2, 3, 4, 5, 6, 7] : [i % 8]
      for (const bit of bits) {
        const copy = pristine.slice()
        copy[i]! ^= 1 << bit
        const outcome = await probe(copy)
        outcomes[outcome]++
        expect(outcome, `flip of bit ${bit} at byte ${i}`).not.toBe('clean')
      }
    }
    // Both paths are exercised: metadata flips fail open, data and padding flips are reported by verify.
    expect(outcomes.rejected).toBeGreaterThan(100)
    expect(outcomes.reported).toBeGreaterThan(100)
  })

  it('verify() names the region and resource of each problem', async () => {
    const { chunks } = parseIndex(pristine)
    const copy = pristine.slice()
    const wChunk = chunks.find((c) => c.codec === 0 && c.rawLength === 4096)!
    copy[wChunk.offset + 5]! ^= 1
    const tinyChunk = chunks.find((c) => c.rawLength === 2)!
    const padAt = tinyChunk.offset - 1 // padding before an aligned raw chunk
    copy[padAt] = 0xff
    const report = await (await openPackage(copy)).verify()
    expect(report.ok).toBe(false)
    expect(report.chunks.corrupt).toBe(1)
    expect(report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'E_CORRUPT_CHUNK', region: 'data', offset: wChunk.offset, paths: ['w.bin', 'again.bin'] }),
        expect.objectContaining({ code: 'E_CORRUPT', region: 'padding', offset: padAt }),
      ]),
    )
    // Reads of the damaged chunk fail; the others still work.
    const pkg = await openPackage(copy)
    await expect(pkg.read('w.bin')).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK' })
    await expect(pkg.readRange('again.bin', 0, 10)).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK' })
    expect(Buffer.from(await pkg.readRange('w.bin', 4096, 100))).toEqual(Buffer.from(contents.get('w.bin')!.subarray(4096)))
    expect(new TextDecoder().decode(await pkg.read('tiny.txt'))).toBe('hi')
  })

  it('a stream of a corrupt resource errors at the bad chunk after delivering the good ones', async () => {
    const { chunks } = parseIndex(pristine)
    const copy = pristine.slice()
    const second = chunks.find((c) => c.rawLength === 100)!
    copy[second.offset]! ^= 0x80
    const reader = (await openPackage(copy)).stream('w.bin').getReader()
    const first = await reader.read()
    expect(first.value).toHaveLength(4096)
    await expect(reader.read()).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK' })
  })
})
