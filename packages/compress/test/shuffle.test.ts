import { describe, expect, it } from 'vitest'
import { shuffle, unshuffle } from '../src/index'
import { random } from './helpers'

describe('byte shuffle', () => {
  it('groups byte k of every element', () => {
    expect(Array.from(shuffle(Uint8Array.of(1, 2, 3, 4, 5, 6), 2))).toEqual([1, 3, 5, 2, 4, 6])
    expect(Array.from(shuffle(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), 4))).toEqual([1, 5, 2, 6, 3, 7, 4, 8, 9])
    const f32 = new Uint8Array(new Float32Array([1, 2, 3]).buffer)
    // float32 1, 2, 3 share their top bytes: after the shuffle they are adjacent.
    expect(Array.from(shuffle(f32, 4).subarray(9))).toEqual([0x3f, 0x40, 0x40])
  })

  it('is undone by unshuffle for every width and every length', () => {
    for (const width of [2, 4, 8] as const) {
      for (let n = 0; n < 70; n++) {
        const data = random(n, n * width)
        expect(unshuffle(shuffle(data, width), width)).toEqual(data)
      }
      const big = random(1 << 20, width)
      expect(Buffer.from(unshuffle(shuffle(big, width), width)).equals(Buffer.from(big))).toBe(true)
    }
  })
})
