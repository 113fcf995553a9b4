import { StorageError } from '../errors.js'

/** A content digest as OCI writes them: `sha256:` and 64 lowercase hex digits. */
export type Digest = `sha256:${string}`

const DIGEST = /^sha256:[0-9a-f]{64}$/

/** Checks `digest` (`sha256:<64 hex>`) and returns its hex part; `E_ARGUMENT` otherwise. */
export function digestHex(digest: string): string {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw new StorageError('E_ARGUMENT', `not a sha256 digest: ${JSON.stringify(String(digest).slice(0, 80))} (expected "sha256:" and 64 lowercase hex digits)`)
  }
  return digest.slice(7)
}

/** Is `digest` a well-formed `sha256:<64 hex>`? */
export function isDigest(digest: unknown): digest is Digest {
  return typeof digest === 'string' && DIGEST.test(digest)
}

/** Where a blob lives under a store's prefix: `blobs/sha256/ab/cd/<hex>` (two levels of fan-out). */
export function blobKey(prefix: string, hex: string): string {
  return `${prefix}blobs/sha256/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}`
}

/** The digest of a blob key made by {@link blobKey}, or undefined for anything else. */
export function digestOfBlobKey(prefix: string, key: string): Digest | undefined {
  const m = /^blobs\/sha256\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(key.slice(prefix.length))
  if (m === null || !key.startsWith(prefix) || m[3]!.slice(0, 2) !== m[1] || m[3]!.slice(2, 4) !== m[2]) return undefined
  return `sha256:${m[3]!}`
}
