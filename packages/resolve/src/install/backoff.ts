/**
 * Exponential backoff with jitter, and the default wait between retries.
 */
import { InstallError } from './errors.js'
import type { BackoffOptions } from './types.js'

/** {@link BackoffOptions} with every default filled in. */
export type ResolvedBackoff = Required<BackoffOptions>

const DEFAULTS: ResolvedBackoff = { baseMs: 200, maxMs: 10_000, factor: 2, jitter: 'full' }

/** Fills in defaults and checks ranges (`E_INVALID_OPTIONS`). */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = { ...DEFAULTS, ...stripUndefined(options) }
  const { baseMs, maxMs, factor, jitter } = resolved
  if (!(baseMs >= 0 && Number.isFinite(baseMs))) throw new InstallError('E_INVALID_OPTIONS', `backoff.baseMs must be a finite number >= 0, got ${baseMs}`)
  if (!(maxMs >= 0 && Number.isFinite(maxMs))) throw new InstallError('E_INVALID_OPTIONS', `backoff.maxMs must be a finite number >= 0, got ${maxMs}`)
  if (!(factor >= 1 && Number.isFinite(factor))) throw new InstallError('E_INVALID_OPTIONS', `backoff.factor must be a finite number >= 1, got ${factor}`)
  if (jitter !== 'full' && jitter !== 'equal' && jitter !== 'none') throw new InstallError('E_INVALID_OPTIONS', `backoff.jitter must be 'full', 'equal' or 'none', got ${String(jitter)}`)
  return resolved
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * The delay before the `retry`-th retry (1-based), in whole milliseconds. The ceiling is
 * `min(maxMs, baseMs * factor^(retry-1))`; full jitter draws from `[0, ceiling)`, equal
 * jitter from `[ceiling/2, ceiling)`, no jitter gives the ceiling. `random` returns `[0, 1)`.
 *
 * @example
 * ```ts
 * backoffDelay(3, { baseMs: 100, factor: 2, jitter: 'none' }) // 400
 * backoffDelay(3, { baseMs: 100, factor: 2 }, () => 0.5)     // 200 (full jitter: half of 400)
 * backoffDelay(9, { baseMs: 100, maxMs: 1000, jitter: 'none' }) // 1000
 * ```
 */
export function backoffDelay(retry: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs, maxMs, factor, jitter } = resolveBackoff(options)
  const ceiling = Math.min(maxMs, baseMs * factor ** Math.max(0, retry - 1))
  if (jitter === 'none') return Math.floor(ceiling)
  const r = Math.min(Math.max(random(), 0), 1)
  if (jitter === 'equal') return Math.floor(ceiling / 2 + (r * ceiling) / 2)
  return Math.floor(r * ceiling)
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
