import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import * as browser from '../src/index'
import * as node from '../src/index.node'
import type { CodecName } from '../src/index'
import { requireTool, runTool } from '../../../scripts/test-tools'
import { collect, fixture, pieces, random, same, streamOf } from './helpers'

/**
 * Interoperability with the real tools, both ways: every fixture the tools made decodes to
 * the digest in SHA256SUMS, our output decodes with the tools, and streams the tools make with
 * their less common options (dependent LZ4 blocks, block checksums, multi-member gzip,
 * multi-frame zstd, every xz check type) decode with us.
 */
const sums = new Map(
  readFileSync(new URL('./fixtures/SHA256SUMS', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+/).reverse() as [string, string]),
)
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const CODEC_BY_EXT: Record<string, CodecName> = { gz: 'gzip', xz: 'xz', lzma: 'lzma', lz4: 'lz4', zst: 'zstd' }
const compressed = readdirSync(new URL('./fixtures/', import.meta.url)).filter((f) => CODEC_BY_EXT[f.split('.').pop()!])

describe.each([
  ['browser build', browser],
  ['node build', node],
] as const)('fixtures made by gzip, xz, lz4 and zstd, %s', (_, api) => {
  it.each(compressed)('%s decodes to its SHA256SUMS digest (one-shot, detected, streamed)', async (name) => {
    const original = name.replace(/\.(gz|xz|lzma|lz4|zst)$/, '')
    const expected = sums.get(original) ?? sums.get(`${original}.orig`)! // concat.gz holds concat.orig
    expect(expected).toMatch(/^[0-9a-f]{64}$/)
    const codec = CODEC_BY_EXT[name.split('.').pop()!]!
    const data = fixture(name)
    expect(sha(await api.decompress(data, { codec, maxOutputSize: 1 << 20 }))).toBe(expected)
    if (codec !== 'lzma') expect(sha(await api.decompress(data, { maxOutputSize: 1 << 20 }))).toBe(expected) // magic bytes
    expect(sha(await collect(streamOf(pieces(data, 11)).pipeThrough(api.decompressStream({ codec, maxOutputSize: 1 << 20 }))))).toBe(expected)
  })
})

describe('our output, read by the real tools', () => {
  const data = new Uint8Array(Buffer.concat([fixture('config.json'), random(300_000), fixture('code.py'), new Uint8Array(5 << 20)]))

  it('gzip -d reads our gzip, one-shot and streamed, at every preset', async () => {
    requireTool('gzip')
    for (const level of ['fast', 'balanced', 'max'] as const) {
      same(runTool('gzip', ['-dc'], node.compressSync(data, { codec: 'gzip', level })), data)
    }
    same(runTool('gzip', ['-dc'], await collect(streamOf(pieces(data)).pipeThrough(node.compressStream({ codec: 'gzip' })))), data)
    // And `gzip -t` agrees the stream is intact (CRC and length).
    runTool('gzip', ['-t'], browser.compressSync(data, { codec: 'gzip' }))
  })

  it('lz4 -d reads our LZ4 frames, one-shot (with content size) and streamed (without)', async () => {
    requireTool('lz4')
    same(runTool('lz4', ['-dc'], node.compressSync(data, { codec: 'lz4' })), data)
    same(runTool('lz4', ['-dc'], await collect(streamOf(pieces(data)).pipeThrough(browser.compressStream({ codec: 'lz4' })))), data)
    same(runTool('lz4', ['-dc'], browser.compressSync(new Uint8Array(0), { codec: 'lz4' })), new Uint8Array(0))
    runTool('lz4', ['-t'], node.compressSync(data, { codec: 'lz4' }))
  })
})

