// One-shot decryption: dearmor if needed, parse the header, unwrap and authenticate the file
// key, then open every chunk into one preallocated buffer. Nothing is returned unless the
// whole payload authenticated.
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { dearmor, detectArmor } from './armor.js'
import { parseHeader } from './header.js'
import { PAYLOAD_NONCE_SIZE } from './limits.js'
import { decryptPayload, payloadKey } from './stream.js'
import type { AgeDecryptKey, AgeDecryptOptions } from './types.js'
import { forgetKey, prepareKey, unwrapFileKey, type PreparedKey } from './unwrap.js'

/** Binary form of `bytes`, dearmored when armored (per `options.armor`: detect, require or refuse). */
export function binaryInput(bytes: Uint8Array, armorOption: boolean | undefined): Uint8Array {
  const armored = detectArmor(bytes) === true
  if (armorOption === true && !armored) throw new CryptoError('E_FORMAT', 'age armor: expected "-----BEGIN AGE ENCRYPTED FILE-----"', { details: { field: 'armor', line: 1 } })
  if (armorOption === false && armored) throw new CryptoError('E_FORMAT', 'age: the input is ASCII-armored but armor: false was given', { details: { field: 'armor', line: 1 } })
  return armored ? dearmor(bytes) : bytes
}

/**
 * The payload key of the binary age file `bytes` and where its chunks start: header parsed,
 * file key unwrapped and the header MAC checked. The file key is wiped once the payload key is
 * derived from it.
 */
async function openPayload(p: Primitives, bytes: Uint8Array, key: PreparedKey): Promise<{ payloadKey: Uint8Array; start: number }> {
  const header = parseHeader(bytes, true)!
  const fileKey = await unwrapFileKey(p, header, key)
  try {
    const start = header.length + PAYLOAD_NONCE_SIZE
    if (bytes.length < start) {
      throw new CryptoError('E_FORMAT', 'age: the payload nonce is missing (the file ends after the header)', { details: { field: 'nonce', offset: header.length } })
    }
    return { payloadKey: await payloadKey(p, fileKey, bytes.subarray(header.length, start)), start }
  } finally {
    fileKey.fill(0)
  }
}

/** One-shot decryption of a whole age file (binary or armored). */
export async function decrypt(p: Primitives, data: Uint8Array, key: AgeDecryptKey, options: AgeDecryptOptions = {}): Promise<Uint8Array> {
  const prepared = await prepareKey(p, key, options)
  let bytes: Uint8Array
  let opened: { payloadKey: Uint8Array; start: number }
  try {
    bytes = binaryInput(data, options.armor)
    opened = await openPayload(p, bytes, prepared)
  } finally {
    forgetKey(prepared)
  }
  try {
    return await decryptPayload(p, opened.payloadKey, bytes.subarray(opened.start))
  } finally {
    opened.payloadKey.fill(0)
  }
}
