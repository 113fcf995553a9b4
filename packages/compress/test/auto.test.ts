import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { COMPRESSIBLE_ENTROPY_LIMIT, sampleEntropy, worthCompressing } from '../src/index'

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))

describe("'auto' compression heuristic", () => {
  it('rates float weights and random bytes as not worth compressing', () => {
    expect(sampleEntropy(fixture('weights.f32'))).toBeGreaterThan(COMPRESSIBLE_ENTROPY_LIMIT)
    expect(sampleEntropy(fixture('random.bin'))).toBeGreaterThan(7.9)
    expect(worthCompressing(fixture('weights.f32'))).toBe(false)
    expect(worthCompressing(fixture('random.bin'))).toBe(false)
  })

  it('rates JSON and code as worth compressing', () => {
    expect(sampleEntropy(fixture('config.json'))).toBeLessThan(6)
    expect(sampleEntropy(fixture('code.py'))).toBeLessThan(6)
    expect(worthCompressing(fixture('config.json'))).toBe(true)
    expect(worthCompressing(fixture('code.py'))).toBe(true)
  })

  it('never bothers with tiny inputs, and handles empty ones', () => {
    expect(sampleEntropy(new Uint8Array(0))).toBe(0)
    expect(worthCompressing(new Uint8Array(63))).toBe(false)
    expect(worthCompressing(new Uint8Array(64))).toBe(true)
  })
})
