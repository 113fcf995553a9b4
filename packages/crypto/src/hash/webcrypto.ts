import { copyBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import { algorithmInfo } from './algorithms.js'
import type { HashBackend } from './types.js'

/** Whether this runtime exposes WebCrypto's `subtle.digest` (browsers, workers, Node, Deno, Bun). */
export function hasWebCrypto(): boolean {
  return typeof globalThis.crypto?.subtle?.digest === 'function'
}

/** WebCrypto: native speed in browsers, but one-shot and asynchronous only. */
export const webCryptoBackend: HashBackend = {
  name: 'webcrypto',
  async hash(algorithm, data) {
    const info = algorithmInfo(algorithm)
    if (!info.webCrypto || !hasWebCrypto()) {
      throw new CryptoError('E_UNSUPPORTED_ALGORITHM', `WebCrypto cannot compute ${algorithm} here`)
    }
    // WebCrypto refuses views of a SharedArrayBuffer (TypeError): hash a private copy instead.
    const input = typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer ? copyBytes(data) : data
    const digest = await globalThis.crypto.subtle.digest(info.webCrypto, input as Uint8Array<ArrayBuffer>)
    return new Uint8Array(digest)
  },
}
