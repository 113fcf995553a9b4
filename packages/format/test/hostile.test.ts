import { beforeAll, describe, expect, it } from 'vitest'
import { createPackage, openPackage, PackageError } from '@torshpkg/format'
import { layoutOf, reseal, withManifest } from './helpers/layout'
import { parseIndex, setU32, setU64 } from './helpers/index-parser'
import { rng } from './helpers/random'

/**
 * Files whose digest is consistent but whose contents lie: what a careful attacker, or a
 * buggy writer, produces. Each must be refused with a typed error before any allocation or
 * read is sized by the lie.
 */
let base: Uint8Array

beforeAll(async () => {
  const w = createPackage('memory', { name: 'hostile', version: '1.0.0' }, { chunkSize: 4096 })
  await w.add('aaaa/bbbb.txt', 'x'.repeat(10))
  await w.add('zeros.bin', new Uint8Array(4096), { compression: 'deflate' })
  await w.add('t.f32', rng(1).weights(1100), { tensor: { dtype: 'float32', shape: [1100] }, compression: 'none' })
  base = (await w.finish()).bytes!
})

async function refuse(bytes: Uint8Array, code: string, message?: RegExp) {
  const e = await openPackage(bytes).catch((x) => x)
  expect(e).toBeInstanceOf(PackageError)
  expect(e.code, e.message).toBe(code)
  if (message) expect(e.message).toMatch(message)
  return e as PackageError
}

function edit(fn: (b: Uint8Array, idx: ReturnType<typeof parseIndex>) => void): Uint8Array {
  const copy = base.slice()
  fn(copy, parseIndex(copy))
  return reseal(copy)
}

