import { StorageError } from '../errors.js'

/** How a failed call is retried. */
export interface RetryOptions {
  /** Retries after the first attempt (default 4; 0 disables). */
  readonly retries?: number
  /** First delay ceiling, doubled each retry (default 100 ms). */
  readonly baseDelayMs?: number
  /** Largest delay ceiling (default 5 s). */
  readonly maxDelayMs?: number
}

/**
 * Delay before retry `attempt` (1-based): "full jitter", a uniform random wait below an
 * exponentially growing ceiling, so that many clients failing together do not retry together.
 */
export function backoffDelay(attempt: number, options: RetryOptions = {}, random: () => number = Math.random): number {
  const base = options.baseDelayMs ?? 100
  const max = options.maxDelayMs ?? 5000
  const ceiling = Math.min(max, base * 2 ** (attempt - 1))
  return Math.floor(random() * ceiling)
}

/** Sleeps `ms`, or rejects with `E_ABORTED` when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    if (signal?.aborted) return fail(new StorageError('E_ABORTED', 'aborted', { cause: signal.reason }))
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      done()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      fail(new StorageError('E_ABORTED', 'aborted', { cause: signal?.reason }))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