describe("the real tools' output, read by us", () => {
  const data = new Uint8Array(Buffer.concat([fixture('code.py'), random(200_000, 3), fixture('config.json'), new Uint8Array(300_000)]))

  it('lz4: dependent and independent blocks, block checksums, content size, every block size, concatenated frames', async () => {
    requireTool('lz4')
    for (const flags of [[], ['-BD'], ['-BX'], ['--content-size'], ['--no-frame-crc'], ['-B4'], ['-B5'], ['-B6'], ['-B7', '-BD', '-BX'], ['-9'], ['--fast=5']]) {
      const packed = runTool('lz4', ['-c', ...flags], data)
      for (const api of [browser, node]) same(api.decompressSync(packed, { codec: 'lz4', maxOutputSize: data.length }), data)
      same(await collect(streamOf(pieces(packed, 5)).pipeThrough(node.decompressStream({ codec: 'lz4', maxOutputSize: data.length }))), data)
    }
    const two = new Uint8Array(Buffer.concat([runTool('lz4', ['-c'], data.subarray(0, 1000)), runTool('lz4', ['-c', '-BD'], data.subarray(1000))]))
    same(node.decompressSync(two, { codec: 'lz4', maxOutputSize: data.length }), data)
    // The legacy format (lz4 -l) is named as such, not misread.
    expect(() => node.decompressSync(runTool('lz4', ['-c', '-l'], data), { codec: 'lz4' })).toThrow(expect.objectContaining({ code: 'E_CORRUPT', message: expect.stringContaining('legacy') }))
  })

  it('lz4: linked 64 KiB blocks whose matches reach into earlier blocks, stored or compressed', async () => {
    requireTool('lz4')
    // Random 40 KB segments, each said twice: the second time is a match 40 KB back, mostly into
    // the previous block, which (all random) was stored as is or compressed around an earlier match.
    const segments = Array.from({ length: 12 }, (_, i) => random(40_000, 100 + i))
    const twice = new Uint8Array(Buffer.concat(segments.flatMap((seg) => [seg, seg])))
    // 100 KB of fresh random bytes, then bytes 40 000 to 65 535 again: the first 64 KiB block
    // cannot shrink and is stored, the second is compressed around a match into the stored one.
    const fresh = random(100_000, 99)
    const intoStored = new Uint8Array(Buffer.concat([fresh, fresh.subarray(40_000, 65_536), fresh.subarray(0, 30_000)]))
    for (const data of [twice, intoStored]) {
      for (const flags of [['-B4', '-BD'], ['-B4', '-BD', '--no-frame-crc', '-BX'], ['-B5', '-BD', '-9']]) {
        const packed = runTool('lz4', ['-c', ...flags], data)
        expect(packed.length, flags.join(' ')).toBeLessThan(0.9 * data.length) // the matches across blocks were found
        for (const api of [browser, node]) same(api.decompressSync(packed, { codec: 'lz4', maxOutputSize: data.length }), data)
        same(await collect(streamOf(pieces(packed, 17)).pipeThrough(browser.decompressStream({ codec: 'lz4', maxOutputSize: data.length }))), data)
      }
    }
  })

  it('gzip: levels, a stored file name, and multi-member streams', () => {
    requireTool('gzip')
    const members = new Uint8Array(Buffer.concat([runTool('gzip', ['-c', '-1'], data.subarray(0, 70_000)), runTool('gzip', ['-c', '-9'], data.subarray(70_000))]))
    for (const api of [browser, node]) {
      same(api.decompressSync(members, { codec: 'gzip', maxOutputSize: data.length }), data)
      same(api.decompressSync(runTool('gzip', ['-c', '-9'], data), { maxOutputSize: data.length }), data)
    }
  })

  it('zstd: levels, no checksum, multi-frame, long windows up to 128 MiB; a 256 MiB window is refused', async () => {
    requireTool('zstd')
    for (const flags of [['-1'], ['-19'], ['--no-check'], ['--long=27', '-3'], ['--ultra', '-22'], ['-B65536']]) {
      const packed = runTool('zstd', ['-c', '-q', ...flags], data)
      for (const api of [browser, node]) same(api.decompressSync(packed, { codec: 'zstd', maxOutputSize: data.length }), data)
      same(await collect(streamOf(pieces(packed, 9)).pipeThrough(browser.decompressStream({ codec: 'zstd', maxOutputSize: data.length }))), data)
    }
    const frames = new Uint8Array(Buffer.concat([runTool('zstd', ['-c', '-q'], data.subarray(0, 5)), runTool('zstd', ['-c', '-q'], data.subarray(5))]))
    same(browser.decompressSync(frames, { codec: 'zstd', maxOutputSize: data.length }), data)
    const huge = runTool('zstd', ['-c', '-q', '--long=28', '--zstd=wlog=28'], data)
    expect(() => browser.decompressSync(huge, { codec: 'zstd' })).toThrow(expect.objectContaining({ code: 'E_LIMIT', message: expect.stringContaining('window') }))
  })

  it('xz: every preset and check type, and .lzma from xz --format=lzma', async () => {
    requireTool('xz')
    for (const flags of [['-0'], ['-6'], ['-9e'], ['--check=none'], ['--check=crc32'], ['--check=crc64'], ['--block-size=65536']]) {
      const packed = runTool('xz', ['-c', ...flags], data)
      same(await node.decompress(packed, { maxOutputSize: data.length }), data)
      same(await collect(streamOf(pieces(packed, 13)).pipeThrough(browser.decompressStream({ codec: 'xz', maxOutputSize: data.length }))), data)
    }
    // SHA-256-checked streams are named as unsupported by the decoder, not misread.
    await expect(node.decompress(runTool('xz', ['-c', '--check=sha256'], data), { maxOutputSize: data.length })).rejects.toMatchObject({
      code: 'E_CODEC_UNAVAILABLE',
      message: expect.stringContaining('SHA-256'),
    })
    for (const flags of [['-1'], ['-9'], ['--lzma1=preset=6,lc=0,lp=2,pb=0']]) {
      const packed = runTool('xz', ['-c', '--format=lzma', ...flags], data)
      same(node.decompressSync(packed, { codec: 'lzma', maxOutputSize: data.length }), data)
    }
  })
})
