// The age payload: a 16-byte nonce, then the plaintext in 64 KiB chunks sealed with
// ChaCha20-Poly1305 under payload key = HKDF(file key, salt = nonce, info = "payload"), chunk
// nonce = 11-byte big-endian counter || final flag. The flag makes truncation at a chunk
// boundary detectable; the counter, reordering. Sizes are fixed by the format, so the
// plaintext size follows from the ciphertext size, which is what random access relies on.
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { CHUNK_SIZE, ENC_CHUNK_SIZE, TAG_SIZE } from './limits.js'

const PAYLOAD_INFO = new TextEncoder().encode('payload')

/** The 12-byte nonce of chunk `index` (safe integer), final flag in the last byte. */
export function chunkNonce(index: number, last: boolean): Uint8Array {
  const nonce = new Uint8Array(12)
  // Bytes 0-2 stay zero: a safe integer fits in the low 8 of the 11 counter bytes.
  const high = Math.floor(index / 2 ** 32)
  const low = index >>> 0
  nonce[3] = high >>> 24
  nonce[4] = (high >>> 16) & 255
  nonce[5] = (high >>> 8) & 255
  nonce[6] = high & 255
  nonce[7] = low >>> 24
  nonce[8] = (low >>> 16) & 255
  nonce[9] = (low >>> 8) & 255
  nonce[10] = low & 255
  nonce[11] = last ? 1 : 0
  return nonce
}

/** payload key = HKDF-SHA-256(ikm = file key, salt = payload nonce, info = "payload"). */
export function payloadKey(p: Primitives, fileKey: Uint8Array, nonce: Uint8Array): Promise<Uint8Array> {
  return p.hkdf(fileKey, nonce, PAYLOAD_INFO, 32)
}

/** Ciphertext bytes for `size` plaintext bytes (nonce excluded). */
export function encryptedPayloadSize(size: number): number {
  const chunks = Math.max(1, Math.ceil(size / CHUNK_SIZE))
  return size + chunks * TAG_SIZE
}

/** Chunk count and plaintext size implied by `encLength` payload bytes after the nonce. */
export interface PayloadLayout {
  readonly chunks: number
  readonly plaintextSize: number
}

const decryptError = (message: string, details: Record<string, unknown>) => new CryptoError('E_DECRYPT', `age payload: ${message}`, { details: { field: 'payload', ...details } })

/**
 * The layout of a payload of `encLength` bytes (after the nonce), or `E_DECRYPT` when no valid
 * payload has that size: no chunk at all, a last chunk shorter than a tag (cut inside a tag), or
 * an empty last chunk after full ones (only an empty file has an empty final chunk).
 */
export function payloadLayout(encLength: number): PayloadLayout {
  if (encLength === 0) throw decryptError('no chunks after the nonce (the file is truncated)', { chunk: 0 })
  const chunks = Math.ceil(encLength / ENC_CHUNK_SIZE)
  const lastEnc = encLength - (chunks - 1) * ENC_CHUNK_SIZE
  if (lastEnc < TAG_SIZE) throw decryptError(`the last chunk is ${lastEnc} bytes, shorter than its tag (the file was truncated or extended)`, { chunk: chunks - 1 })
  if (lastEnc === TAG_SIZE && chunks > 1) throw decryptError('the final chunk is empty, which only an empty file may have (truncated or altered)', { chunk: chunks - 1 })
  return { chunks, plaintextSize: (chunks - 1) * CHUNK_SIZE + lastEnc - TAG_SIZE }
}

/** Seal chunk `index`. */
export function sealChunk(p: Primitives, key: Uint8Array, index: number, last: boolean, plaintext: Uint8Array): Promise<Uint8Array> {
  return p.aead.encrypt('chacha20-poly1305', key, chunkNonce(index, last), plaintext)
}

/** Open chunk `index` with the given final flag; `undefined` when the tag does not match. */
export async function tryOpenChunk(p: Primitives, key: Uint8Array, index: number, last: boolean, sealed: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    return await p.aead.decrypt('chacha20-poly1305', key, chunkNonce(index, last), sealed)
  } catch (e) {
    if (e instanceof CryptoError && e.code === 'E_DECRYPT') return undefined
    throw e
  }
}

/**
 * Open chunk `index`, `last` saying whether it must be the final one. Failure is `E_DECRYPT`;
 * when a chunk expected to be non-final opens as final, the message says the file continues
 * past its end (data appended, or chunks dropped and re-ordered); no plaintext is returned.
 */
export async function openChunk(p: Primitives, key: Uint8Array, index: number, last: boolean, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < TAG_SIZE) throw decryptError(`chunk ${index} is shorter than its tag (truncated)`, { chunk: index })
  const plain = await tryOpenChunk(p, key, index, last, sealed)
  if (plain) return plain
  if (last) {
    const early = await tryOpenChunk(p, key, index, false, sealed)
    if (early) throw decryptError(`chunk ${index} is not marked final but the file ends there (truncated)`, { chunk: index, final: false })
  } else if (sealed.length === ENC_CHUNK_SIZE && (await tryOpenChunk(p, key, index, true, sealed))) {
    throw decryptError(`chunk ${index} is the final chunk but data follows it (trailing data)`, { chunk: index, final: true })
  }
  throw decryptError(`chunk ${index} does not authenticate (wrong key, or the data was changed)`, { chunk: index })
}

/**
 * Seal `plaintext` as a whole payload into `out` at `at` (sized with
 * {@link encryptedPayloadSize}). A file whose size is a multiple of 64 KiB ends with a full
 * final chunk (as age writes it); only the empty file has an empty chunk.
 */
export async function encryptPayloadInto(p: Primitives, key: Uint8Array, plaintext: Uint8Array, out: Uint8Array, at: number): Promise<void> {
  const chunks = Math.max(1, Math.ceil(plaintext.length / CHUNK_SIZE))
  for (let i = 0; i < chunks; i++) {
    const sealed = await sealChunk(p, key, i, i === chunks - 1, plaintext.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE))
    out.set(sealed, at + i * ENC_CHUNK_SIZE)
  }
}

/**
 * Open a whole payload (the bytes after the nonce). The plaintext is returned only when every
 * chunk authenticated, with the final flag on the last one and only there; `E_DECRYPT`
 * otherwise. The output is allocated once, at the size the ciphertext implies.
 */
export async function decryptPayload(p: Primitives, key: Uint8Array, payload: Uint8Array): Promise<Uint8Array> {
  const { chunks, plaintextSize } = payloadLayout(payload.length)
  const out = new Uint8Array(plaintextSize)
  for (let i = 0; i < chunks; i++) {
    const plain = await openChunk(p, key, i, i === chunks - 1, payload.subarray(i * ENC_CHUNK_SIZE, (i + 1) * ENC_CHUNK_SIZE))
    out.set(plain, i * CHUNK_SIZE)
  }
  return out
}
