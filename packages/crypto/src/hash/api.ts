import { toBytes, toHex, type BytesLike } from '../bytes.js'
import type { HashAlgorithm } from './algorithms.js'
import type { Hasher, HashBackend } from './types.js'

/** The hashing functions, bound to the backends a build chose. */
export interface HashApi {
  hash(algorithm: HashAlgorithm, data: BytesLike): Promise<Uint8Array>
  hashSync(algorithm: HashAlgorithm, data: BytesLike): Uint8Array
  createHasher(algorithm: HashAlgorithm): Hasher
  sha256(data: BytesLike): Promise<string>
}

/**
 * @param oneShot - the fastest backend for async one-shot digests
 * @param sync - a backend with synchronous and incremental hashing
 */
export function createHashApi(oneShot: () => HashBackend, sync: HashBackend): HashApi {
  const hash = (algorithm: HashAlgorithm, data: BytesLike) => oneShot().hash(algorithm, toBytes(data))
  return {
    hash,
    hashSync: (algorithm, data) => sync.hashSync!(algorithm, toBytes(data)),
    createHasher: (algorithm) => sync.createHasher!(algorithm),
    sha256: async (data) => toHex(await hash('sha256', data)),
  }
}
