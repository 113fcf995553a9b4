import { hash, toHex } from '@torshpkg/crypto'
import { PREAMBLE_SIZE } from './constants.js'
import { Builder } from './cursor.js'
import { preambleForDigest } from './preamble.js'

/**
 * The package digest: SHA-256 over
 *   preamble (tail locator zeroed) || tailOffset u64 || manifestLength u32 || indexLength u32 || manifest || index.
 * The index holds every chunk's hash, so the digest commits to all data without re-reading it,
 * and the lengths make the manifest/index boundary unambiguous. Signatures live outside it.
 */
export async function packageDigest(
  preamble: Uint8Array,
  tailOffset: number,
  manifest: Uint8Array,
  index: Uint8Array,
): Promise<Uint8Array> {
  const input = new Builder(PREAMBLE_SIZE + 16 + manifest.length + index.length)
  input.put(preambleForDigest(preamble)).u64(tailOffset).u32(manifest.length).u32(index.length).put(manifest).put(index)
  return hash('sha256', input.bytes)
}

/** `sha256:<hex>`, the form digests take in the API and in lineage references. */
export function digestString(digest: Uint8Array): string {
  return `sha256:${toHex(digest)}`
}
