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
import { prepareKey, unwrapFileKey } from './unwrap.js'

/** Binary form of `bytes`, dearmored when armored (per `options.armor`: detect, require or refuse). */
export function binaryInput(bytes: Uint8Array, armorOption: boolean | undefined): Uint8Array {
  const armored = detectArmor(bytes) === true
  if (armorOption === true && !armored) throw new CryptoError('E_FORMAT', 'age armor: expected "-----BEGIN AGE ENCRYPTED FILE-----"', { details: { field: 'armor', line: 1 } })
  if (armorOption === false && armored) throw new CryptoError('E_FORMAT', 'age: the input is ASCII-armored but armor: false was given', { details: { field: 'armor', line: 1 } })
  return armored ? dearmor(bytes) : bytes
}

/** One-shot decryption of a whole age file (binary or armored). */
export async function decrypt(p: Primitives, data: Uint8Array, key: AgeDecryptKey, options: AgeDecryptOptions = {}): Promise<Uint8Array> {
  const prepared = await prepareKey(p, key, options)
  const bytes = binaryInput(data, options.armor)
  const header = parseHeader(bytes, true)!
  const fileKey = await unwrapFileKey(p, header, prepared)
  const payloadStart = header.length + PAYLOAD_NONCE_SIZE
  if (bytes.length < payloadStart) {
    throw new CryptoError('E_FORMAT', 'age: the payload nonce is missing (the file ends after the header)', { details: { field: 'nonce', offset: header.length } })
  }
  const pkey = await payloadKey(p, fileKey, bytes.subarray(header.length, payloadStart))
  return decryptPayload(p, pkey, bytes.subarray(payloadStart))
}
