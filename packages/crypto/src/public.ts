// Exports shared by both builds; index.ts and index.node.ts add the backend-bound functions.
export { CryptoError, type CryptoErrorCode } from './errors.js'
export { toHex, fromHex, equalBytes, type BytesLike } from './bytes.js'
export { HASH_ALGORITHMS, ALGORITHMS, algorithmInfo, type HashAlgorithm, type AlgorithmInfo } from './hash/algorithms.js'
export type { Hasher, HashBackend } from './hash/types.js'
export type { CryptoApi } from './api.js'
export type { Primitives, AeadAlgorithm, ScryptParams } from './primitives/types.js'
export type { PublicKey, SecretKey, KeyPair } from './keys/types.js'
