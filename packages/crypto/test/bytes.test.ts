// The small byte helpers every feature folder shares (src/bytes.ts; equalBytes is in hash.test.ts).
import { describe, expect, it } from 'vitest'
import { concatBytes, isAllZero } from '../src/bytes'

describe('byte helpers', () => {
  it('isAllZero: every length, a non-zero byte anywhere', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(n)
      expect(isAllZero(bytes)).toBe(true)
      for (let i = 0; i < n; i++) {
        bytes[i] = 1 << (i % 8)
        expect(isAllZero(bytes), `length ${n}, byte ${i}`).toBe(false)
        bytes[i] = 0
      }
    }
  })

  it('concatBytes: a new buffer holding exactly the parts, in order', () => {
    const parts = [Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3), new Uint8Array(8).subarray(2, 4).fill(9)]
    const out = concatBytes(parts)
    expect([...out]).toEqual([1, 2, 3, 9, 9])
    expect(out.buffer.byteLength).toBe(5)
    expect(concatBytes([])).toEqual(new Uint8Array(0))
    const single = Uint8Array.of(7)
    expect(concatBytes([single])).not.toBe(single)
  })
})
