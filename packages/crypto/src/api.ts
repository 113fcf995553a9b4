import { createAgeApi } from './age/api.js'
import { toBytes, toHex, type BytesLike } from './bytes.js'
import type { HashAlgorithm } from './hash/algorithms.js'
import type { Hasher } from './hash/types.js'
import { createKeysApi } from './keys/api.js'
import { createMinisignApi } from './minisign/api.js'
import type { Primitives } from './primitives/types.js'
import { createSigningApi } from './signing/api.js'

/**
 * Every backend-bound function of the package, built over one set of primitives. `index.ts`
 * binds the portable primitives (WebCrypto where it has the algorithm, noble otherwise),
 * `index.node.ts` the node:crypto ones. Each feature folder contributes a `create...Api(p)`.
 */
export function createCryptoApi(p: Primitives) {
  return {
    primitives: p,
    hash: (algorithm: HashAlgorithm, data: HashInput): Promise<Uint8Array> => p.hash(algorithm, hashInput(data)),
    hashSync: (algorithm: HashAlgorithm, data: HashInput): Uint8Array => p.hashSync(algorithm, hashInput(data)),
    createHasher: (algorithm: HashAlgorithm): Hasher => p.createHasher(algorithm),
    sha256: async (data: HashInput): Promise<string> => toHex(await p.hash('sha256', hashInput(data))),
    ...createSigningApi(p),
    ...createKeysApi(p),
    ...createMinisignApi(p),
    ...createAgeApi(p),
  }
}

/** What the hash functions take: bytes, or a string (hashed as its UTF-8 bytes). */
export type HashInput = BytesLike | string

// Strings are unambiguous here (nothing else could be meant than their UTF-8 bytes), unlike
// signFile, where a string might be a file name and is refused.
const hashInput = (data: HashInput): Uint8Array => (typeof data === 'string' ? new TextEncoder().encode(data) : toBytes(data))

export type CryptoApi = ReturnType<typeof createCryptoApi>
