import { nodeBackend } from '../hash/node.js'
import { noblePrimitives } from './noble.js'
import type { Primitives } from './types.js'

// TODO(primitives): node:crypto Ed25519 / X25519 / AEAD / HKDF / HMAC / scrypt.
/** Node primitives: node:crypto (OpenSSL) for everything it has. */
export const nodePrimitives: Primitives = {
  ...noblePrimitives,
  name: 'node',
  hash: (algorithm, data) => nodeBackend.hash(algorithm, data),
  hashSync: (algorithm, data) => nodeBackend.hashSync!(algorithm, data),
  createHasher: (algorithm) => nodeBackend.createHasher!(algorithm),
}
