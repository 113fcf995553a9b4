import { createHash } from 'node:crypto'
import { CryptoError } from '../errors.js'
import { algorithmInfo, type HashAlgorithm } from './algorithms.js'
import { guardedHasher } from './hasher.js'
import type { Hasher, HashBackend } from './types.js'

function nodeName(algorithm: HashAlgorithm): string {
  const info = algorithmInfo(algorithm)
  if (!info.node) throw new CryptoError('E_UNSUPPORTED_ALGORITHM', `node:crypto cannot compute ${algorithm}`)
  return info.node
}

function asBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}

function nodeHasher(algorithm: HashAlgorithm): Hasher {
  const state = createHash(nodeName(algorithm))
  return guardedHasher(algorithm, { update: (d) => state.update(d), digest: () => asBytes(state.digest()) })
}

/** node:crypto (OpenSSL): the fastest path in Node, synchronous and incremental. */
export const nodeBackend: HashBackend = {
  name: 'node',
  hashSync: (algorithm, data) => asBytes(createHash(nodeName(algorithm)).update(data).digest()),
  async hash(algorithm, data) {
    return this.hashSync!(algorithm, data)
  },
  createHasher: nodeHasher,
}
