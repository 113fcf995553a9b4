/**
 * `@torshpkg/crypto`: hashing, signatures and encryption for torshpkg, native wherever the
 * platform has it. This is the browser-safe build: WebCrypto where the runtime has the
 * algorithm, @noble/* otherwise. Node resolves `index.node.ts` (node:crypto), same API.
 *
 * @example
 * ```ts
 * import { sha256, createHasher, toHex } from '@torshpkg/crypto'
 * await sha256(new TextEncoder().encode('abc')) // 'ba7816bf...'
 * const h = createHasher('sha256'); h.update(part1); h.update(part2); toHex(h.digest())
 * ```
 * @packageDocumentation
 */
import { createCryptoApi } from './api.js'
import { webPrimitives } from './primitives/web.js'

export * from './public.js'

const api = createCryptoApi(webPrimitives)

/** The primitives this build uses (for benchmarks and tests; most code needs the functions below). */
export const primitives = api.primitives
/** Digest of `data` with `algorithm`, from the fastest backend available. */
export const hash = api.hash
/** Synchronous digest (node:crypto in Node, @noble/hashes elsewhere). */
export const hashSync = api.hashSync
/** An incremental hasher for data that arrives in pieces. */
export const createHasher = api.createHasher
/**
 * SHA-256 of `data` as lowercase hex.
 *
 * @example
 * ```ts
 * await sha256(new TextEncoder().encode('abc')) // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export const sha256 = api.sha256
