import { sha256 } from '@noble/hashes/sha2.js'
import { algorithmInfo, type HashAlgorithm } from './algorithms.js'
import { guardedHasher } from './hasher.js'
import type { Hasher, HashBackend } from './types.js'

// Pure-JS implementations: synchronous and available everywhere, ~10x slower than native.
const IMPLEMENTATIONS = { sha256 } as const

function nobleHasher(algorithm: HashAlgorithm): Hasher {
  algorithmInfo(algorithm)
  return guardedHasher(algorithm, IMPLEMENTATIONS[algorithm].create())
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
