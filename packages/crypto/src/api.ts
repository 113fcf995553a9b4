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
    hash: (algorithm: HashAlgorithm, data: BytesLike): Promise<Uint8Array> => p.hash(algorithm, toBytes(data)),
    hashSync: (algorithm: HashAlgorithm, data: BytesLike): Uint8Array => p.hashSync(algorithm, toBytes(data)),
    createHasher: (algorithm: HashAlgorithm): Hasher => p.createHasher(algorithm),
    sha256: async (data: BytesLike): Promise<string> => toHex(await p.hash('sha256', toBytes(data))),
    ...createSigningApi(p),
    ...createKeysApi(p),
    ...createMinisignApi(p),
    ...createAgeApi(p),
    // feature APIs are spread in here: ...createKeysApi(p), ...createMinisignApi(p), ...createAgeApi(p), ...createSigningApi(p)
  }
}

export type CryptoApi = ReturnType<typeof createCryptoApi>
