import { nobleBackend } from '../hash/noble.js'
import { hasWebCrypto, webCryptoBackend } from '../hash/webcrypto.js'
import { noblePrimitives } from './noble.js'
import type { Primitives } from './types.js'

// TODO(primitives): WebCrypto Ed25519 / X25519 / AES-GCM / HKDF / HMAC where present.
/** Browser primitives: WebCrypto where the runtime has the algorithm, noble otherwise. */
export const webPrimitives: Primitives = {
  ...noblePrimitives,
  name: 'web',
  hash: (algorithm, data) => (hasWebCrypto() ? webCryptoBackend : nobleBackend).hash(algorithm, data),
}
