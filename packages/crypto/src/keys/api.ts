import { fromHex, toBytes, type BytesLike } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { newPublicKey, newSecretKey } from './construct.js'
import { KEY_ID_BYTES, isKeyId, keyIdFromBytes } from './keyid.js'
import type { KeyPair, PublicKey, SecretKey } from './types.js'
import { ED25519_KEY_BYTES } from './validate.js'

/** Options of {@link publicKeyFromBytes} and {@link secretKeyFromSeed}. */
export interface KeyImportOptions {
  /**
   * Key id to record (16 uppercase hex digits, minisign's display form), e.g. the id a
   * minisign key file gave this key. Default: {@link keyIdOf} the public key.
   */
  keyId?: string
}

/** 32 key bytes from bytes or hex, else `E_ARGUMENT` naming `field`. */
function keyBytes(input: BytesLike | string, field: string): Uint8Array {
  const bytes = typeof input === 'string' ? fromHexField(input, field) : toBytes(input)
  if (bytes.length !== ED25519_KEY_BYTES) {
    throw new CryptoError('E_ARGUMENT', `${field}: an Ed25519 ${field === 'seed' ? 'seed' : 'public key'} is ${ED25519_KEY_BYTES} bytes, got ${bytes.length}`, {
      details: { field },
    })
  }
  return bytes
}

function fromHexField(hex: string, field: string): Uint8Array {
  // Bound before decoding: the only valid length is 64 digits.
  if (hex.length !== 2 * ED25519_KEY_BYTES) {
    throw new CryptoError('E_ARGUMENT', `${field}: expected ${2 * ED25519_KEY_BYTES} hex digits, got ${hex.length} characters`, { details: { field } })
  }
  try {
    return fromHex(hex)
  } catch (e) {
    throw new CryptoError('E_ARGUMENT', `${field}: not hexadecimal`, { cause: e, details: { field } })
  }
}

function checkKeyIdOption(keyId: unknown): string | undefined {
  if (keyId === undefined) return undefined
  if (!isKeyId(keyId)) throw new CryptoError('E_ARGUMENT', 'keyId: expected 16 uppercase hex digits (minisign display form)', { details: { field: 'keyId' } })
  return keyId
}

/**
 * Ed25519 key functions over one set of primitives; spread into the package API.
 * Generated and raw-imported keys get a deterministic key id (see {@link keyIdOf}).
 */
export function createKeysApi(p: Primitives) {
  /**
   * Key id of a raw Ed25519 public key: the first 8 bytes of SHA-256(public key), read as
   * minisign key-id bytes. Deterministic, so the same key has the same id everywhere; minisign
   * key files keep the random id `minisign -G` chose instead.
   *
   * @example
   * ```ts
   * keyIdOf(publicKey.bytes) // e.g. '5E3A0C1D9B77F204'
   * ```
   */
  function keyIdOf(publicKeyBytes: BytesLike | string): string {
    const bytes = keyBytes(publicKeyBytes, 'publicKey')
    return keyIdFromBytes(p.hashSync('sha256', bytes).subarray(0, KEY_ID_BYTES))
  }

  /**
   * A {@link PublicKey} from 32 raw bytes or 64 hex digits.
   *
   * @example
   * ```ts
   * const pk = publicKeyFromBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
   * pk.keyId // from SHA-256 of the key, unless { keyId } is given
   * ```
   */
  function publicKeyFromBytes(bytes: BytesLike | string, options: KeyImportOptions = {}): PublicKey {
    const raw = keyBytes(bytes, 'publicKey')
    return newPublicKey(raw, checkKeyIdOption(options.keyId) ?? keyIdOf(raw))
  }

  /**
   * A {@link SecretKey} from a 32-byte RFC 8032 seed (bytes or hex); computes the public half.
   *
   * @example
   * ```ts
   * const sk = await secretKeyFromSeed('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')
   * sk.publicKey.bytes // d75a9801... (RFC 8032 test 1)
   * ```
   */
  async function secretKeyFromSeed(seed: BytesLike | string, options: KeyImportOptions = {}): Promise<SecretKey> {
    const raw = keyBytes(seed, 'seed')
    try {
      const keyId = checkKeyIdOption(options.keyId)
      const pkBytes = await p.ed25519.publicKey(raw)
      return newSecretKey(raw, newPublicKey(pkBytes, keyId ?? keyIdOf(pkBytes)))
    } finally {
      // Decoded from hex: our copy (the key holds its own). Bytes are the caller's: left alone.
      if (typeof seed === 'string') raw.fill(0)
    }
  }

  /**
   * A fresh Ed25519 key pair from the platform's CSPRNG.
   *
   * @example
   * ```ts
   * const { publicKey, secretKey } = await generateKeyPair()
   * const minisig = await signFile(data, secretKey)
   * ```
   */
  async function generateKeyPair(): Promise<KeyPair> {
    const seed = p.randomBytes(ED25519_KEY_BYTES)
    try {
      const secretKey = await secretKeyFromSeed(seed)
      return Object.freeze({ publicKey: secretKey.publicKey, secretKey })
    } finally {
      seed.fill(0) // the key holds its own copy
    }
  }

  return { keyIdOf, publicKeyFromBytes, secretKeyFromSeed, generateKeyPair }
}
