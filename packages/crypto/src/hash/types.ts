import type { BytesLike } from '../bytes.js'
import type { HashAlgorithm } from './algorithms.js'

/** An incremental hash: feed it bytes, then take the digest once. */
export interface Hasher {
  readonly algorithm: HashAlgorithm
  /** Feed bytes (a string is fed as its UTF-8 bytes). */
  update(data: BytesLike | string): this
  /** The digest; the hasher cannot be updated afterwards. */
  digest(): Uint8Array
}

/** One way of computing digests. The builds pick one per function; tests compare them all. */
export interface HashBackend {
  readonly name: string
  hash(algorithm: HashAlgorithm, data: Uint8Array): Promise<Uint8Array>
  hashSync?(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array
  createHasher?(algorithm: HashAlgorithm): Hasher
}
