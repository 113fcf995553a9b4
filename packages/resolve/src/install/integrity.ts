/**
 * Subresource Integrity (SRI) strings: parsing and checking bytes against them with
 * WebCrypto (`crypto.subtle.digest`, in browsers and Node 20).
 */
import { InstallError } from './errors.js'

/** Hash algorithms an integrity string may use here, weakest first. */
export type IntegrityAlgorithm = 'sha256' | 'sha384' | 'sha512'

/** One well-formed entry of an integrity string. */
export interface IntegrityEntry {
  readonly algorithm: IntegrityAlgorithm
  /** The expected digest, canonical base64 (standard alphabet, padded). */
  readonly digest: string
}

const ALGORITHMS: Readonly<Record<IntegrityAlgorithm, { webCrypto: string; length: number; strength: number }>> = {
  sha256: { webCrypto: 'SHA-256', length: 32, strength: 1 },
  sha384: { webCrypto: 'SHA-384', length: 48, strength: 2 },
  sha512: { webCrypto: 'SHA-512', length: 64, strength: 3 },
}

const ENTRY = /^(sha256|sha384|sha512)-([A-Za-z0-9+/_-]+={0,2})(?:\?.*)?$/i

function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!)
  return btoa(binary)
}

/** Decodes base64 or base64url, padded or not; `undefined` if malformed. */
function base64ToBytes(value: string): Uint8Array | undefined {
  const standard = value.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')
  if (standard.length % 4 === 1) return undefined
  try {
    const binary = atob(standard)
    const out = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
    return out
  } catch {
    return undefined
  }
}

/**
 * The well-formed `sha256`, `sha384` and `sha512` entries of an SRI string (space-separated
 * `algorithm-base64digest[?options]`). As the SRI spec says, entries of other algorithms are
 * ignored; so are entries whose digest is not valid base64 (base64url is accepted too) of the
 * algorithm's length. An empty result means the string cannot verify anything.
 *
 * @example
 * ```ts
 * parseIntegrity('md5-XXXX sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
 * // [{ algorithm: 'sha256', digest: '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' }]
 * ```
 */
export function parseIntegrity(integrity: string): IntegrityEntry[] {
  const entries: IntegrityEntry[] = []
  for (const token of integrity.split(/\s+/)) {
    const match = ENTRY.exec(token)
    if (!match) continue
    const algorithm = match[1]!.toLowerCase() as IntegrityAlgorithm
    const bytes = base64ToBytes(match[2]!)
    if (bytes?.length !== ALGORITHMS[algorithm].length) continue
    entries.push({ algorithm, digest: bytesToBase64(bytes) })
  }
  return entries
}

/** The entries of the strongest algorithm present (the only ones the SRI spec checks). */
function strongest(entries: readonly IntegrityEntry[]): IntegrityEntry[] {
  let best = 0
  for (const e of entries) best = Math.max(best, ALGORITHMS[e.algorithm].strength)
  return entries.filter((e) => ALGORITHMS[e.algorithm].strength === best)
}

/** `algorithm-base64` of `bytes`. */
async function digestOf(bytes: Uint8Array, algorithm: IntegrityAlgorithm): Promise<string> {
  // WebCrypto takes ArrayBuffer-backed views only.
  const data = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes)
  const digest = await crypto.subtle.digest(ALGORITHMS[algorithm].webCrypto, data)
  return bytesToBase64(new Uint8Array(digest))
}

/** Result of {@link matchIntegrity}. */
export interface IntegrityMatch {
  readonly ok: boolean
  /** The digest of the bytes in the algorithm checked, as `algorithm-base64`. */
  readonly actual: string
}

/**
 * Checks `bytes` against parsed entries by the SRI rule: only the strongest algorithm
 * present counts, and any of its digests matching passes. `entries` must not be empty.
 */
export async function matchIntegrity(bytes: Uint8Array, entries: readonly IntegrityEntry[]): Promise<IntegrityMatch> {
  const candidates = strongest(entries)
  const algorithm = candidates[0]!.algorithm
  const actual = await digestOf(bytes, algorithm)
  return { ok: candidates.some((e) => e.digest === actual), actual: `${algorithm}-${actual}` }
}

/**
 * Whether `bytes` match an SRI integrity string, by the SRI rule: of the `sha256`, `sha384`
 * and `sha512` entries, only those of the strongest algorithm present count, and any of them
 * matching passes (so `sha256-<right> sha512-<wrong>` fails).
 *
 * Unlike the SRI spec (which lets a string with no usable entry pass), a string with no
 * well-formed supported entry is an error: it cannot verify anything.
 *
 * @throws InstallError `E_INTEGRITY_UNSUPPORTED` when `integrity` has no usable entry.
 *
 * @example
 * ```ts
 * await verifyIntegrity(new Uint8Array(), 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=') // true
 * await verifyIntegrity(new Uint8Array([1]), 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=') // false
 * ```
 */
export async function verifyIntegrity(bytes: Uint8Array, integrity: string): Promise<boolean> {
  const entries = parseIntegrity(integrity)
  if (entries.length === 0) throw new InstallError('E_INTEGRITY_UNSUPPORTED', `integrity "${integrity}" has no well-formed sha256, sha384 or sha512 entry`)
  return (await matchIntegrity(bytes, entries)).ok
}
