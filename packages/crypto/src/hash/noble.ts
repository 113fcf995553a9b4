import { blake2b } from '@noble/hashes/blake2.js'
import { blake3 } from '@noble/hashes/blake3.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { algorithmInfo, type HashAlgorithm } from './algorithms.js'
import { guardedHasher } from './hasher.js'
import type { Hasher, HashBackend } from './types.js'

/** The slice of a noble hash function we use: one-shot call plus incremental `create()`. */
interface NobleHash {
  (data: Uint8Array): Uint8Array
  create(): { update(data: Uint8Array): unknown; digest(): Uint8Array }
}

// Pure-JS implementations: synchronous and available everywhere, ~2-10x slower than native.
// Every algorithm of the table is here, so noble is the backend of last resort for all of them.
// Called without options, blake2b gives 64 bytes and blake3 32: exactly the table's lengths.
const IMPLEMENTATIONS: Readonly<Record<HashAlgorithm, NobleHash>> = {
  sha256,
  sha512,
  blake2b512: blake2b,
  blake3,
}

function nobleHasher(algorithm: HashAlgorithm): Hasher {
  algorithmInfo(algorithm)
  return guardedHasher(algorithm, IMPLEMENTATIONS[algorithm].create())
}

/** @noble/hashes: the portable synchronous fallback, with every algorithm. */
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
