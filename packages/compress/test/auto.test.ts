import { describe, expect, it } from 'vitest'
import { chooseAuto, compressSync, COMPRESSIBLE_ENTROPY_LIMIT, sampleEntropy, worthCompressing } from '../src/index'
import { fixture, random } from './helpers'

/** bfloat16 from float32: the top half of each value. */
function toBf16(f32: Uint8Array): Uint8Array {
  const words = new Uint32Array(f32.slice().buffer)
  const out = new Uint16Array(words.length)
  for (let i = 0; i < words.length; i++) out[i] = words[i]! >>> 16
  return new Uint8Array(out.buffer)
}
const saving = (data: Uint8Array, shuffle?: 2 | 4) => 1 - compressSync(data, { codec: 'deflate', shuffle }).length / data.length

describe("'auto' compression heuristic", () => {
  const f32 = fixture('weights.f32')
  const bf16 = toBf16(f32)

  it('stores float32 weights and random bytes raw: their best estimate promises too little', () => {
    expect(sampleEntropy(f32)).toBeGreaterThan(COMPRESSIBLE_ENTROPY_LIMIT)
    expect(sampleEntropy(f32, 4)).toBeGreaterThan(COMPRESSIBLE_ENTROPY_LIMIT)
    expect(chooseAuto(f32, 4).compress).toBe(false)
    expect(chooseAuto(random(1 << 20)).compress).toBe(false)
    expect(saving(f32, 4)).toBeLessThan(0.2) // and indeed deflate would save under 20%
  })

  it('compresses bfloat16 weights shuffled, where that is what makes it pay', () => {
    const choice = chooseAuto(bf16, 2)
    expect(choice).toMatchObject({ compress: true, shuffle: 2 })
    expect(choice.entropy).toBeLessThan(sampleEntropy(bf16))
    expect(saving(bf16, 2)).toBeGreaterThan(saving(bf16)) // shuffling helps deflate...
    expect(saving(bf16, 2)).toBeGreaterThan(0.25) // ...to a real saving
  })

  it('compresses JSON and code, unshuffled', () => {
    for (const name of ['config.json', 'code.py']) {
      expect(sampleEntropy(fixture(name))).toBeLessThan(6)
      expect(chooseAuto(fixture(name))).toMatchObject({ compress: true })
      expect(chooseAuto(fixture(name)).shuffle).toBeUndefined()
      expect(worthCompressing(fixture(name))).toBe(true)
    }
  })

  it('never bothers with tiny inputs, and handles empty ones', () => {
    expect(sampleEntropy(new Uint8Array(0))).toBe(0)
    expect(worthCompressing(new Uint8Array(63))).toBe(false)
    expect(worthCompressing(new Uint8Array(64))).toBe(true)
  })
})
