/**
 * Racing a promise against an AbortSignal, for callers' functions that may ignore it.
 */

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first. A later rejection of `promise` is then swallowed (never unhandled).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** Calls `fn` and returns its promise; a synchronous throw becomes a rejection. */
export function call<T>(fn: () => Promise<T> | T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()))
}
