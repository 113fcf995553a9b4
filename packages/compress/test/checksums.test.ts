import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { crc32 as zlibCrc32, deflateSync } from 'node:zlib'
import { adler32, crc32, xxh32, xxh64 } from '../src/index'
import { Xxh32 } from '../src/checksums/xxh32'
import { Xxh64 } from '../src/checksums/xxh64'
import { runTool } from '../../../scripts/test-tools'
import { random } from './helpers'

const enc = (s: string) => new TextEncoder().encode(s)
const hex64 = ([h, l]: [number, number]) => h.toString(16).padStart(8, '0') + l.toString(16).padStart(8, '0')
// Lengths around every stripe and tail boundary, and some large ones.
const LENGTHS = [...Array.from({ length: 70 }, (_, i) => i), 95, 96, 97, 127, 128, 129, 1000, 65_537, 1 << 20]

describe('xxHash', () => {
  it('matches the reference vectors', () => {
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05)
    expect(xxh32(enc('abc'))).toBe(0x32d153ff)
    expect(xxh32(enc('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f)
    expect(hex64(xxh64(new Uint8Array(0)))).toBe('ef46db3751d8e999')
    expect(hex64(xxh64(enc('abc')))).toBe('44bc2cf5ad770999')
    expect(hex64(xxh64(enc('Nobody inspects the spammish repetition')))).toBe('fbcea83c8a378bf1')
  })

  it('matches xxhsum (the reference implementation) on every length around the stripe boundaries', () => {
    // xxhsum hashes each file it is given: one run for all inputs.
    const inputs = LENGTHS.map((n) => random(n, n + 1))
    const dir = mkdtempSync(join(tmpdir(), 'xxh-'))
    const files = inputs.map((data, i) => {
      const f = `${dir}/${i}`
      writeFileSync(f, data)
      return f
    })
    const line = (out: Uint8Array) => new TextDecoder().decode(out).trim().split('\n').map((l) => l.split(/\s+/)[0])
    const ref32 = line(runTool('xxhsum', ['-H32', ...files]))
    const ref64 = line(runTool('xxhsum', ['-H64', ...files]))
    inputs.forEach((data, i) => {
      expect(xxh32(data).toString(16).padStart(8, '0'), `xxh32 of ${data.length} bytes`).toBe(ref32[i])
      expect(hex64(xxh64(data)), `xxh64 of ${data.length} bytes`).toBe(ref64[i])
    })
  })

  it('the BigInt path (no WebAssembly: node --jitless has none) gives the same XXH64', () => {
    const data = random(40_003, 5) // passed as an argument: keep it under the 128 KiB limit
    const out = execFileSync(process.execPath, ['--jitless', '--input-type=module', '-e', `
      import { xxh64 } from '@torshpkg/compress'
      console.log(typeof WebAssembly, xxh64(new Uint8Array(Buffer.from(process.argv[1], 'base64'))).map((w) => w.toString(16).padStart(8, '0')).join(''))`,
      Buffer.from(data).toString('base64')], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    expect(out).toBe(`undefined ${hex64(xxh64(data))}`)
  })

  it('incremental hashing equals one-shot whatever the split', () => {
    const data = random(10_000, 4)
    for (const step of [1, 3, 15, 16, 17, 31, 32, 33, 1000]) {
      const a = new Xxh32()
      const b = new Xxh64()
      for (let at = 0; at < data.length; at += step) {
        a.update(data.subarray(at, at + step))
        b.update(data.subarray(at, at + step))
      }
      expect(a.digest()).toBe(xxh32(data))
      expect(b.digest()).toEqual(xxh64(data))
    }
  })
})

describe('CRC-32 and Adler-32', () => {
  it('CRC-32 matches node:zlib on every length and the check value', () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926)
    for (const n of LENGTHS) {
      const data = random(n, n)
      expect(crc32(data)).toBe(zlibCrc32(data))
      expect(crc32(data.subarray(n >> 1), crc32(data.subarray(0, n >> 1)))).toBe(zlibCrc32(data)) // continued
    }
  })

  it("Adler-32 matches the check value and zlib's trailers, including past the 5552-byte reduction", () => {
    expect(adler32(enc('Wikipedia'))).toBe(0x11e60398)
    for (const n of [0, 1, 5551, 5552, 5553, 100_000]) {
      const data = n === 100_000 ? new Uint8Array(n).fill(255) : random(n, n)
      const z = deflateSync(data)
      expect(adler32(data)).toBe(z.readUInt32BE(z.length - 4))
    }
  })
})
