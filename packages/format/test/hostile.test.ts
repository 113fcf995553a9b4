import { beforeAll, describe, expect, it } from 'vitest'
import { createPackage, openPackage, PackageError } from '@torshpkg/format'
import { layoutOf, reseal, withManifest } from './helpers/layout'
import { parseIndex, setU32, setU64 } from './helpers/index-parser'
import { rng } from '../../../scripts/test-data'

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
    const w = createPackage('memory', { name: 'd', version: '1.0.0' })
    await w.add('abc', 'x')
    await w.add('abd', 'y')
    const two = (await w.finish()).bytes!.slice()
    two[parseIndex(two).resources[1]!.pathAt + 2] = 'c'.charCodeAt(0)
    expect((await refuse(reseal(two), 'E_BAD_PATH')).details.reason).toBe('duplicate')
    // A path stored decomposed (NFD, "cafe" + U+0301 + "x", 7 bytes) is not canonical.
    const nfd = createPackage('memory', { name: 'n', version: '1.0.0' })
    await nfd.add('abcdefg', 'x')
    const nb = (await nfd.finish()).bytes!.slice()
    nb.set(new TextEncoder().encode('cafe\u0301x'), parseIndex(nb).resources[0]!.pathAt)
    expect((await refuse(reseal(nb), 'E_BAD_PATH')).details.reason).toBe('not-normalized')
  })

  it('a chunk cannot decompress to more than its declared size (bounded output)', async () => {
    // zeros.bin: 4096 zero bytes compressed to a few bytes. Claim the resource is 100 bytes.
    const bytes = edit((b, i) => {
      setU64(b, i.resources[1]!.sizeAt, 100n)
      setU32(b, i.chunks[1]!.at + 12, 100)
    })
    const pkg = await openPackage(bytes)
    await expect(pkg.read('zeros.bin')).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK', message: expect.stringMatching(/does not decode/) })
    const report = await pkg.verify()
    expect(report.issues).toEqual([expect.objectContaining({ code: 'E_CORRUPT_CHUNK', paths: ['zeros.bin'] })])
  })

  it('codec and filter ids: undefined ones are refused in a 1.0 file, tolerated from a newer minor version', async () => {
    const chunkByte = (delta: number, value: number, minor = 0) =>
      edit((b, i) => {
        b[i.chunks[1]!.at + delta] = value
        new DataView(b.buffer).setUint16(10, minor, true)
      })
    await refuse(chunkByte(16, 42), 'E_CORRUPT_INDEX', /codec id 42/)
    await refuse(chunkByte(17, 3), 'E_CORRUPT_INDEX', /filter 3/)
    await refuse(edit((b, i) => void (b[i.chunks[1]!.at + 18] = 4)), 'E_CORRUPT_INDEX', /parameter 4/)
    // From a newer writer (minor 2: 1.1 is this library's own) the same ids open; only reads of those chunks fail.
    for (const [delta, value] of [[16, 42], [17, 3]] as const) {
      const pkg = await openPackage(chunkByte(delta, value, 2))
      expect(pkg.entries()).toHaveLength(3)
      await expect(pkg.read('zeros.bin')).rejects.toMatchObject({ code: 'E_UNSUPPORTED' })
      expect(new TextDecoder().decode(await pkg.read('aaaa/bbbb.txt'))).toBe('xxxxxxxxxx')
      const report = await pkg.verify()
      expect(report.ok).toBe(false)
      expect(report.issues[0]).toMatchObject({ code: 'E_UNSUPPORTED' })
    }
    // A defined codec whose bytes are not that codec's (deflate data labelled zstd) is corrupt.
    const zstd = await openPackage(chunkByte(16, 5))
    await expect(zstd.read('zeros.bin')).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK', message: expect.stringMatching(/zstd/) })
  })

  it('a shuffle filter with a width 1.0 does not define is refused, or unsupported from a newer writer', async () => {
    const patch = (minor: number) =>
      edit((b, i) => {
        b[i.chunks[2]!.at + 17] = 1
        b[i.chunks[2]!.at + 18] = 3
        new DataView(b.buffer).setUint16(10, minor, true)
      })
    await refuse(patch(0), 'E_CORRUPT_INDEX', /filter 1 with parameter 3/)
    const pkg = await openPackage(patch(2))
    await expect(pkg.read('t.f32')).rejects.toMatchObject({ code: 'E_UNSUPPORTED' })
    await expect(pkg.readTensor('t.f32')).rejects.toMatchObject({ code: 'E_UNSUPPORTED' })
  })

  it('records that share a block must agree on everything, raw length included', async () => {
    const w = createPackage('memory', { name: 'share', version: '1.0.0' })
    await w.add('a.txt', 'same words '.repeat(20), { compression: 'deflate' })
    await w.add('b.txt', 'same words '.repeat(20), { compression: 'deflate' })
    const b = (await w.finish()).bytes!.slice()
    const i = parseIndex(b)
    expect(i.chunks[0]!.offset).toBe(i.chunks[1]!.offset) // deduplicated
    setU64(b, i.resources[1]!.sizeAt, 219n)
    setU32(b, i.chunks[1]!.at + 12, 219)
    const pkg = await openPackage(reseal(b))
    await expect(pkg.read('b.txt')).rejects.toMatchObject({ code: 'E_CORRUPT_CHUNK' })
    const report = await pkg.verify()
    expect(report.ok).toBe(false)
    expect(report.issues[0]).toMatchObject({ code: 'E_CORRUPT_INDEX', message: expect.stringMatching(/describe the block/) })
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
    // A newer minor version may use reserved bytes and flags: still readable. (1.1 is this
    // library's own, so it is checked strictly; 1.2 is the first it does not know.)
    const newer = await openPackage(pre((b, v) => {
      v.setUint16(10, 2, true)
      b[40] = 1
      b[15] = 4
    }))
    expect(newer.formatVersion).toBe('1.2')
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

  it('footer: lengths that do not add up, undefined flags, a locator that disagrees, a missing end marker', async () => {
    const f = base.length - 96
    const foot = (fn: (b: Uint8Array) => void) => {
      const copy = base.slice()
      fn(copy)
      return copy
    }
    await refuse(foot((b) => setU32(b, f + 72, layoutOf(base).manifestLength + 1)), 'E_TRUNCATED')
    await refuse(foot((b) => setU32(b, f + 76, layoutOf(base).indexLength - 1)), 'E_CORRUPT')
    await refuse(foot((b) => setU32(b, f + 84, 3)), 'E_CORRUPT', /flags/)
    await refuse(foot((b) => setU32(b, f + 84, 0)), 'E_CORRUPT', /locator/) // the preamble has one
    await refuse(foot((b) => b.fill(0, 24, 32)), 'E_CORRUPT', /locator/) // the footer says it should
    await refuse(foot((b) => void (b[b.length - 1] = 0)), 'E_TRUNCATED')
    await refuse(foot((b) => void (b[f + 40] = 1)), 'E_CORRUPT', /signature digest/)
    await refuse(foot((b) => void (b[f + 3]! ^= 1)), 'E_DIGEST_MISMATCH')
  })

  it('a media type built to make a regex backtrack is handled in linear time', { timeout: 5000 }, async () => {
    const mediaType = 'a/b' + ';a'.repeat(125) + ' '
    const w = createPackage('memory', { name: 'redos', version: '1.0.0' })
    await w.add('x', 'y', { mediaType })
    const pkg = await openPackage((await w.finish()).bytes!)
    expect(pkg.entry('x')!.mediaType).toBe(mediaType)
  })

  it('a manifest nested 5000 deep, or with a __proto__ key, is E_MANIFEST (no stack overflow, no prototype games)', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000)
    const e = await refuse(withManifest(base, `{"name":"x","version":"1.0.0","metadata":{"k":${deep}}}`), 'E_MANIFEST', /deeper than 64/)
    expect(e.details.issues).toHaveLength(1)
    await refuse(withManifest(base, '{"name":"x","version":"1.0.0","metadata":{"__proto__":{"polluted":true}}}'), 'E_MANIFEST', /__proto__/)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => createPackage('memory', { name: 'x', version: '1.0.0', metadata: cyclic as never })).toThrow(expect.objectContaining({ code: 'E_MANIFEST' }))
  })

  it('a stored path starting with a byte-order mark is not silently read as another path', async () => {
    const w = createPackage('memory', { name: 'bom', version: '1.0.0' })
    await w.add('abcd', 'x')
    const b = (await w.finish()).bytes!.slice()
    b.set([0xef, 0xbb, 0xbf], parseIndex(b).resources[0]!.pathAt) // "\uFEFFd"
    expect((await refuse(reseal(b), 'E_BAD_PATH')).details.reason).toBe('control-character')
  })

  it('a small file describing a huge resource cannot make read() allocate beyond maxReadBytes', async () => {
    // 8 MiB of zeros in 4 KiB chunks: 2048 records, one 4 KiB block on disk.
    const w = createPackage('memory', { name: 'amp', version: '1.0.0' }, { chunkSize: 4096, compression: 'none' })
    await w.add('zeros', new Uint8Array(8 << 20))
    const small = (await w.finish()).bytes!
    expect(small.length).toBeLessThan(120_000)
    const pkg = await openPackage(small, { limits: { maxReadBytes: 1 << 20 } })
    await expect(pkg.read('zeros')).rejects.toMatchObject({ code: 'E_LIMIT', message: expect.stringMatching(/maxReadBytes/) })
    await expect(pkg.readRange('zeros', 0, 2 << 20)).rejects.toMatchObject({ code: 'E_LIMIT' })
    expect(await pkg.readRange('zeros', 5 << 20, 1 << 20)).toHaveLength(1 << 20)
    let streamed = 0
    const reader = pkg.stream('zeros').getReader()
    for (let r = await reader.read(); !r.done; r = await reader.read()) streamed += r.value.length
    expect(streamed).toBe(8 << 20)
    expect(await (await openPackage(small)).read('zeros')).toHaveLength(8 << 20) // within the default
  })

  it('verify() hashes each byte of the file at most once, however many records overlap', async () => {
    const w = createPackage('memory', { name: 'overlap', version: '1.0.0' }, { chunkSize: 4096, compression: 'none' })
    await w.add('r', rng(5).bytes(1000 * 4096))
    const b = (await w.finish()).bytes!.slice()
    const idx = parseIndex(b)
    // Every chunk claims to start 64 bytes after the previous one: 1000 overlapping 4 KiB blocks.
    idx.chunks.forEach((c, k) => setU64(b, c.at, BigInt(idx.chunks[0]!.offset + 64 * k)))
    const bytes = reseal(b)
    let read = 0
    const pkg = await openPackage({ size: bytes.length, read: (o, l) => ((read += l), bytes.subarray(o, o + l)) })
    read = 0
    const report = await pkg.verify()
    expect(report.ok).toBe(false)
    expect(report.issues.length).toBeGreaterThan(900)
    expect(read).toBeLessThan(2 * bytes.length)
  })

  it('a flip that zeroes the tail locator is caught even when the rest of the byte was zero', async () => {
    // One 64-byte raw resource puts the tail at 128 = 0x80: the locator is the single bit 7 of byte 24.
    const w = createPackage('memory', { name: 'loc', version: '1.0.0' }, { compression: 'none' })
    await w.add('x', rng(6).bytes(64))
    const b = (await w.finish()).bytes!.slice()
    expect(layoutOf(b).tailOffset).toBe(128)
    expect(Array.from(b.subarray(24, 32))).toEqual([128, 0, 0, 0, 0, 0, 0, 0])
    b[24] = 0
    await refuse(b, 'E_CORRUPT', /locator/)
  })

  it('random bytes of every length never crash the reader', async () => {
    const r = rng(99)
    for (let n = 0; n < 400; n += 7) {
      const e = await openPackage(r.bytes(n)).catch((x) => x)
      expect(e).toBeInstanceOf(PackageError)
    }
  })
})
