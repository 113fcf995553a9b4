import { describe, expect, it } from 'vitest'
import { backoffDelay } from '@torshpkg/resolve'
import { rng } from './helpers'

describe('backoffDelay', () => {
  it('grows exponentially up to maxMs without jitter', () => {
    const delays = Array.from({ length: 8 }, (_, i) => backoffDelay(i + 1, { baseMs: 100, factor: 3, maxMs: 5000, jitter: 'none' }))
    expect(delays).toEqual([100, 300, 900, 2700, 5000, 5000, 5000, 5000])
  })

  it('full jitter draws from [0, ceiling), scaling with random()', () => {
    const options = { baseMs: 100, factor: 2, maxMs: 10_000 } as const
    expect(backoffDelay(4, options, () => 0)).toBe(0)
    expect(backoffDelay(4, options, () => 0.25)).toBe(200)
    expect(backoffDelay(4, options, () => 0.999999)).toBe(799)
    const r = rng(3)
    for (let retry = 1; retry <= 12; retry++) {
      const ceiling = Math.min(10_000, 100 * 2 ** (retry - 1))
      const samples = Array.from({ length: 200 }, () => backoffDelay(retry, options, r))
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...samples)).toBeLessThan(ceiling)
      // Spread over the range, not stuck at one end.
      expect(Math.max(...samples) - Math.min(...samples)).toBeGreaterThan(ceiling / 2)
    }
  })

  it('equal jitter stays in the upper half', () => {
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, { baseMs: 100, jitter: 'equal' })
      expect(d).toBeGreaterThanOrEqual(200)
      expect(d).toBeLessThan(400)
    }
  })

  it('does not overflow on huge retry counts', () => {
    expect(backoffDelay(5000, { baseMs: 100, maxMs: 30_000, jitter: 'none' })).toBe(30_000)
  })

  it('rejects nonsense options', () => {
    expect(() => backoffDelay(1, { factor: 0.5 })).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTIONS' }))
    expect(() => backoffDelay(1, { baseMs: -1 })).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTIONS' }))
    expect(() => backoffDelay(1, { jitter: 'sometimes' as 'full' })).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTIONS' }))
  })
})
