import { toBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { HashAlgorithm } from './algorithms.js'
import type { Hasher } from './types.js'

/** A {@link Hasher} over any incremental state, refusing use after `digest()`. */
export function guardedHasher(
  algorithm: HashAlgorithm,
  state: { update(data: Uint8Array): unknown; digest(): Uint8Array },
): Hasher {
  let done = false
  const check = () => {
    if (done) throw new CryptoError('E_ARGUMENT', 'hasher already finished')
  }
  return {
    algorithm,
    update(data) {
      check()
      // A string is hashed as its UTF-8 bytes, as the one-shot functions do.
      state.update(typeof data === 'string' ? new TextEncoder().encode(data) : toBytes(data))
      return this
    },
    digest() {
      check()
      done = true
      return state.digest()
    },
  }
}
