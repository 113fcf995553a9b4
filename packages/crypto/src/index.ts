/**
 * `@torshpkg/crypto`: hashing for torshpkg, native wherever the platform has it.
 * This is the browser-safe build: async digests go through WebCrypto when present and
 * synchronous or incremental ones through @noble/hashes. Node resolves `index.node.ts`.
 *
 * @example
 * ```ts
 * import { sha256, createHasher, toHex } from '@torshpkg/crypto'
 * await sha256(new TextEncoder().encode('abc')) // 'ba7816bf...'
 * const h = createHasher('sha256'); h.update(part1); h.update(part2); toHex(h.digest())
 * ```
 * @packageDocumentation
 */
import { createHashApi } from './hash/api.js'
import { nobleBackend } from './hash/noble.js'
import { hasWebCrypto, webCryptoBackend } from './hash/webcrypto.js'

export * from './public.js'

const api = createHashApi(() => (hasWebCrypto() ? webCryptoBackend : nobleBackend), nobleBackend)

/** Digest of `data` with `algorithm`, from the fastest backend available. */
export const hash = api.hash
/** Synchronous digest (node:crypto in Node, @noble/hashes elsewhere). */
export const hashSync = api.hashSync
/** An incremental hasher for data that arrives in pieces. */
export const createHasher = api.createHasher
/** SHA-256 of `data` as lowercase hex. */
export const sha256 = api.sha256
