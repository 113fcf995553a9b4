import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { detectCodec } from '../src/index'

const dir = new URL('./fixtures/', import.meta.url)
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)))
const byExtension: Record<string, string> = { gz: 'gzip', xz: 'xz', lzma: 'lzma', lz4: 'lz4', zst: 'zstd' }

describe('detectCodec', () => {
  const files = readdirSync(dir).filter((f) => f !== 'SHA256SUMS' && f !== 'README.md')
  it.each(files)('%s', (name) => {
    const ext = name.split('.').pop()!
    expect(detectCodec(read(name))).toBe(byExtension[ext])
  })

  it('recognises zlib headers and nothing in short or empty input', () => {
    expect(detectCodec(Uint8Array.of(0x78, 0x9c))).toBe('zlib')
    expect(detectCodec(Uint8Array.of(0x78, 0xda))).toBe('zlib')
    expect(detectCodec(Uint8Array.of(0x78, 0x9d))).toBeUndefined() // header checksum wrong
    expect(detectCodec(new Uint8Array(0))).toBeUndefined()
    expect(detectCodec(Uint8Array.of(0x1f))).toBeUndefined()
  })

  it('does not mistake random data for a legacy .lzma header', () => {
    let s = 7
    let hits = 0
    for (let i = 0; i < 20_000; i++) {
      const b = new Uint8Array(16)
      for (let j = 0; j < 16; j++) b[j] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24
      if (detectCodec(b) === 'lzma') hits++
    }
    expect(hits).toBe(0)
  })
})
