import { sha256 } from '@noble/hashes/sha2.js'
import { toBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import { algorithmInfo, type HashAlgorithm } from './algorithms.js'
import type { Hasher, HashBackend } from './types.js'

// Pure-JS implementations: synchronous and available everywhere, ~10x slower than native.
const IMPLEMENTATIONS = { sha256 } as const

function nobleHasher(algorithm: HashAlgorithm): Hasher {
  algorithmInfo(algorithm)
  const state = IMPLEMENTATIONS[algorithm].create()
  let done = false
  return {
    algorithm,
    update(data) {
      if (done) throw new CryptoError('E_ARGUMENT', 'hasher already finished')
      state.update(toBytes(data))
      return this
    },
    digest() {
      if (done) throw new CryptoError('E_ARGUMENT', 'hasher already finished')
      done = true
      return state.digest()
    },
  }
}

/** @noble/hashes: the portable synchronous fallback. */
export const nobleBackend: HashBackend = {
  name: 'noble',
  hashSync(algorithm, data) {
    algorithmInfo(algorithm)
    return IMPLEMENTATIONS[algorithm](data)
  },
  async hash(algorithm, data) {
    return this.hashSync!(algorithm, data)
  },
  createHasher: nobleHasher,
}