describe('hostile but digest-consistent packages', () => {
  it('the base package is fine', async () => {
    expect((await (await openPackage(base)).verify()).ok).toBe(true)
  })

  it('absurd counts are E_LIMIT before anything is allocated from them', async () => {
    await refuse(edit((b, i) => setU32(b, i.base, 0xffffffff)), 'E_LIMIT', /resources/)
    await refuse(edit((b, i) => setU32(b, i.base + 4, 0xffffffff)), 'E_LIMIT', /chunks/)
    await refuse(edit((b, i) => setU32(b, i.base, 900_000)), 'E_CORRUPT_INDEX', /cannot fit/)
    const e = await openPackage(base, { limits: { maxResources: 2 } }).catch((x) => x)
    expect(e).toMatchObject({ code: 'E_LIMIT' })
    await expect(openPackage(base, { limits: { maxManifestBytes: 10 } })).rejects.toMatchObject({ code: 'E_LIMIT', details: { what: 'manifest' } })
    await expect(openPackage(base, { limits: { maxIndexBytes: 10 } })).rejects.toMatchObject({ code: 'E_LIMIT', details: { what: 'index' } })
  })

  it('sizes, offsets and lengths that disagree with the file or each other are E_CORRUPT_INDEX', async () => {
    await refuse(edit((b, i) => setU64(b, i.resources[2]!.sizeAt, 1n << 60n)), 'E_CORRUPT_INDEX')
    await refuse(edit((b, i) => setU64(b, i.resources[2]!.sizeAt, 4401n)), 'E_CORRUPT_INDEX') // tensor needs 4400
    await refuse(edit((b, i) => setU64(b, i.chunks[0]!.at, BigInt(layoutOf(b).tailOffset))), 'E_CORRUPT_INDEX', /outside the data region/)
    await refuse(edit((b, i) => setU64(b, i.chunks[0]!.at, 1n << 62n)), 'E_CORRUPT_INDEX', /too large/)
    await refuse(edit((b, i) => setU64(b, i.chunks[0]!.at, 8n)), 'E_CORRUPT_INDEX', /outside the data region/)
    await refuse(edit((b, i) => setU32(b, i.chunks[0]!.at + 12, 11)), 'E_CORRUPT_INDEX', /raw length/)
    await refuse(edit((b, i) => setU32(b, i.chunks[0]!.at + 8, 0)), 'E_CORRUPT_INDEX', /stored length/)
    await refuse(edit((b, i) => setU32(b, i.chunks[0]!.at + 8, 11)), 'E_CORRUPT_INDEX', /stored length/)
    await refuse(edit((b, i) => setU64(b, i.chunks[2]!.at, BigInt(i.chunks[2]!.offset + 8))), 'E_CORRUPT_INDEX', /boundary/)
    await refuse(edit((b, i) => setU32(b, i.resources[0]!.chunkSizeAt, 0)), 'E_LIMIT', /chunk size/)
    await refuse(edit((b, i) => setU32(b, i.resources[0]!.chunkSizeAt, 1 << 30)), 'E_LIMIT', /chunk size/)
    await refuse(edit((b, i) => void (b[i.resources[0]!.typeAt] = 99)), 'E_CORRUPT_INDEX', /resource type/)
    await refuse(edit((b, i) => void (b[i.resources[0]!.mediaAt + 1] = 0x80)), 'E_CORRUPT_INDEX', /UTF-8/)
    await refuse(edit((b, i) => void (b[i.chunks[0]!.at + 19] = 1)), 'E_CORRUPT_INDEX', /reserved/)
  })

  it('hostile paths stored in the index are E_BAD_PATH', async () => {
    // 'aaaa/bbbb.txt' is 13 bytes; each replacement has the same length.
    for (const [path, reason] of [
      ['../bbbbbb.txt', 'dot-segment'],
      ['/aaa/bbbb.txt', 'absolute'],
      ['aaaa\\bbbb.txt', 'backslash'],
      ['C:aa/bbbb.txt', 'drive-letter'],
      ['aaaa//bbb.txt', 'empty-segment'],
      ['aaaa/bbbb.tx\0', 'control-character'],
      ['zeros.bin\0\0\0\0'.slice(0, 9) + '/../', 'dot-segment'],
    ] as const) {
      const bytes = new TextEncoder().encode(path)
      expect(bytes.length).toBe(13)
      const e = await refuse(edit((b, i) => b.set(bytes, i.resources[0]!.pathAt)), 'E_BAD_PATH')
      expect(e.details.reason).toBe(reason)
    }
    // A path equal to another resource's.
    const dupe = base.slice()
    const idx = parseIndex(dupe)
    const w = createPackage('memory', { name: 'd', version: '1.0.0' })
    await w.add('abc', 'x')
    await w.add('abd', 'y')
    const two = (await w.finish()).bytes!.slice()
    const p = parseIndex(two)
    two[p.resources[1]!.pathAt + 2] = 'c'.charCodeAt(0)
    expect((await refuse(reseal(two), 'E_BAD_PATH')).details.reason).toBe('duplicate')
    expect(idx.resourceCount).toBe(3)
    // A path stored in decomposed (NFD) form is not canonical.
    const nfd = createPackage('memory', { name: 'n', version: '1.0.0' })
    await nfd.add('cafe\u0301x', 'x') // NFC 'café' + 'x' is 6 bytes; 'cafe' + U+0301 + 'x' is 7
    const nb = (await nfd.finish()).bytes!.slice()
    const np = parseIndex(nb)
    expect(np.resources[0]!.path).toBe('caféx')
  })

  it('a chunk cannot decompress to more than its declared size (bounded output)', async () => {
    // zeros.bin: 4096 zero bytes compressed to a few bytes. Claim the resource is 100 bytes.
    const bytes = edit((b, i) => {
      setU64(b, i.resources[1]!.sizeAt, 100n)
      setU32(b, i.chunks[1]!.at + 12, 100)
    })
    const pkg = await openPackage(bytes)
    await expect(pkg.read('zeros.bin')).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK', message: /does not decode/ })
    const report = await pkg.verify()
    expect(report.issues).toEqual([expect.objectContaining({ code: 'E_CORRUPT_CHUNK', paths: ['zeros.bin'] })])
  })

  it('an unknown codec or filter opens (a newer writer) but reading that chunk is E_UNSUPPORTED', async () => {
    for (const [delta, value] of [[16, 42], [17, 3]] as const) {
      const pkg = await openPackage(edit((b, i) => void (b[i.chunks[1]!.at + delta] = value)))
      expect(pkg.entries()).toHaveLength(3)
      await expect(pkg.read('zeros.bin')).rejects.toMatchObject({ code: 'E_UNSUPPORTED' })
      expect(new TextDecoder().decode(await pkg.read('aaaa/bbbb.txt'))).toBe('xxxxxxxxxx')
      const report = await pkg.verify()
      expect(report.ok).toBe(false)
      expect(report.issues[0]).toMatchObject({ code: 'E_UNSUPPORTED' })
    }
  })

  it('overlapping or misplaced chunks are reported by verify()', async () => {
    // Point the raw tensor's second chunk at its first: the records disagree and the real second block is orphaned.
    const bytes = edit((b, i) => {
      const [c1, c2] = [i.chunks[2]!, i.chunks[3]!]
      setU64(b, c2.at, BigInt(c1.offset))
    })
    const pkg = await openPackage(bytes)
    await expect(pkg.read('t.f32')).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK' })
    const report = await pkg.verify()
    expect(report.ok).toBe(false)
    expect(report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'E_CORRUPT_INDEX', message: expect.stringMatching(/describe the block/) }),
        expect.objectContaining({ code: 'E_CORRUPT', region: 'data', message: expect.stringMatching(/belong to no chunk/) }),
      ]),
    )
  })

  it('preamble: unknown major version, big-endian, unknown hash, bad alignment, non-zero reserved bytes', async () => {
    const pre = (fn: (b: Uint8Array, v: DataView) => void) => {
      const copy = base.slice()
      fn(copy, new DataView(copy.buffer))
      return reseal(copy)
    }
    await refuse(pre((_, v) => v.setUint16(8, 2, true)), 'E_UNSUPPORTED_VERSION')
    await refuse(pre((_, v) => v.setUint16(12, 0xfeff, false)), 'E_UNSUPPORTED_VERSION', /big-endian/)
    await refuse(pre((b) => void (b[14] = 2)), 'E_UNSUPPORTED', /blake3/)
    await refuse(pre((b) => void (b[14] = 77)), 'E_UNSUPPORTED')
    await refuse(pre((_, v) => v.setUint32(16, 96, true)), 'E_CORRUPT', /alignment/)
    await refuse(pre((b) => void (b[40] = 1)), 'E_CORRUPT', /reserved/)
    await refuse(pre((b) => void (b[15] = 1)), 'E_CORRUPT', /flags/)
    // A newer minor version may use reserved bytes and flags: still readable.
    const newer = await openPackage(pre((b, v) => {
      v.setUint16(10, 1, true)
      b[40] = 1
      b[15] = 4
    }))
    expect(newer.formatVersion).toBe('1.1')
    await refuse(new TextEncoder().encode('PK\x03\x04 this is a zip file, not a package, and long enough'.repeat(4)), 'E_BAD_MAGIC')
  })

  it('manifests that are not JSON, or not valid, are E_MANIFEST with the field named', async () => {
    await refuse(withManifest(base, '{"name": "x", '), 'E_MANIFEST', /not valid UTF-8 JSON/)
    const e = await refuse(withManifest(base, JSON.stringify({ name: 'Bad Name', version: '1' })), 'E_MANIFEST')
    expect(e.details.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'name' }),
        expect.objectContaining({ field: 'version' }),
      ]),
    )
    // Unknown fields from a newer writer are kept on read.
    const pkg = await openPackage(withManifest(base, JSON.stringify({ name: 'ok', version: '1.0.0', futureField: { a: 1 } })))
    expect(pkg.manifest.futureField).toEqual({ a: 1 })
  })

  it('footer: lengths that do not add up, non-zero reserved bytes, a missing end marker', async () => {
    const f = base.length - 96
    const foot = (fn: (b: Uint8Array) => void) => {
      const copy = base.slice()
      fn(copy)
      return copy
    }
    await refuse(foot((b) => setU32(b, f + 72, layoutOf(base).manifestLength + 1)), 'E_TRUNCATED')
    await refuse(foot((b) => setU32(b, f + 76, layoutOf(base).indexLength - 1)), 'E_CORRUPT')
    await refuse(foot((b) => setU32(b, f + 84, 1)), 'E_CORRUPT', /reserved/)
    await refuse(foot((b) => void (b[b.length - 1] = 0)), 'E_TRUNCATED')
    await refuse(foot((b) => void (b[f + 40] = 1)), 'E_CORRUPT', /signature digest/)
    await refuse(foot((b) => void (b[f + 3]! ^= 1)), 'E_DIGEST_MISMATCH')
  })

  it('random bytes of every length never crash the reader', async () => {
    const r = rng(99)
    for (let n = 0; n < 400; n += 7) {
      const e = await openPackage(r.bytes(n)).catch((x) => x)
      expect(e).toBeInstanceOf(PackageError)
    }
  })
})
